#include "daemon/notify/delivery_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/notify/routes.h"
#include "daemon/publish/messages.h"

namespace brandmon::notify {
namespace {

// A cursor moved only by alerts not routed here is saved at this pace: after
// a crash those are looked at again, which sends nothing twice.
constexpr Duration kSaveEvery = std::chrono::seconds(1);
constexpr Duration kIdleWait = std::chrono::seconds(1);
constexpr size_t kDeadLetterPage = 100;

MonoTime Now() { return std::chrono::steady_clock::now(); }

std::string DeliveryKey(const std::string& receiver, const std::vector<AlertPtr>& group) {
  return receiver + ":" + std::to_string(group.front()->alert.seq) + "-" + std::to_string(group.back()->alert.seq);
}

}  // namespace

DeliveryWorker::DeliveryWorker(const NotifyConfig& config, const ReceiverSettings& receiver, AlertWindow& window,
                               std::string state_file, Endpoints endpoints, publish::ClientKeys keys,
                               const Clock& clock)
    : config_(config),
      name_(receiver.name),
      type_(receiver.type),
      spacing_(receiver.max_per_minute > 0 ? Duration(60000 / receiver.max_per_minute) : Duration(0)),
      window_(window),
      state_file_(std::move(state_file)),
      endpoints_(std::move(endpoints)),
      keys_(std::move(keys)),
      clock_(clock),
      receiver_(receiver.configured.make()),
      grouper_(config.routes, static_cast<size_t>(config.delivery.max_group)),
      reminders_(config.routes, receiver.name),
      rng_(std::random_device{}()) {
  MutexLock lock(mu_);
  status_.name = name_;
  status_.type = type_;
}

DeliveryWorker::~DeliveryWorker() = default;

void DeliveryWorker::Stop() {
  stop_ = true;
  receiver_->Stop();
  window_.Wake();
  MutexLock lock(sleep_mu_);
  sleep_cv_.notify_all();
}

void DeliveryWorker::RequestRetry() {
  retry_requested_ = true;
  window_.Wake();
}

ReceiverStatus DeliveryWorker::status() const {
  MutexLock lock(mu_);
  ReceiverStatus s = status_;
  return s;
}

bool DeliveryWorker::Sleep(Duration d) {
  MutexLock lock(sleep_mu_);
  lock.WaitFor(sleep_cv_, d, [this] { return stopping(); });
  return !stopping();
}

Duration DeliveryWorker::Backoff(Duration base, std::optional<Duration> retry_after) {
  // Full jitter between half and one and a half of the base, so that
  // receivers that failed together do not retry together.
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  auto wait = Duration(static_cast<int64_t>(static_cast<double>(base.count()) * jitter(rng_)));
  wait = std::min(wait, config_.delivery.retry_max);
  // A target that asks for a longer pause gets it, up to an hour.
  if (retry_after) wait = std::max(wait, std::min<Duration>(*retry_after, std::chrono::hours(1)));
  return wait;
}

bool DeliveryWorker::Init() {
  auto state = NotifyState::Open(state_file_);
  if (!state.ok()) {
    spdlog::error("receiver '{}': {}", name_, state.status().message());
    MutexLock lock(mu_);
    status_.last_error = state.status().message();
    return false;
  }
  state_.emplace(std::move(*state));
  auto rec = state_->Load(name_);
  if (!rec.ok()) {
    spdlog::error("receiver '{}': {}", name_, rec.status().message());
    return false;
  }
  generation_ = window_.generation();
  RefreshHeld();
  if (auto s = reminders_.Load(*state_); !s.ok()) {
    spdlog::error("receiver '{}': cannot read its open alerts: {}", name_, s.message());
  }
  MutexLock lock(mu_);
  status_.cursor = rec->cursor;
  status_.delivered = rec->delivered;
  status_.retried = rec->retried;
  status_.failed = rec->failed;
  status_.dead_letters = rec->dead_letters;
  status_.last_error = rec->last_error;
  if (rec->cursor) read_ = saved_ = *rec->cursor;
  return true;
}

void DeliveryWorker::Run() {
  if (!Init()) return;
  bool has_cursor = status().cursor.has_value();
  while (!stopping()) {
    if (retry_requested_.exchange(false)) ResendDeadLetters();
    if (!has_cursor) {
      // A receiver never delivered to starts where the stream is now, or
      // at the journal's start.
      if (config_.subscribe.from_journal_start) {
        read_ = 0;
        SaveCursor(true);
        has_cursor = true;
      } else if (auto b = window_.baseline()) {
        read_ = *b;
        SaveCursor(true);
        has_cursor = true;
      } else {
        window_.WaitAfter(0, Now() + kIdleWait);
      }
      continue;
    }
    size_t taken = Fill();
    SendDue(false);
    SendHeld(clock_.Now());
    SendReminders();
    SaveCursor(false);
    if (taken == 0 && !stopping()) {
      MonoTime deadline = Now() + kIdleWait;
      if (auto due = grouper_.NextDue()) deadline = std::min(deadline, *due);
      for (auto wall : {quiet_next_, reminders_.NextDue()}) {
        if (wall) deadline = std::min(deadline, Now() + (*wall - clock_.Now()));
      }
      window_.WaitAfter(read_, deadline);
    }
  }
}

size_t DeliveryWorker::Fill() {
  // Memory stays bounded: held alerts are sent before more are read.
  if (grouper_.held() >= static_cast<size_t>(config_.delivery.window_alerts)) {
    SendDue(true);
    return 0;
  }
  auto slice = window_.After(read_, static_cast<size_t>(config_.delivery.max_group));
  if (slice.generation != generation_) {
    OnReset(slice.covered_from, slice.generation);
    return 0;
  }
  {
    MutexLock lock(mu_);
    status_.catching_up = slice.behind;
  }
  if (slice.behind) return CatchUp(slice.covered_from);
  for (const auto& a : slice.alerts) Take(a);
  return slice.alerts.size();
}

void DeliveryWorker::OnReset(uint64_t baseline, uint64_t generation) {
  // Held alerts belong to the old journal: send them, then follow the new one.
  SendDue(true);
  SendHeld(WallTime::max());
  reminders_.Forget(*state_);
  generation_ = generation;
  read_ = baseline;
  SaveCursor(true);
}

size_t DeliveryWorker::CatchUp(uint64_t covered_from) {
  if (!catchup_) {
    // No subscription: this socket only carries catch-up requests.
    auto sub = publish::Subscriber::Connect(endpoints_.stream, endpoints_.catchup, {}, keys_);
    if (!sub.ok()) {
      spdlog::warn("receiver '{}': {}", name_, sub.status().message());
      Sleep(config_.delivery.retry_max);
      return 0;
    }
    catchup_ = std::move(*sub);
  }
  publish::CatchupRequest req{read_, std::string(publish::kAlertTopicPrefix),
                              static_cast<uint64_t>(config_.delivery.max_group)};
  size_t taken = 0;
  auto end = catchup_->CatchUp(
      req,
      [&](publish::Message&& m) {
        auto alert = AlertFromJson(m.payload);
        if (!alert.ok() || alert->seq <= read_) return;
        auto msg = std::make_shared<AlertMessage>();
        msg->alert = std::move(*alert);
        msg->json = std::move(m.payload);
        Take(msg);
        ++taken;
      },
      config_.subscribe.catchup_timeout);
  if (!end.ok()) {
    spdlog::warn("receiver '{}': catch-up from seq {}: {}", name_, req.since, end.status().message());
    Sleep(config_.delivery.retry_initial);
    return 0;
  }
  // The reply answered every alert up to `upto`; when complete, nothing is
  // missing before the window either.
  if (end->upto > read_ && end->upto <= end->last_seq) read_ = end->upto;
  if (end->complete && read_ < covered_from) read_ = covered_from;
  return taken + 1;
}

void DeliveryWorker::Take(const AlertPtr& alert) {
  read_ = std::max(read_, alert->alert.seq);
  reminders_.Seen(*state_, alert->alert);
  auto route = RouteFor(config_.routes, alert->alert, name_);
  if (route && !HoldQuiet(*route, alert)) grouper_.Add(*route, alert, Now());
  {
    MutexLock lock(mu_);
    status_.held = grouper_.held();
  }
}

std::optional<WallTime> DeliveryWorker::QuietUntil(size_t route, const Alert& alert, WallTime now) const {
  const std::optional<QuietHours>& quiet = config_.routes[route].quiet_hours;
  if (!quiet || quiet->BreaksThrough(alert.severity)) return std::nullopt;
  return quiet->HeldUntil(now);
}

bool DeliveryWorker::HoldQuiet(size_t route, const AlertPtr& alert) {
  std::optional<WallTime> until = QuietUntil(route, alert->alert, clock_.Now());
  if (!until) return false;
  // Held in the database before the cursor can move past it: a restart
  // then finds it there, and an alert read again is held once.
  auto held = state_->Hold(name_, alert->alert.seq, alert->json, *until);
  if (!held.ok()) {
    spdlog::error("receiver '{}': cannot hold alert {} through quiet hours, sending it now: {}", name_,
                  alert->alert.seq, held.status().message());
    return false;
  }
  if (!quiet_next_ || *until < *quiet_next_) quiet_next_ = until;
  MutexLock lock(mu_);
  if (*held) ++status_.quiet_held;
  if (!status_.quiet_until || *until < *status_.quiet_until) status_.quiet_until = until;
  return true;
}

void DeliveryWorker::HoldQuietGroups(std::vector<std::vector<AlertPtr>>& groups) {
  // A group read before its route's quiet hours began and due once they
  // have waits for their end with the alerts held since, in one digest.
  for (auto& group : groups) {
    std::erase_if(group, [this](const AlertPtr& a) {
      auto route = RouteFor(config_.routes, a->alert, name_);
      return route && HoldQuiet(*route, a);
    });
  }
  std::erase_if(groups, [](const std::vector<AlertPtr>& g) { return g.empty(); });
}

void DeliveryWorker::RefreshHeld() {
  auto held = state_->Held(name_);
  if (!held.ok()) {
    spdlog::error("receiver '{}': cannot read the alerts held through quiet hours: {}", name_, held.status().message());
    return;
  }
  quiet_next_ = held->next;
  MutexLock lock(mu_);
  status_.quiet_held = held->count;
  status_.quiet_until = held->next;
}

void DeliveryWorker::SendHeld(WallTime upto) {
  while (quiet_next_ && *quiet_next_ <= upto && !stopping()) {
    auto due = state_->DueHeld(name_, upto, static_cast<size_t>(config_.delivery.max_group));
    if (!due.ok()) {
      spdlog::error("receiver '{}': cannot read the alerts held through quiet hours: {}", name_,
                    due.status().message());
      return;
    }
    std::vector<AlertPtr> group;
    std::vector<uint64_t> released;
    for (auto& held : *due) {
      released.push_back(held.seq);
      auto alert = AlertFromJson(held.json);
      if (!alert.ok()) continue;  // it parsed when it was held: only a damaged database gets here
      auto msg = std::make_shared<AlertMessage>();
      msg->alert = std::move(*alert);
      msg->json = std::move(held.json);
      group.push_back(std::move(msg));
    }
    if (group.empty()) {
      (void)state_->RecordDelivered(name_, 0, std::nullopt, released);
    } else if (!Send(group, {std::nullopt, std::move(released), 0})) {
      return;
    }
    RefreshHeld();
    if (due->empty()) return;
  }
}

uint64_t DeliveryWorker::SafeCursor(std::optional<uint64_t> next_in_flight) const {
  std::optional<uint64_t> oldest = grouper_.OldestHeld();
  if (next_in_flight && (!oldest || *next_in_flight < *oldest)) oldest = next_in_flight;
  return oldest ? *oldest - 1 : read_;
}

void DeliveryWorker::SaveCursor(bool force) {
  uint64_t cursor = SafeCursor(std::nullopt);
  if (!force && (cursor == saved_ || Now() - saved_at_ < kSaveEvery)) return;
  if (auto s = state_->SetCursor(name_, cursor); !s.ok()) {
    spdlog::error("receiver '{}': cannot save its cursor: {}", name_, s.message());
    return;
  }
  saved_ = cursor;
  saved_at_ = Now();
  MutexLock lock(mu_);
  status_.cursor = cursor;
}

void DeliveryWorker::SendDue(bool all) {
  MonoTime now = Now();
  auto groups = all ? grouper_.TakeAll(now) : grouper_.TakeDue(now);
  {
    MutexLock lock(mu_);
    status_.held = grouper_.held();
  }
  HoldQuietGroups(groups);
  for (size_t i = 0; i < groups.size() && !stopping(); ++i) {
    std::optional<uint64_t> next;
    if (i + 1 < groups.size()) next = groups[i + 1].front()->alert.seq;
    if (!Send(groups[i], {next, {}, 0})) return;
  }
}

void DeliveryWorker::SendReminders() {
  WallTime now = clock_.Now();
  for (const auto& r : reminders_.Due(now)) {
    if (stopping()) return;
    // A reminder due in quiet hours waits for their end.
    auto route = RouteFor(config_.routes, r.alert->alert, name_);
    if (auto until = route ? QuietUntil(*route, r.alert->alert, now) : std::nullopt) {
      reminders_.Postpone(r, *until);
      continue;
    }
    if (!Send({r.alert}, {std::nullopt, {}, r.repeat, r.repeat_max})) return;
    reminders_.Sent(*state_, r, clock_.Now());
  }
  MutexLock lock(mu_);
  status_.reminders = reminders_.size();
}

bool DeliveryWorker::Send(const std::vector<AlertPtr>& group, const SendOptions& options) {
  Delivery d;
  d.receiver = name_;
  d.key = DeliveryKey(name_, group);
  d.repeat = options.repeat;
  d.repeat_max = options.repeat_max;
  if (options.repeat > 0) d.key += "/repeat-" + std::to_string(options.repeat);
  for (const auto& a : group) d.alerts.push_back(*a);
  d.window = std::chrono::duration_cast<Duration>(group.back()->alert.ts - group.front()->alert.ts);
  Duration base = config_.delivery.retry_initial;
  for (;;) {
    if (spacing_.count() > 0) {
      auto wait = std::chrono::ceil<Duration>(last_attempt_ + spacing_ - Now());
      if (wait.count() > 0 && !Sleep(wait)) return false;
      last_attempt_ = Now();
    }
    Outcome o = receiver_->Deliver(d);
    if (o.kind == Outcome::Kind::kRetry && stopping()) return false;
    uint64_t cursor = SafeCursor(options.next_in_flight);
    std::optional<uint64_t> move = cursor > saved_ ? std::optional(cursor) : std::nullopt;
    if (o.kind == Outcome::Kind::kDelivered) {
      if (auto s = state_->RecordDelivered(name_, group.size(), move, options.released); !s.ok()) {
        spdlog::error("receiver '{}': cannot save its cursor: {}", name_, s.message());
      } else if (move) {
        saved_ = *move;
      }
      if (options.repeat == 0) {
        for (const auto& a : group) reminders_.Delivered(*state_, a, clock_.Now());
      }
      MutexLock lock(mu_);
      status_.delivered += group.size();
      status_.next_attempt.reset();
      if (move) status_.cursor = *move;
      return true;
    }
    if (o.kind == Outcome::Kind::kPermanent) {
      spdlog::error("receiver '{}': delivery {} refused for good: {}", name_, d.key, o.detail);
      DeadLetter letter{0, name_, d.key, {}, o.detail, clock_.Now()};
      for (const auto& a : group) letter.alerts.push_back(a->json);
      if (auto s = state_->RecordDeadLetter(letter, move, options.released); s.ok() && move) saved_ = *move;
      MutexLock lock(mu_);
      status_.failed += group.size();
      ++status_.dead_letters;
      status_.last_error = o.detail;
      status_.next_attempt.reset();
      if (move) status_.cursor = *move;
      return true;
    }
    Duration wait = Backoff(base, o.retry_after);
    Retried(o, wait);
    if (!Sleep(wait)) return false;
    base = std::min(base * 2, config_.delivery.retry_max);
  }
}

void DeliveryWorker::Retried(const Outcome& o, Duration wait) {
  spdlog::warn("receiver '{}': {}; trying again in {}ms", name_, o.detail, wait.count());
  (void)state_->RecordRetry(name_, o.detail);
  MutexLock lock(mu_);
  ++status_.retried;
  status_.last_error = o.detail;
  status_.next_attempt = clock_.Now() + wait;
}

void DeliveryWorker::ResendDeadLetters() {
  // A page at a time: a target that refused everything for hours leaves
  // more dead letters than are worth holding in memory at once.
  int64_t after = 0;
  for (;;) {
    auto letters = state_->DeadLetters(name_, after, kDeadLetterPage);
    if (!letters.ok() || letters->empty()) return;
    for (const auto& letter : *letters) {
      if (stopping()) return;
      after = letter.id;
      ResendDeadLetter(letter);
    }
  }
}

void DeliveryWorker::ResendDeadLetter(const DeadLetter& letter) {
  Delivery d;
  d.receiver = name_;
  d.key = letter.key;
  for (const auto& json : letter.alerts) {
    auto alert = AlertFromJson(json);
    if (alert.ok()) d.alerts.push_back({std::move(*alert), json});
  }
  if (d.alerts.empty()) return;
  Outcome o = receiver_->Deliver(d);
  if (o.kind != Outcome::Kind::kDelivered) {
    spdlog::warn("receiver '{}': dead letter {} not accepted again: {}", name_, d.key, o.detail);
    return;
  }
  (void)state_->RemoveDeadLetter(letter.id);
  (void)state_->RecordDelivered(name_, d.alerts.size(), std::nullopt);
  MutexLock lock(mu_);
  status_.delivered += d.alerts.size();
  if (status_.dead_letters > 0) --status_.dead_letters;
}

}  // namespace brandmon::notify
