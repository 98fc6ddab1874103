#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace brandmon::testing {

// Path of a built program (brandmond, brandmonctl) for tests that run them.
std::string BinaryPath(const std::string& name);

// A child process with captured stdout and stderr (to files), killed and
// reaped on destruction if still running.
class Process {
 public:
  // Starts `argv` with the current environment plus `env` (a value of
  // "\x01" unsets the variable).
  Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int signo);
  // Waits up to `timeout` for the exit; returns the exit code, 128+signal
  // when killed, or -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);
  bool running();
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string out_path_;
  std::string err_path_;
};

// Runs a command to completion (at most `timeout`) and returns its exit code,
// filling `out` and `err`.
int RunCommand(const std::vector<std::string>& argv, std::string* out, std::string* err,
               const std::map<std::string, std::string>& env = {},
               std::chrono::milliseconds timeout = std::chrono::seconds(60), const std::string& stdin_text = "");

}  // namespace brandmon::testing
