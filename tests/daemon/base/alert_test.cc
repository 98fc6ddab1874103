#include "daemon/base/alert.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

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
  EXPECT_FALSE(doc.HasMember("snippet"));
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

// Every field the contract has, so that a round trip covers each one.
Alert FullAlert() {
  Alert a = SampleAlert();
  ScoredMention& m = a.mentions[0];
  m.mention.source = "rss1";
  m.mention.channel = "reddit";
  m.mention.url = "https://example.com/t3_1";
  m.mention.title = "Acme \"recall\" <b>";
  m.mention.text = "the acme thing broke \xF0\x9F\x92\xA5 again";
  m.mention.author = "sam";
  m.mention.published = *ParseRfc3339("2026-03-04T05:00:00Z");
  m.mention.metrics = {{"followers", 1200}, {"likes", 3}};
  m.mention.truncated = {"title", "text"};
  m.mention.kind = ChannelKind::kForum;
  m.mention.reply_to = "acmecorp";
  m.lang = "en";
  m.mention.lang = "en";
  m.matched_terms = {"acme", "Acme"};
  m.sentiment.target = -0.8;
  ScoredMention bare;
  bare.brand = "acme";
  bare.mention.id = "x";
  a.mentions.push_back(bare);
  a.figures.emplace_back("p", std::numeric_limits<double>::quiet_NaN());
  a.snippet = "the acme thing broke \xF0\x9F\x92\xA5 again";
  return a;
}

TEST(AlertFromJsonTest, RoundTripsEveryField) {
  std::string json = AlertToJson(FullAlert());
  auto parsed = AlertFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(AlertToJson(*parsed), json);
  EXPECT_EQ(parsed->seq, 17u);
  EXPECT_EQ(parsed->severity, Severity::kWarning);
  EXPECT_EQ(parsed->channel, "reddit");
  EXPECT_EQ(parsed->snippet, "the acme thing broke \xF0\x9F\x92\xA5 again");
  ASSERT_EQ(parsed->mentions.size(), 2u);
  EXPECT_EQ(parsed->mentions[0].mention.kind, ChannelKind::kForum);
  EXPECT_EQ(parsed->mentions[0].mention.reply_to, "acmecorp");
  EXPECT_EQ(parsed->mentions[1].mention.kind, ChannelKind::kUnknown);
  EXPECT_EQ(parsed->mentions[0].lang, "en");
  EXPECT_EQ(parsed->mentions[0].sentiment.target, -0.8);
  EXPECT_EQ(parsed->mentions[0].matched_terms, (std::vector<std::string>{"acme", "Acme"}));
  EXPECT_FALSE(parsed->mentions[1].sentiment.target);
  ASSERT_NE(parsed->Figure("p"), nullptr);
  EXPECT_TRUE(std::isnan(*parsed->Figure("p")));
  ASSERT_EQ(parsed->terms.size(), 1u);
  EXPECT_EQ(parsed->terms[0].term, "recall");
}

TEST(AlertFromJsonTest, RoundTripsAMinimalAlert) {
  Alert a;
  a.seq = 1;
  a.ts = *ParseRfc3339("2026-01-01T00:00:00Z");
  a.brand = "b";
  a.rule = "r";
  a.severity = Severity::kCritical;
  std::string json = AlertToJson(a);
  auto parsed = AlertFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(AlertToJson(*parsed), json);
  EXPECT_TRUE(parsed->channel.empty());
  EXPECT_TRUE(parsed->mentions.empty());
}

TEST(AlertFromJsonTest, IgnoresFieldsItDoesNotKnow) {
  std::string json = AlertToJson(SampleAlert());
  json.insert(1, R"("added_later":{"x":[1,2]},)");
  auto parsed = AlertFromJson(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->seq, 17u);
}

TEST(AlertFromJsonTest, KeepsAMegabyteOfMarkupIntact) {
  Alert a = SampleAlert();
  std::string text;
  while (text.size() < (1 << 20)) text += "<!channel> *bold* <https://evil|x> &amp; ";
  a.mentions[0].mention.text = text;
  auto parsed = AlertFromJson(AlertToJson(a));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->mentions[0].mention.text, text);
}

// Hostile or broken messages are refused with Corrupt, never a crash.
TEST(AlertFromJsonTest, RefusesMalformedMessages) {
  std::string good = AlertToJson(SampleAlert());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::vector<std::string> cases = {
      "",
      "garbage",
      "[1,2,3]",
      "\"alert\"",
      "{",
      std::string(100000, '['),
      with("\"seq\":17", "\"seq\":0"),
      with("\"seq\":17", "\"seq\":-3"),
      with("\"seq\":17", "\"seq\":1e300"),
      with("\"seq\":17", "\"seq\":1e999"),
      with("\"seq\":17", "\"seq\":184467440737095516150"),
      with("\"seq\":17", "\"seq\":\"17\""),
      with("\"seq\":17,", ""),
      with("\"v\":1", "\"v\":2"),
      with("\"ts\":\"2026-03-04T05:06:07Z\"", "\"ts\":\"yesterday\""),
      with("\"severity\":\"warning\"", "\"severity\":\"fatal\""),
      with("\"brand\":\"acme\"", "\"brand\":7"),
      with("\"dedupe_key\"", "\"snippet\":[\"a\"],\"dedupe_key\""),
      with("\"mentions\":[", "\"mentions\":[3,"),
      with("\"mentions\":[", "\"mentions\":{\"a\":["),
      with("\"count\":85", "\"count\":\"85\""),
      with("\"figures\":{", "\"figures\":[{"),
      with("\"compound\":-0.5", "\"compound\":\"low\""),
      with("\"matched_terms\":[", "\"matched_terms\":[1,"),
      with("\"term\":\"recall\"", "\"term\":[]"),
  };
  for (const auto& json : cases) {
    auto parsed = AlertFromJson(json);
    ASSERT_FALSE(parsed.ok()) << json.substr(0, 200);
    EXPECT_EQ(parsed.status().code(), Status::Code::kCorrupt) << json.substr(0, 200);
  }
}

}  // namespace
}  // namespace brandmon
