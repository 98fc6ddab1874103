#include "daemon/base/mention.h"

#include <gtest/gtest.h>

#include "daemon/base/time_parse.h"

namespace brandmon {
namespace {

TEST(MentionTest, JsonHasTheContractFieldsInOrder) {
  Mention m;
  m.source = "acme-rss";
  m.channel = "rss";
  m.id = "guid-1";
  m.url = "https://example.com/1";
  m.title = "Title";
  m.text = "Text with \"quotes\" and é";
  m.author = "Jo";
  m.published = *ParseRfc3339("2026-01-02T03:04:05Z");
  m.lang = "en";
  m.SetMetric("likes", 3);
  EXPECT_EQ(MentionToJson(m),
            R"({"source":"acme-rss","channel":"rss","id":"guid-1","url":"https://example.com/1","title":"Title",)"
            R"("text":"Text with \"quotes\" and é","author":"Jo","published":"2026-01-02T03:04:05Z","lang":"en",)"
            R"("metrics":{"likes":3.0}})");
}

TEST(MentionTest, NullsForMissingOptionalFields) {
  Mention m;
  std::string json = MentionToJson(m);
  EXPECT_NE(json.find(R"("published":null,"lang":null,"metrics":{})"), std::string::npos) << json;
}

TEST(MentionTest, RoundTripsThroughJson) {
  Mention m;
  m.source = "s";
  m.id = "1";
  m.text = "hello";
  m.published = *ParseRfc3339("2026-05-06T07:08:09Z");
  m.SetMetric("followers", 1200);
  auto back = MentionFromJson(MentionToJson(m));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(MentionToJson(*back), MentionToJson(m));
}

// Found by fuzz_mention: 2e308 parsed as infinity, which MentionToJson cannot
// write, so the mention no longer round-tripped through JSON Lines.
TEST(MentionTest, NonFiniteMetricsAreDropped) {
  auto m = MentionFromJson(R"({"id": "a", "metrics": {"likes": 2e308, "shares": -2e308, "replies": 3}})");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->Metric("likes"), nullptr);
  EXPECT_EQ(m->Metric("shares"), nullptr);
  ASSERT_NE(m->Metric("replies"), nullptr);
  EXPECT_EQ(*m->Metric("replies"), 3);
  auto back = MentionFromJson(MentionToJson(*m));
  ASSERT_TRUE(back.ok()) << MentionToJson(*m);
  EXPECT_EQ(MentionToJson(*back), MentionToJson(*m));
}

TEST(MentionTest, RejectsBadJsonWithReason) {
  EXPECT_EQ(MentionFromJson("not json").status().code(), Status::Code::kCorrupt);
  EXPECT_EQ(MentionFromJson("[1]").status().message(), "expected a json object");
  EXPECT_NE(MentionFromJson(R"({"text": 5})").status().message().find("'text' must be a string"), std::string::npos);
  EXPECT_NE(MentionFromJson(R"({"published": "soon"})").status().message().find("RFC 3339"), std::string::npos);
  std::string deep(100000, '[');
  EXPECT_FALSE(MentionFromJson(deep).ok());
}

}  // namespace
}  // namespace brandmon
