#include <gtest/gtest.h>

#include <mutex>

#include "tests/daemon/fetch/http_test_server.h"
#include "tests/daemon/notify/receiver_fixture.h"

namespace brandmon::notify {
namespace {

using brandmon::testing::HttpTestServer;
using namespace testing;
using namespace std::chrono_literals;

// A Slack incoming webhook: records bodies, answers as Slack does.
class SlackHook {
 public:
  SlackHook() {
    server_.server().Post("/services/T0/B0/SECRET", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(req.body);
      res.status = status_;
      res.set_content(status_ == 200 ? "ok" : "invalid_payload", "text/plain");
      if (status_ == 429) res.set_header("Retry-After", "30");
    });
  }
  std::string Config() const {
    return R"({"name": "care", "type": "slack", "url": ")" + server_.Url("/services/T0/B0/SECRET") + "\"}";
  }
  void Answer(int status) { status_ = status; }
  std::string Last() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_.empty() ? "" : bodies_.back();
  }

 private:
  std::atomic<int> status_{200};
  std::mutex mu_;
  std::vector<std::string> bodies_;
  HttpTestServer server_;
};

// Every mrkdwn text of the message, joined by newlines.
std::string AllText(const rapidjson::Document& doc) {
  std::string out = doc["text"].GetString();
  for (const auto& block : doc["blocks"].GetArray()) {
    if (block.HasMember("text")) out += std::string("\n") + block["text"]["text"].GetString();
    if (block.HasMember("elements")) {
      for (const auto& e : block["elements"].GetArray()) {
        if (e.HasMember("text") && e["text"].IsString()) out += std::string("\n") + e["text"].GetString();
      }
    }
  }
  return out;
}

TEST(SlackReceiverTest, OneAlertAsBlocks) {
  SlackHook hook;
  auto receiver = MakeReceiver(hook.Config());
  ASSERT_TRUE(receiver);
  Outcome o = receiver->Deliver(MakeDelivery("care", {SampleAlert(5)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  rapidjson::Document doc = ParseJson(hook.Last());
  ASSERT_TRUE(doc.IsObject());
  const auto& blocks = doc["blocks"];
  ASSERT_GE(blocks.Size(), 5u);
  EXPECT_STREQ(blocks[0]["type"].GetString(), "header");
  EXPECT_STREQ(blocks[0]["text"]["text"].GetString(), "WARNING · acme · negative mention");
  EXPECT_STREQ(blocks[1]["text"]["text"].GetString(), "*acme: negative mention by @sam (reach 1200)*");
  EXPECT_STREQ(blocks[2]["text"]["text"].GetString(), "> The new acme app keeps crashing");
  EXPECT_STREQ(blocks[3]["elements"][0]["text"].GetString(),
               "*Author* sam · *Reach* 1,200 · *Sentiment* negative (-0.71) · *Channel* reddit");
  EXPECT_STREQ(blocks[4]["elements"][0]["url"].GetString(), "https://forum.example/t/5");
  EXPECT_STREQ(doc["text"].GetString(), "WARNING: acme: negative mention by @sam (reach 1200)");
}

TEST(SlackReceiverTest, AReminderReadsAsOneNotAsANewAlert) {
  SlackHook hook;
  auto receiver = MakeReceiver(hook.Config());
  ASSERT_TRUE(receiver);
  ASSERT_EQ(receiver->Deliver(MakeReminder("care", 3, 12)).kind, Outcome::Kind::kDelivered);
  rapidjson::Document doc = ParseJson(hook.Last());
  const auto& blocks = doc["blocks"];
  ASSERT_GE(blocks.Size(), 3u);
  EXPECT_STREQ(blocks[0]["text"]["text"].GetString(), "Still open · WARNING · acme · volume spike");
  EXPECT_STREQ(blocks[1]["type"].GetString(), "context");
  EXPECT_STREQ(blocks[1]["elements"][0]["text"].GetString(),
               "Still open since 2026-01-01 10:00 UTC · reminder 3 of 12");
  EXPECT_STREQ(blocks[2]["text"]["text"].GetString(), "*acme: 240 mentions in the last hour, 6x the usual*");
  EXPECT_STREQ(doc["text"].GetString(), "WARNING: Still open: acme: 240 mentions in the last hour, 6x the usual");
  // The last one says so.
  ASSERT_EQ(receiver->Deliver(MakeReminder("care", 12, 12)).kind, Outcome::Kind::kDelivered);
  EXPECT_NE(AllText(ParseJson(hook.Last())).find("reminder 12 of 12, the last"), std::string::npos);
}

TEST(SlackReceiverTest, DigestNamesTheCountAndShowsTheTopOnes) {
  SlackHook hook;
  auto receiver = MakeReceiver(hook.Config());
  ASSERT_TRUE(receiver);
  std::vector<Alert> alerts;
  for (int i = 1; i <= 12; ++i) {
    Alert a = SampleAlert(i, "mention number " + std::to_string(i));
    a.figures = {{"reach", i * 100.0}};
    alerts.push_back(a);
  }
  ASSERT_EQ(receiver->Deliver(MakeDelivery("care", alerts, 10min)).kind, Outcome::Kind::kDelivered);
  rapidjson::Document doc = ParseJson(hook.Last());
  EXPECT_STREQ(doc["blocks"][0]["text"]["text"].GetString(), "WARNING · acme: 12 negative mentions in 10 min");
  std::string text = AllText(doc);
  EXPECT_NE(text.find("> mention number 12"), std::string::npos);  // widest reach first
  EXPECT_NE(text.find("> mention number 8"), std::string::npos);
  EXPECT_EQ(text.find("> mention number 7"), std::string::npos);  // only the top five
  EXPECT_NE(text.find("and 7 more"), std::string::npos);
  EXPECT_NE(text.find("<https://forum.example/t/12|open>"), std::string::npos);
}

TEST(SlackReceiverTest, HostileTextIsEscapedAndBounded) {
  SlackHook hook;
  auto receiver = MakeReceiver(hook.Config());
  ASSERT_TRUE(receiver);
  std::string hostile;
  while (hostile.size() < (1 << 20)) hostile += "<!channel> <http://evil.example|click> <@U1> &amp; *x* <b> @here ";
  Alert a = SampleAlert(1, hostile);
  a.summary = "<!here> summary";
  a.mentions[0].mention.author = "<!everyone>";
  a.mentions[0].mention.url = "https://ok.example/|<!channel>";
  for (const auto& d : {MakeDelivery("care", {a}), MakeDelivery("care", {a, a, a}, 1min)}) {
    ASSERT_EQ(receiver->Deliver(d).kind, Outcome::Kind::kDelivered);
    std::string body = hook.Last();
    EXPECT_LT(body.size(), 20000u);
    rapidjson::Document doc = ParseJson(body);
    std::string text = AllText(doc);
    EXPECT_EQ(text.find("<!"), std::string::npos) << text.substr(0, 300);
    EXPECT_EQ(text.find("<http://evil"), std::string::npos);
    EXPECT_EQ(text.find("<@"), std::string::npos);
    EXPECT_EQ(text.find("ok.example"), std::string::npos);  // a link that could break out is dropped
    EXPECT_NE(text.find("&lt;!channel&gt;"), std::string::npos);
    EXPECT_FALSE(doc["unfurl_links"].GetBool());
    EXPECT_FALSE(doc["link_names"].GetBool());
    for (const auto& block : doc["blocks"].GetArray()) {
      if (block.HasMember("text")) {
        EXPECT_LE(block["text"]["text"].GetStringLength(), 3000u);
      }
      const rapidjson::Value* text = block.HasMember("text") ? &block["text"] : nullptr;
      if (block.HasMember("elements") && block["elements"][0].HasMember("text")) text = &block["elements"][0];
      if (text != nullptr && std::string_view((*text)["type"].GetString()) == "mrkdwn") {
        EXPECT_TRUE((*text)["verbatim"].GetBool());  // a bare @here stays text
      }
    }
  }
}

TEST(SlackReceiverTest, SlackRefusalsAndThrottling) {
  SlackHook hook;
  auto receiver = MakeReceiver(hook.Config());
  ASSERT_TRUE(receiver);
  hook.Answer(400);
  Outcome o = receiver->Deliver(MakeDelivery("care", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.detail, "HTTP 400: invalid_payload");
  hook.Answer(429);
  o = receiver->Deliver(MakeDelivery("care", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.retry_after, Duration(30s));
  EXPECT_EQ(o.detail.find("SECRET"), std::string::npos);
}

}  // namespace
}  // namespace brandmon::notify
