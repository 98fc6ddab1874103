#include "daemon/sentiment/options.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "daemon/config/json_reader.h"
#include "tests/support/test_util.h"

namespace brandmon::sentiment {
namespace {

TEST(SentimentOptionsTest, DefaultsAreValidAndDocumented) {
  SentimentOptions o;
  o.language = "x";
  config::ApplyDefaults(SentimentOptionTable(), o);
  EXPECT_EQ(o.language, "auto");
  EXPECT_TRUE(o.data_dir.empty());
  EXPECT_TRUE(o.lexicon.empty());
  EXPECT_TRUE(o.lexicon_files.empty());
  for (const auto& spec : SentimentOptionTable()) EXPECT_FALSE(spec.info.doc.empty()) << spec.info.key;
}

TEST(SentimentOptionsTest, ParsesOverridesAndRejectsBadValues) {
  brandmon::testing::TempDir dir;
  std::string lexicon = dir.Write("a.tsv", "gnarly\t2.5\n");
  auto v = config::ParseConfigText(
      R"({"lexicon": {"sick": 2, "meh": -0.5}, "lexicon_files": [")" + lexicon + R"("], "language": "gu"})",
      "test.json");
  ASSERT_TRUE(v.ok());
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  SentimentOptions o;
  config::ApplyTable(SentimentOptionTable(), *v, "sentiment", ctx, o);
  EXPECT_TRUE(diag.ok()) << diag.Joined();
  EXPECT_EQ(o.lexicon, (std::map<std::string, double>{{"meh", -0.5}, {"sick", 2}}));
  EXPECT_EQ(o.lexicon_files, std::vector<std::string>{lexicon});
  EXPECT_EQ(o.language, "gu");

  auto bad = config::ParseConfigText(R"({"lexicon": {"sick": 7}, "lexicn": {}})", "test.json");
  ASSERT_TRUE(bad.ok());
  config::Diagnostics diag2;
  config::ApplyContext ctx2{diag2};
  config::ApplyTable(SentimentOptionTable(), *bad, "sentiment", ctx2, o);
  EXPECT_FALSE(diag2.ok());
  std::string all = diag2.Joined();
  EXPECT_NE(all.find("sentiment.lexicon.sick"), std::string::npos) << all;
  EXPECT_NE(all.find("lexicn"), std::string::npos) << all;
}

// A lexicon file is read when the config is loaded: --check-config and a
// reload name the bad one, and a FIFO (which would block a reader until a
// writer comes) is refused at once.
TEST(SentimentOptionsTest, LexiconFilesAreReadWhenLoadedAndOnlyRegularFiles) {
  brandmon::testing::TempDir dir;
  std::string good = dir.Write("good.tsv", "gnarly\t2.5\n");
  std::string fifo = (dir.path() / "pipe.tsv").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::string malformed = dir.Write("bad.tsv", "fine\t1\nworse\tnine\n");
  std::string missing = (dir.path() / "missing.tsv").string();
  struct Case {
    std::string file;
    std::string says;
  };
  for (const Case& c : {Case{fifo, "not a regular file (a FIFO)"}, Case{malformed, "bad.tsv:2"},
                        Case{missing, "cannot open"}, Case{dir.path().string(), "not a regular file"}}) {
    auto v = config::ParseConfigText(R"({"lexicon_files": [")" + good + R"(", ")" + c.file + R"("]})", "test.json");
    ASSERT_TRUE(v.ok());
    config::Diagnostics diag;
    config::ApplyContext ctx{diag};
    SentimentOptions o;
    config::ApplyTable(SentimentOptionTable(), *v, "sentiment", ctx, o);
    std::string all = diag.Joined();
    EXPECT_FALSE(diag.ok()) << c.file;
    EXPECT_NE(all.find("sentiment.lexicon_files[1]"), std::string::npos) << all;
    EXPECT_NE(all.find(c.says), std::string::npos) << all;
    EXPECT_EQ(all.find("lexicon_files[0]"), std::string::npos) << all;
  }
}

TEST(SentimentOptionsTest, ResolvesTheFirstDataDirWithLexicons) {
  brandmon::testing::TempDir dir;
  dir.Write("sentiment/en/lexicon.tsv", "good\t1.9\n");
  EXPECT_EQ(ResolveDataDir(dir.path().string()), dir.path().string());
  // A configured folder without lexicons falls through to the installed or
  // source data, which a checkout always has.
  auto fallback = ResolveDataDir((dir.path() / "missing").string());
  ASSERT_TRUE(fallback.has_value());
  EXPECT_NE(*fallback, (dir.path() / "missing").string());
  EXPECT_EQ(ResolveDataDir(""), fallback);
}

}  // namespace
}  // namespace brandmon::sentiment
