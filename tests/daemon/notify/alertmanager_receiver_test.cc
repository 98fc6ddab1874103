#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <thread>

#include "tests/daemon/fetch/http_test_server.h"
#include "tests/daemon/notify/receiver_fixture.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::notify {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using brandmon::testing::HttpTestServer;
using brandmon::testing::Process;
using brandmon::testing::TempDir;

constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

// A real Alertmanager on loopback, with a config that routes everything to a
// receiver that sends nothing, and its own storage.
class Alertmanager {
 public:
  Alertmanager() : port_(FreePort()) {
    std::string config = dir_.Write("alertmanager.yml", "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
    process_ = std::make_unique<Process>(std::vector<std::string>{
        kAlertmanager, "--config.file=" + config, "--storage.path=" + (dir_.path() / "data").string(),
        "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--cluster.listen-address=", "--log.level=warn"});
    httplib::Client client("127.0.0.1", port_);
    for (int i = 0; i < 600 && !ready_ && process_->running(); ++i) {  // up to 30 s on a loaded machine
      auto res = client.Get("/-/ready");
      ready_ = res && res->status == 200;
      if (!ready_) std::this_thread::sleep_for(50ms);
    }
  }
  bool ready() const { return ready_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string Log() const { return process_->Stderr(); }

  // The firing alerts, as Alertmanager lists them.
  rapidjson::Document Alerts() {
    httplib::Client client("127.0.0.1", port_);
    auto res = client.Get("/api/v2/alerts");
    EXPECT_TRUE(res && res->status == 200);
    return ParseJson(res ? res->body : "[]");
  }

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<Process> process_;
  bool ready_ = false;
};

Alert Now(Alert a) {
  a.ts = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return a;
}

Alert Spike(uint64_t seq, std::string rule, Severity severity) {
  Alert a = Now(SampleAlert(seq));
  a.rule = std::move(rule);
  a.severity = severity;
  a.channel = "";
  a.mentions.clear();
  a.summary = "acme: " + std::string(a.rule == "volume_spike" ? "mentions spiked" : "back to normal");
  a.figures = {{"count", 240}};
  return a;
}

const rapidjson::Value* FindAlert(const rapidjson::Document& alerts, std::string_view alertname) {
  for (const auto& a : alerts.GetArray()) {
    if (a["labels"]["alertname"].GetString() == alertname) return &a;
  }
  return nullptr;
}

TEST(AlertmanagerReceiverTest, AlertsFireAndTheAllClearResolvesTheSpike) {
  if (!std::filesystem::exists(kAlertmanager)) {
    GTEST_SKIP() << kAlertmanager << " is missing: install the Debian package prometheus-alertmanager";
  }
  Alertmanager am;
  ASSERT_TRUE(am.ready()) << am.Log();
  auto receiver = MakeReceiver(R"({"name": "oncall", "type": "alertmanager", "url": ")" + am.Url() + "/\"}");
  ASSERT_TRUE(receiver);

  Alert mention = Now(SampleAlert(1));
  Alert spike = Spike(2, "volume_spike", Severity::kCritical);
  Outcome o = receiver->Deliver(MakeDelivery("oncall", {mention, spike}));
  ASSERT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;

  rapidjson::Document firing = am.Alerts();
  ASSERT_TRUE(firing.IsArray());
  EXPECT_EQ(firing.Size(), 2u);
  const rapidjson::Value* m = FindAlert(firing, "brandmon_negative_mention");
  ASSERT_NE(m, nullptr);
  EXPECT_STREQ((*m)["labels"]["brand"].GetString(), "acme");
  EXPECT_STREQ((*m)["labels"]["rule"].GetString(), "negative_mention");
  EXPECT_STREQ((*m)["labels"]["severity"].GetString(), "warning");
  EXPECT_STREQ((*m)["labels"]["channel"].GetString(), "reddit");
  EXPECT_STREQ((*m)["annotations"]["summary"].GetString(), "acme: negative mention by @sam (reach 1200)");
  EXPECT_STREQ((*m)["annotations"]["url"].GetString(), "https://forum.example/t/1");
  EXPECT_STREQ((*m)["annotations"]["description"].GetString(), "The new acme app keeps crashing");
  EXPECT_STREQ((*m)["status"]["state"].GetString(), "active");
  ASSERT_NE(FindAlert(firing, "brandmon_volume_spike"), nullptr);
  EXPECT_STREQ((*FindAlert(firing, "brandmon_volume_spike"))["labels"]["severity"].GetString(), "critical");

  std::this_thread::sleep_for(1100ms);  // the all-clear comes later than the spike
  o = receiver->Deliver(MakeDelivery("oncall", {Spike(3, "volume_spike_clear", Severity::kInfo)}));
  ASSERT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  rapidjson::Document after = am.Alerts();
  EXPECT_EQ(FindAlert(after, "brandmon_volume_spike"), nullptr) << "the spike is still firing";
  EXPECT_EQ(FindAlert(after, "brandmon_volume_spike_clear"), nullptr);
  EXPECT_NE(FindAlert(after, "brandmon_negative_mention"), nullptr);
}

TEST(AlertmanagerReceiverTest, AllClearAfterARestartResolvesWhicheverSeverityFired) {
  if (!std::filesystem::exists(kAlertmanager)) {
    GTEST_SKIP() << kAlertmanager << " is missing: install the Debian package prometheus-alertmanager";
  }
  Alertmanager am;
  ASSERT_TRUE(am.ready()) << am.Log();
  std::string config = R"({"name": "oncall", "type": "alertmanager", "url": ")" + am.Url() + "\"}";
  ASSERT_EQ(MakeReceiver(config)->Deliver(MakeDelivery("oncall", {Spike(1, "volume_spike", Severity::kWarning)})).kind,
            Outcome::Kind::kDelivered);
  ASSERT_NE(FindAlert(am.Alerts(), "brandmon_volume_spike"), nullptr);
  std::this_thread::sleep_for(1100ms);
  auto restarted = MakeReceiver(config);  // knows nothing of the spike
  ASSERT_EQ(restarted->Deliver(MakeDelivery("oncall", {Spike(2, "volume_spike_clear", Severity::kInfo)})).kind,
            Outcome::Kind::kDelivered);
  EXPECT_EQ(FindAlert(am.Alerts(), "brandmon_volume_spike"), nullptr);
}

TEST(AlertmanagerReceiverTest, RejectedAlertsAreDeadLettersAndOutagesRetried) {
  HttpTestServer server;
  server.server().Post("/api/v2/alerts", [](const httplib::Request& req, httplib::Response& res) {
    bool ok = req.body.find("\"alertname\":\"brandmon_negative_mention\"") != std::string::npos;
    res.status = ok ? 400 : 500;
    res.set_content("{\"code\":400,\"message\":\"start time must be before end time\"}", "application/json");
  });
  auto receiver = MakeReceiver(R"({"name": "oncall", "type": "alertmanager", "url": ")" + server.Url("") + "\"}");
  ASSERT_TRUE(receiver);
  Outcome o = receiver->Deliver(MakeDelivery("oncall", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.detail, "HTTP 400: {\"code\":400,\"message\":\"start time must be before end time\"}");
  o = receiver->Deliver(MakeDelivery("oncall", {Spike(2, "volume_spike", Severity::kWarning)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
}

TEST(AlertmanagerReceiverTest, HostileTextIsBounded) {
  HttpTestServer server;
  std::string body;
  server.server().Post("/api/v2/alerts", [&](const httplib::Request& req, httplib::Response& res) {
    body = req.body;
    res.status = 200;
  });
  auto receiver = MakeReceiver(R"({"name": "oncall", "type": "alertmanager", "url": ")" + server.Url("") + "\"}");
  ASSERT_TRUE(receiver);
  std::string hostile;
  while (hostile.size() < (1 << 20)) hostile += "<!channel> \"},{\"labels\":{\"alertname\":\"forged\"}} ";
  Alert a = SampleAlert(1, hostile);
  a.summary = hostile;
  ASSERT_EQ(receiver->Deliver(MakeDelivery("oncall", {a})).kind, Outcome::Kind::kDelivered);
  EXPECT_LT(body.size(), 4000u);
  rapidjson::Document doc = ParseJson(body);
  ASSERT_TRUE(doc.IsArray());
  ASSERT_EQ(doc.Size(), 1u);
  EXPECT_STREQ(doc[0]["labels"]["alertname"].GetString(), "brandmon_negative_mention");
}

}  // namespace
}  // namespace brandmon::notify
