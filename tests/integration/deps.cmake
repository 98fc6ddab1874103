set(extra_deps PkgConfig::CPPZMQ PkgConfig::ZMQ)
# The scripted day (e2e_day_test.cc) serves its channels from an in-process
# cpp-httplib server (Debian libcpp-httplib-dev); zlib for its gzip helper.
if(NOT TARGET PkgConfig::HTTPLIB)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
list(APPEND extra_deps PkgConfig::HTTPLIB z SQLite::SQLite3)
