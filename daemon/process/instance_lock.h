#pragma once

#include <string>

#include "daemon/base/status.h"

namespace brandmon::process {

// An exclusive flock(2) on <state_dir>/brandmond.lock, held until destruction,
// so that one daemon at a time uses a state directory: its database and the
// sockets of its runtime directory. The file holds the holder's PID for the
// message the next one prints. The descriptor is close-on-exec, so that no
// child (an exec source's process) keeps the lock past the daemon. Move-only.
class InstanceLock {
 public:
  InstanceLock() = default;
  ~InstanceLock();
  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&& other) noexcept;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;

  // Takes the lock without waiting and writes this process's PID into the
  // file. REQUIRES: `state_dir` exists.
  // Errors: Unavailable "state directory D is in use by another brandmond
  // (pid N, lock file D/brandmond.lock)" when another process holds it;
  // Unavailable naming the file when it cannot be opened or locked.
  static Result<InstanceLock> Acquire(const std::string& state_dir);
  // The same on <database>.lock, for a database kept outside the state
  // directory (an absolute store.file), which two daemons with different
  // state directories could otherwise share. Errors: Unavailable "database
  // F is in use by another brandmond (pid N, lock file F.lock)".
  static Result<InstanceLock> AcquireDatabase(const std::string& database);

  static constexpr const char* kFileName = "brandmond.lock";

 private:
  explicit InstanceLock(int fd) : fd_(fd) {}
  // Locks `path`; `what` names what it guards in the message.
  static Result<InstanceLock> AcquireFile(const std::string& path, const std::string& what);
  int fd_ = -1;
};

}  // namespace brandmon::process
