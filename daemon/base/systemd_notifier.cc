#include "daemon/base/systemd_notifier.h"
#include "daemon/base/errno_text.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace brandmon {

namespace {

std::optional<Duration> WatchdogFromEnvironment() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0 && usec > 0) {
    return std::chrono::duration_cast<Duration>(std::chrono::microseconds(usec));
  }
  return std::nullopt;
}

std::string SocketFromEnvironment() {
  // Read by the main thread before it starts any other.
  const char* socket = std::getenv("NOTIFY_SOCKET");  // NOLINT(concurrency-mt-unsafe)
  return socket == nullptr ? "" : socket;
}

}  // namespace

Notifier::Notifier() : Notifier(SocketFromEnvironment(), WatchdogFromEnvironment()) {}

Notifier::Notifier(std::string socket, std::optional<Duration> watchdog)
    : socket_(std::move(socket)), watchdog_(watchdog) {}

void Notifier::Send(const std::string& state, Duration max_wait) {
  if (socket_.empty()) return;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if ((socket_[0] != '/' && socket_[0] != '@') || socket_.size() >= sizeof addr.sun_path) {
    spdlog::debug("NOTIFY_SOCKET {} is not a unix socket address; not notifying", socket_);
    return;
  }
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  // A path's length counts its NUL; an abstract name is exactly its bytes.
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_.size() + (socket_[0] == '/' ? 1 : 0));
  if (socket_[0] == '@') addr.sun_path[0] = '\0';
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    spdlog::debug("notify socket: {}", ErrnoText(errno));
    return;
  }
  int flags = MSG_NOSIGNAL;
  if (max_wait <= Duration(0)) {
    flags |= MSG_DONTWAIT;
  } else {
    // The wait for room in a full receiver's queue ends after this.
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(max_wait).count();
    timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ssize_t sent = sendto(fd, state.data(), state.size(), flags, reinterpret_cast<const sockaddr*>(&addr), len);
  int error = errno;
  close(fd);
  if (sent >= 0) return;
  std::string what = state.substr(0, state.find('\n'));
  if (error == EAGAIN || error == EWOULDBLOCK) {
    // Periodic messages are dropped routinely while the receiver is busy.
    spdlog::log(max_wait > Duration(0) ? spdlog::level::warn : spdlog::level::debug,
                "notify {} dropped: {} does not read its messages", what, socket_);
  } else {
    spdlog::debug("notify {} to {} failed: {}", what, socket_, ErrnoText(error));
  }
}

void Notifier::Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status, kStateWait); }

void Notifier::Reloading() { Send("RELOADING=1", kStateWait); }

void Notifier::Stopping() { Send("STOPPING=1", kStateWait); }

void Notifier::Status(const std::string& status) { Send("STATUS=" + status, Duration(0)); }

void Notifier::WatchdogPing() { Send("WATCHDOG=1", Duration(0)); }

}  // namespace brandmon
