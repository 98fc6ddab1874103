# The fixture writes its database through the store; the report builder's
# golden files are rendered by the report module.
set(extra_deps brandmon_store brandmon_report)
