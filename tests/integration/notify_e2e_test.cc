// brandmon-notify against a real brandmond: every alert the daemon journals
// reaches a webhook once, in order, across a SIGKILL of brandmon-notify
// while alerts keep coming; status and the systemd notifications show it.

#include <httplib.h>
#include <signal.h>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <mutex>
#include <thread>

#include "daemon/notify/notify_config.h"
#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A webhook target on loopback that records the seqs it was sent, with the
// idempotency key of each request.
class WebhookSink {
 public:
  WebhookSink() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      rapidjson::Document doc;
      doc.Parse(req.body.c_str());
      std::lock_guard lock(mu_);
      if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("alerts")) {
        for (const auto& a : doc["alerts"].GetArray()) seqs_.push_back(a["seq"].GetUint64());
        keys_.push_back(req.get_header_value("Idempotency-Key"));
      }
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~WebhookSink() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<uint64_t> seqs() {
    std::lock_guard lock(mu_);
    return seqs_;
  }
  std::vector<std::string> keys() {
    std::lock_guard lock(mu_);
    return keys_;
  }
  bool WaitForSeq(uint64_t seq) {
    for (int i = 0; i < 600; ++i) {
      for (uint64_t s : seqs()) {
        if (s >= seq) return true;
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<uint64_t> seqs_;
  std::vector<std::string> keys_;
};

class NotifyE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    run_ = (dir_.path() / "run").string();
    feed_ = dir_.Write("social.jsonl", "");
    config_ = dir_.Write("c.json", R"({
      "daemon": {"state_dir": ")" + (dir_.path() / "state").string() +
                                       R"(", "runtime_dir": ")" + run_ + R"("},
      "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"],
                  "heartbeat_interval": "1s"},
      "sources": [{"name": "social", "type": "file", "path": ")" +
                                       feed_ + R"(", "interval": "1s"}],
      "brands": [{"name": "acme", "handles": ["@acme"]}]
    })");
    notify_config_ = dir_.Write("notify.json", R"({
      "subscribe": {"endpoint": "ipc://)" + run_ + R"(/alerts.sock",
                    "catchup_endpoint": "ipc://)" + run_ +
                                                   R"(/catchup.sock", "from_journal_start": true},
      "state_dir": "nstate", "runtime_dir": "nrun",
      "receivers": [{"name": "hooks", "type": "webhook", "url": ")" +
                                                   sink_.url() + R"("}],
      "routes": [{"receivers": ["hooks"]}]
    })");
  }

  void Append(const std::string& id, const std::string& text) {
    std::string line =
        R"({"id": ")" + id + R"(", "channel": "x", "author": "@u)" + id + R"(", "text": ")" + text + "\"}\n";
    std::FILE* f = std::fopen(feed_.c_str(), "a");
    std::fputs(line.c_str(), f);
    std::fclose(f);
  }

  std::unique_ptr<Process> Start(const std::vector<std::string>& argv, NotifyListener& listener) {
    auto p = std::make_unique<Process>(argv, std::map<std::string, std::string>{{"NOTIFY_SOCKET", listener.path()}});
    EXPECT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << p->Stderr();
    return p;
  }

  uint64_t LastSeq(uint64_t above) {
    for (int i = 0; i < 200; ++i) {
      std::string out, err;
      RunCommand({BinaryPath("brandmonctl"), "status", "--json", "--config", config_}, &out, &err);
      rapidjson::Document doc;
      doc.Parse(out.c_str());
      if (!doc.HasParseError() && doc.HasMember("last_seq") && doc["last_seq"].GetUint64() > above) {
        return doc["last_seq"].GetUint64();
      }
      std::this_thread::sleep_for(milliseconds(50));
    }
    return above;
  }

  TempDir dir_;
  WebhookSink sink_;
  std::string run_, feed_, config_, notify_config_;
};

TEST_F(NotifyE2eTest, EveryAlertReachesTheWebhookAcrossASigkill) {
  Append("1", "Acme announced a recall of its toasters");
  Append("2", "@acme how do I get a refund? still waiting");
  NotifyListener daemon_listener((dir_.path() / "d.sock").string());
  auto daemon = Start({BinaryPath("brandmond"), "--config", config_}, daemon_listener);
  uint64_t first = LastSeq(0);
  ASSERT_GT(first, 0u) << daemon->Stderr();

  NotifyListener listener((dir_.path() / "n.sock").string());
  std::vector<std::string> notify_argv = {BinaryPath("brandmon-notify"), "--config", notify_config_};
  auto notify = Start(notify_argv, listener);
  ASSERT_TRUE(sink_.WaitForSeq(first)) << notify->Stderr();

  // brandmon-notify dies hard; alerts keep coming; it comes back.
  notify->Signal(SIGKILL);
  notify->Wait(seconds(10));
  Append("3", "acme customer service is terrible and rude");
  Append("4", "I hate acme, worst kettle ever");
  uint64_t total = LastSeq(first);
  ASSERT_GT(total, first) << daemon->Stderr();
  notify = Start(notify_argv, listener);
  ASSERT_TRUE(sink_.WaitForSeq(total)) << notify->Stderr();
  std::this_thread::sleep_for(milliseconds(500));

  // Every seq once, in order; a repeat only of what was accepted just before
  // the kill, with the same idempotency key.
  std::vector<uint64_t> seqs = sink_.seqs();
  std::vector<uint64_t> unique;
  for (uint64_t s : seqs) {
    if (unique.empty() || s > unique.back()) unique.push_back(s);
  }
  ASSERT_EQ(unique.size(), total) << ::testing::PrintToString(seqs);
  for (uint64_t i = 0; i < total; ++i) EXPECT_EQ(unique[i], i + 1);
  EXPECT_LE(seqs.size(), total + 1) << ::testing::PrintToString(seqs);
  EXPECT_EQ(sink_.keys().front(), "hooks:1-1");

  std::string out, err;
  ASSERT_EQ(RunCommand({BinaryPath("brandmon-notify"), "--config", notify_config_, "status", "--json"}, &out, &err), 0)
      << err;
  rapidjson::Document status;
  status.Parse(out.c_str());
  ASSERT_FALSE(status.HasParseError()) << out;
  EXPECT_EQ(status["receivers"][0]["name"].GetString(), std::string("hooks"));
  EXPECT_EQ(status["receivers"][0]["cursor"].GetUint64(), total);
  EXPECT_EQ(RunCommand({BinaryPath("brandmon-notify"), "--config", notify_config_, "retry", "nobody"}, &out, &err), 1);

  notify->Signal(SIGTERM);
  EXPECT_EQ(notify->Wait(seconds(20)), 0) << notify->Stderr();
  EXPECT_FALSE(listener.WaitFor("STOPPING=1", seconds(5)).empty());
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(20)), 0);
}

TEST_F(NotifyE2eTest, CheckConfigAndTestReceiver) {
  std::string out, err;
  EXPECT_EQ(RunCommand({BinaryPath("brandmon-notify"), "--config", notify_config_, "--check-config"}, &out, &err), 0)
      << err;
  EXPECT_NE(out.find("\"type\": \"webhook\""), std::string::npos) << out;
  EXPECT_EQ(RunCommand({BinaryPath("brandmon-notify"), "--config", notify_config_, "--test", "hooks"}, &out, &err), 0)
      << out << err;
  EXPECT_NE(out.find("hooks: delivered (http 200)"), std::string::npos) << out;
  EXPECT_EQ(sink_.seqs().size(), 1u);
  EXPECT_EQ(RunCommand({BinaryPath("brandmon-notify"), "--config", notify_config_, "--test", "nobody"}, &out, &err), 2);
  std::string bad = dir_.Write("bad.json", R"({"routes": [{"receivers": ["ghost"]}]})");
  EXPECT_EQ(RunCommand({BinaryPath("brandmon-notify"), "--config", bad, "--check-config"}, &out, &err), 3);
  EXPECT_NE(err.find("bad.json:1:28: routes[0].receivers[0]: unknown receiver \"ghost\""), std::string::npos) << err;
  EXPECT_EQ(RunCommand({BinaryPath("brandmon-notify"), "--bogus"}, &out, &err), 2);
  EXPECT_EQ(RunCommand({BinaryPath("brandmon-notify"), "config-docs", "--format", "man"}, &out, &err), 0) << err;
  EXPECT_TRUE(out == notify::NotifyConfigMan(notify::ReceiverKinds()));
  for (auto args : std::vector<std::vector<std::string>>{{"--format", "pdf"}, {"--format"}, {"man"}}) {
    args.insert(args.begin(), {BinaryPath("brandmon-notify"), "config-docs"});
    EXPECT_EQ(RunCommand(args, &out, &err), 2) << args.back();
    EXPECT_NE(err.find("config-docs takes only --format md or --format man"), std::string::npos) << err;
  }
}

// Asked while brandmon-notify is not running, `status` names brandmon-notify
// (not brandmond) and how to point it at the service's socket.
TEST_F(NotifyE2eTest, StatusWithoutTheServiceNamesIt) {
  std::string out, err;
  EXPECT_EQ(RunCommand({BinaryPath("brandmon-notify"), "--config", notify_config_, "status"}, &out, &err), 1);
  EXPECT_NE(err.find(": brandmon-notify is not running, or it runs with another runtime directory (give "
                     "brandmon-notify status the service's --config)"),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("brandmond"), std::string::npos) << err;
}

// docs/notify.md ends with the reference generated from the option tables.
TEST(NotifyDocsTest, CommittedReferenceMatchesTheCode) {
  std::string generated = notify::NotifyConfigDocs(notify::ReceiverKinds());
  std::string committed = ReadFile("docs/notify.md");
  EXPECT_TRUE(committed.size() >= generated.size() &&
              committed.compare(committed.size() - generated.size(), generated.size(), generated) == 0)
      << "docs/notify.md is stale: put the output of `build/bin/brandmon-notify config-docs` after its "
         "\"Configuration reference\" introduction";
}

}  // namespace
}  // namespace brandmon::testing
