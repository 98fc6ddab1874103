#include "daemon/notify/engine.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "daemon/base/units.h"

namespace brandmon::notify {

Engine::Engine(NotifyConfig config, NotifyPaths paths, Endpoints endpoints, publish::ClientKeys keys,
               const Clock& clock)
    : config_(std::move(config)),
      paths_(std::move(paths)),
      endpoints_(std::move(endpoints)),
      keys_(std::move(keys)),
      clock_(clock),
      window_(static_cast<size_t>(config_.delivery.window_alerts), config_.delivery.window_bytes) {}

Engine::~Engine() = default;

Status Engine::Start(ThreadSet& threads) {
  std::optional<uint64_t> start;
  {
    auto state = NotifyState::Open(paths_.state_file());
    if (!state.ok()) return Status::Unavailable(paths_.state_file() + ": " + state.status().message());
    for (const auto& r : config_.receivers) {
      auto rec = state->Load(r.name);
      if (!rec.ok()) return rec.status();
      // The stream is followed from the furthest cursor; receivers further
      // behind read what they miss from the catch-up service themselves.
      std::optional<uint64_t> cursor = rec->cursor;
      if (!cursor && config_.subscribe.from_journal_start) cursor = 0;
      if (cursor && (!start || *cursor > *start)) start = cursor;
    }
  }
  for (const auto& r : config_.receivers) {
    workers_.push_back(
        std::make_unique<DeliveryWorker>(config_, r, window_, paths_.state_file(), endpoints_, keys_, clock_));
  }
  reader_ = std::make_unique<StreamReader>(endpoints_, keys_, config_.subscribe.catchup_timeout, window_, start);
  thread_ids_.push_back(threads.Start("notify-sub", [this] { reader_->Run(); }));
  for (auto& w : workers_) {
    DeliveryWorker* worker = w.get();
    thread_ids_.push_back(threads.Start("deliver-" + w->name(), [worker] { worker->Run(); }));
  }
  return Status::Ok();
}

void Engine::Stop(ThreadSet& threads) {
  if (reader_) reader_->Stop();
  for (auto& w : workers_) w->Stop();
  for (auto it = thread_ids_.rbegin(); it != thread_ids_.rend(); ++it) threads.Join(*it);
  thread_ids_.clear();
}

std::vector<ReceiverStatus> Engine::Receivers() const {
  std::vector<ReceiverStatus> out;
  for (const auto& w : workers_) out.push_back(w->status());
  return out;
}

Status Engine::Retry(const std::string& receiver) {
  for (auto& w : workers_) {
    if (w->name() == receiver) {
      w->RequestRetry();
      return Status::Ok();
    }
  }
  return Status::NotFound("no receiver named '" + receiver + "'");
}

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void Num(Writer& w, const char* key, uint64_t value) {
  w.Key(key);
  w.Uint64(value);
}

void WriteReceiver(Writer& w, const ReceiverStatus& r) {
  w.StartObject();
  Str(w, "name", r.name);
  Str(w, "type", r.type);
  w.Key("cursor");
  if (r.cursor) {
    w.Uint64(*r.cursor);
  } else {
    w.Null();
  }
  Num(w, "delivered", r.delivered);
  Num(w, "retried", r.retried);
  Num(w, "failed", r.failed);
  Num(w, "dead_letters", r.dead_letters);
  Num(w, "held", r.held);
  Num(w, "quiet_held", r.quiet_held);
  Num(w, "reminders", r.reminders);
  w.Key("quiet_until");
  if (r.quiet_until) {
    std::string t = FormatRfc3339(*r.quiet_until);
    w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
  } else {
    w.Null();
  }
  w.Key("catching_up");
  w.Bool(r.catching_up);
  Str(w, "last_error", r.last_error);
  w.Key("next_attempt");
  if (r.next_attempt) {
    std::string t = FormatRfc3339(*r.next_attempt);
    w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
  } else {
    w.Null();
  }
  w.EndObject();
}

}  // namespace

std::string Engine::StatusJson() const {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("stream");
  w.StartObject();
  Str(w, "endpoint", endpoints_.stream);
  Str(w, "catchup_endpoint", endpoints_.catchup);
  if (reader_) {
    StreamReader::Stats s = reader_->stats();
    Num(w, "cursor", s.cursor);
    Num(w, "alerts", s.alerts);
    Num(w, "caught_up", s.caught_up);
    Num(w, "corrupt", s.corrupt);
    Num(w, "catchup_errors", s.catchup_errors);
    Num(w, "resets", s.resets);
    Str(w, "last_error", s.last_error);
  }
  w.EndObject();
  w.Key("window");
  w.StartObject();
  Num(w, "alerts", window_.size());
  Num(w, "bytes", window_.bytes());
  w.EndObject();
  w.Key("receivers");
  w.StartArray();
  for (const auto& r : Receivers()) WriteReceiver(w, r);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace brandmon::notify
