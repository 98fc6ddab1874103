# api_test reads the query tests' fixed database, written through the store.
set(extra_deps brandmon_store)
set(extra_srcs ${PROJECT_SOURCE_DIR}/tests/daemon/query/query_fixture_testlib.cc)
