// The Python subscriber example (docs/examples/subscriber.py) against a real
// brandmond: it receives every journaled alert once, in order, including the
// ones raised while it was disconnected by a daemon restart.

#include <signal.h>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <sstream>
#include <thread>

#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// The first python3 with pyzmq (a pyenv python3 earlier on PATH may lack it).
std::string PythonWithZmq() {
  for (std::string py : {"/usr/bin/python3", "python3"}) {
    std::string out, err;
    if (RunCommand({"/usr/bin/env", py, "-c", "import zmq"}, &out, &err) == 0) return py;
  }
  return "";
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

class SubscriberE2eTest : public ::testing::Test {
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
  }

  void Append(const std::string& id, const std::string& text) {
    std::string line =
        R"({"id": ")" + id + R"(", "channel": "x", "author": "@u)" + id + R"(", "text": ")" + text + "\"}\n";
    std::FILE* f = std::fopen(feed_.c_str(), "a");
    std::fputs(line.c_str(), f);
    std::fclose(f);
  }

  std::unique_ptr<Process> StartDaemon(NotifyListener& listener) {
    auto p = std::make_unique<Process>(std::vector<std::string>{BinaryPath("brandmond"), "--config", config_},
                                       std::map<std::string, std::string>{{"NOTIFY_SOCKET", listener.path()}});
    EXPECT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << p->Stderr();
    return p;
  }

  uint64_t LastSeq() {
    std::string out, err;
    RunCommand({BinaryPath("brandmonctl"), "status", "--json", "--config", config_}, &out, &err);
    rapidjson::Document doc;
    doc.Parse(out.c_str());
    if (doc.HasParseError() || !doc.HasMember("last_seq")) return 0;
    return doc["last_seq"].GetUint64();
  }

  // Waits until the subscriber has printed `n` alerts.
  bool WaitForAlerts(Process& sub, size_t n) {
    for (int i = 0; i < 600; ++i) {
      if (Lines(sub.Stdout()).size() >= n) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

  TempDir dir_;
  std::string run_, feed_, config_;
};

TEST_F(SubscriberE2eTest, EveryAlertOnceInOrderAcrossARestart) {
  std::string python = PythonWithZmq();
  if (python.empty()) GTEST_SKIP() << "python3-zmq is not installed";

  Append("1", "Acme announced a recall of its toasters");
  Append("2", "@acme how do I get a refund? still waiting");
  Append("3", "acme customer service is terrible and rude");
  NotifyListener listener((dir_.path() / "notify.sock").string());
  auto daemon = StartDaemon(listener);
  uint64_t first_batch = 0;
  for (int i = 0; i < 200 && first_batch == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    first_batch = LastSeq();
  }
  ASSERT_GT(first_batch, 0u) << daemon->Stderr();

  Process sub({"/usr/bin/env", python, std::string(BRANDMON_SOURCE_DIR) + "/docs/examples/subscriber.py", "--endpoint",
               "ipc://" + run_ + "/alerts.sock", "--catchup-endpoint", "ipc://" + run_ + "/catchup.sock", "--since",
               "0", "--timeout", "120"});
  ASSERT_TRUE(WaitForAlerts(sub, first_batch)) << sub.Stderr();

  // The daemon goes away; mentions keep arriving; it comes back.
  daemon->Signal(SIGTERM);
  ASSERT_EQ(daemon->Wait(seconds(20)), 0);
  Append("4", "Acme faces a lawsuit over the recall");
  Append("5", "I hate acme, worst kettle ever");
  daemon = StartDaemon(listener);
  uint64_t total = first_batch;
  for (int i = 0; i < 200 && total == first_batch; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    total = LastSeq();
  }
  ASSERT_GT(total, first_batch) << daemon->Stderr();
  ASSERT_TRUE(WaitForAlerts(sub, total)) << "subscriber got " << Lines(sub.Stdout()).size() << " of " << total << "\n"
                                         << sub.Stderr();
  // A moment more: nothing may arrive twice.
  std::this_thread::sleep_for(milliseconds(1500));
  std::vector<std::string> lines = Lines(sub.Stdout());
  ASSERT_EQ(lines.size(), total) << sub.Stdout();
  for (size_t i = 0; i < lines.size(); ++i) {
    rapidjson::Document a;
    a.Parse(lines[i].c_str());
    ASSERT_FALSE(a.HasParseError()) << lines[i];
    EXPECT_EQ(a["v"].GetInt(), 1);
    EXPECT_EQ(a["seq"].GetUint64(), i + 1) << "in order, no gap, no repeat";
    EXPECT_STREQ(a["brand"].GetString(), "acme");
    for (const char* key : {"ts", "rule", "severity", "summary", "mentions"}) EXPECT_TRUE(a.HasMember(key)) << key;
  }
  daemon->Signal(SIGTERM);
  EXPECT_EQ(daemon->Wait(seconds(20)), 0);
}

}  // namespace
}  // namespace brandmon::testing
