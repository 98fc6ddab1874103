#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/options.h"
#include "daemon/plugin/plugin.h"

namespace brandmon::plugin {

// Options of an `exec` source.
struct ExecOptions {
  std::vector<std::string> command;
  std::string mode;
  Duration timeout{};
  Duration restart_delay{};
  uint64_t max_output = 0;
  uint64_t max_line = 0;
  int64_t max_stderr_lines = 20;
};

const config::OptionTable<ExecOptions>& ExecOptionTable();

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

// A child process in its own process group with its stdout and stderr piped
// to us. The destructor kills the whole group and reaps the child. Move-only.
class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) with argv, no shell; stdin is /dev/null.
  // Errors: Unavailable naming the program and the reason.
  static Result<ChildProcess> Spawn(const std::vector<std::string>& argv);
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;

  pid_t pid() const { return pid_; }
  int out_fd() const { return out_.get(); }
  int err_fd() const { return err_.get(); }
  void CloseOut() { out_ = UniqueFd(); }
  void CloseErr() { err_ = UniqueFd(); }
  // SIGKILL to the whole process group.
  void KillGroup();
  // Reaps the child if it has exited: its wait status, else nullopt.
  std::optional<int> TryReap();
  // Kills the group if needed and reaps the child; returns its wait status.
  int KillAndReap();

 private:
  pid_t pid_ = -1;
  UniqueFd out_, err_;
};

// The `exec` source: runs a program (argv, no shell) that writes one Mention
// JSON per line on stdout (DESIGN.md field names; see MentionFromJson).
// "scheduled" runs it to completion on each poll within `timeout`;
// "long_running" keeps one child alive across polls, each poll reading the
// lines written since, and restarts it `restart_delay` after it dies.
// stderr lines go to the log (at most max_stderr_lines per poll). On timeout,
// output over max_output or Stop(), the child's whole process group is
// killed. Bad lines are warnings. Polled on one of the engine's poll workers,
// one poll at a time; Stop() may be called from any thread.
class ExecPlugin final : public PollPlugin {
 public:
  explicit ExecPlugin(ExecOptions options);
  ~ExecPlugin() override;

  Status Start(PluginContext& ctx) override;
  // Errors: Unavailable when the program cannot start, times out, exits
  // non-zero or (long_running) has died; Corrupt when its output is too large.
  Status Poll(Sink& sink, SourceState& state) override;
  void Stop() override;

 private:
  struct Reader;
  Status PollScheduled(Sink& sink);
  Status PollLongRunning(Sink& sink);
  void DrainStderr(int fd, std::string& buffer, bool final);
  void LogStderrLine(std::string_view line);

  ExecOptions options_;
  std::string source_name_;
  const Clock* clock_ = nullptr;
  std::shared_ptr<spdlog::logger> logger_;
  int stop_fd_ = -1;  // eventfd written by Stop()
  std::atomic<bool> stopped_{false};
  std::atomic<pid_t> running_pid_{-1};
  // long_running
  std::optional<ChildProcess> child_;
  std::string out_buffer_, err_buffer_;
  std::optional<MonoTime> died_at_;
  uint64_t line_number_ = 0;
  bool skipping_long_line_ = false;
  int stderr_lines_this_poll_ = 0;
  int stderr_suppressed_ = 0;
};

class Registry;
// Adds the `exec` plugin to `registry` (called from the generated plugin list).
void RegisterPlugin_exec(Registry& registry);

}  // namespace brandmon::plugin
