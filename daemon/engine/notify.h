#pragma once

#include <optional>
#include <string>

#include "daemon/base/clock.h"

namespace brandmon::engine {

// Speaks systemd's notify protocol (sd_notify). Every call is a no-op when
// $NOTIFY_SOCKET is unset. Owned by the main thread.
class Notifier {
 public:
  Notifier();

  void Ready(const std::string& status);
  void Reloading();
  void Stopping();
  void Status(const std::string& status);
  void WatchdogPing();

  // The watchdog period systemd asked for ($WATCHDOG_USEC for this pid), or
  // nullopt when the watchdog is off. Ping at half of it.
  std::optional<Duration> watchdog_interval() const { return watchdog_; }

 private:
  void Send(const std::string& state);
  std::optional<Duration> watchdog_;
};

}  // namespace brandmon::engine
