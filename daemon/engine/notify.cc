#include "daemon/engine/notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace brandmon::engine {

Notifier::Notifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(/*unset_environment=*/0, &usec) > 0 && usec > 0) {
    watchdog_ = std::chrono::duration_cast<Duration>(std::chrono::microseconds(usec));
  }
}

void Notifier::Send(const std::string& state) {
  int r = sd_notify(0, state.c_str());
  if (r < 0) spdlog::debug("sd_notify failed: {}", r);
}

void Notifier::Ready(const std::string& status) { Send("READY=1\nSTATUS=" + status); }

void Notifier::Reloading() { Send("RELOADING=1"); }

void Notifier::Stopping() { Send("STOPPING=1"); }

void Notifier::Status(const std::string& status) { Send("STATUS=" + status); }

void Notifier::WatchdogPing() { Send("WATCHDOG=1"); }

}  // namespace brandmon::engine
