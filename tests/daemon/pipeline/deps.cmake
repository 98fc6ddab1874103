# The pipeline tests load configs naming the built-in plugins.
set(extra_deps brandmon_plugins)
