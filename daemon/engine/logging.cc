#include "daemon/engine/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ansicolor_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace brandmon::engine {
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

}  // namespace

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
    auto sink = std::make_shared<spdlog::sinks::ansicolor_stderr_sink_mt>();
    logger = std::make_shared<spdlog::logger>("brandmon", sink);
    logger->set_pattern("%H:%M:%S.%e %^%-5l%$ %v");
  } else {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    logger = std::make_shared<spdlog::logger>("brandmon", sink);
    if (style == LogStyle::kJournal) {
      auto formatter = std::make_unique<spdlog::pattern_formatter>();
      formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%v");
      logger->set_formatter(std::move(formatter));
    } else {
      logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %-5l %v");
    }
  }
  logger->set_level(ParseLogLevel(level).value_or(spdlog::level::info));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

bool RateLimitedLog::Log(spdlog::level::level_enum level, const std::string& key, const std::string& message) {
  std::lock_guard<std::mutex> lock(mu_);
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

}  // namespace brandmon::engine
