#include "daemon/process/daemon.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/publish/curve_keys.h"
#include "tests/support/test_util.h"

namespace brandmon::process {
namespace {

using namespace std::chrono_literals;

// The thread names of the "Threads" table of docs/architecture.md: the
// first `name` in backquotes of each row (the main thread has none).
std::set<std::string> DocumentedThreads() {
  std::ifstream in(std::string(BRANDMON_SOURCE_DIR) + "/docs/architecture.md");
  std::set<std::string> names;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## ")) in_section = line == "## Threads";
    if (!in_section || !line.starts_with("| `")) continue;
    size_t end = line.find('`', 3);
    if (end != std::string::npos) names.insert(line.substr(3, end - 3));
  }
  return names;
}

// The names of this process's threads but those with the given ids and
// libzmq's (its context starts "ZMQbg/..." threads of its own), sorted.
std::vector<std::string> ProcessThreads(const std::set<pid_t>& except) {
  std::vector<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    if (except.contains(static_cast<pid_t>(std::stol(task.path().filename().string())))) continue;
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    if (!name.starts_with("ZMQbg/")) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// `value` in a config string, where "${" starts a reference (a Z85 key may
// hold one).
std::string Literal(const std::string& value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 2, "${") == 0) out += '$';
    out += value[i];
  }
  return out;
}

std::vector<std::string> Sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

class DaemonTest : public ::testing::Test {
 protected:
  std::string Config(const std::string& publish_extra) {
    return dir_.Write("brandmon.json", R"({
      "daemon": {"state_dir": ")" + (dir_.path() / "state").string() +
                                           R"(", "runtime_dir": ")" + (dir_.path() / "run").string() + R"("},
      "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"])" +
                                           publish_extra + R"(},
      "http": {"listen": "127.0.0.1:0"},
      "brands": [{"name": "acme"}]
    })");
  }

  static config::EnvLookup NoEnv() {
    return [](const std::string&) { return std::optional<std::string>(); };
  }

  testing::TempDir dir_;
  plugin::Registry registry_;  // no source needs a plugin
};

TEST_F(DaemonTest, EveryThreadOfARunningDaemonIsInItsThreadSetUnderADocumentedName) {
  auto keys = publish::GenerateCurveKeyPair();
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  // With CURVE keys, so that the ZAP handler runs too.
  DaemonFlags flags;
  flags.config_path = Config(R"(, "curve_secret_key": ")" + Literal(keys->secret_key) +
                             R"(", "allowed_client_keys": [")" + Literal(keys->public_key) + R"("])");
  Daemon daemon(flags, NoEnv(), registry_);
  std::atomic<pid_t> main_tid{0};
  std::atomic<int> rc{-1};
  std::thread main_thread([&] {
    main_tid = gettid();
    rc = daemon.Run();
  });
  // The scheduler thread is the last one Startup() starts.
  auto deadline = std::chrono::steady_clock::now() + 30s;
  auto started = [&] {
    auto running = daemon.threads().Running();
    return std::find(running.begin(), running.end(), "scheduler") != running.end();
  };
  while (!started() && rc == -1 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(started()) << "the daemon did not start its threads";

  // A new thread names itself once it runs: until then it has its parent's name.
  std::vector<std::string> running = Sorted(daemon.threads().Running());
  std::vector<std::string> in_process = ProcessThreads({getpid(), main_tid.load()});
  while (in_process != running && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
    in_process = ProcessThreads({getpid(), main_tid.load()});
  }
  EXPECT_EQ(in_process, running) << "a thread of the daemon was started outside its ThreadSet, or under another name";
  std::set<std::string> documented = DocumentedThreads();
  EXPECT_FALSE(documented.empty()) << "no Threads table in docs/architecture.md";
  for (const auto& name : running) EXPECT_TRUE(documented.contains(name)) << name << " is not documented";
  // All but the checkpoint thread, which starts with the first checkpoint.
  std::set<std::string> expected = documented;
  expected.erase("checkpoint");
  EXPECT_EQ(std::set<std::string>(running.begin(), running.end()), expected);
  EXPECT_EQ(std::count(running.begin(), running.end(), "poll"), scheduler::Scheduler::kPollWorkers);

  // SIGTERM, as systemd stops it: the daemon blocks it and reads it from
  // its signalfd on the thread that runs it.
  pthread_kill(main_thread.native_handle(), SIGTERM);
  main_thread.join();
  EXPECT_EQ(rc, kExitOk);
  EXPECT_EQ(daemon.threads().Running(), std::vector<std::string>{}) << "a thread outlived the shutdown";
}

TEST_F(DaemonTest, OnceLeavesNoThreadRunning) {
  DaemonFlags flags;
  flags.config_path = Config("");
  flags.once = true;
  Daemon daemon(flags, NoEnv(), registry_);
  EXPECT_EQ(daemon.Run(), kExitOk);
  EXPECT_EQ(daemon.threads().Running(), std::vector<std::string>{});
}

}  // namespace
}  // namespace brandmon::process
