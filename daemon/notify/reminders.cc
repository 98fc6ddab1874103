#include "daemon/notify/reminders.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/notify/routes.h"

namespace brandmon::notify {

namespace {

constexpr std::string_view kClearSuffix = "_clear";

}  // namespace

const std::vector<std::string>& TrendRules() {
  static const std::vector<std::string> rules = {"volume_spike", "volume_dip", "negative_spike", "negative_dip"};
  return rules;
}

std::optional<std::string_view> ClearedRule(std::string_view rule) {
  if (rule.size() <= kClearSuffix.size() || !rule.ends_with(kClearSuffix)) return std::nullopt;
  return rule.substr(0, rule.size() - kClearSuffix.size());
}

std::string OpenAlertKey(const Alert& alert, std::string_view rule) {
  std::string key = alert.brand;
  key += '\n';
  key += rule;
  key += '\n';
  key += alert.channel;
  return key;
}

const RouteSettings* Reminders::RepeatingRoute(const Alert& alert) const {
  const auto& trend = TrendRules();
  if (std::find(trend.begin(), trend.end(), alert.rule) == trend.end()) return nullptr;
  auto route = RouteFor(routes_, alert, receiver_);
  if (!route || routes_[*route].repeat_interval.count() == 0) return nullptr;
  return &routes_[*route];
}

Status Reminders::Load(NotifyState& state) {
  auto records = state.OpenAlerts(receiver_);
  if (!records.ok()) return records.status();
  for (auto& r : *records) {
    auto alert = AlertFromJson(r.json);
    const RouteSettings* route = alert.ok() ? RepeatingRoute(*alert) : nullptr;
    if (route == nullptr || r.repeats >= static_cast<uint32_t>(route->repeat_max)) {
      (void)state.RemoveOpenAlert(receiver_, r.key);
      continue;
    }
    auto msg = std::make_shared<AlertMessage>();
    msg->alert = std::move(*alert);
    msg->json = std::move(r.json);
    Duration interval = route->repeat_interval;
    open_[r.key] = Open{std::move(msg),         interval,  r.last_sent,
                        r.last_sent + interval, r.repeats, static_cast<uint32_t>(route->repeat_max)};
  }
  return Status::Ok();
}

void Reminders::Seen(NotifyState& state, const Alert& alert) {
  auto rule = ClearedRule(alert.rule);
  if (!rule) return;
  std::string key = OpenAlertKey(alert, *rule);
  uint64_t& cleared = cleared_[key];
  cleared = std::max(cleared, alert.seq);
  auto it = open_.find(key);
  if (it == open_.end() || it->second.alert->alert.seq > alert.seq) return;
  Remove(state, key);
}

void Reminders::Remove(NotifyState& state, const std::string& key) {
  open_.erase(key);
  if (auto s = state.RemoveOpenAlert(receiver_, key); !s.ok()) {
    spdlog::error("receiver '{}': cannot forget an open alert: {}", receiver_, s.message());
  }
}

void Reminders::Delivered(NotifyState& state, const AlertPtr& alert, WallTime now) {
  const RouteSettings* route = RepeatingRoute(alert->alert);
  if (route == nullptr) return;
  std::string key = OpenAlertKey(alert->alert, alert->alert.rule);
  // Delivered after its all-clear was read (a group held it back), or an
  // older alert than the one already open: nothing to remind of. The open
  // one delivered again (read again after a restart) keeps its count, so
  // that repeat_max holds.
  if (auto c = cleared_.find(key); c != cleared_.end() && c->second > alert->alert.seq) return;
  if (auto o = open_.find(key); o != open_.end() && o->second.alert->alert.seq >= alert->alert.seq) return;
  Open& open = open_[key];
  open = Open{
      alert, route->repeat_interval, now, now + route->repeat_interval, 0, static_cast<uint32_t>(route->repeat_max)};
  Save(state, key, open);
}

std::vector<Reminders::Reminder> Reminders::Due(WallTime now) const {
  std::vector<Reminder> out;
  for (const auto& [key, open] : open_) {
    if (open.next <= now) out.push_back({key, open.alert, open.repeats + 1, open.max});
  }
  std::sort(out.begin(), out.end(),
            [](const Reminder& a, const Reminder& b) { return a.alert->alert.seq < b.alert->alert.seq; });
  return out;
}

void Reminders::Sent(NotifyState& state, const Reminder& reminder, WallTime now) {
  auto it = open_.find(reminder.key);
  if (it == open_.end() || it->second.alert != reminder.alert) return;
  if (reminder.repeat >= it->second.max) {
    Remove(state, reminder.key);
    return;
  }
  it->second.repeats = reminder.repeat;
  it->second.last_sent = now;
  it->second.next = now + it->second.interval;
  Save(state, it->first, it->second);
}

void Reminders::Postpone(const Reminder& reminder, WallTime until) {
  auto it = open_.find(reminder.key);
  if (it != open_.end() && it->second.alert == reminder.alert) it->second.next = std::max(it->second.next, until);
}

void Reminders::Forget(NotifyState& state) {
  for (const auto& [key, open] : open_) (void)state.RemoveOpenAlert(receiver_, key);
  open_.clear();
  cleared_.clear();
}

std::optional<WallTime> Reminders::NextDue() const {
  std::optional<WallTime> next;
  for (const auto& [key, open] : open_) {
    if (!next || open.next < *next) next = open.next;
  }
  return next;
}

void Reminders::Save(NotifyState& state, const std::string& key, const Open& open) {
  OpenAlertRecord record{key, open.alert->json, open.last_sent, open.repeats};
  if (auto s = state.SetOpenAlert(receiver_, record); !s.ok()) {
    spdlog::error("receiver '{}': cannot keep an open alert: {}", receiver_, s.message());
  }
}

}  // namespace brandmon::notify
