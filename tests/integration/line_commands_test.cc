#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace brandmon {
namespace {

// brandmonctl's line-by-line commands as another program drives them: one
// line in, its answer out, while the input stays open.
class Conversation {
 public:
  explicit Conversation(std::vector<std::string> argv) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      std::vector<char*> args;
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_child_ = in[1];
    from_child_ = out[0];
  }
  ~Conversation() {
    CloseInput();
    if (from_child_ >= 0) close(from_child_);
    if (pid_ > 0 && waitpid(pid_, &status_, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status_, 0);
    }
  }
  Conversation(const Conversation&) = delete;
  Conversation& operator=(const Conversation&) = delete;

  bool Say(const std::string& line) {
    std::string data = line + "\n";
    return write(to_child_, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  }
  // The next output line, or "" when none comes within `timeout`.
  std::string Answer(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      size_t nl = buffered_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffered_.substr(0, nl);
        buffered_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{from_child_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
      char chunk[4096];
      ssize_t n = read(from_child_, chunk, sizeof chunk);
      if (n <= 0) return "";
      buffered_.append(chunk, static_cast<size_t>(n));
    }
  }
  void CloseInput() {
    if (to_child_ >= 0) close(to_child_);
    to_child_ = -1;
  }
  int Exit() {
    CloseInput();
    if (waitpid(pid_, &status_, 0) != pid_) return -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string buffered_;
};

class LineCommandsTest : public ::testing::TestWithParam<std::vector<std::string>> {};

TEST_P(LineCommandsTest, AnswersEachLineWhileTheInputStaysOpen) {
  std::vector<std::string> argv = {testing::BinaryPath("brandmonctl")};
  argv.insert(argv.end(), GetParam().begin(), GetParam().end());
  Conversation c(argv);
  ASSERT_TRUE(c.Say("I love Acme"));
  std::string first = c.Answer();
  EXPECT_NE(first.find('{'), std::string::npos) << "no answer while the input is open";
  ASSERT_TRUE(c.Say("Acme is awful"));
  std::string second = c.Answer();
  EXPECT_NE(second.find('{'), std::string::npos);
  EXPECT_NE(first, second);
  EXPECT_EQ(c.Exit(), 0);
}

TEST_P(LineCommandsTest, AnswersEveryLineOfALargeInputInOrder) {
  std::vector<std::string> argv = {testing::BinaryPath("brandmonctl")};
  argv.insert(argv.end(), GetParam().begin(), GetParam().end());
  std::string input, one_out, one_err;
  for (int i = 0; i < 20000; ++i) input += i % 2 == 0 ? "I love Acme\n" : "Acme is awful\r\n";
  std::string out, err;
  ASSERT_EQ(testing::RunCommand(argv, &out, &err, {}, std::chrono::seconds(120), input), 0) << err;
  ASSERT_EQ(testing::RunCommand(argv, &one_out, &one_err, {}, std::chrono::seconds(60), "I love Acme\nAcme is awful\n"),
            0);
  std::string expected;
  for (int i = 0; i < 10000; ++i) expected += one_out;
  EXPECT_EQ(out, expected) << "the CRLF lines read as the LF ones, in order";
}

INSTANTIATE_TEST_SUITE_P(Commands, LineCommandsTest,
                         ::testing::Values(std::vector<std::string>{"score"},
                                           std::vector<std::string>{"match", "--query", "acme"}),
                         [](const auto& info) { return info.param[0]; });

}  // namespace
}  // namespace brandmon
