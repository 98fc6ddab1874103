#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/notify/alert_window.h"
#include "daemon/notify/notify_config.h"

namespace brandmon::notify {

// The grouping of one receiver's alerts, per route and per brand and rule,
// as Alertmanager groups: the first alert of a group waits `group_wait` for
// others, later ones are collected for `group_interval` after each send; a
// route with group_wait 0 sends every alert alone, at once. A group that
// reaches `max_group` alerts is due at once. A pure function of the alerts
// added and the times given. Thread-compatible (owned by one worker).
class Grouper {
 public:
  // REQUIRES: `routes` outlives the grouper.
  Grouper(const std::vector<RouteSettings>& routes, size_t max_group) : routes_(routes), max_group_(max_group) {}

  // Holds `alert` (routed to this receiver by route `route`).
  void Add(size_t route, AlertPtr alert, MonoTime now);

  // The groups due at `now`, each in seq order, the oldest group first;
  // they are no longer held.
  std::vector<std::vector<AlertPtr>> TakeDue(MonoTime now);
  // Every held group, due or not (on shutdown or when memory is short).
  std::vector<std::vector<AlertPtr>> TakeAll(MonoTime now);

  // When the next held group is due; nullopt when none is held.
  std::optional<MonoTime> NextDue() const;
  // The smallest seq held; nullopt when none.
  std::optional<uint64_t> OldestHeld() const;
  size_t held() const { return held_; }

 private:
  struct Group {
    std::vector<AlertPtr> alerts;
    MonoTime due{};
    std::optional<MonoTime> last_sent;
  };
  using Key = std::tuple<size_t, std::string, std::string>;
  std::vector<std::vector<AlertPtr>> Take(MonoTime now, bool all);

  const std::vector<RouteSettings>& routes_;
  const size_t max_group_;
  std::map<Key, Group> groups_;
  std::vector<std::vector<AlertPtr>> immediate_;  // alerts of routes without group_wait, one each
  size_t held_ = 0;
};

}  // namespace brandmon::notify
