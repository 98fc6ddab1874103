#include "daemon/base/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ansicolor_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "daemon/base/safe_text.h"

namespace brandmon {
namespace {

// Writes the syslog priority prefix journald understands ("<3>" for errors).
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const char* prefix = "<6>";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug: prefix = "<7>"; break;
      case spdlog::level::info: prefix = "<6>"; break;
      case spdlog::level::warn: prefix = "<4>"; break;
      case spdlog::level::err: prefix = "<3>"; break;
      case spdlog::level::critical: prefix = "<2>"; break;
      default: break;
    }
    dest.append(prefix, prefix + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SyslogPriorityFlag>(); }
};

// The message with control characters, bidi overrides and invalid bytes
// escaped (EscapeUnsafe), so that nothing a message quotes from a source can
// forge a log line, split one, or drive the terminal; used instead of %v.
class EscapedPayloadFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string escaped = EscapeUnsafe(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedPayloadFlag>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeLogFormatter(LogStyle style) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<EscapedPayloadFlag>('&');
  switch (style) {
    case LogStyle::kTerminal: formatter->set_pattern("%H:%M:%S.%e %^%-5l%$ %&"); break;
    case LogStyle::kJournal:
      formatter->add_flag<SyslogPriorityFlag>('*');
      formatter->set_pattern("%*%&");
      break;
    case LogStyle::kPlain: formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e %-5l %&"); break;
  }
  return formatter;
}

LogStyle DetectLogStyle() {
  if (const char* js = std::getenv("JOURNAL_STREAM"); js != nullptr) {
    unsigned long long dev = 0, ino = 0;
    struct stat st {};
    if (std::sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
        static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino) {
      return LogStyle::kJournal;
    }
  }
  return isatty(STDERR_FILENO) ? LogStyle::kTerminal : LogStyle::kPlain;
}

std::optional<spdlog::level::level_enum> ParseLogLevel(const std::string& level) {
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "info") return spdlog::level::info;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  return std::nullopt;
}

void SetupLogging(LogStyle style, const std::string& level) {
  std::shared_ptr<spdlog::logger> logger;
  if (style == LogStyle::kTerminal) {
    logger = std::make_shared<spdlog::logger>("brandmon", std::make_shared<spdlog::sinks::ansicolor_stderr_sink_mt>());
  } else {
    logger = std::make_shared<spdlog::logger>("brandmon", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  }
  logger->set_formatter(MakeLogFormatter(style));
  logger->set_level(ParseLogLevel(level).value_or(spdlog::level::info));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void LogLines(spdlog::level::level_enum level, std::string_view head, std::string_view lines) {
  spdlog::log(level, "{}", head);
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    std::string_view line = lines.substr(0, nl);
    if (!line.empty()) spdlog::log(level, "  {}", line);
    if (nl == std::string_view::npos) break;
    lines.remove_prefix(nl + 1);
  }
}

bool RateLimitedLog::Log(spdlog::level::level_enum level, const std::string& key, const std::string& message) {
  MutexLock lock(mu_);
  MonoTime now = clock_.Mono();
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.message == message && now - it->second.last_logged < window_) {
    ++it->second.suppressed;
    return false;
  }
  if (it != entries_.end() && it->second.suppressed > 0) {
    spdlog::log(level, "{}: previous message repeated {} more times", key, it->second.suppressed);
  }
  spdlog::log(level, "{}: {}", key, message);
  entries_[key] = Entry{message, now, 0};
  return true;
}

}  // namespace brandmon
