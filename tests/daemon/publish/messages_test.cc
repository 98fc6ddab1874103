#include "daemon/publish/messages.h"

#include <gtest/gtest.h>

#include "tests/daemon/publish/schema_check.h"

namespace brandmon::publish {
namespace {

using testing::AlertSchema;

TEST(MessagesTest, HeartbeatRoundTripsAndMatchesTheSchema) {
  std::string json = HeartbeatJson({42, 5000}, FromUnixMillis(1767225600000));
  EXPECT_EQ(json, R"({"v":1,"ts":"2026-01-01T00:00:00Z","last_seq":42,"interval_ms":5000})");
  EXPECT_EQ(AlertSchema().Check(json, "heartbeat"), "");
  auto hb = ParseHeartbeat(json);
  ASSERT_TRUE(hb.ok());
  EXPECT_EQ(hb->last_seq, 42u);
  EXPECT_EQ(hb->interval_ms, 5000);
}

TEST(MessagesTest, MentionMessageMatchesTheSchema) {
  ScoredMention m;
  m.brand = "acme";
  m.mention.source = "rss1";
  m.mention.text = "acme broke again";
  m.sentiment.compound = -0.6;
  m.sentiment.label = "negative";
  std::string json = MentionMessageJson(m, FromUnixMillis(0));
  EXPECT_EQ(MentionTopic("acme"), "mention.acme");
  EXPECT_EQ(AlertSchema().Check(json, "mention_message"), "") << json;
}

TEST(MessagesTest, CatchupRequestRoundTrips) {
  auto req = ParseCatchupRequest(CatchupRequestJson({7, "alert.acme", 10}));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->since, 7u);
  EXPECT_EQ(req->topic, "alert.acme");
  EXPECT_EQ(req->limit, 10u);
  auto largest = ParseCatchupRequest(R"({"since":9223372036854775807,"limit":9223372036854775807})");
  ASSERT_TRUE(largest.ok()) << largest.status().ToString();
  EXPECT_EQ(largest->since, kMaxCatchupSeq);
  auto minimal = ParseCatchupRequest(R"({"since":0})");
  ASSERT_TRUE(minimal.ok());
  EXPECT_EQ(minimal->topic, "");
  EXPECT_EQ(minimal->limit, 0u);
}

TEST(MessagesTest, HostileCatchupRequestsAreRejectedWithTheField) {
  struct Case {
    std::string json;
    std::string expected;
  };
  const Case cases[] = {
      {"", "not a JSON object"},
      {std::string("\xff\xfe\x00garbage", 10), "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {"{\"since\":1", "not a JSON object"},
      {"{\"since\":1} trailing", "not a JSON object"},
      {"{}", "missing \"since\""},
      {R"({"since":"5"})", "\"since\" must be"},
      {R"({"since":-1})", "\"since\" must be"},
      {R"({"since":1.5})", "\"since\" must be"},
      {R"({"since":1e30})", "\"since\" must be"},
      {R"({"since":1,"topic":5})", "\"topic\" must be a string"},
      {R"({"since":1,"limit":"all"})", "\"limit\" must be"},
      {R"({"v":2,"since":1})", "\"v\" must be 1"},
      {std::string(100000, '['), "not a JSON object"},
      {R"({"since":9223372036854775808})", "\"since\" must be an integer from 0 to 9223372036854775807"},
      {R"({"since":18446744073709551615})", "\"since\" must be an integer from 0 to"},
      {R"({"since":0,"limit":9223372036854775808})", "\"limit\" must be an integer from 0 to"},
      {R"({"since":0,"extra":true})", "unknown field \"extra\" (expected v, since, topic, limit)"},
      {R"({"since":0,"since":0})", "field \"since\" appears twice"},
      {R"({"since":0,"topic":")" + std::string(257, 'a') + R"("})", "\"topic\" must be at most 256 bytes"},
      {R"({"since":0,"topic":"alert.\u0000"})", "without control characters"},
      {"{\"since\":0,\"topic\":\"alert.\xff\"}", "must be UTF-8 text"},
  };
  for (const auto& c : cases) {
    auto r = ParseCatchupRequest(c.json);
    ASSERT_FALSE(r.ok()) << c.json.substr(0, 40);
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos) << r.status().message();
  }
}

TEST(MessagesTest, EndMarkerAndErrorRoundTrip) {
  std::string json = CatchupEndJson({9, 3, false, 12});
  EXPECT_EQ(AlertSchema().Check(json, "catchup_end"), "");
  auto end = ParseCatchupEnd(json);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(end->upto, 9u);
  EXPECT_EQ(end->count, 3u);
  EXPECT_FALSE(end->complete);
  EXPECT_EQ(end->last_seq, 12u);
  EXPECT_FALSE(ParseCatchupEnd(R"({"v":1,"count":3})").ok());
  std::string err = CatchupErrorJson("bad \"since\"");
  EXPECT_EQ(AlertSchema().Check(err, "catchup_error"), "");
  EXPECT_EQ(ParseCatchupError(err), "bad \"since\"");
}

TEST(MessagesTest, AlertSeqIsReadFromThePayload) {
  EXPECT_EQ(*ParseAlertSeq(R"({"v":1,"seq":17})"), 17u);
  EXPECT_FALSE(ParseAlertSeq(R"({"v":1,"seq":0})").ok());
  EXPECT_FALSE(ParseAlertSeq(R"({"v":1,"seq":"17"})").ok());
  EXPECT_FALSE(ParseAlertSeq("nope").ok());
}

}  // namespace
}  // namespace brandmon::publish
