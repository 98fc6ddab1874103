# match_command_test runs `brandmonctl match` through ctl::RunCtl.
set(extra_deps brandmon_ctl)
