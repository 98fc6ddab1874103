#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace brandmon::testing {

// A unix datagram socket standing in for systemd's NOTIFY_SOCKET: collects
// the notify messages a daemon sends. Like systemd, it reads them as they
// come (on a thread of its own): a listener that read only while a test
// waited would let the socket's queue fill with periodic STATUS= and
// WATCHDOG=1 messages on a slow machine, and the daemon would then rightly
// drop a state message such as STOPPING=1.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path);
  ~NotifyListener();
  NotifyListener(const NotifyListener&) = delete;
  NotifyListener& operator=(const NotifyListener&) = delete;

  const std::string& path() const { return path_; }
  // Waits until a message not yet returned by WaitFor, or received after
  // the last one it returned, contains `needle`, for at most `timeout`.
  // Returns the matching message, or "" on timeout.
  std::string WaitFor(const std::string& needle, std::chrono::milliseconds timeout);
  // Every message received so far.
  std::vector<std::string> messages() const;

 private:
  void Receive();

  std::string path_;
  int fd_ = -1;
  mutable std::mutex mu_;
  std::condition_variable arrived_;
  std::vector<std::string> messages_;  // guarded by mu_
  size_t scanned_ = 0;                 // guarded by mu_
  bool stop_ = false;                  // guarded by mu_
  std::thread receiver_;
};

}  // namespace brandmon::testing
