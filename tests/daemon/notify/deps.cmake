# The receivers are tested against in-process cpp-httplib servers (Debian
# libcpp-httplib-dev) and, for e-mail and Alertmanager, real servers the
# tests start (python3-aiosmtpd, prometheus-alertmanager).
if(NOT TARGET PkgConfig::HTTPLIB)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
set(extra_deps PkgConfig::HTTPLIB z)
