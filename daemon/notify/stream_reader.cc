#include "daemon/notify/stream_reader.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "daemon/publish/messages.h"

namespace brandmon::notify {
namespace {

constexpr Duration kPoll = std::chrono::milliseconds(200);
// Entries asked for at once: a catch-up reply is read in rounds so that the
// window (and the daemon) never hold more than this for us.
constexpr uint64_t kCatchupBatch = 1000;

}  // namespace

StreamReader::StreamReader(Endpoints endpoints, publish::ClientKeys keys, Duration catchup_timeout, AlertWindow& window,
                           std::optional<uint64_t> start)
    : endpoints_(std::move(endpoints)),
      keys_(std::move(keys)),
      catchup_timeout_(catchup_timeout),
      window_(window),
      cursor_(start) {}

void StreamReader::Stop() { stop_ = true; }

StreamReader::Stats StreamReader::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void StreamReader::Fail(const std::string& error, bool catchup) {
  MutexLock lock(mu_);
  if (catchup) ++stats_.catchup_errors;
  if (stats_.last_error != error) spdlog::warn("alert stream: {}", error);
  stats_.last_error = error;
}

void StreamReader::Run() {
  auto sub = publish::Subscriber::Connect(
      endpoints_.stream, endpoints_.catchup,
      {std::string(publish::kAlertTopicPrefix), std::string(publish::kHeartbeatTopic)}, keys_);
  if (!sub.ok()) {
    Fail(sub.status().message(), false);
    return;
  }
  spdlog::info("subscribed to {} (catch-up {})", endpoints_.stream, endpoints_.catchup);
  if (cursor_) {
    window_.SetBaseline(*cursor_);
    CatchUp(**sub);
  } else {
    Baseline(**sub);
  }
  while (!stop_) {
    auto m = (*sub)->Receive(kPoll);
    if (!m.ok()) {
      Fail(m.status().message(), false);
      std::this_thread::sleep_for(kPoll);
      continue;
    }
    if (*m) OnMessage(**sub, std::move(**m));
  }
}

// Asks the journal where it ends: a receiver never delivered to starts
// there. When the daemon does not answer, the first heartbeat or alert tells.
bool StreamReader::Baseline(publish::Subscriber& sub) {
  auto end = sub.CatchUp(
      {publish::kMaxCatchupSeq, std::string(publish::kAlertTopicPrefix), 1}, [](publish::Message&&) {},
      catchup_timeout_);
  if (!end.ok()) {
    Fail("cannot learn where the journal ends: " + end.status().message(), true);
    return false;
  }
  cursor_ = end->last_seq;
  window_.SetBaseline(end->last_seq);
  MutexLock lock(mu_);
  stats_.cursor = end->last_seq;
  return true;
}

void StreamReader::CatchUp(publish::Subscriber& sub) {
  if (!cursor_ || endpoints_.catchup.empty()) return;
  for (int round = 0; round < 100000 && !stop_; ++round) {
    publish::CatchupRequest req{*cursor_, std::string(publish::kAlertTopicPrefix), kCatchupBatch};
    auto end = sub.CatchUp(
        req, [&](publish::Message&& m) { Accept(std::move(m), true); }, catchup_timeout_);
    if (!end.ok()) {
      Fail("catch-up from seq " + std::to_string(req.since) + ": " + end.status().message(), true);
      return;
    }
    // Alerts in the answered range that did not parse are skipped for good.
    if (end->upto > *cursor_ && end->upto <= end->last_seq) cursor_ = end->upto;
    if (end->complete || end->upto <= req.since) return;
  }
}

void StreamReader::OnMessage(publish::Subscriber& sub, publish::Message&& m) {
  if (m.topic == publish::kHeartbeatTopic) {
    OnHeartbeat(sub, m.payload);
    return;
  }
  if (!m.topic.starts_with(publish::kAlertTopicPrefix)) return;
  auto seq = publish::ParseAlertSeq(m.payload);
  if (!seq.ok()) {
    MutexLock lock(mu_);
    ++stats_.corrupt;
    return;
  }
  if (!cursor_) {
    cursor_ = *seq - 1;
    window_.SetBaseline(*cursor_);
  }
  if (*seq <= *cursor_) return;
  if (*seq > *cursor_ + 1) CatchUp(sub);
  Accept(std::move(m), false);
}

void StreamReader::OnHeartbeat(publish::Subscriber& sub, const std::string& payload) {
  auto hb = publish::ParseHeartbeat(payload);
  if (!hb.ok()) {
    MutexLock lock(mu_);
    ++stats_.corrupt;
    return;
  }
  {
    MutexLock lock(mu_);
    stats_.last_heartbeat_ms = ToUnixMillis(SystemClock::Instance().Now());
  }
  if (!cursor_) {
    if (!Baseline(sub)) return;
  }
  if (hb->last_seq < *cursor_) {
    // The journal was replaced: its seqs start again.
    spdlog::warn(
        "brandmond's journal ends at seq {} but alerts up to {} were seen: the journal was replaced, "
        "following it from its start",
        hb->last_seq, *cursor_);
    cursor_ = 0;
    window_.Reset(0);
    {
      MutexLock lock(mu_);
      ++stats_.resets;
      stats_.cursor = 0;
    }
    CatchUp(sub);
  } else if (hb->last_seq > *cursor_) {
    CatchUp(sub);
  }
}

void StreamReader::Accept(publish::Message&& m, bool from_catchup) {
  auto alert = AlertFromJson(m.payload);
  if (!alert.ok()) {
    MutexLock lock(mu_);
    ++stats_.corrupt;
    if (stats_.corrupt == 1 || stats_.corrupt % 1000 == 0) {
      spdlog::warn("skipped an alert that does not parse ({} so far): {}", stats_.corrupt, alert.status().message());
    }
    return;
  }
  uint64_t seq = alert->seq;
  if (cursor_ && seq <= *cursor_) return;
  cursor_ = seq;
  auto msg = std::make_shared<AlertMessage>();
  msg->alert = std::move(*alert);
  msg->json = std::move(m.payload);
  window_.Append(std::move(msg));
  MutexLock lock(mu_);
  stats_.cursor = seq;
  ++stats_.alerts;
  if (from_catchup) ++stats_.caught_up;
}

}  // namespace brandmon::notify
