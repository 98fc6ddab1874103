#include "plugins/exec/exec_plugin.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "daemon/config/json_reader.h"
#include "daemon/plugin/registry.h"
#include "tests/support/recording_sink.h"
#include "tests/support/test_util.h"

namespace brandmon::plugin {
namespace {

using namespace std::chrono_literals;
using testing::RecordingSink;

// True once `pid` is gone (not even a zombie), waiting up to 5s.
bool Gone(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    if (text.empty() || text.find(") Z ") != std::string::npos) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

class ExecTest : public ::testing::Test {
 protected:
  std::unique_ptr<ExecPlugin> Make(std::vector<std::string> command, const std::string& mode = "scheduled") {
    ExecOptions o;
    config::ApplyDefaults(ExecOptionTable(), o);
    o.command = std::move(command);
    o.mode = mode;
    o.timeout = timeout_;
    o.max_output = max_output_;
    auto p = std::make_unique<ExecPlugin>(o);
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    ctx_ = PluginContext{"ex", &clock_, std::make_shared<spdlog::logger>("exec-test", sink)};
    EXPECT_TRUE(p->Start(ctx_).ok());
    return p;
  }
  Duration timeout_ = 10s;
  uint64_t max_output_ = 16 * 1024 * 1024;
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
  EXPECT_NE(s.message().find("timed out after 1s; its process group was killed"), std::string::npos) << s.message();
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

TEST_F(ExecTest, ChildProcessDestructorKillsAndReaps) {
  pid_t pid;
  {
    auto child = ChildProcess::Spawn({"sleep", "30"});
    ASSERT_TRUE(child.ok());
    pid = child->pid();
  }
  EXPECT_TRUE(Gone(pid));
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
    cp.dump_members(w, nullptr);
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
