#pragma once

#include <optional>
#include <string>

#include "daemon/base/clock.h"

namespace brandmon {

// Speaks systemd's notify protocol (the datagrams of sd_notify). Every call is
// a no-op when $NOTIFY_SOCKET is unset. Owned by the main thread.
//
// A receiver that stops reading fills its socket's queue (net.unix.
// max_dgram_qlen datagrams, 10 by default), after which a plain send blocks
// until it reads again: the main loop would stop answering signals and the
// control socket. So no call blocks for long: a state change (READY,
// RELOADING, STOPPING) waits at most kStateWait for room, and a periodic
// message (STATUS, WATCHDOG) that finds no room is dropped, the next one
// taking its place.
class Notifier {
 public:
  static constexpr Duration kStateWait = std::chrono::seconds(1);

  // From $NOTIFY_SOCKET and $WATCHDOG_USEC.
  Notifier();
  // `socket` is what $NOTIFY_SOCKET holds: an absolute path, or "@name" for
  // an abstract socket; "" turns the notifier off.
  explicit Notifier(std::string socket, std::optional<Duration> watchdog = std::nullopt);

  void Ready(const std::string& status);
  void Reloading();
  void Stopping();
  void Status(const std::string& status);
  void WatchdogPing();

  // The watchdog period systemd asked for ($WATCHDOG_USEC for this pid), or
  // nullopt when the watchdog is off. Ping at half of it.
  std::optional<Duration> watchdog_interval() const { return watchdog_; }

 private:
  // Sends `state`, waiting at most `max_wait` for room in the receiver's queue.
  void Send(const std::string& state, Duration max_wait);
  std::string socket_;
  std::optional<Duration> watchdog_;
};

}  // namespace brandmon
