#include "daemon/process/instance_lock.h"
#include "daemon/base/errno_text.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace brandmon::process {
namespace {

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
  return AcquireFile(state_dir + "/" + kFileName, "state directory " + state_dir);
}

Result<InstanceLock> InstanceLock::AcquireDatabase(const std::string& database) {
  return AcquireFile(database + ".lock", "database " + database);
}

Result<InstanceLock> InstanceLock::AcquireFile(const std::string& path, const std::string& what) {
  // The file is never removed: removing it would let a third daemon lock a
  // new file while the second still holds the old one.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Status::Unavailable("cannot open the lock file " + path + ": " + ErrnoText(errno));
  InstanceLock lock(fd);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Status::Unavailable(what + " is in use by another brandmond (pid " + HolderPid(fd) + ", lock file " +
                                 path + ")");
    }
    return Status::Unavailable("cannot lock " + path + ": " + ErrnoText(errno));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    return Status::Unavailable("cannot write the lock file " + path + ": " + ErrnoText(errno));
  }
  return lock;
}

}  // namespace brandmon::process
