#include "daemon/base/scored_mention.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "daemon/base/safe_text.h"
#include "daemon/base/time_parse.h"

namespace brandmon {
namespace {

TEST(SentimentLabelTest, ContractThresholds) {
  struct Case {
    double compound;
    std::string_view label;
  };
  for (const Case& c : {Case{0.05, "positive"}, Case{0.9, "positive"}, Case{0.049, "neutral"}, Case{0, "neutral"},
                        Case{-0.049, "neutral"}, Case{-0.05, "negative"}, Case{-1, "negative"}}) {
    EXPECT_EQ(SentimentLabel(c.compound), c.label) << c.compound;
  }
}

TEST(SentimentTest, EffectivePrefersTheBrandTargetedScore) {
  Sentiment s;
  s.compound = 0.4;
  EXPECT_DOUBLE_EQ(s.Effective(), 0.4);
  s.target = -0.7;
  EXPECT_DOUBLE_EQ(s.Effective(), -0.7);
}

TEST(ValidUtf8Test, KeepsValidTextAndReplacesEachBadSequence) {
  struct Case {
    std::string in;
    std::string out;
  };
  const std::string r = "\xEF\xBF\xBD";
  for (const Case& c : {
           Case{"plain", "plain"},
           Case{"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
           Case{"a\xFFz", "a" + r + "z"},
           Case{"\xC0\xAF", r + r},                  // overlong '/'
           Case{"\xED\xA0\x80", r + r + r},          // UTF-16 surrogate
           Case{"\xF4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
           Case{"cut \xE2\x82", "cut " + r + r},     // truncated sequence
           Case{std::string("nul\0byte", 8), std::string("nul\0byte", 8)},
       }) {
    EXPECT_EQ(ValidUtf8(c.in), c.out) << c.in;
    EXPECT_EQ(IsValidUtf8(c.in), c.in == c.out) << c.in;
    // The same past a run of ASCII read a word at a time.
    EXPECT_EQ(IsValidUtf8("0123456789abcdef" + c.in + "0123456789"), c.in == c.out) << c.in;
  }
}

TEST(ScoredMentionTest, JsonCarriesMentionBrandAndSentiment) {
  ScoredMention sm;
  sm.mention.source = "tw";
  sm.mention.channel = "twitter";
  sm.mention.id = "42";
  sm.mention.text = "acme broke again";
  sm.mention.published = *ParseRfc3339("2026-01-02T03:04:05Z");
  sm.mention.SetMetric("followers", 1500);
  sm.brand = "acme";
  sm.lang = "en";
  sm.matched_terms = {"acme"};
  sm.sentiment = {-0.6, 0, 0.5, 0.5, "negative", -0.8};
  rapidjson::Document doc;
  std::string json = ScoredMentionToJson(sm);
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_STREQ(doc["brand"].GetString(), "acme");
  EXPECT_STREQ(doc["lang"].GetString(), "en");
  EXPECT_STREQ(doc["published"].GetString(), "2026-01-02T03:04:05Z");
  EXPECT_EQ(doc["metrics"]["followers"].GetDouble(), 1500);
  EXPECT_STREQ(doc["matched_terms"][0].GetString(), "acme");
  EXPECT_EQ(doc["sentiment"]["compound"].GetDouble(), -0.6);
  EXPECT_EQ(doc["sentiment"]["target"].GetDouble(), -0.8);
  EXPECT_STREQ(doc["sentiment"]["label"].GetString(), "negative");
}

TEST(ScoredMentionTest, HostileTextStillGivesValidJson) {
  ScoredMention sm;
  sm.mention.text = std::string("bad \xFF\xFE utf8, \0 nul, \"quote\"\n", 28);
  sm.mention.author = "\xC3";
  sm.sentiment.compound = std::numeric_limits<double>::quiet_NaN();
  std::string json = ScoredMentionToJson(sm);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str(), json.size());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_TRUE(doc["sentiment"]["compound"].IsNull());
  EXPECT_TRUE(doc["lang"].IsNull());
  EXPECT_FALSE(doc["sentiment"].HasMember("target"));
  EXPECT_EQ(std::string(doc["text"].GetString(), doc["text"].GetStringLength()),
            std::string("bad \xEF\xBF\xBD\xEF\xBF\xBD utf8, \0 nul, \"quote\"\n", 32));
}

}  // namespace
}  // namespace brandmon
