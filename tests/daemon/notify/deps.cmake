# The receivers are tested against in-process cpp-httplib servers (Debian
# libcpp-httplib-dev) and, for e-mail and Alertmanager, real servers the
# tests start (python3-aiosmtpd, prometheus-alertmanager). The engine is
# tested against a real publisher and journal, with the publish tests'
# fixture.
if(NOT TARGET PkgConfig::HTTPLIB)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
set(extra_deps PkgConfig::HTTPLIB z)
set(extra_srcs ${PROJECT_SOURCE_DIR}/tests/daemon/publish/publish_fixture_testlib.cc)
