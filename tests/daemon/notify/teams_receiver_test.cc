#include <gtest/gtest.h>

#include <mutex>

#include "tests/daemon/fetch/http_test_server.h"
#include "tests/daemon/notify/receiver_fixture.h"

namespace brandmon::notify {
namespace {

using brandmon::testing::HttpTestServer;
using namespace testing;
using namespace std::chrono_literals;

// A Workflows trigger: records bodies and answers 202 as Power Automate does.
class Workflow {
 public:
  Workflow() {
    server_.server().Post("/workflows/w1/triggers/manual/paths/invoke",
                          [this](const httplib::Request& req, httplib::Response& res) {
                            std::lock_guard<std::mutex> lock(mu_);
                            bodies_.push_back(req.body);
                            res.status = status_;
                          });
  }
  std::string Config() const {
    return R"({"name": "pr", "type": "teams", "url": ")" +
           server_.Url("/workflows/w1/triggers/manual/paths/invoke?api-version=1&sig=SIGNATURE") + "\"}";
  }
  void Answer(int status) { status_ = status; }
  std::string Last() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_.empty() ? "" : bodies_.back();
  }

 private:
  std::atomic<int> status_{202};
  std::mutex mu_;
  std::vector<std::string> bodies_;
  HttpTestServer server_;
};

// The texts of every TextRun, and whether any TextBlock (markdown) is used.
void Collect(const rapidjson::Value& v, std::string& runs, bool& markdown) {
  if (v.IsObject()) {
    if (v.HasMember("type") && v["type"].IsString()) {
      std::string type = v["type"].GetString();
      if (type == "TextRun") runs += std::string(v["text"].GetString()) + "\n";
      if (type == "TextBlock" || type == "FactSet") markdown = true;
    }
    for (const auto& m : v.GetObject()) Collect(m.value, runs, markdown);
  } else if (v.IsArray()) {
    for (const auto& item : v.GetArray()) Collect(item, runs, markdown);
  }
}

TEST(TeamsReceiverTest, OneAlertAsAnAdaptiveCard) {
  Workflow flow;
  auto receiver = MakeReceiver(flow.Config());
  ASSERT_TRUE(receiver);
  Outcome o = receiver->Deliver(MakeDelivery("pr", {SampleAlert(3)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  EXPECT_EQ(o.http_status, 202);
  rapidjson::Document doc = ParseJson(flow.Last());
  EXPECT_STREQ(doc["type"].GetString(), "message");
  const auto& attachment = doc["attachments"][0];
  EXPECT_STREQ(attachment["contentType"].GetString(), "application/vnd.microsoft.card.adaptive");
  const auto& card = attachment["content"];
  EXPECT_STREQ(card["type"].GetString(), "AdaptiveCard");
  EXPECT_STREQ(card["version"].GetString(), "1.4");
  std::string runs;
  bool markdown = false;
  Collect(card, runs, markdown);
  EXPECT_FALSE(markdown);
  EXPECT_NE(runs.find("WARNING\n"), std::string::npos) << runs;
  EXPECT_NE(runs.find("acme · negative mention\n"), std::string::npos);
  EXPECT_NE(runs.find("acme: negative mention by @sam (reach 1200)\n"), std::string::npos);
  EXPECT_NE(runs.find("“The new acme app keeps crashing”"), std::string::npos);
  EXPECT_NE(runs.find("Reach \n1,200\n"), std::string::npos);
  EXPECT_NE(runs.find("negative (-0.71)"), std::string::npos);
  ASSERT_EQ(card["actions"].Size(), 1u);
  EXPECT_STREQ(card["actions"][0]["type"].GetString(), "Action.OpenUrl");
  EXPECT_STREQ(card["actions"][0]["url"].GetString(), "https://forum.example/t/3");
}

TEST(TeamsReceiverTest, AReminderReadsAsOneNotAsANewAlert) {
  Workflow flow;
  auto receiver = MakeReceiver(flow.Config());
  ASSERT_TRUE(receiver);
  ASSERT_EQ(receiver->Deliver(MakeReminder("pr", 12, 12)).kind, Outcome::Kind::kDelivered);
  std::string runs;
  bool markdown = false;
  Collect(ParseJson(flow.Last())["attachments"][0]["content"], runs, markdown);
  EXPECT_NE(
      runs.find("WARNING\nStill open since 2026-01-01 10:00 UTC · reminder 12 of 12, the last\nacme · volume spike\n"),
      std::string::npos)
      << runs;
  // A new alert has no such line.
  ASSERT_EQ(receiver->Deliver(MakeDelivery("pr", {SampleAlert(7)})).kind, Outcome::Kind::kDelivered);
  runs.clear();
  Collect(ParseJson(flow.Last())["attachments"][0]["content"], runs, markdown);
  EXPECT_EQ(runs.find("Still open"), std::string::npos) << runs;
}

TEST(TeamsReceiverTest, DigestAndHostileText) {
  Workflow flow;
  auto receiver = MakeReceiver(flow.Config());
  ASSERT_TRUE(receiver);
  std::string hostile;
  while (hostile.size() < (1 << 20)) hostile += "[click](https://evil.example) **bold** <at>all</at> ";
  std::vector<Alert> alerts;
  for (int i = 1; i <= 8; ++i) alerts.push_back(SampleAlert(i, hostile));
  alerts[2].mentions[0].mention.url = "javascript:alert(1)";
  ASSERT_EQ(receiver->Deliver(MakeDelivery("pr", alerts, 10min)).kind, Outcome::Kind::kDelivered);
  std::string body = flow.Last();
  EXPECT_LT(body.size(), 28000u);  // Teams' message limit
  rapidjson::Document doc = ParseJson(body);
  std::string runs;
  bool markdown = false;
  Collect(doc["attachments"][0]["content"], runs, markdown);
  EXPECT_FALSE(markdown);
  EXPECT_NE(runs.find("acme: 8 negative mentions in 10 min"), std::string::npos);
  EXPECT_NE(runs.find("and 3 more"), std::string::npos);
  for (const auto& action : doc["attachments"][0]["content"]["actions"].GetArray()) {
    EXPECT_EQ(std::string(action["url"].GetString()).rfind("https://forum.example/", 0), 0u);
  }
}

TEST(TeamsReceiverTest, FaultsAndSecrecy) {
  Workflow flow;
  auto receiver = MakeReceiver(flow.Config());
  ASSERT_TRUE(receiver);
  flow.Answer(502);
  Outcome o = receiver->Deliver(MakeDelivery("pr", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  flow.Answer(404);
  o = receiver->Deliver(MakeDelivery("pr", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.detail.find("SIGNATURE"), std::string::npos);
}

}  // namespace
}  // namespace brandmon::notify
