#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/status.h"

namespace brandmon::plugin {

// An owned file descriptor, closed on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// A program run under a supervisor process of its own, with stdin from
// /dev/null and its stdout and stderr piped to us. The supervisor is a child
// subreaper: whatever the program starts becomes its child once its parent
// dies, even after setsid() or a double fork, so it can kill and reap every
// descendant. It does so when told (Kill(), SIGTERM) and when our end of its
// control pipe closes, which also happens if the daemon itself dies.
// The destructor kills and reaps everything. Move-only, thread-compatible.
class ChildProcess {
 public:
  // Starts argv[0] (a bare name is searched in the PATH of `env`) with argv
  // and exactly the environment `env` ("NAME=value" entries), no shell.
  // Errors: Unavailable naming the program and the reason.
  static Result<ChildProcess> Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env);
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;

  // The program's pid (its own process group).
  pid_t pid() const { return pid_; }
  // The supervisor's pid: SIGTERM to it kills the program and its descendants.
  pid_t supervisor_pid() const { return supervisor_; }
  int out_fd() const { return out_.get(); }
  int err_fd() const { return err_.get(); }
  // Readable once the program has exited (see TryWait()).
  int status_fd() const { return report_.get(); }
  void CloseOut() { out_ = UniqueFd(); }
  void CloseErr() { err_ = UniqueFd(); }
  // Tells the supervisor to kill the program and every process it started;
  // does not wait.
  void Kill();
  // The program's wait status if it has exited, else nullopt. Its
  // descendants may still run: KillAndReap() ends them.
  std::optional<int> TryWait();
  // Kills the program and all its descendants and waits until they are gone;
  // returns the program's wait status.
  int KillAndReap();

 private:
  void ReadReports();

  pid_t pid_ = -1;
  pid_t supervisor_ = -1;
  std::optional<int> status_;
  UniqueFd out_, err_;
  UniqueFd control_;  // closing it makes the supervisor kill everything
  UniqueFd report_;   // the supervisor's messages
};

// "exited with status 3", "killed by signal 9": a wait status for messages.
std::string DescribeExit(int status);

enum class ReadResult { kDrained, kFull, kEof };

// Reads what is available from a non-blocking fd into `out` until it holds
// `cap` bytes; what does not fit stays in the pipe.
ReadResult ReadAvailable(int fd, std::string& out, uint64_t cap);

}  // namespace brandmon::plugin
