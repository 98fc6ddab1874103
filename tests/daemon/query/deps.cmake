# The fixture writes its database through the store.
set(extra_deps brandmon_store)
