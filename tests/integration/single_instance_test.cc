// One daemon per state directory: a second brandmond on the same state
// directory exits naming the first one's PID and touches nothing; a daemon
// never removes or takes over a socket another one is serving.

#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::seconds;

ino_t Inode(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

class SingleInstanceTest : public ::testing::Test {
 protected:
  std::string Config(const std::string& name, const std::string& state, const std::string& run,
                     const std::string& store_file = "brandmon.db") {
    return dir_.Write(name, R"({"daemon": {"state_dir": ")" + (dir_.path() / state).string() +
                                R"(", "runtime_dir": ")" + (dir_.path() / run).string() + R"("},
      "store": {"file": ")" + store_file +
                                R"("},
      "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
      "brands": [{"name": "acme"}]})");
  }

  // Starts a daemon and waits for READY=1.
  std::unique_ptr<Process> Start(const std::string& config) {
    // A listener per start: each removes its socket file when it goes.
    listener_ =
        std::make_unique<NotifyListener>((dir_.path() / ("notify" + std::to_string(++starts_) + ".sock")).string());
    auto daemon = std::make_unique<Process>(std::vector<std::string>{BinaryPath("brandmond"), "--config", config},
                                            std::map<std::string, std::string>{{"NOTIFY_SOCKET", listener_->path()}});
    EXPECT_FALSE(listener_->WaitFor("READY=1", seconds(20)).empty()) << daemon->Stderr();
    return daemon;
  }

  std::vector<std::string> Sockets(const std::string& run) {
    std::vector<std::string> out;
    for (const char* name : {"control.sock", "alerts.sock", "catchup.sock"}) {
      out.push_back((dir_.path() / run / name).string());
    }
    return out;
  }

  // `brandmonctl status` against `config`: its exit code and output.
  int Status(const std::string& config, std::string* out) {
    std::string err;
    int rc = RunCommand({BinaryPath("brandmonctl"), "status", "--config", config}, out, &err);
    *out += err;
    return rc;
  }

  void Stop(Process& daemon) {
    daemon.Signal(SIGTERM);
    EXPECT_EQ(daemon.Wait(seconds(20)), 0) << daemon.Stderr();
  }

  TempDir dir_;
  std::unique_ptr<NotifyListener> listener_;
  int starts_ = 0;
};

TEST_F(SingleInstanceTest, ASecondDaemonOnTheSameStateDirectoryExitsAndTouchesNothing) {
  std::string config = Config("a.json", "state", "run");
  auto first = Start(config);
  std::vector<ino_t> before;
  for (const auto& s : Sockets("run")) before.push_back(Inode(s));
  ASSERT_EQ(std::count(before.begin(), before.end(), 0), 0);

  // Same config; another runtime directory (other sockets); and --once.
  std::string other_run = Config("b.json", "state", "run2");
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {BinaryPath("brandmond"), "--config", config},
           {BinaryPath("brandmond"), "--config", other_run},
           {BinaryPath("brandmond"), "--config", config, "--once"},
       }) {
    Process second(argv);
    EXPECT_EQ(second.Wait(seconds(20)), 1) << second.Stderr();
    std::string expected = "state directory " + (dir_.path() / "state").string() +
                           " is in use by another brandmond (pid " + std::to_string(first->pid()) + ", lock file " +
                           (dir_.path() / "state" / "brandmond.lock").string() + ")";
    EXPECT_NE(second.Stderr().find(expected), std::string::npos) << second.Stderr();
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "run2")) << "a refused daemon leaves no runtime directory";

  ASSERT_TRUE(first->running()) << first->Stderr();
  std::vector<std::string> sockets = Sockets("run");
  for (size_t i = 0; i < sockets.size(); ++i) EXPECT_EQ(Inode(sockets[i]), before[i]) << sockets[i];
  std::string out;
  EXPECT_EQ(Status(config, &out), 0) << out;
  EXPECT_NE(out.find("(pid " + std::to_string(first->pid()) + ")"), std::string::npos) << out;
  Stop(*first);
}

TEST_F(SingleInstanceTest, ADaemonSharingTheRuntimeDirectoryDoesNotTakeOverItsSockets) {
  std::string config = Config("a.json", "state", "run");
  auto first = Start(config);
  std::vector<ino_t> before;
  for (const auto& s : Sockets("run")) before.push_back(Inode(s));

  // Its own state directory, so the lock does not stop it: the sockets do.
  Process second({BinaryPath("brandmond"), "--config", Config("b.json", "state2", "run")});
  EXPECT_EQ(second.Wait(seconds(20)), 1) << second.Stderr();
  EXPECT_NE(second.Stderr().find("is in use by another process"), std::string::npos) << second.Stderr();

  ASSERT_TRUE(first->running()) << first->Stderr();
  std::vector<std::string> sockets = Sockets("run");
  for (size_t i = 0; i < sockets.size(); ++i) EXPECT_EQ(Inode(sockets[i]), before[i]) << sockets[i];
  std::string out;
  EXPECT_EQ(Status(config, &out), 0) << out;
  EXPECT_NE(out.find("(pid " + std::to_string(first->pid()) + ")"), std::string::npos) << out;
  Stop(*first);
  for (const auto& s : sockets) EXPECT_FALSE(std::filesystem::exists(s)) << s << " left after a clean stop";
}

// A database outside the state directory has a lock of its own: two daemons
// with their own state and runtime directories cannot share it.
TEST_F(SingleInstanceTest, TwoDaemonsCannotShareADatabaseOutsideTheirStateDirectories) {
  std::string db = (dir_.path() / "shared.db").string();
  auto first = Start(Config("a.json", "state", "run", db));
  Process second({BinaryPath("brandmond"), "--config", Config("b.json", "state2", "run2", db)});
  EXPECT_EQ(second.Wait(seconds(20)), 1) << second.Stderr();
  std::string expected = "database " + db + " is in use by another brandmond (pid " + std::to_string(first->pid()) +
                         ", lock file " + db + ".lock)";
  EXPECT_NE(second.Stderr().find(expected), std::string::npos) << second.Stderr();
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "run2"));
  ASSERT_TRUE(first->running()) << first->Stderr();
  Stop(*first);
  // Once the first has stopped, the second starts on it.
  auto again = Start(Config("b.json", "state2", "run2", db));
  ASSERT_TRUE(again->running()) << again->Stderr();
  Stop(*again);
}

TEST_F(SingleInstanceTest, AKilledDaemonsLockAndSocketsDoNotBlockTheNextStart) {
  std::string config = Config("a.json", "state", "run");
  auto first = Start(config);
  first->Signal(SIGKILL);
  first->Wait(seconds(20));
  for (const auto& s : Sockets("run")) ASSERT_TRUE(std::filesystem::exists(s)) << s;

  auto next = Start(config);
  ASSERT_TRUE(next->running()) << next->Stderr();
  std::string out;
  EXPECT_EQ(Status(config, &out), 0) << out;
  EXPECT_NE(out.find("(pid " + std::to_string(next->pid()) + ")"), std::string::npos) << out;
  Stop(*next);
}

}  // namespace
}  // namespace brandmon::testing
