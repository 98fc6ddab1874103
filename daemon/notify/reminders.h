#pragma once

// Trend alerts that stay open: a spike rule's alert (volume_spike...) holds
// until its all-clear (volume_spike_clear) comes. A route's
// `repeat_interval` sends such an alert again while it is open, at most
// `repeat_max` times.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/notify/alert_window.h"
#include "daemon/notify/notify_config.h"
#include "daemon/notify/notify_state.h"

namespace brandmon::notify {

// The rules of brandmond whose alerts stay open until an all-clear named
// `<rule>_clear`: volume_spike, volume_dip, negative_spike, negative_dip.
const std::vector<std::string>& TrendRules();

// The rule an all-clear ends ("volume_spike" for "volume_spike_clear");
// nullopt for a rule that is not an all-clear.
std::optional<std::string_view> ClearedRule(std::string_view rule);

// What identifies one open alert: its brand, `rule` and channel (an
// all-clear names the alert it ends by these).
std::string OpenAlertKey(const Alert& alert, std::string_view rule);

// The open trend alerts one receiver was sent, due again every
// `repeat_interval` of the route that sent them, until the all-clear comes
// (whether or not it is routed to the receiver) or the route's `repeat_max`
// reminders were sent. Kept in the state database, so that the reminders go
// on after a restart. Thread-compatible (owned by the receiver's worker).
class Reminders {
 public:
  // REQUIRES: `routes` outlives the reminders.
  Reminders(const std::vector<RouteSettings>& routes, std::string receiver)
      : routes_(routes), receiver_(std::move(receiver)) {}

  // Reads the open alerts kept for the receiver; those whose route no
  // longer repeats, or that had their route's repeat_max reminders (a reload
  // changed it), are forgotten.
  Status Load(NotifyState& state);

  // Every alert read from the stream: an all-clear ends the reminders of
  // the alert it clears.
  void Seen(NotifyState& state, const Alert& alert);
  // `alert` was accepted by the target at `now` (alone or in a digest): an
  // alert of a trend rule, routed by a route with a repeat_interval, is due
  // again an interval later, unless its all-clear came already.
  void Delivered(NotifyState& state, const AlertPtr& alert, WallTime now);

  struct Reminder {
    std::string key;
    AlertPtr alert;
    uint32_t repeat = 0;      // the how-manieth reminder this is, from 1
    uint32_t repeat_max = 0;  // its route's repeat_max: the last reminder's number
  };
  // The reminders due at `now`, oldest alert first.
  std::vector<Reminder> Due(WallTime now) const;
  // `reminder` was sent (or refused for good) at `now`: the next is due an
  // interval later, unless this was the last (repeat_max), which forgets it.
  void Sent(NotifyState& state, const Reminder& reminder, WallTime now);
  // `reminder` waits until `until` (the end of quiet hours).
  void Postpone(const Reminder& reminder, WallTime until);
  // brandmond's journal was replaced: its rules start over and will send no
  // all-clear for what was open, so every reminder ends.
  void Forget(NotifyState& state);

  std::optional<WallTime> NextDue() const;
  size_t size() const { return open_.size(); }

 private:
  struct Open {
    AlertPtr alert;
    Duration interval{};
    WallTime last_sent;
    WallTime next;
    uint32_t repeats = 0;
    uint32_t max = 0;
  };
  // The route whose repeat_interval applies to `alert` here; nullptr when
  // none does (not a trend rule, not routed here, or no repeat_interval).
  const RouteSettings* RepeatingRoute(const Alert& alert) const;
  void Remove(NotifyState& state, const std::string& key);
  void Save(NotifyState& state, const std::string& key, const Open& open);

  const std::vector<RouteSettings>& routes_;
  const std::string receiver_;
  std::map<std::string, Open> open_;
  std::map<std::string, uint64_t> cleared_;  // the seq of the last all-clear read, by key
};

}  // namespace brandmon::notify
