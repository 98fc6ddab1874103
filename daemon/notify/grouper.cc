#include "daemon/notify/grouper.h"

#include <algorithm>

namespace brandmon::notify {

void Grouper::Add(size_t route, AlertPtr alert, MonoTime now) {
  const RouteSettings& r = routes_[route];
  ++held_;
  if (r.group_wait.count() == 0) {
    immediate_.push_back({std::move(alert)});
    return;
  }
  Group& g = groups_[Key{route, alert->alert.brand, alert->alert.rule}];
  if (g.alerts.empty()) {
    bool recent = g.last_sent && now < *g.last_sent + r.group_interval;
    g.due = recent ? *g.last_sent + r.group_interval : now + r.group_wait;
  }
  g.alerts.push_back(std::move(alert));
  if (g.alerts.size() >= max_group_) g.due = std::min(g.due, now);
}

std::vector<std::vector<AlertPtr>> Grouper::TakeDue(MonoTime now) { return Take(now, false); }
std::vector<std::vector<AlertPtr>> Grouper::TakeAll(MonoTime now) { return Take(now, true); }

std::vector<std::vector<AlertPtr>> Grouper::Take(MonoTime now, bool all) {
  std::vector<std::vector<AlertPtr>> out = std::move(immediate_);
  immediate_.clear();
  held_ -= out.size();
  for (auto it = groups_.begin(); it != groups_.end();) {
    Group& g = it->second;
    const RouteSettings& r = routes_[std::get<0>(it->first)];
    if (!g.alerts.empty() && (all || g.due <= now)) {
      held_ -= g.alerts.size();
      out.push_back(std::move(g.alerts));
      g.alerts.clear();
      g.last_sent = now;
    }
    // A group nobody added to for a whole interval is forgotten: its next
    // alert waits group_wait again.
    bool idle = g.alerts.empty() && (!g.last_sent || now >= *g.last_sent + r.group_interval);
    it = idle ? groups_.erase(it) : std::next(it);
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.front()->alert.seq < b.front()->alert.seq; });
  return out;
}

std::optional<MonoTime> Grouper::NextDue() const {
  std::optional<MonoTime> next;
  if (!immediate_.empty()) return MonoTime::min();
  for (const auto& [key, g] : groups_) {
    if (!g.alerts.empty() && (!next || g.due < *next)) next = g.due;
  }
  return next;
}

std::optional<uint64_t> Grouper::OldestHeld() const {
  std::optional<uint64_t> oldest;
  if (!immediate_.empty()) oldest = immediate_.front().front()->alert.seq;
  for (const auto& [key, g] : groups_) {
    for (const auto& a : g.alerts) {
      if (!oldest || a->alert.seq < *oldest) oldest = a->alert.seq;
    }
  }
  return oldest;
}

}  // namespace brandmon::notify
