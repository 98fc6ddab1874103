#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace brandmon::testing {

// A unix datagram socket standing in for systemd's NOTIFY_SOCKET: collects
// the notify messages a daemon sends.
class NotifyListener {
 public:
  explicit NotifyListener(const std::string& path);
  ~NotifyListener();
  const std::string& path() const { return path_; }
  // Receives messages until one contains `needle` or `timeout` passes.
  // Returns the matching message, or "" on timeout.
  std::string WaitFor(const std::string& needle, std::chrono::milliseconds timeout);
  // Every message received so far.
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
  size_t scanned_ = 0;
};

}  // namespace brandmon::testing
