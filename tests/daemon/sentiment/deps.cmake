set(extra_deps brandmon_config)
