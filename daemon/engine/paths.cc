#include "daemon/engine/paths.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "daemon/engine/settings.h"

namespace brandmon::engine {
namespace {

// systemd may pass several colon-separated directories; the first is ours.
std::string FirstOf(const std::string& list) { return list.substr(0, list.find(':')); }

Status MakeDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Unavailable("cannot create directory " + dir + ": " + ec.message());
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return Status::Unavailable("directory " + dir + " is not writable: " + std::strerror(errno));
  }
  return Status::Ok();
}

// The PID a lock holder wrote into `fd`'s file, or "unknown".
std::string HolderPid(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  return digits == 0 ? "unknown" : text.substr(0, digits);
}

}  // namespace

InstanceLock::~InstanceLock() {
  if (fd_ >= 0) close(fd_);
}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Result<InstanceLock> InstanceLock::Acquire(const std::string& state_dir) {
  std::string path = state_dir + "/" + kFileName;
  // The file is never removed: removing it would let a third daemon lock a
  // new file while the second still holds the old one.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::Unavailable("cannot open the lock file " + path + ": " + std::strerror(errno));
  InstanceLock lock(fd);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Status::Unavailable("state directory " + state_dir + " is in use by another brandmond (pid " +
                                 HolderPid(fd) + ", lock file " + path + ")");
    }
    return Status::Unavailable("cannot lock " + path + ": " + std::strerror(errno));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return Status::Unavailable("cannot write the lock file " + path + ": " + std::strerror(errno));
  }
  return lock;
}

Paths ResolvePaths(const DaemonOptions& options, const config::EnvLookup& env) {
  Paths p;
  if (!options.state_dir.empty()) {
    p.state_dir = options.state_dir;
  } else if (auto sd = env("STATE_DIRECTORY"); sd && !sd->empty()) {
    p.state_dir = FirstOf(*sd);
  } else if (auto xdg = env("XDG_STATE_HOME"); xdg && !xdg->empty()) {
    p.state_dir = *xdg + "/brandmon";
  } else if (auto home = env("HOME"); home && !home->empty()) {
    p.state_dir = *home + "/.local/state/brandmon";
  } else {
    p.state_dir = "/tmp/brandmon-state-" + std::to_string(getuid());
  }
  if (!options.runtime_dir.empty()) {
    p.runtime_dir = options.runtime_dir;
  } else if (auto rd = env("RUNTIME_DIRECTORY"); rd && !rd->empty()) {
    p.runtime_dir = FirstOf(*rd);
  } else if (auto xdg = env("XDG_RUNTIME_DIR"); xdg && !xdg->empty()) {
    p.runtime_dir = *xdg + "/brandmon";
  } else {
    p.runtime_dir = "/tmp/brandmon-" + std::to_string(getuid());
  }
  return p;
}

Status CreateDirectories(const Paths& paths) {
  // New directories are private to the service user.
  mode_t old = umask(077);
  Status s = MakeDir(paths.state_dir);
  if (s.ok()) s = MakeDir(paths.runtime_dir);
  umask(old);
  return s;
}

}  // namespace brandmon::engine
