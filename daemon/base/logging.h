#pragma once

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"

namespace brandmon {

// How log lines are written.
enum class LogStyle {
  kJournal,   // plain lines with "<N>" syslog priority prefixes (JOURNAL_STREAM set)
  kTerminal,  // colored, with timestamps
  kPlain,     // timestamps, no color (a pipe or a file)
};

// Picks the style for stderr: journal when $JOURNAL_STREAM names stderr's
// device and inode, terminal when stderr is a tty, plain otherwise.
LogStyle DetectLogStyle();

// The line format of `style`. The message is escaped (EscapeUnsafe in
// daemon/base/safe_text.h): a line break, an escape sequence or a bidi
// override in it is written as "\n", "\x1b", "\u202e", so one call writes
// exactly one line and nothing in a message can act on a terminal.
std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogStyle style);

// Installs the process-wide default spdlog logger writing to stderr.
// Called once from main before any thread starts.
void SetupLogging(LogStyle style, const std::string& level);

// Logs `head`, then each line of `lines` as a line of its own, indented:
// for the daemon's own multi-line reports (every error of a config), which
// the escaping formatter would otherwise write as one line.
void LogLines(spdlog::level::level_enum level, std::string_view head, std::string_view lines);

// Parses "trace|debug|info|warn|error" (nullopt otherwise).
std::optional<spdlog::level::level_enum> ParseLogLevel(const std::string& level);

// Suppresses repeats of the same message from the same key (a source name)
// within a window, then reports how many were suppressed when the message
// changes or the window ends. Thread-safe.
class RateLimitedLog {
 public:
  RateLimitedLog(const Clock& clock, Duration window) : clock_(clock), window_(window) {}

  // Logs `message` at `level` unless the same message was logged for `key`
  // within the window. Returns true when a line was written.
  bool Log(spdlog::level::level_enum level, const std::string& key, const std::string& message);

 private:
  struct Entry {
    std::string message;
    MonoTime last_logged;
    int suppressed = 0;
  };
  const Clock& clock_;
  Duration window_;
  Mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace brandmon
