#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/cli/command.h"
#include "tests/daemon/query/query_fixture.h"
#include "tests/support/test_util.h"

namespace brandmon::cli {
namespace {

using testing::QueryFixture;
using testing::ReadFile;

struct Outcome {
  int rc;
  std::string out;
  std::string err;
};

// `brandmonctl report` on the query tests' fixed database, written by the
// store as the daemon writes it (golden files of the same report:
// tests/daemon/query/report/).
class ReportCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { fixture_.AddReportRows(); }
  Outcome Report(std::vector<std::string> args) {
    args.insert(args.begin(), {"report", "--database", fixture_.path(), "--since", "2026-01-01T00:00:00Z", "--until",
                               "2026-01-01T04:00:00Z"});
    return RunArgs(args);
  }
  Outcome RunArgs(const std::vector<std::string>& args) {
    std::istringstream in;
    std::ostringstream out, err;
    int rc = RunCtl(args, in, out, err);
    return {rc, out.str(), err.str()};
  }
  // One number from the database itself, through SQLite.
  int64_t Count(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(fixture_.path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }
  QueryFixture fixture_;
};

TEST_F(ReportCommandTest, JsonFiguresEqualTheDatabase) {
  Outcome r = Report({"--brand", "acme,globex", "--format", "json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, "");
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError());
  ASSERT_EQ(doc["series"].Size(), 2u);
  EXPECT_STREQ(doc["series"][0]["brand"].GetString(), "acme");
  EXPECT_EQ(doc["series"][0]["total"].GetInt64(), Count("SELECT count(*) FROM mentions WHERE brand = 'acme'"));
  EXPECT_EQ(doc["series"][1]["total"].GetInt64(), Count("SELECT count(*) FROM mentions WHERE brand = 'globex'"));
  // Four hours in hours: the automatic step of a range under two days.
  EXPECT_EQ(doc["series"][0]["buckets"].Size(), 4u);
  EXPECT_EQ(doc["step_ms"].GetInt64(), 3'600'000);
  int64_t negative = 0;
  for (const auto& b : doc["series"][0]["buckets"].GetArray()) negative += b["negative"].GetInt64();
  EXPECT_EQ(negative, Count("SELECT count(*) FROM mentions WHERE brand = 'acme' AND label = 'negative'"));
  EXPECT_EQ(doc["alerts"].Size(), static_cast<rapidjson::SizeType>(Count("SELECT count(*) FROM alerts")));
  EXPECT_EQ(doc["top"][0]["reach"].GetDouble(), 5000);
  EXPECT_EQ(doc["emerging_terms"].Size(), 2u);
}

TEST_F(ReportCommandTest, HtmlIsOneSelfContainedPageWithTheHostileTextEscaped) {
  Outcome r = Report({"--brand", "acme"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(r.out.find("<h1>Brand report: acme</h1>"), std::string::npos);
  EXPECT_EQ(r.out.find("<script"), std::string::npos);
  EXPECT_EQ(r.out.find("<img"), std::string::npos);
  EXPECT_EQ(r.out.find("href=\"javascript"), std::string::npos);
  EXPECT_NE(r.out.find("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(r.out.find("Link not shown: <span class=\"url\">javascript:alert(&#39;url&#39;)</span>"),
            std::string::npos);
}

TEST_F(ReportCommandTest, MarkdownAndAStepOfOurOwn) {
  Outcome r = Report({"--brand", "acme,globex", "--format", "md", "--step", "2h"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("per 2h"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| acme | 6 | 66.7% | -0.30 | 5.2k |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| rss-feed | failing (2 in a row) |"), std::string::npos);
}

TEST_F(ReportCommandTest, OutputGoesToTheFileAlone) {
  std::string path = (fixture_.dir().path() / "acme.html").string();
  Outcome r = Report({"--brand", "acme", "--output", path});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "") << "no progress into a pipe";
  EXPECT_EQ(ReadFile(path).rfind("<!DOCTYPE html>", 0), 0u);
}

TEST_F(ReportCommandTest, ErrorsNameTheBadValue) {
  struct Case {
    std::vector<std::string> args;
    int rc;
    std::string err;
  };
  std::string missing = (fixture_.dir().path() / "no" / "such" / "dir" / "r.html").string();
  const Case cases[] = {
      {{"--format", "pdf"}, 2, "brandmonctl report: --format must be html, md or json, got 'pdf'\n"},
      {{"--until", "yesterday-ish"}, 2, "brandmonctl report: --until: not a time: 'yesterday-ish'"},
      {{"--step", "90m"},
       2,
       "brandmonctl report: --step: must be a whole number of hours such as 1h, 6h or 1d, got '90m'"},
      {{"--step", "1h", "--since", "2000-01-01"}, 2, "brandmonctl report: --step: too many buckets"},
      {{"--brand"}, 2, "brandmonctl report: '--brand' needs a value"},
      {{"--colour", "red"}, 2, "brandmonctl report: unknown option '--colour'"},
      {{"--output", missing}, 1, "brandmonctl report: cannot write " + missing + ": "},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"report", "--database", fixture_.path()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    Outcome r = RunArgs(args);
    EXPECT_EQ(r.rc, c.rc) << c.args[0];
    EXPECT_EQ(r.err.rfind(c.err, 0), 0u) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(ReportCommandTest, ADatabaseThatIsNotThereIsNamedWithWhereItCameFrom) {
  std::string path = (fixture_.dir().path() / "none.db").string();
  Outcome r = RunArgs({"report", "--database", path});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "brandmonctl report: no state database at " + path +
                " (from --database); point at the daemon's with --config FILE (its config) or --database FILE\n");
  std::string config = fixture_.dir().Write("bad.json", "{\"store\": {\"nope\": 1}}");
  r = RunArgs({"report", "--config", config});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("config " + config), std::string::npos) << r.err;
}

TEST_F(ReportCommandTest, TheConfigFindsTheDatabaseAsTheDaemonDoes) {
  std::string config =
      fixture_.dir().Write("brandmon.json", "{\"daemon\": {\"state_dir\": \"" + fixture_.dir().path().string() +
                                                "\"}, \"store\": {\"file\": \"state.db\"}}");
  Outcome r = RunArgs({"report", "--config", config, "--since", "2026-01-01", "--until", "2026-01-01T04:00:00Z",
                       "--format", "md", "--brand", "globex"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("| globex | 1 | 0.0% | +0.80 | 1k |"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace brandmon::cli
