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
  receiver_ = std::thread([this] { Receive(); });
}

NotifyListener::~NotifyListener() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  receiver_.join();
  close(fd_);
  unlink(path_.c_str());
}

void NotifyListener::Receive() {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    char buf[4096];
    ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) continue;
    std::lock_guard<std::mutex> lock(mu_);
    messages_.emplace_back(buf, static_cast<size_t>(n));
    arrived_.notify_all();
  }
}

std::string NotifyListener::WaitFor(const std::string& needle, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    for (; scanned_ < messages_.size(); ++scanned_) {
      if (messages_[scanned_].find(needle) != std::string::npos) return messages_[scanned_++];
    }
    if (arrived_.wait_until(lock, until) == std::cv_status::timeout && scanned_ == messages_.size()) return "";
  }
}

std::vector<std::string> NotifyListener::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

}  // namespace brandmon::testing
