#include "daemon/base/alert.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <limits>

#include "daemon/base/time_parse.h"

namespace brandmon {
namespace {

Alert SampleAlert() {
  Alert a;
  a.seq = 17;
  a.ts = *ParseRfc3339("2026-03-04T05:06:07Z");
  a.brand = "acme";
  a.rule = "volume_spike";
  a.channel = "reddit";
  a.severity = Severity::kWarning;
  a.summary = "spike in mentions for acme on reddit";
  a.dedupe_key = "acme|volume_spike|reddit|1";
  ScoredMention m;
  m.brand = "acme";
  m.mention.id = "t3_1";
  m.sentiment = {-0.5, 0, 0.6, 0.4, "negative", std::nullopt};
  a.mentions.push_back(m);
  a.figures = {{"count", 85}, {"baseline_median", 20}, {"z", 9.25}};
  a.terms = {{"recall", 42, 0.5}};
  return a;
}

TEST(SeverityTest, NamesRoundTrip) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kCritical}) {
    EXPECT_EQ(ParseSeverity(SeverityName(s)), s);
  }
  EXPECT_FALSE(ParseSeverity("fatal"));
  EXPECT_FALSE(ParseSeverity("Warning"));
}

TEST(AlertTest, TopicIsAlertBrandRule) { EXPECT_EQ(AlertTopic(SampleAlert()), "alert.acme.volume_spike"); }

TEST(AlertTest, JsonFollowsTheAlertMessageContract) {
  std::string json = AlertToJson(SampleAlert());
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_EQ(doc["v"].GetInt(), 1);
  EXPECT_EQ(doc["seq"].GetUint64(), 17u);
  EXPECT_STREQ(doc["ts"].GetString(), "2026-03-04T05:06:07Z");
  EXPECT_STREQ(doc["brand"].GetString(), "acme");
  EXPECT_STREQ(doc["rule"].GetString(), "volume_spike");
  EXPECT_STREQ(doc["severity"].GetString(), "warning");
  EXPECT_STREQ(doc["summary"].GetString(), "spike in mentions for acme on reddit");
  EXPECT_STREQ(doc["channel"].GetString(), "reddit");
  ASSERT_EQ(doc["mentions"].Size(), 1u);
  EXPECT_STREQ(doc["mentions"][0]["id"].GetString(), "t3_1");
  EXPECT_EQ(doc["mentions"][0]["sentiment"]["compound"].GetDouble(), -0.5);
  EXPECT_EQ(doc["figures"]["count"].GetDouble(), 85);
  EXPECT_EQ(doc["figures"]["z"].GetDouble(), 9.25);
  EXPECT_STREQ(doc["terms"][0]["term"].GetString(), "recall");
  EXPECT_EQ(doc["terms"][0]["count"].GetDouble(), 42);
}

TEST(AlertTest, FiguresKeepTheirOrder) {
  std::string json = AlertToJson(SampleAlert());
  EXPECT_LT(json.find("\"count\""), json.find("\"baseline_median\""));
  EXPECT_LT(json.find("\"baseline_median\""), json.find("\"z\""));
}

TEST(AlertTest, OptionalPartsAreLeftOutAndNonFiniteFiguresAreNull) {
  Alert a = SampleAlert();
  a.channel.clear();
  a.terms.clear();
  a.mentions.clear();
  a.figures = {{"z", std::numeric_limits<double>::infinity()}};
  a.summary = "bad \xFF byte";
  std::string json = AlertToJson(a);
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_FALSE(doc.HasMember("channel"));
  EXPECT_FALSE(doc.HasMember("terms"));
  EXPECT_TRUE(doc["mentions"].IsArray());
  EXPECT_TRUE(doc["figures"]["z"].IsNull());
  EXPECT_STREQ(doc["summary"].GetString(), "bad \xEF\xBF\xBD byte");
}

TEST(AlertTest, FigureLooksUpByName) {
  Alert a = SampleAlert();
  ASSERT_NE(a.Figure("z"), nullptr);
  EXPECT_EQ(*a.Figure("z"), 9.25);
  EXPECT_EQ(a.Figure("nope"), nullptr);
}

}  // namespace
}  // namespace brandmon
