#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "tests/integration/notify_listener.h"

namespace brandmon::testing {

NotifyListener::NotifyListener(const std::string& path) : path_(path) {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) throw std::runtime_error("socket path too long");
  std::strcpy(addr.sun_path, path.c_str());
  unlink(path.c_str());
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("bind failed");
}

NotifyListener::~NotifyListener() {
  close(fd_);
  unlink(path_.c_str());
}

std::string NotifyListener::WaitFor(const std::string& needle, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    for (; scanned_ < messages_.size(); ++scanned_) {
      if (messages_[scanned_].find(needle) != std::string::npos) return messages_[scanned_++];
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n > 0) messages_.emplace_back(buf, static_cast<size_t>(n));
  }
}

}  // namespace brandmon::testing
