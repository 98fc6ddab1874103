#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/cli/command.h"
#include "tests/daemon/query/query_fixture.h"
#include "tests/support/test_util.h"

namespace brandmon::cli {
namespace {

using testing::FixturePath;
using testing::QueryFixture;
using testing::ReadFile;

struct Outcome {
  int rc;
  std::string out;
  std::string err;
};

class ExportCommandTest : public ::testing::Test {
 protected:
  Outcome Export(std::vector<std::string> args) {
    args.insert(args.begin(),
                {"export", "--database", fixture_.path(), "--since", "2026-01-01", "--until", "2026-01-02"});
    return RunArgs(args);
  }
  Outcome RunArgs(const std::vector<std::string>& args) {
    std::istringstream in;
    std::ostringstream out, err;
    int rc = RunCtl(args, in, out, err);
    return {rc, out.str(), err.str()};
  }
  // Compares `actual` with tests/daemon/cli/export/<name>, or rewrites it
  // under UPDATE_GOLDEN=1.
  void ExpectGolden(const std::string& actual, const std::string& name) {
    std::string path = FixturePath("daemon/cli/export/" + name);
    if (std::getenv("UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path, std::ios::binary) << actual;
      return;
    }
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; run with UPDATE_GOLDEN=1";
    EXPECT_EQ(actual, ReadFile(path));
  }
  QueryFixture fixture_;
};

TEST_F(ExportCommandTest, CsvOfEveryMentionMatchesItsGolden) {
  Outcome r = Export({"--format", "csv"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.err, "");
  ExpectGolden(r.out, "all.csv");
}

TEST_F(ExportCommandTest, JsonLinesMatchesItsGolden) {
  Outcome r = Export({"--format", "jsonl"});
  ASSERT_EQ(r.rc, 0) << r.err;
  ExpectGolden(r.out, "all.jsonl");
}

TEST_F(ExportCommandTest, CsvIsRfc4180WithFormulasDefused) {
  Outcome r = Export({});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out.rfind("stored_at,published,brand,channel,lang,label,compound,target,pos,neu,neg,reach,url,author,"
                        "title,text\r\n",
                        0),
            0u);
  // Quotes doubled, CR and LF kept inside a quoted field, a formula prefixed.
  EXPECT_NE(r.out.find(R"(,"O""Brien, Jr.",'=cmd|' /C calc'!A0,"She said ""acme, again"")"
                       "\r\nthen left,\nquietly\"\r\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(",'-eve,'+1 acme,'@SUM(1+1) -- acme'; DROP TABLE mentions; --\r\n"), std::string::npos);
  // Numbers are not text: a negative score keeps its sign.
  EXPECT_NE(r.out.find(",negative,-0.9,,"), std::string::npos);
}

TEST_F(ExportCommandTest, FiltersNarrowTheRows) {
  Outcome r = Export({"--brand", "acme", "--label", "negative", "--format", "jsonl"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 3);
  Outcome q = Export({"--q", "cafe", "--format", "jsonl"});
  ASSERT_EQ(q.rc, 0);
  EXPECT_EQ(std::count(q.out.begin(), q.out.end(), '\n'), 1);
  EXPECT_NE(q.out.find("\"author\":\"Chloé\""), std::string::npos);
  Outcome none = Export({"--brand", "initech"});
  ASSERT_EQ(none.rc, 0);
  EXPECT_EQ(std::count(none.out.begin(), none.out.end(), '\n'), 1);  // the header
}

TEST_F(ExportCommandTest, BomAndOutputFile) {
  std::string file = (fixture_.dir().path() / "out.csv").string();
  Outcome r = Export({"--bom", "--output", file});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "");
  std::string written = ReadFile(file);
  EXPECT_EQ(written.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(written.substr(3), Export({}).out);
}

TEST_F(ExportCommandTest, ErrorsSayWhatIsWrong) {
  std::istringstream in;
  std::ostringstream out, err;
  std::string missing = (fixture_.dir().path() / "none.db").string();
  EXPECT_EQ(RunCtl({"export", "--database", missing}, in, out, err), 1);
  EXPECT_NE(err.str().find("no state database at " + missing), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("--config FILE"), std::string::npos) << err.str();
  Outcome bad_date = RunArgs({"export", "--database", fixture_.path(), "--since", "yesterday"});
  EXPECT_EQ(bad_date.rc, 2);
  EXPECT_NE(bad_date.err.find("--since: not a time: 'yesterday'"), std::string::npos) << bad_date.err;
  Outcome bad_reach = Export({"--min-reach", "-3"});
  EXPECT_EQ(bad_reach.rc, 2);
  EXPECT_NE(bad_reach.err.find("--min-reach: must be a number >= 0"), std::string::npos) << bad_reach.err;
  Outcome bad_format = Export({"--format", "xlsx"});
  EXPECT_EQ(bad_format.rc, 2);
  EXPECT_NE(bad_format.err.find("--format must be csv or jsonl"), std::string::npos);
  Outcome bad_label = Export({"--label", "angry"});
  EXPECT_EQ(bad_label.rc, 2);
  EXPECT_NE(bad_label.err.find("--label: unknown label 'angry'"), std::string::npos);
}

TEST(ExportHelpTest, BrandmonctlHelpListsExport) {
  std::istringstream in;
  std::ostringstream out, err;
  EXPECT_EQ(RunCtl({"--help"}, in, out, err), 0);
  EXPECT_NE(out.str().find("  export "), std::string::npos) << out.str();
}

}  // namespace
}  // namespace brandmon::cli
