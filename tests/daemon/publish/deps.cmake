# tail_command_test and keygen_command_test run brandmonctl through ctl::RunCtl.
set(extra_deps brandmon_ctl)
