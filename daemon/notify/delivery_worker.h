#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "daemon/base/mutex.h"
#include "daemon/notify/alert_window.h"
#include "daemon/notify/grouper.h"
#include "daemon/notify/notify_config.h"
#include "daemon/notify/notify_state.h"
#include "daemon/notify/receiver.h"
#include "daemon/notify/reminders.h"
#include "daemon/publish/subscriber.h"

namespace brandmon::notify {

// What `brandmon-notify status` shows of one receiver.
struct ReceiverStatus {
  std::string name;
  std::string type;
  std::optional<uint64_t> cursor;
  uint64_t delivered = 0;
  uint64_t retried = 0;
  uint64_t failed = 0;
  uint64_t dead_letters = 0;
  size_t held = 0;                      // alerts waiting in groups
  uint64_t quiet_held = 0;              // alerts held through quiet hours (in notify.db)
  std::optional<WallTime> quiet_until;  // when the first of them is due
  size_t reminders = 0;                 // open trend alerts sent again every repeat_interval
  bool catching_up = false;             // reading from the catch-up service, behind the window
  std::string last_error;
  std::optional<WallTime> next_attempt;  // while a delivery waits to be tried again
};

// Delivers the alerts routed to one receiver: reads the window (or, when
// behind it, the catch-up service with its own socket), groups them, sends
// each delivery until the target accepts or refuses it for good, and keeps
// the receiver's cursor, counters and dead letters in its own connection to
// the state database. Run() is the body of the receiver's `deliver` thread,
// which owns the receiver, the sockets and the connection; Stop(),
// RequestRetry() and status() may be called from any thread. Alerts that
// fall in a route's quiet hours are held in the state database and go out
// as one digest when the quiet hours end (as the wall time of `clock` says);
// open trend alerts are sent again every repeat_interval of their route.
class DeliveryWorker {
 public:
  // REQUIRES: `config`, `window` and `clock` outlive the worker.
  DeliveryWorker(const NotifyConfig& config, const ReceiverSettings& receiver, AlertWindow& window,
                 std::string state_file, Endpoints endpoints, publish::ClientKeys keys, const Clock& clock);
  ~DeliveryWorker();

  void Run();
  void Stop();
  // Re-sends the receiver's dead letters at the next occasion.
  void RequestRetry();
  ReceiverStatus status() const;
  const std::string& name() const { return name_; }

 private:
  bool Init();
  // Takes alerts after read_ into the grouper. Returns how many were read.
  size_t Fill();
  size_t CatchUp(uint64_t covered_from);
  void Take(const AlertPtr& alert);
  // Holds `alert` through the quiet hours of `route` when they apply now.
  bool HoldQuiet(size_t route, const AlertPtr& alert);
  // The end of the quiet hours `alert` falls in at `now`; nullopt when it
  // goes out at once.
  std::optional<WallTime> QuietUntil(size_t route, const Alert& alert, WallTime now) const;
  void SendDue(bool all);
  // Holds the alerts of due `groups` whose route is in quiet hours now (as
  // HoldQuiet), and drops the groups left empty.
  void HoldQuietGroups(std::vector<std::vector<AlertPtr>>& groups);
  // Sends the alerts held through quiet hours that are due at `upto`, as
  // digests of up to max_group alerts.
  void SendHeld(WallTime upto);
  void RefreshHeld();
  void SendReminders();
  // What a delivery settles besides its alerts.
  struct SendOptions {
    std::optional<uint64_t> next_in_flight;  // the first seq of the group sent next
    std::vector<uint64_t> released;          // the alerts held through quiet hours it sends
    uint32_t repeat = 0;                     // a reminder's number
    uint32_t repeat_max = 0;                 // and the last one's
  };
  // Sends until accepted or refused for good, and records that; false when
  // stopped first.
  bool Send(const std::vector<AlertPtr>& group, const SendOptions& options);
  void Retried(const Outcome& o, Duration wait);
  // The cursor that may be saved: every alert up to it was dealt with.
  uint64_t SafeCursor(std::optional<uint64_t> next_in_flight) const;
  void SaveCursor(bool force);
  void ResendDeadLetters();
  void ResendDeadLetter(const DeadLetter& letter);
  void OnReset(uint64_t baseline, uint64_t generation);
  // Waits `d` unless stopped; false when stopped.
  bool Sleep(Duration d);
  Duration Backoff(Duration base, std::optional<Duration> retry_after);
  bool stopping() const { return stop_.load(); }

  const NotifyConfig& config_;
  const std::string name_;
  const std::string type_;
  const Duration spacing_;  // between two deliveries; 0 without max_per_minute
  AlertWindow& window_;
  const std::string state_file_;
  const Endpoints endpoints_;
  const publish::ClientKeys keys_;
  const Clock& clock_;
  std::unique_ptr<Receiver> receiver_;

  // Owned by the worker's thread.
  std::optional<NotifyState> state_;
  std::unique_ptr<publish::Subscriber> catchup_;
  Grouper grouper_;
  Reminders reminders_;
  uint64_t read_ = 0;        // the last seq taken from the stream
  uint64_t saved_ = 0;       // the cursor last saved
  uint64_t generation_ = 0;  // of the window
  MonoTime saved_at_{};
  MonoTime last_attempt_{};
  std::optional<WallTime> quiet_next_;  // when the first alert held through quiet hours is due
  std::mt19937_64 rng_;

  std::atomic<bool> stop_{false};
  std::atomic<bool> retry_requested_{false};
  Mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  mutable Mutex mu_;
  ReceiverStatus status_ GUARDED_BY(mu_);
};

}  // namespace brandmon::notify
