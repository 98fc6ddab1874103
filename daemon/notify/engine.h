#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/base/thread_set.h"
#include "daemon/notify/alert_window.h"
#include "daemon/notify/delivery_worker.h"
#include "daemon/notify/notify_config.h"
#include "daemon/notify/stream_reader.h"

namespace brandmon::notify {

// brandmon-notify's delivery engine for one config: the `notify-sub` thread
// (StreamReader) fills the window, one `deliver-<name>` thread per receiver
// (DeliveryWorker) empties it. A reload makes a new engine. Owned by the
// main thread; threads are started in the ThreadSet given to Start() and
// joined by Stop(). `clock` tells the wall time of quiet hours and
// repeats.
class Engine {
 public:
  // REQUIRES: `clock` outlives the engine.
  Engine(NotifyConfig config, NotifyPaths paths, Endpoints endpoints, publish::ClientKeys keys,
         const Clock& clock = SystemClock::Instance());
  // REQUIRES: Stop() was called after Start().
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reads the receivers' cursors and starts the threads.
  // Errors: Unavailable when the state database cannot be opened.
  Status Start(ThreadSet& threads);
  // Stops and joins every thread. Held alerts are not sent: their cursor
  // was not saved past them, so the next start sends them.
  void Stop(ThreadSet& threads);

  // {"stream": {...}, "window": {...}, "receivers": [{name, type, cursor,
  // delivered, retried, failed, dead_letters, held, quiet_held,
  // quiet_until, reminders, catching_up, last_error, next_attempt}]}.
  std::string StatusJson() const;
  std::vector<ReceiverStatus> Receivers() const;
  // Asks the receiver's worker to re-send its dead letters.
  // Errors: NotFound for a receiver the config does not name.
  Status Retry(const std::string& receiver);

  const NotifyConfig& config() const { return config_; }

 private:
  const NotifyConfig config_;
  const NotifyPaths paths_;
  const Endpoints endpoints_;
  const publish::ClientKeys keys_;
  const Clock& clock_;
  AlertWindow window_;
  std::unique_ptr<StreamReader> reader_;
  std::vector<std::unique_ptr<DeliveryWorker>> workers_;
  std::vector<ThreadSet::Id> thread_ids_;
};

}  // namespace brandmon::notify
