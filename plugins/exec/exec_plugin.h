#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/mutex.h"
#include "daemon/config/options.h"
#include "daemon/plugin/plugin.h"
#include "plugins/exec/child_process.h"

namespace brandmon::plugin {

// Options of an `exec` source.
struct ExecOptions {
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  std::string mode;
  Duration timeout{};
  Duration restart_delay{};
  uint64_t max_output = 0;
  int64_t max_lines_per_poll = 10000;
  uint64_t max_line = 0;
  int64_t max_stderr_lines = 20;
};

const config::OptionTable<ExecOptions>& ExecOptionTable();

// The `exec` source: runs a program (argv, no shell) that writes one Mention
// JSON per line on stdout (DESIGN.md field names; see MentionFromJson), with
// a minimal environment (PATH, HOME, LANG, LC_ALL, TZ when set, and the
// source's `env`). "scheduled" runs it to completion on each poll within
// `timeout`; "long_running" keeps one child alive across polls, each poll
// reading at most max_lines_per_poll lines and max_output bytes of what it
// wrote since (the rest waits in the pipe), and restarts it `restart_delay`
// after it dies. stderr lines go
// to the log (at most max_stderr_lines per poll). When a run ends (exit,
// timeout, output over max_output, Stop()) the program and every process it
// started are killed. Bad lines are warnings. Polled on one of the scheduler's
// poll workers, one poll at a time; Stop() may be called from any thread.
class ExecPlugin final : public PollPlugin {
 public:
  explicit ExecPlugin(ExecOptions options);
  ~ExecPlugin() override;

  Status Start(PluginContext& ctx) override;
  // Errors: Unavailable when the program cannot start, times out, exits
  // non-zero or (long_running) has died; Corrupt when (scheduled) it wrote
  // more than max_output.
  Status Poll(Sink& sink, SourceState& state) override;
  void Stop() override;

 private:
  struct Reader;
  Status PollScheduled(Sink& sink);
  // Reads the output of a scheduled run until it ends, keeping the partial
  // stderr line in `err`; OK when it exited in time (its status is checked
  // by the caller).
  Status RunScheduled(ChildProcess& child, Sink& sink, std::string& err);
  Status PollLongRunning(Sink& sink);
  // Emits what the long-running child wrote since the last poll, at most
  // max_lines_per_poll lines and max_output bytes; true when more waits.
  bool ReadLongRunningOutput(Sink& sink);
  void DrainStderr(int fd, std::string& buffer, bool final);
  void LogStderrLine(std::string_view line);
  // The supervisor Stop() signals: set once a child runs, cleared before it
  // is reaped, so that Stop() never signals a reused pid.
  void Watch(const ChildProcess* child);

  ExecOptions options_;
  std::string source_name_;
  const Clock* clock_ = nullptr;
  std::shared_ptr<spdlog::logger> logger_;
  int stop_fd_ = -1;                    // eventfd written by Stop()
  std::vector<std::string> child_env_;  // "NAME=value", built in Start()
  std::atomic<bool> stopped_{false};
  Mutex watch_mu_;
  pid_t watched_supervisor_ GUARDED_BY(watch_mu_) = -1;
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
