# The engine is tested against a real publisher and journal, with the
# publish tests' fixture.
set(extra_srcs ${PROJECT_SOURCE_DIR}/tests/daemon/publish/publish_fixture_testlib.cc)
