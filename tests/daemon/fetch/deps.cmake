# The in-process HTTP server of the tests (Debian libcpp-httplib-dev) and zlib for gzip fixtures.
if(NOT TARGET PkgConfig::HTTPLIB)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
set(extra_deps PkgConfig::HTTPLIB z)
