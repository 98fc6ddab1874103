#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <iterator>
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
                     "บริการแย่มาก ไม่พอใจเลย คืนเงินด้วย\n"
                     "Η εξυπηρέτηση ήταν απαίσια, δεν θα ξαναγοράσω ποτέ\n"
                     "Der Service ist schrecklich, ich bin total enttäuscht\n");
  ASSERT_EQ(r.lines.size(), 3u) << r.err;
  const char* langs[] = {"th", "el"};
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_STREQ(r.lines[i]["lang"].GetString(), langs[i]);
    ASSERT_TRUE(r.lines[i].HasMember("scored")) << i;
    EXPECT_FALSE(r.lines[i]["scored"].GetBool());
    EXPECT_STREQ(r.lines[i]["label"].GetString(), "neutral");
  }
  EXPECT_STREQ(r.lines[2]["lang"].GetString(), "de");
  EXPECT_FALSE(r.lines[2].HasMember("scored")) << "a scored text keeps the contract's fields only";
  EXPECT_STREQ(r.lines[2]["label"].GetString(), "negative");
}

// The Russian, Polish and Dutch complaints that once read as English and
// neutral, and a complaint and a compliment in each other language added
// with them, come out in their language with the right label.
TEST(ScoreCommandTest, ScoresTheAddedLanguages) {
  struct Case {
    const char* text;
    const char* lang;
    const char* label;
  };
  const Case cases[] = {
      {"Ужасный сервис, деньги так и не вернули, больше никогда не куплю", "ru", "negative"},
      {"Отличный магазин, всё быстро и качественно, спасибо", "ru", "positive"},
      {"Najgorsza firma, towar zepsuty i nikt nie odpowiada na reklamację", "pl", "negative"},
      {"Świetna obsługa, bardzo polecam", "pl", "positive"},
      {"Echt waardeloos, de bestelling is kapot en niemand reageert op mijn klacht", "nl", "negative"},
      {"Geweldige service, heel tevreden", "nl", "positive"},
      {"Berbat bir hizmet, paramı geri vermediler, çok kötü", "tr", "negative"},
      {"Harika bir ürün, çok memnun kaldım", "tr", "positive"},
      // Turkish negators follow what they negate.
      {"Ürün iyi değil", "tr", "negative"},
      {"Hiç memnun değilim", "tr", "negative"},
      {"Pelayanannya sangat buruk, saya kecewa sekali dengan produk ini", "id", "negative"},
      {"Produknya bagus banget, pengiriman cepat", "id", "positive"},
      {"서비스가 최악이에요, 정말 실망했어요", "ko", "negative"},
      {"배송도 빠르고 너무 좋아요", "ko", "positive"},
      {"안녕하세요 주문 확인 부탁드립니다", "ko", "neutral"},
  };
  std::string input;
  for (const Case& c : cases) input += std::string(c.text) + "\n";
  ScoreRun r = Score({}, input);
  ASSERT_EQ(r.lines.size(), std::size(cases)) << r.err;
  for (size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_STREQ(r.lines[i]["lang"].GetString(), cases[i].lang) << cases[i].text;
    EXPECT_FALSE(r.lines[i].HasMember("scored")) << cases[i].text;
    EXPECT_STREQ(r.lines[i]["label"].GetString(), cases[i].label) << cases[i].text;
  }
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
                     "NESTLE is great but their rival is awful and rude\n");
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

// A long input is scored on several threads; the answers come out in the
// order of the lines, the same as on one thread.
TEST(ScoreCommandTest, ThreadsAnswerInTheOrderRead) {
  const char* texts[] = {"I love Acme",      "Acme is awful!!",   "The Acme store opens at nine", "ખૂબ સરસ acme",
                         "acme no es bueno", "Is Acme any good?", "\xFF broken acme \xFE"};
  std::string input;
  for (int i = 0; i < 9000; ++i) input += std::string(texts[i % 7]) + (i % 3 == 0 ? "\r\n" : "\n");
  for (const auto& extra : std::vector<std::vector<std::string>>{{}, {"--target", "acme"}}) {
    std::vector<std::string> one = extra, many = extra;
    one.insert(one.end(), {"--jobs", "1"});
    many.insert(many.end(), {"--jobs", "3"});
    ScoreRun a = Score(one, input), b = Score(many, input);
    ASSERT_EQ(a.code, 0) << a.err;
    ASSERT_EQ(b.code, 0) << b.err;
    EXPECT_EQ(a.lines.size(), 9000u);
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(a.lines[0]["compound"].GetDouble(), a.lines[1]["compound"].GetDouble());
  }
}

TEST(ScoreCommandTest, RejectsBadArguments) {
  for (auto args : std::vector<std::vector<std::string>>{{"--bogus"}, {"--lang"}, {"--lang", ""}, {"--target"}}) {
    ScoreRun r = Score(args, "x\n");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("brandmonctl score"), std::string::npos);
  }
  for (std::string jobs : {"0", "-1", "65", "two", "", "3x"}) {
    ScoreRun r = Score({"--jobs", jobs}, "x\n");
    EXPECT_EQ(r.code, 2) << jobs;
    EXPECT_NE(r.err.find("--jobs must be a whole number from 1 to 64, not '" + jobs + "'"), std::string::npos) << r.err;
  }
  std::istringstream in("x\n");
  std::ostringstream out, err;
  EXPECT_EQ(RunCtl({"score", "--data-dir", "/nonexistent/brandmon"}, in, out, err), 0)
      << "a missing configured dir falls back to the installed or source data";
}

}  // namespace
}  // namespace brandmon::cli
