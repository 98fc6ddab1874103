set(extra_deps PkgConfig::CPPZMQ PkgConfig::ZMQ)
