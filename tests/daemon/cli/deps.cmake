# tail_command_test runs `brandmonctl tail` against a real publisher, with the
# publish tests' fixture and alert-schema check.
set(extra_srcs ${PROJECT_SOURCE_DIR}/tests/daemon/publish/publish_fixture_testlib.cc
               ${PROJECT_SOURCE_DIR}/tests/daemon/publish/schema_check_testlib.cc)
# export_command_test exports the query tests' fixed database.
list(APPEND extra_srcs ${PROJECT_SOURCE_DIR}/tests/daemon/query/query_fixture_testlib.cc)
set(extra_deps brandmon_store brandmon_query)
list(APPEND extra_deps SQLite::SQLite3)
# replay_command_test writes its state database through the pipeline, as the daemon does.
list(APPEND extra_deps brandmon_pipeline)
