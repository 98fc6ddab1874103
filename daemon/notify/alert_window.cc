#include "daemon/notify/alert_window.h"

#include <algorithm>

namespace brandmon::notify {
namespace {

uint64_t SizeOf(const AlertMessage& a) { return a.json.size() + sizeof(AlertMessage); }

}  // namespace

void AlertWindow::SetBaseline(uint64_t seq) {
  MutexLock lock(mu_);
  if (!baseline_) {
    baseline_ = seq;
    covered_from_ = seq;
    last_seq_ = std::max(last_seq_, seq);
  }
  changed_.notify_all();
}

std::optional<uint64_t> AlertWindow::baseline() const {
  MutexLock lock(mu_);
  return baseline_;
}

void AlertWindow::Append(AlertPtr alert) {
  MutexLock lock(mu_);
  bytes_ += SizeOf(*alert);
  last_seq_ = alert->alert.seq;
  alerts_.push_back(std::move(alert));
  Evict();
  changed_.notify_all();
}

void AlertWindow::Evict() {
  while (!alerts_.empty() && (alerts_.size() > max_alerts_ || bytes_ > max_bytes_)) {
    covered_from_ = alerts_.front()->alert.seq;
    bytes_ -= SizeOf(*alerts_.front());
    alerts_.pop_front();
  }
}

void AlertWindow::Reset(uint64_t baseline) {
  MutexLock lock(mu_);
  alerts_.clear();
  bytes_ = 0;
  baseline_ = baseline;
  covered_from_ = baseline;
  last_seq_ = baseline;
  ++generation_;
  changed_.notify_all();
}

AlertWindow::Slice AlertWindow::After(uint64_t cursor, size_t max) const {
  MutexLock lock(mu_);
  Slice s;
  s.generation = generation_;
  s.covered_from = covered_from_;
  if (cursor < covered_from_) {
    s.behind = true;
    return s;
  }
  auto it = std::upper_bound(alerts_.begin(), alerts_.end(), cursor,
                             [](uint64_t seq, const AlertPtr& a) { return seq < a->alert.seq; });
  for (; it != alerts_.end() && s.alerts.size() < max; ++it) s.alerts.push_back(*it);
  return s;
}

void AlertWindow::WaitAfter(uint64_t cursor, MonoTime deadline) const {
  MutexLock lock(mu_);
  uint64_t generation = generation_, wakes = wakes_;
  bool had_baseline = baseline_.has_value();
  while (last_seq_ <= cursor && generation == generation_ && wakes == wakes_ && had_baseline == baseline_.has_value()) {
    if (!lock.WaitUntil(changed_, deadline) && std::chrono::steady_clock::now() >= deadline) return;
  }
}

void AlertWindow::Wake() {
  MutexLock lock(mu_);
  ++wakes_;
  changed_.notify_all();
}

uint64_t AlertWindow::generation() const {
  MutexLock lock(mu_);
  return generation_;
}

uint64_t AlertWindow::last_seq() const {
  MutexLock lock(mu_);
  return last_seq_;
}

size_t AlertWindow::size() const {
  MutexLock lock(mu_);
  return alerts_.size();
}

uint64_t AlertWindow::bytes() const {
  MutexLock lock(mu_);
  return bytes_;
}

}  // namespace brandmon::notify
