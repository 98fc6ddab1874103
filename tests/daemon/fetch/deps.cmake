# The in-process HTTP server of the tests (Debian libcpp-httplib-dev), zlib for gzip fixtures and
# OpenSSL for the TLS listener of the redirect tests.
if(NOT TARGET PkgConfig::HTTPLIB)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
find_package(OpenSSL REQUIRED)
set(extra_deps PkgConfig::HTTPLIB z OpenSSL::SSL)
