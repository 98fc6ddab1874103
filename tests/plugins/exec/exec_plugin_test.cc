#include "plugins/exec/exec_plugin.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "daemon/base/units.h"
#include "daemon/config/json_reader.h"
#include "daemon/config/loader.h"
#include "daemon/plugin/registry.h"
#include "tests/plugins/exec/process_watch.h"
#include "tests/support/recording_sink.h"
#include "tests/support/test_util.h"

namespace brandmon::plugin {
namespace {

using namespace std::chrono_literals;
using testing::RecordingSink;

class ExecTest : public ::testing::Test {
 protected:
  std::unique_ptr<ExecPlugin> Make(std::vector<std::string> command, const std::string& mode = "scheduled") {
    ExecOptions o;
    config::ApplyDefaults(ExecOptionTable(), o);
    o.command = std::move(command);
    o.mode = mode;
    o.timeout = timeout_;
    o.max_output = max_output_;
    o.max_lines_per_poll = max_lines_per_poll_;
    o.env = env_;
    auto p = std::make_unique<ExecPlugin>(o);
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    ctx_ = PluginContext{"ex", &clock_, std::make_shared<spdlog::logger>("exec-test", sink)};
    EXPECT_TRUE(p->Start(ctx_).ok());
    return p;
  }
  Duration timeout_ = 10s;
  uint64_t max_output_ = 16 * 1024 * 1024;
  int64_t max_lines_per_poll_ = 10000;
  std::map<std::string, std::string> env_;
  FakeClock clock_;
  PluginContext ctx_;
  std::ostringstream log_;
  SourceState state_;
};

TEST_F(ExecTest, ScheduledRunEmitsMentionsAndWarnsOnBadLines) {
  auto p = Make({"/bin/sh", "-c",
                 "printf '%s\\n' '{\"id\":\"1\",\"text\":\"hello\"}' 'not json' '' '{\"id\":\"2\",\"title\":\"t\"}'; "
                 "echo oops >&2"});
  RecordingSink sink;
  Status s = p->Poll(sink, state_);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(sink.mentions[0].text, "hello");
  EXPECT_EQ(sink.mentions[0].source, "ex");
  EXPECT_TRUE(sink.Warned("line 2:")) << sink.warnings.size();
  EXPECT_NE(log_.str().find("source 'ex': stderr: oops"), std::string::npos) << log_.str();
}

TEST_F(ExecTest, NonZeroExitIsAnErrorButKeepsTheLines) {
  auto p = Make({"/bin/sh", "-c", "echo '{\"id\":\"1\"}'; exit 3"});
  RecordingSink sink;
  Status s = p->Poll(sink, state_);
  EXPECT_EQ(s.message(), "\"/bin/sh\" exited with status 3");
  EXPECT_EQ(sink.mentions.size(), 1u);
}

TEST_F(ExecTest, MissingProgramIsUnavailable) {
  auto p = Make({"/nonexistent/brandmon-source"});
  RecordingSink sink;
  Status s = p->Poll(sink, state_);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent/brandmon-source"), std::string::npos) << s.message();
}

TEST_F(ExecTest, TimeoutKillsTheWholeProcessGroup) {
  testing::TempDir dir;
  std::string pidfile = (dir.path() / "pid").string();
  timeout_ = 1s;
  auto p = Make({"/bin/sh", "-c", "sleep 30 & echo $! > " + pidfile + "; sleep 30"});
  RecordingSink sink;
  auto start = std::chrono::steady_clock::now();
  Status s = p->Poll(sink, state_);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_NE(s.message().find("timed out after 1s; it and every process it started were killed"), std::string::npos)
      << s.message();
  pid_t grandchild = std::stoi(testing::ReadFile(pidfile));
  EXPECT_TRUE(Gone(grandchild)) << "the background child was killed too";
}

TEST_F(ExecTest, OutputCapKillsTheProcess) {
  max_output_ = 64 * 1024;
  auto p = Make({"/bin/sh", "-c", "while :; do echo '{\"id\":\"x\"}'; done"});
  RecordingSink sink;
  Status s = p->Poll(sink, state_);
  EXPECT_EQ(s.code(), Status::Code::kCorrupt);
  EXPECT_NE(s.message().find("wrote more than 64KiB"), std::string::npos) << s.message();
  EXPECT_GT(sink.mentions.size(), 100u) << "what came before the cap is kept";
  EXPECT_LE(sink.mentions.size() * std::string("{\"id\":\"x\"}\n").size(), max_output_) << "and no more";
}

TEST_F(ExecTest, StopInterruptsARun) {
  auto p = Make({"/bin/sh", "-c", "sleep 30"});
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    p->Stop();
  });
  RecordingSink sink;
  auto start = std::chrono::steady_clock::now();
  Status s = p->Poll(sink, state_);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_FALSE(s.ok());
}

TEST_F(ExecTest, LongRunningChildIsReadEachPollAndRestartedAfterTheDelay) {
  testing::TempDir dir;
  std::string counter = (dir.path() / "starts").string();
  auto p = Make(
      {"/bin/sh", "-c", "echo x >> " + counter + "; echo '{\"id\":\"a\"}'; sleep 0.3; echo '{\"id\":\"b\"}'; exit 1"},
      "long_running");
  RecordingSink sink;
  Status s;
  auto until = std::chrono::steady_clock::now() + 10s;
  // Poll until the child has written both lines and died.
  while (std::chrono::steady_clock::now() < until) {
    s = p->Poll(sink, state_);
    if (!s.ok()) break;
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(sink.mentions.size(), 2u);
  EXPECT_EQ(s.message(), "\"/bin/sh\" exited with status 1; restarting in 10s");
  // Not restarted before the delay has passed on the plugin's clock.
  EXPECT_TRUE(p->Poll(sink, state_).ok());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(testing::ReadFile(counter), "x\n");
  clock_.Advance(10s);
  while (sink.mentions.size() < 3 && std::chrono::steady_clock::now() < until) {
    EXPECT_TRUE(p->Poll(sink, state_).ok());
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(sink.mentions.size(), 3u);
  EXPECT_EQ(testing::ReadFile(counter), "x\nx\n");
  EXPECT_NE(log_.str().find("restarted"), std::string::npos);
}

TEST_F(ExecTest, ARunEndsEveryProcessItStartedEvenInANewSession) {
  testing::TempDir dir;
  std::string pidfile = (dir.path() / "pid").string();
  struct Case {
    std::string name, script;
  };
  for (const Case& c : std::vector<Case>{
           // Keeps the output open: the run still ends when the program exits.
           {"setsid child holding stdout", SetsidGrandchild(pidfile) + "echo '{\"id\":\"1\"}'"},
           // Orphaned at once (its parent subshell exits) with output closed.
           {"orphaned setsid grandchild",
            "(" + StartSetsid(pidfile, ">/dev/null 2>&1") + "); " + AwaitFile(pidfile) + "echo '{\"id\":\"1\"}'"},
       }) {
    std::filesystem::remove(pidfile);
    auto p = Make({"/bin/sh", "-c", c.script});
    RecordingSink sink;
    auto start = std::chrono::steady_clock::now();
    Status s = p->Poll(sink, state_);
    EXPECT_TRUE(s.ok()) << c.name << ": " << s.message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << c.name << ": the run ends with the program";
    EXPECT_EQ(sink.mentions.size(), 1u) << c.name;
    ExpectGone(WaitForPid(pidfile), c.name);
  }
}

TEST_F(ExecTest, StopEndsEveryProcessOfAScheduledRun) {
  testing::TempDir dir;
  std::string pidfile = (dir.path() / "pid").string();
  auto p = Make({"/bin/sh", "-c", SetsidGrandchild(pidfile, ">/dev/null 2>&1") + "sleep 30"});
  std::thread stopper([&] {
    WaitForPid(pidfile);
    p->Stop();
  });
  RecordingSink sink;
  auto start = std::chrono::steady_clock::now();
  Status s = p->Poll(sink, state_);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(s.message(), "stopped; the program and its processes were killed");
  ExpectGone(WaitForPid(pidfile), "setsid grandchild");
}

TEST_F(ExecTest, LongRunningChildTakesItsProcessesAlongWhenItDiesOrIsStopped) {
  testing::TempDir dir;
  std::string pidfile = (dir.path() / "pid").string();
  std::string go = (dir.path() / "go").string();
  // Dies once `go` exists.
  auto p = Make({"/bin/sh", "-c",
                 SetsidGrandchild(pidfile, ">/dev/null 2>&1") + "while [ ! -e " + go + " ]; do sleep 0.01; done"},
                "long_running");
  RecordingSink sink;
  ASSERT_TRUE(p->Poll(sink, state_).ok());
  pid_t first = WaitForPid(pidfile);
  ASSERT_GT(first, 0);
  EXPECT_TRUE(p->Poll(sink, state_).ok());
  EXPECT_EQ(kill(first, 0), 0) << "the grandchild lives as long as the child";
  std::ofstream(go).put('x');
  Status s;
  for (int i = 0; i < 500 && s.ok(); ++i) {
    std::this_thread::sleep_for(10ms);
    s = p->Poll(sink, state_);
  }
  EXPECT_NE(s.message().find("exited with status 0; restarting"), std::string::npos) << s.message();
  ExpectGone(first, "grandchild of the dead child");

  // Restarted; then Stop() alone, before the plugin is destroyed.
  std::filesystem::remove(go);
  std::filesystem::remove(pidfile);
  clock_.Advance(10s);
  ASSERT_TRUE(p->Poll(sink, state_).ok());
  pid_t second = WaitForPid(pidfile);
  ASSERT_GT(second, 0);
  p->Stop();
  ExpectGone(second, "grandchild after Stop()");
}

TEST_F(ExecTest, LongRunningOutputIsReadAtMostMaxOutputAndMaxLinesPerPoll) {
  const std::string line = "{\"id\":\"x\"}\n";
  struct Case {
    uint64_t max_output;
    int64_t max_lines;
    size_t most_mentions;
  };
  for (const Case& c : {Case{64 * 1024, 1000000, 64 * 1024 / line.size()}, Case{16 * 1024 * 1024, 100, 100}}) {
    max_output_ = c.max_output;
    max_lines_per_poll_ = c.max_lines;
    // Writes without end; whatever a poll does not read waits in the pipe.
    auto p = Make({"yes", "{\"id\":\"x\"}"}, "long_running");
    bool capped = false;
    for (int i = 0; i < 500 && !capped; ++i) {
      RecordingSink sink;
      ASSERT_TRUE(p->Poll(sink, state_).ok());
      EXPECT_LE(sink.mentions.size(), c.most_mentions);
      capped = sink.Warned("\"yes\" wrote more than " + std::to_string(c.max_lines) + " lines or " +
                           FormatSize(c.max_output) + " since the last poll; the rest is read at the next one");
      if (capped) {
        EXPECT_GE(sink.mentions.size(), c.most_mentions - 1);
      }
      std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(capped) << c.max_lines;
  }
}

TEST_F(ExecTest, TheProgramGetsAMinimalEnvironmentAndItsOwnVariables) {
  setenv("BRANDMON_EXEC_TEST_SECRET", "hunter2", 1);
  env_ = {{"FORUM_TOKEN", "t0ken"}, {"TZ", "UTC"}};
  auto p = Make({"/bin/sh", "-c", "env >&2"});
  unsetenv("BRANDMON_EXEC_TEST_SECRET");
  RecordingSink sink;
  Status s = p->Poll(sink, state_);
  ASSERT_TRUE(s.ok()) << s.message();
  std::string log = log_.str();
  EXPECT_EQ(log.find("hunter2"), std::string::npos) << log;
  EXPECT_NE(log.find("stderr: FORUM_TOKEN=t0ken"), std::string::npos) << log;
  EXPECT_NE(log.find("stderr: TZ=UTC"), std::string::npos) << log;
  EXPECT_NE(log.find("stderr: PATH="), std::string::npos) << log;
}

TEST_F(ExecTest, ABareProgramNameIsSearchedInTheProgramsPath) {
  testing::TempDir dir;
  std::string script = dir.Write("bin/my-source", "#!/bin/sh\necho '{\"id\":\"1\"}'\n");
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  env_ = {{"PATH", (dir.path() / "bin").string() + ":/usr/bin:/bin"}};
  auto p = Make({"my-source"});
  RecordingSink sink;
  Status s = p->Poll(sink, state_);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(sink.mentions.size(), 1u);
}

}  // namespace
}  // namespace brandmon::plugin

namespace brandmon::plugin {
namespace {

TEST(ExecConfigTest, CommandIsRequired) {
  Registry registry;
  RegisterPlugin_exec(registry);
  for (const auto& [text, want] : std::vector<std::pair<std::string, std::string>>{
           {R"({"mode": "scheduled"})", "src.json:1:1: s: missing required option 'command'"},
           {R"({"command": []})", "src.json:1:13: s.command: must name a program, got []"},
           {R"({"command": ["x"], "mode": "daemon"})", "s.mode: expected one of scheduled, long_running"}}) {
    auto v = config::ParseConfigText(text, "src.json");
    ASSERT_TRUE(v.ok());
    config::Diagnostics diag;
    config::ApplyContext ctx{diag};
    (void)registry.Find("exec")->configure(*v, "s", ctx);
    EXPECT_NE(diag.Joined().find(want), std::string::npos) << diag.Joined();
  }
}

TEST(ExecConfigTest, ARelativeProgramPathIsTakenFromTheConfigsFolder) {
  Registry registry;
  RegisterPlugin_exec(registry);
  for (const auto& [command, want] : std::vector<std::pair<std::string, std::string>>{
           {R"(["bin/src.sh", "out/x"])", "/etc/brandmon/bin/src.sh out/x"},
           {R"(["python3", "x.py"])", "python3 x.py"},
           {R"(["/usr/bin/env", "a"])", "/usr/bin/env a"}}) {
    auto v = config::ParseConfigText(R"({"command": )" + command + "}", "/etc/brandmon/brandmon.json");
    ASSERT_TRUE(v.ok());
    config::Diagnostics diag;
    config::ApplyContext ctx{diag};
    ConfiguredPlugin cp = registry.Find("exec")->configure(*v, "s", ctx);
    ASSERT_TRUE(diag.ok()) << diag.Joined();
    rapidjson::StringBuffer buf;
    config::JsonWriter w(buf);
    w.StartObject();
    cp.dump_members(w, nullptr, {});
    w.EndObject();
    std::string dump = buf.GetString();
    std::string joined;
    rapidjson::Document d;
    d.Parse(dump.c_str());
    for (const auto& arg : d["command"].GetArray())
      joined += (joined.empty() ? "" : " ") + std::string(arg.GetString());
    EXPECT_EQ(joined, want) << dump;
  }
}

}  // namespace
}  // namespace brandmon::plugin

namespace brandmon::plugin {
namespace {

TEST(ExecConfigTest, EnvValuesComeThroughSubstitutionAndAreNeverShown) {
  testing::TempDir dir;
  std::string main = dir.Write("brandmon.json", R"({"sources": [{"name": "s", "type": "exec",
      "command": ["/bin/sh", "-c", "printf '{\"id\":\"%s\"}\\n' \"$TOKEN\""],
      "env": {"TOKEN": "${env:BRANDMON_EXEC_TOKEN}"}}]})");
  config::Diagnostics diag;
  auto tree = config::LoadConfigTree(
      main,
      [](const std::string& name) -> std::optional<std::string> {
        if (name == "BRANDMON_EXEC_TOKEN") return "s3cret-value";
        return std::nullopt;
      },
      diag);
  ASSERT_TRUE(tree.ok());
  ASSERT_TRUE(diag.ok()) << diag.Joined();
  Registry registry;
  RegisterPlugin_exec(registry);
  config::ApplyContext ctx{diag, &tree->redactor};
  ConfiguredPlugin cp = registry.Find("exec")->configure(tree->root.Find("sources")->items()[0], "sources[0]", ctx);
  ASSERT_TRUE(diag.ok()) << diag.Joined();

  rapidjson::StringBuffer buf;
  config::JsonWriter w(buf);
  w.StartObject();
  cp.dump_members(w, &tree->redactor, {});
  w.EndObject();
  EXPECT_EQ(std::string(buf.GetString()).find("s3cret-value"), std::string::npos) << buf.GetString();
  EXPECT_NE(std::string(buf.GetString()).find("\"TOKEN\""), std::string::npos) << buf.GetString();

  auto plugin = cp.make();
  FakeClock clock;
  PluginContext pctx{"s", &clock, nullptr};
  ASSERT_TRUE(plugin->Start(pctx).ok());
  RecordingSink sink;
  SourceState state;
  Status s = static_cast<PollPlugin&>(*plugin).Poll(sink, state);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(sink.mentions.size(), 1u);
  EXPECT_EQ(sink.mentions[0].id, "s3cret-value");
}

TEST(ExecConfigTest, BadEnvIsRejectedWithoutShowingValues) {
  Registry registry;
  RegisterPlugin_exec(registry);
  for (const auto& [env, want] : std::vector<std::pair<std::string, std::string>>{
           {R"({"A=B": "x"})", "s.env.A=B: not a valid environment variable name"},
           {R"({"": "x"})", "s.env.: not a valid environment variable name"},
           {R"({"1X": "x"})", "s.env.1X: not a valid environment variable name"},
           {R"({"A B": "x"})", "s.env.A B: not a valid environment variable name"},
           {R"({"X": 5})", "s.env.X: expected a string"},
           {R"(["X"])", "s.env: expected an object of strings"},
           {R"({"X": "hidden\u0000part"})", "s.env.X: must not contain a NUL character"}}) {
    auto v = config::ParseConfigText(R"({"command": ["x"], "env": )" + env + "}", "src.json");
    ASSERT_TRUE(v.ok()) << env;
    config::Diagnostics diag;
    config::ApplyContext ctx{diag};
    (void)registry.Find("exec")->configure(*v, "s", ctx);
    EXPECT_NE(diag.Joined().find(want), std::string::npos) << env << ": " << diag.Joined();
    EXPECT_EQ(diag.Joined().find("hidden"), std::string::npos) << diag.Joined();
  }
}

}  // namespace
}  // namespace brandmon::plugin
