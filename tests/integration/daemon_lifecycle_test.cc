// Runs the real brandmond and checks what an operator and systemd see:
// the notify protocol, reload (valid and invalid), and graceful stop.

#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class DaemonLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override { config_ = dir_.Write("brandmon.json", ConfigText("info")); }

  std::string ConfigText(const std::string& level) {
    return R"({
      "daemon": {"state_dir": ")" +
           (dir_.path() / "state").string() + R"(",
                 "runtime_dir": ")" +
           (dir_.path() / "run").string() + R"(",
                 "log_level": ")" +
           level + R"(", "status_interval": "1s"},
      "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
      "brands": [{"name": "acme"}]
    })";
  }

  std::map<std::string, std::string> Env(const NotifyListener& listener) {
    return {{"NOTIFY_SOCKET", listener.path()}, {"WATCHDOG_USEC", "2000000"}, {"JOURNAL_STREAM", "\x01"}};
  }

  std::string Ctl(const std::vector<std::string>& args, int* rc) {
    std::vector<std::string> argv = {BinaryPath("brandmonctl")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--config");
    argv.push_back(config_);
    std::string out, err;
    *rc = RunCommand(argv, &out, &err);
    return out + err;
  }

  TempDir dir_;
  std::string config_;
};

TEST_F(DaemonLifecycleTest, SpeaksTheNotifyProtocol) {
  NotifyListener listener((dir_.path() / "notify.sock").string());
  Process daemon({BinaryPath("brandmond"), "--config", config_}, Env(listener));
  std::string ready = listener.WaitFor("READY=1", seconds(20));
  ASSERT_FALSE(ready.empty()) << daemon.Stderr();
  EXPECT_NE(ready.find("STATUS="), std::string::npos) << ready;
  EXPECT_FALSE(listener.WaitFor("WATCHDOG=1", seconds(10)).empty());
  EXPECT_FALSE(listener.WaitFor("STATUS=", seconds(10)).empty());

  daemon.Signal(SIGHUP);
  EXPECT_FALSE(listener.WaitFor("RELOADING=1", seconds(10)).empty());
  EXPECT_FALSE(listener.WaitFor("READY=1", seconds(10)).empty());

  daemon.Signal(SIGTERM);
  EXPECT_FALSE(listener.WaitFor("STOPPING=1", seconds(10)).empty());
  EXPECT_EQ(daemon.Wait(seconds(20)), 0) << daemon.Stderr();
  EXPECT_NE(daemon.Stderr().find("stopped"), std::string::npos) << daemon.Stderr();
}

TEST_F(DaemonLifecycleTest, InvalidReloadKeepsTheRunningConfig) {
  NotifyListener listener((dir_.path() / "notify.sock").string());
  Process daemon({BinaryPath("brandmond"), "--config", config_}, Env(listener));
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << daemon.Stderr();

  // Break the file the daemon was started from, then ask it to reload.
  std::string good = ReadFile(config_);
  dir_.Write("brandmon.json", "{\n  \"daemon\": {\"log_level\": \"loud\", \"runtime_dir\": \"" +
                                  (dir_.path() / "run").string() +
                                  "\"},\n  \"store\": {\"synchronous\": \"never\"}\n}");
  int rc = 0;
  std::string out = Ctl({"reload"}, &rc);
  EXPECT_EQ(rc, 1) << out;
  // Each error on a line of its own.
  EXPECT_NE(out.find("/brandmon.json:2:27: daemon.log_level: expected one of trace, debug, info, warn, error, got "
                     "\"loud\"\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\n" + (dir_.path() / "brandmon.json:3:28: store.synchronous: ").string()), std::string::npos)
      << out;
  EXPECT_EQ(out.find("\\n"), std::string::npos) << out;
  // The daemon kept running and says the reload was rejected.
  EXPECT_TRUE(daemon.running());
  dir_.Write("brandmon.json", good);
  out = Ctl({"status"}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("last reload rejected"), std::string::npos) << out;

  // A good config reloads and clears the error.
  out = Ctl({"reload"}, &rc);
  EXPECT_EQ(rc, 0) << out;
  out = Ctl({"status", "--json"}, &rc);
  EXPECT_NE(out.find("\"last_reload_error\": null"), std::string::npos) << out;

  // SIGHUP with a broken file: logged, daemon stays up.
  dir_.Write("brandmon.json", "{ not json");
  daemon.Signal(SIGHUP);
  ASSERT_FALSE(listener.WaitFor("RELOADING=1", seconds(10)).empty());
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(10)).empty());
  EXPECT_TRUE(daemon.running());
  daemon.Signal(SIGINT);
  EXPECT_EQ(daemon.Wait(seconds(20)), 0);
  EXPECT_NE(daemon.Stderr().find("reload rejected, keeping the running config"), std::string::npos) << daemon.Stderr();
}

TEST_F(DaemonLifecycleTest, StuckControlClientsGetAnswersNotCrashes) {
  NotifyListener listener((dir_.path() / "notify.sock").string());
  Process daemon({BinaryPath("brandmond"), "--config", config_}, Env(listener));
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << daemon.Stderr();
  int rc = 0;
  std::string out = Ctl({"poll-now", "nonexistent"}, &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find("no source named \"nonexistent\""), std::string::npos) << out;
  EXPECT_TRUE(daemon.running());
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(seconds(20)), 0);
}

TEST_F(DaemonLifecycleTest, InvalidConfigAtStartupExitsNonZeroWithErrors) {
  std::string bad = dir_.Write("bad.json", "{\"daemon\": {\"shutdown_timeout\": \"soon\"}, \"brandz\": []}");
  Process daemon({BinaryPath("brandmond"), "--config", bad}, {{"NOTIFY_SOCKET", "\x01"}});
  EXPECT_EQ(daemon.Wait(seconds(20)), 3) << "config invalid";
  std::string err = daemon.Stderr();
  EXPECT_NE(err.find("bad.json:1:33: daemon.shutdown_timeout: expected a duration like \"5m\", got \"soon\""),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("unknown option 'brandz' (did you mean 'brands'?)"), std::string::npos) << err;
}

TEST_F(DaemonLifecycleTest, OnceRunsOneCycleAndExits) {
  Process daemon({BinaryPath("brandmond"), "--config", config_, "--once"});
  EXPECT_EQ(daemon.Wait(seconds(30)), 0) << daemon.Stderr();
  EXPECT_NE(daemon.Stderr().find("one cycle done"), std::string::npos) << daemon.Stderr();
}

TEST_F(DaemonLifecycleTest, ReloadAddsSourcesAndKeepsUnchangedOnes) {
  std::string feed = dir_.Write("a.jsonl", R"({"id": "1", "text": "acme is great"})"
                                           "\n");
  auto config = [&](bool with_b) {
    std::string sources = R"({"name": "a", "type": "file", "path": ")" + feed + R"(", "interval": "1h"})";
    if (with_b) sources += R"(, {"name": "b", "type": "file", "path": ")" + feed + R"(", "interval": "1h"})";
    return R"({"daemon": {"state_dir": ")" + (dir_.path() / "state").string() + R"(", "runtime_dir": ")" +
           (dir_.path() / "run").string() + R"("}, "sources": [)" + sources + R"(], "brands": [{"name": "acme"}],
           "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]}})";
  };
  dir_.Write("brandmon.json", config(false));
  NotifyListener listener((dir_.path() / "notify.sock").string());
  Process daemon({BinaryPath("brandmond"), "--config", config_}, Env(listener));
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << daemon.Stderr();
  int rc = 0;
  std::string status;
  for (int i = 0; i < 200 && status.find("\"mentions_stored\": 1") == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    status = Ctl({"status", "--json"}, &rc);
  }
  ASSERT_NE(status.find("\"mentions_stored\": 1"), std::string::npos) << status;
  std::string a_before = status.substr(status.find("\"name\": \"a\""));
  a_before = a_before.substr(0, a_before.find('}'));

  dir_.Write("brandmon.json", config(true));
  std::string out = Ctl({"reload"}, &rc);
  ASSERT_EQ(rc, 0) << out;
  for (int i = 0; i < 200 && status.find("\"name\": \"b\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(50));
    status = Ctl({"status", "--json"}, &rc);
  }
  ASSERT_NE(status.find("\"name\": \"b\""), std::string::npos) << status;
  std::string a_after = status.substr(status.find("\"name\": \"a\""));
  a_after = a_after.substr(0, a_after.find('}'));
  EXPECT_EQ(a_after, a_before) << "the unchanged source was not restarted (same last success, next poll)";
  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(seconds(20)), 0);
}

TEST_F(DaemonLifecycleTest, ReloadNamesWhatNeedsARestartAndKeepsTheRunningStore) {
  std::string feed = dir_.Write("a.jsonl", R"({"id": "1", "text": "acme is great"})"
                                           "\n");
  auto config = [&](const std::string& store_file) {
    return R"({"daemon": {"state_dir": ")" + (dir_.path() / "state").string() + R"(", "runtime_dir": ")" +
           (dir_.path() / "run").string() + R"("}, "store": {"file": ")" + store_file + R"("},
           "sources": [{"name": "a", "type": "file", "path": ")" +
           feed + R"(", "interval": "1h"}],
           "brands": [{"name": "acme"}],
           "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]}})";
  };
  dir_.Write("brandmon.json", config("brandmon.db"));
  NotifyListener listener((dir_.path() / "notify.sock").string());
  Process daemon({BinaryPath("brandmond"), "--config", config_}, Env(listener));
  ASSERT_FALSE(listener.WaitFor("READY=1", seconds(20)).empty()) << daemon.Stderr();
  int rc = 0;
  auto wait_for_stored = [&](const std::string& count) {
    std::string status;
    for (int i = 0; i < 200 && status.find("\"mentions_stored\": " + count) == std::string::npos; ++i) {
      std::this_thread::sleep_for(milliseconds(50));
      status = Ctl({"status", "--json"}, &rc);
    }
    return status;
  };
  std::string status = wait_for_stored("1");
  ASSERT_NE(status.find("\"mentions_stored\": 1"), std::string::npos) << status;
  EXPECT_NE(status.find("\"pending_restart\": []"), std::string::npos) << status;

  // The reload happens (exit 0) and names what it could not apply.
  dir_.Write("brandmon.json", config("other.db"));
  std::string out = Ctl({"reload"}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "reloaded; needs a restart to apply: store.file\n");
  out = Ctl({"status"}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("store.file: \"brandmon.db\" -> \"other.db\""), std::string::npos) << out;
  out = Ctl({"status", "--json"}, &rc);
  EXPECT_NE(out.find(R"("key": "store.file",)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("running": "brandmon.db",)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("configured": "other.db")"), std::string::npos) << out;

  // New mentions still go to the store the daemon started with.
  std::ofstream(feed, std::ios::app) << R"({"id": "2", "text": "acme again"})"
                                     << "\n";
  out = Ctl({"poll-now", "a"}, &rc);
  ASSERT_EQ(rc, 0) << out;
  status = wait_for_stored("2");
  EXPECT_NE(status.find("\"mentions_stored\": 2"), std::string::npos) << status;
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "state" / "brandmon.db"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state" / "other.db"));

  // Putting the old value back leaves nothing waiting.
  dir_.Write("brandmon.json", config("brandmon.db"));
  out = Ctl({"reload"}, &rc);
  EXPECT_EQ(out, "reloaded\n");
  out = Ctl({"status", "--json"}, &rc);
  EXPECT_NE(out.find("\"pending_restart\": []"), std::string::npos) << out;

  daemon.Signal(SIGTERM);
  EXPECT_EQ(daemon.Wait(seconds(20)), 0);
  EXPECT_NE(daemon.Stderr().find(R"(reload: store.file changed ("brandmon.db" -> "other.db"); it applies at the )"
                                 R"(next restart)"),
            std::string::npos)
      << daemon.Stderr();
}

TEST_F(DaemonLifecycleTest, JournalGetsSyslogPriorityPrefixes) {
  // JOURNAL_STREAM names stderr's device:inode, as systemd sets it.
  std::string out, err;
  int rc = RunCommand({"/bin/sh", "-c", "export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/2); exec \"$0\" \"$@\"",
                       BinaryPath("brandmond"), "--config", config_, "--once"},
                      &out, &err);
  EXPECT_EQ(rc, 0) << err;
  EXPECT_EQ(err.rfind("<6>", 0), 0u) << err;
  EXPECT_EQ(err.find("\x1b["), std::string::npos) << "no colors in the journal";
  // Not the journal: timestamps and a level word instead.
  rc = RunCommand({BinaryPath("brandmond"), "--config", config_, "--once"}, &out, &err, {{"JOURNAL_STREAM", "1:1"}});
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(err.find("<6>"), std::string::npos) << err;
  EXPECT_NE(err.find(" info "), std::string::npos) << err;
}

}  // namespace
}  // namespace brandmon::testing
