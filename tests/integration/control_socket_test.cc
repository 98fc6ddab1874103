// The control socket against hostile clients: every malformed request gets an
// error reply or is dropped, and the daemon keeps answering.

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include <zmq.hpp>

#include "tests/integration/notify_listener.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::seconds;

class ControlSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string run = (dir_.path() / "run").string();
    config_ = dir_.Write("c.json", R"({"daemon": {"state_dir": ")" + (dir_.path() / "state").string() +
                                       R"(", "runtime_dir": ")" + run + R"("},
      "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
      "sources": [{"name": "s1", "type": "file", "path": "/nonexistent/\u001b[2J\rx.jsonl", "interval": "1h"}]})");
    endpoint_ = "ipc://" + run + "/control.sock";
    listener_ = std::make_unique<NotifyListener>((dir_.path() / "notify.sock").string());
    daemon_ = std::make_unique<Process>(std::vector<std::string>{BinaryPath("brandmond"), "--config", config_},
                                        std::map<std::string, std::string>{{"NOTIFY_SOCKET", listener_->path()}});
    ASSERT_FALSE(listener_->WaitFor("READY=1", seconds(20)).empty()) << daemon_->Stderr();
  }

  void TearDown() override {
    EXPECT_TRUE(daemon_->running()) << daemon_->Stderr();
    daemon_->Signal(SIGTERM);
    EXPECT_EQ(daemon_->Wait(seconds(20)), 0);
  }

  // Sends `frames` from a fresh DEALER and returns the reply body ("" if none within 5s).
  std::string Send(const std::vector<std::string>& frames) {
    zmq::socket_t s(ctx_, zmq::socket_type::dealer);
    s.set(zmq::sockopt::linger, 0);
    s.connect(endpoint_);
    for (size_t i = 0; i < frames.size(); ++i) {
      s.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
    zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(5000));
    if (!(item.revents & ZMQ_POLLIN)) return "";
    std::vector<zmq::message_t> reply;
    do {
      zmq::message_t m;
      (void)s.recv(m);
      reply.push_back(std::move(m));
    } while (reply.back().more());
    return reply.back().to_string();
  }

  TempDir dir_;
  std::string config_;
  std::string endpoint_;
  zmq::context_t ctx_;
  std::unique_ptr<NotifyListener> listener_;
  std::unique_ptr<Process> daemon_;
};

TEST_F(ControlSocketTest, MalformedRequestsGetErrorReplies) {
  struct Case {
    std::vector<std::string> frames;
    const char* expected;
  };
  const Case cases[] = {
      {{"", "not json"}, "malformed request: expected a JSON object"},
      {{"", "[1, 2]"}, "malformed request: expected a JSON object"},
      {{"", R"({"cmd": 5})"}, "missing \\\"cmd\\\""},
      {{"", R"({"cmd": "format-disk"})"}, "unknown command \\\"format-disk\\\""},
      {{"", R"({"cmd": "poll-now", "source": 7})"}, "poll-now needs \\\"source\\\""},
      {{"", R"({"cmd": "poll-now", "source": "nope"})"}, "no source named \\\"nope\\\""},
      {{"no-delimiter"}, "malformed request"},
      {{"", "a", "b"}, "malformed request"},
      {{"", std::string(100000, '[')}, "malformed request"},
      {{"", std::string("{\"cmd\": \"status\"\0}", 18)}, "malformed request"},
  };
  for (const auto& c : cases) {
    std::string reply = Send(c.frames);
    EXPECT_NE(reply.find("\"ok\":false"), std::string::npos) << reply;
    EXPECT_NE(reply.find(c.expected), std::string::npos) << reply;
  }
  EXPECT_NE(Send({"", R"({"cmd": "sources"})"}).find("\"name\":\"s1\""), std::string::npos);
}

TEST_F(ControlSocketTest, PauseAndResumeASource) {
  EXPECT_NE(Send({"", R"({"cmd": "pause", "source": "s1"})"}).find("\"ok\":true"), std::string::npos);
  EXPECT_NE(
      Send({"", R"({"cmd": "status"})"}).find("\"name\":\"s1\",\"type\":\"file\",\"enabled\":true,\"paused\":true"),
      std::string::npos);
  EXPECT_NE(Send({"", R"({"cmd": "pause", "source": "zz"})"}).find("no source named \\\"zz\\\""), std::string::npos);
  EXPECT_NE(Send({"", R"({"cmd": "resume", "source": "s1"})"}).find("\"ok\":true"), std::string::npos);
  EXPECT_NE(Send({"", R"({"cmd": "status"})"}).find("\"paused\":false"), std::string::npos);
}

TEST_F(ControlSocketTest, OversizedRequestIsDroppedAndTheDaemonStaysUp) {
  EXPECT_EQ(Send({"", std::string(2 << 20, 'x')}), "");
  std::string reply = Send({"", R"({"cmd": "status"})"});
  EXPECT_NE(reply.find("\"ok\":true"), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"last_error\":\"no file matches"), std::string::npos) << reply;
}

TEST_F(ControlSocketTest, SocketFileIsNotWorldAccessible) {
  struct stat st {};
  ASSERT_EQ(stat(endpoint_.substr(6).c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0007, 0u) << std::oct << st.st_mode;
  struct stat dir {};
  ASSERT_EQ(stat((dir_.path() / "run").c_str(), &dir), 0);
  EXPECT_EQ(dir.st_mode & 0077, 0u) << "runtime dir created private";
}

// A source's last error can quote what a server or a program wrote; the
// status table shows it escaped, never as terminal control sequences.
TEST_F(ControlSocketTest, StatusShowsControlCharactersOfAnErrorEscaped) {
  std::string out, err;
  int rc = 0;
  for (int i = 0; i < 100; ++i) {
    out.clear();
    err.clear();
    rc = RunCommand({BinaryPath("brandmonctl"), "status", "--config", config_}, &out, &err);
    if (out.find("x.jsonl") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(rc, 0) << out << err;
  ASSERT_NE(out.find("x.jsonl"), std::string::npos) << "the source's error names its path: " << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  EXPECT_NE(out.find("\\x1b[2J\\rx.jsonl"), std::string::npos) << out;
}

}  // namespace
}  // namespace brandmon::testing
