#pragma once

#include <string>

#include "daemon/base/status.h"
#include "daemon/config/loader.h"

namespace brandmon::engine {

struct DaemonOptions;

// Where the daemon keeps its state (SQLite) and its sockets.
struct Paths {
  std::string state_dir;
  std::string runtime_dir;
  std::string control_endpoint() const { return "ipc://" + runtime_dir + "/control.sock"; }
};

// Resolves each directory from the config when set, else systemd's
// $STATE_DIRECTORY / $RUNTIME_DIRECTORY, else the XDG defaults
// ($XDG_STATE_HOME/brandmon or ~/.local/state/brandmon; $XDG_RUNTIME_DIR/brandmon
// or /tmp/brandmon-<uid>).
Paths ResolvePaths(const DaemonOptions& options, const config::EnvLookup& env);

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

  static constexpr const char* kFileName = "brandmond.lock";

 private:
  explicit InstanceLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// Creates both directories (mode 0700 when created).
// Errors: Unavailable naming the directory and the reason.
Status CreateDirectories(const Paths& paths);

}  // namespace brandmon::engine
