# HTTP sources are tested end to end: the feed plugin against an in-process
# cpp-httplib server (Debian libcpp-httplib-dev), beside a slow exec source.
if(NOT TARGET PkgConfig::HTTPLIB)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
set(extra_deps brandmon_plugins brandmon_plugin_feed brandmon_plugin_exec PkgConfig::HTTPLIB z)
