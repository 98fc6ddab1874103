#include "daemon/base/systemd_notifier.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_util.h"

namespace brandmon {
namespace {

using namespace std::chrono_literals;

// A notify receiver like systemd's, except that it reads only when asked.
class Receiver {
 public:
  // `name` starting with '@' is an abstract socket, else a path.
  explicit Receiver(const std::string& name) : name_(name) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.data(), name.size());
    if (name[0] == '@') addr.sun_path[0] = '\0';
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    EXPECT_EQ(bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len), 0) << std::strerror(errno);
  }
  ~Receiver() { close(fd_); }
  const std::string& name() const { return name_; }

  // Every message waiting, without blocking.
  std::vector<std::string> Drain() {
    std::vector<std::string> out;
    char buf[4096];
    for (ssize_t n; (n = recv(fd_, buf, sizeof buf, MSG_DONTWAIT)) >= 0;) out.emplace_back(buf, n);
    return out;
  }

 private:
  std::string name_;
  int fd_ = -1;
};

TEST(NotifierTest, SendsToAPathAndToAnAbstractSocket) {
  testing::TempDir dir;
  for (const std::string& name :
       {(dir.path() / "notify.sock").string(), "@brandmon-notify-test-" + std::to_string(getpid())}) {
    Receiver receiver(name);
    Notifier notifier(name, 4s);
    notifier.Ready("all good");
    notifier.WatchdogPing();
    EXPECT_EQ(receiver.Drain(), (std::vector<std::string>{"READY=1\nSTATUS=all good", "WATCHDOG=1"})) << name;
    EXPECT_EQ(notifier.watchdog_interval(), std::optional<Duration>(4s));
  }
}

TEST(NotifierTest, WithoutASocketNothingIsSent) {
  Notifier notifier("");
  notifier.Ready("x");
  notifier.Stopping();
  EXPECT_FALSE(notifier.watchdog_interval());
}

// A receiver whose queue is full (it stopped reading) must not hold the
// caller: the daemon's main loop sends STOPPING=1 after SIGTERM and would
// never exit.
TEST(NotifierTest, AReceiverThatDoesNotReadNeverBlocksTheCaller) {
  testing::TempDir dir;
  Receiver receiver((dir.path() / "notify.sock").string());
  Notifier notifier(receiver.name());
  auto calls = std::async(std::launch::async, [&] {
    // Far more than the kernel queues (net.unix.max_dgram_qlen, 10 by default).
    for (int i = 0; i < 50; ++i) {
      notifier.Status("tick " + std::to_string(i));
      notifier.WatchdogPing();
    }
    notifier.Stopping();
    notifier.Status("stopping");
  });
  bool returned = calls.wait_for(20s) == std::future_status::ready;
  // Unblock a send stuck in the kernel so that the test ends either way.
  while (calls.wait_for(10ms) != std::future_status::ready) receiver.Drain();
  EXPECT_TRUE(returned) << "a notify call blocked on a receiver that does not read";
  std::vector<std::string> queued = receiver.Drain();
  ASSERT_FALSE(queued.empty());
  EXPECT_EQ(queued.front(), "STATUS=tick 0") << "the first messages are delivered, the excess dropped";
}

// A state change waits for room while the receiver catches up, so it is not
// lost to a momentary backlog.
TEST(NotifierTest, AStateChangeWaitsForAReceiverThatCatchesUp) {
  testing::TempDir dir;
  Receiver receiver((dir.path() / "notify.sock").string());
  Notifier notifier(receiver.name());
  for (int i = 0; i < 50; ++i) notifier.Status("tick");  // fills the queue
  std::vector<std::string> got;
  auto reader = std::async(std::launch::async, [&] {
    // Reading starts once Stopping() has met the full queue (well within
    // kStateWait): sent without waiting, the message would be lost.
    std::this_thread::sleep_for(50ms);
    auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      for (auto& m : receiver.Drain()) got.push_back(std::move(m));
      if (!got.empty() && got.back() == "STOPPING=1") return;
      std::this_thread::sleep_for(1ms);
    }
  });
  notifier.Stopping();
  reader.wait();
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back(), "STOPPING=1");
}

}  // namespace
}  // namespace brandmon
