# api_test and dashboard_test read the query tests' fixed database, written
# through the store; dashboard_test parses the page with the report tests'
# libxml2 helpers and checks its numbers against the database with SQLite;
# listener_test reads gzipped answers back with zlib.
set(extra_deps brandmon_store LibXml2::LibXml2 SQLite::SQLite3 z)
set(extra_srcs ${PROJECT_SOURCE_DIR}/tests/daemon/query/query_fixture_testlib.cc
               ${PROJECT_SOURCE_DIR}/tests/daemon/report/xml_check_testlib.cc)
