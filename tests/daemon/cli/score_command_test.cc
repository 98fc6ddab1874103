#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>
#include <string>
#include <vector>

#include "daemon/cli/command.h"

namespace brandmon::cli {
namespace {

struct ScoreRun {
  int code;
  std::vector<rapidjson::Document> lines;
  std::string out;
  std::string err;
};

ScoreRun Score(std::vector<std::string> extra, const std::string& input) {
  std::vector<std::string> args = {"score", "--data-dir", std::string(BRANDMON_SOURCE_DIR) + "/data"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::istringstream in(input);
  std::ostringstream out, err;
  ScoreRun r{RunCtl(args, in, out, err), {}, out.str(), err.str()};
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    EXPECT_FALSE(d.HasParseError()) << line;
    r.lines.push_back(std::move(d));
  }
  return r;
}

TEST(ScoreCommandTest, PrintsOneObjectPerLineWithTheContractFields) {
  ScoreRun r = Score({}, "I love it\nThis is awful\nThe store opens at nine\n\nખૂબ સરસ\n");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 5u);
  const char* want_labels[] = {"positive", "negative", "neutral", "neutral", "positive"};
  for (size_t i = 0; i < r.lines.size(); ++i) {
    const auto& d = r.lines[i];
    for (const char* key : {"compound", "pos", "neu", "neg"}) {
      ASSERT_TRUE(d.HasMember(key) && d[key].IsNumber()) << key;
    }
    EXPECT_GE(d["compound"].GetDouble(), -1.0);
    EXPECT_LE(d["compound"].GetDouble(), 1.0);
    EXPECT_STREQ(d["label"].GetString(), want_labels[i]) << i;
    EXPECT_TRUE(d["lang"].IsString());
    EXPECT_FALSE(d.HasMember("target"));
  }
  EXPECT_STREQ(r.lines[4]["lang"].GetString(), "gu");
}

// Complaints in languages without a lexicon print their language and say
// they are not scored, instead of reading as English and neutral.
TEST(ScoreCommandTest, PrintsTheDetectedLanguageOfUnscoredTexts) {
  ScoreRun r = Score({},
                     "Ужасный сервис, деньги так и не вернули, больше никогда не куплю\n"
                     "Najgorsza firma, towar zepsuty i nikt nie odpowiada na reklamację\n"
                     "Echt waardeloos, de bestelling is kapot en niemand reageert op mijn klacht\n"
                     "Der Service ist schrecklich, ich bin total enttäuscht\n");
  ASSERT_EQ(r.lines.size(), 4u) << r.err;
  const char* langs[] = {"ru", "pl", "nl"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_STREQ(r.lines[i]["lang"].GetString(), langs[i]);
    ASSERT_TRUE(r.lines[i].HasMember("scored")) << i;
    EXPECT_FALSE(r.lines[i]["scored"].GetBool());
    EXPECT_STREQ(r.lines[i]["label"].GetString(), "neutral");
  }
  EXPECT_STREQ(r.lines[3]["lang"].GetString(), "de");
  EXPECT_FALSE(r.lines[3].HasMember("scored")) << "a scored text keeps the contract's fields only";
  EXPECT_STREQ(r.lines[3]["label"].GetString(), "negative");
}

TEST(ScoreCommandTest, PinsTheLanguage) {
  ScoreRun r = Score({"--lang", "hi"}, "service bakwas hai\n");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_STREQ(r.lines[0]["lang"].GetString(), "hi");
  EXPECT_STREQ(r.lines[0]["label"].GetString(), "negative");
}

TEST(ScoreCommandTest, TargetScoresTheBrandsClause) {
  ScoreRun r = Score({"--target", "ACME"}, "Acme was great but their rival is awful\nno brand here, sadly\n");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_LT(r.lines[0]["compound"].GetDouble(), -0.05);
  EXPECT_GT(r.lines[0]["target"].GetDouble(), 0.05);
  // Without a mention the target is the whole text's score.
  EXPECT_DOUBLE_EQ(r.lines[1]["target"].GetDouble(), r.lines[1]["compound"].GetDouble());
}

TEST(ScoreCommandTest, TargetsAreFoundAsTheDaemonFindsABrandsTerms) {
  // A word inside another word is not the brand ("Acmeville"), as in the
  // daemon's matcher; case and accents fold alike on both sides.
  ScoreRun r = Score({"--target", "acme", "--target", "Nestlé"},
                     "Acmeville is lovely but acme is awful\n"
                     "Acmeville is lovely\n"
                     "I love NESTLE, their rival is awful\n");
  ASSERT_EQ(r.code, 0) << r.err;
  ASSERT_EQ(r.lines.size(), 3u);
  EXPECT_LT(r.lines[0]["target"].GetDouble(), -0.05);
  EXPECT_DOUBLE_EQ(r.lines[1]["target"].GetDouble(), r.lines[1]["compound"].GetDouble())
      << "no target in the line: the whole text's score";
  EXPECT_GT(r.lines[2]["target"].GetDouble(), 0.05);
}

TEST(ScoreCommandTest, RejectsTargetsTheMatcherCannotRead) {
  for (std::string bad : {"say \"hi\"", "!!!", ""}) {
    ScoreRun r = Score({"--target", bad}, "x\n");
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_NE(r.err.find("--target '" + bad + "'"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(ScoreCommandTest, SurvivesHostileInput) {
  std::string input = "\xFF\xFE bad\r\n" + std::string(200000, 'a') + "\n\"quotes\" and \\ backslash\n";
  ScoreRun r = Score({}, input);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.lines.size(), 3u);
}

TEST(ScoreCommandTest, RejectsBadArguments) {
  for (auto args : std::vector<std::vector<std::string>>{{"--bogus"}, {"--lang"}, {"--lang", ""}, {"--target"}}) {
    ScoreRun r = Score(args, "x\n");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("brandmonctl score"), std::string::npos);
  }
  std::istringstream in("x\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunCtl({"score", "--data-dir", "/nonexistent/brandmon"}, in, out, err), 0)
      << "a missing configured dir falls back to the installed or source data";
}

}  // namespace
}  // namespace brandmon::cli
