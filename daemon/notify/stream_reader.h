#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "daemon/base/mutex.h"
#include "daemon/notify/alert_window.h"
#include "daemon/notify/notify_config.h"
#include "daemon/publish/subscriber.h"

namespace brandmon::notify {

// Follows brandmond's alert stream as docs/alerts.md asks of a subscriber:
// SUB to `alert.` and `heartbeat`, catch-up from its cursor at start, on a
// gap and when a heartbeat says it missed something, and a reset when the
// journal was replaced. Every alert goes to the window once, in seq order.
// Run() is the body of the `notify-sub` thread, which owns the sockets;
// Stop() and stats() may be called from any thread.
class StreamReader {
 public:
  struct Stats {
    uint64_t cursor = 0;                       // the last seq appended to the window
    uint64_t alerts = 0;                       // alerts appended
    uint64_t caught_up = 0;                    // of which read through catch-up
    uint64_t corrupt = 0;                      // messages that did not parse, skipped
    uint64_t catchup_errors = 0;               // catch-up requests that failed
    uint64_t resets = 0;                       // journals replaced
    std::optional<int64_t> last_heartbeat_ms;  // wall time of the last heartbeat
    std::string last_error;
  };

  // `start`: the seq to catch up from (the receivers' furthest cursor);
  // nullopt: start at the stream's current end.
  StreamReader(Endpoints endpoints, publish::ClientKeys keys, Duration catchup_timeout, AlertWindow& window,
               std::optional<uint64_t> start);

  void Run();
  void Stop();
  Stats stats() const;

 private:
  bool Baseline(publish::Subscriber& sub);
  void CatchUp(publish::Subscriber& sub);
  void OnMessage(publish::Subscriber& sub, publish::Message&& m);
  void OnHeartbeat(publish::Subscriber& sub, const std::string& payload);
  // Appends the alert `m` unless it is at or before the cursor.
  void Accept(publish::Message&& m, bool from_catchup);
  void Fail(const std::string& error, bool catchup);

  const Endpoints endpoints_;
  const publish::ClientKeys keys_;
  const Duration catchup_timeout_;
  AlertWindow& window_;
  std::optional<uint64_t> cursor_;  // owned by the thread running Run()
  std::atomic<bool> stop_{false};
  mutable Mutex mu_;
  Stats stats_ GUARDED_BY(mu_);
};

}  // namespace brandmon::notify
