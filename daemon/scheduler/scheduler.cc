#include "daemon/scheduler/scheduler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "daemon/base/units.h"

namespace brandmon::scheduler {

namespace {
constexpr Duration kMaxBackoff = std::chrono::hours(1);
constexpr Duration kIdleWake = std::chrono::seconds(1);

// Collects one poll's output. Every mention any plugin produces passes
// here, so this is where it is normalized (unsafe characters, caps).
class CollectingSink final : public Sink {
 public:
  explicit CollectingSink(const settings::SourceSettings& source) : source_(source) {}
  void Emit(Mention mention) override {
    NormalizeMention(mention, source_.limits);
    mentions.push_back(std::move(mention));
  }
  void Warn(std::string message) override { spdlog::warn("source '{}': {}", source_.name, message); }
  std::vector<Mention> mentions;

 private:
  const settings::SourceSettings& source_;
};

// Counts a request's outcome in its source's counters.
void CountResponse(SourceCounters& counters, const fetch::FetchResult& result) {
  counters.fetch_seconds.Observe(kFetchSecondsBounds, std::chrono::duration<double>(result.elapsed).count());
  if (!result.status.ok()) return;
  int status_class = result.response.status / 100;
  if (status_class >= 2 && status_class <= 5) ++counters.responses_by_class[static_cast<size_t>(status_class - 2)];
  if (result.response.status == 304) ++counters.not_modified;
  counters.bytes_received += result.response.body.size();
}

}  // namespace

struct Scheduler::Source {
  settings::SourceSettings settings;
  std::unique_ptr<plugin::Plugin> plugin;
  plugin::SourceState state;
  SourceHealth health;
  MonoTime due{};
  bool started = false;
  // Fields marked "guarded by mu_" below are guarded by the scheduler's mu_,
  // which the thread-safety analysis cannot name from here.
  bool busy = false;  // inside a plugin call or handing over its result; guarded by mu_
  // A poll plugin's poll queued for or running on a poll worker; guarded by mu_.
  bool polling = false;
  // poll-now arrived after the running poll started (from the moment the
  // scheduler thread takes it up to its ScheduleNext()); guarded by mu_.
  bool poll_again = false;
  // HTTP polls (scheduler thread only, except `in_flight` which is read under mu_).
  bool in_flight = false;
  bool removed = false;  // guarded by mu_
  uint64_t generation = 0;
  // The HTTP poll in progress and the sink its pages parse into.
  std::unique_ptr<CollectingSink> sink;
  std::unique_ptr<HttpPoll> http_poll;
  Validators validators;
  std::optional<Duration> hold;  // the server's minimum delay before the next poll
  Duration backoff{0};
};

struct Scheduler::Completion {
  std::shared_ptr<Source> source;
  uint64_t generation = 0;
  fetch::FetchResult result;
};

struct Scheduler::PollJob {
  std::shared_ptr<Source> source;
  plugin::SourceState state;  // a copy; the source's own state is the scheduler thread's
};

struct Scheduler::PollDone {
  std::shared_ptr<Source> source;
  plugin::SourceState state;
  Status status;
  std::vector<Mention> mentions;
};

Scheduler::Scheduler(const Clock& clock, ThreadSet& threads, Output output, StateLoader loader,
                     const fetch::FetchOptions& fetch_options)
    : clock_(clock),
      threads_(threads),
      output_(std::move(output)),
      loader_(std::move(loader)),
      errors_log_(clock, std::chrono::minutes(10)) {
  auto fetcher = fetch::Fetcher::Create(fetch_options);
  if (fetcher.ok()) {
    fetcher_ = std::move(fetcher).value();
  } else {
    fetcher_status_ = fetcher.status();
  }
}

Scheduler::~Scheduler() {
  Stop(std::chrono::seconds(0));
  threads_.Join(std::exchange(thread_, 0));
  for (auto& t : poll_threads_) threads_.Join(std::exchange(t, 0));
  threads_.Join(std::exchange(fetch_thread_, 0));
}

void Scheduler::Apply(const std::vector<settings::SourceSettings>& sources) {
  MutexLock lock(mu_);
  std::vector<std::shared_ptr<Source>> next;
  for (const auto& s : sources) {
    auto same = std::find_if(sources_.begin(), sources_.end(), [&](const auto& old) {
      return old->settings.name == s.name && old->settings.fingerprint == s.fingerprint;
    });
    if (same != sources_.end()) {
      next.push_back(*same);
      continue;
    }
    auto src = std::make_shared<Source>();
    src->settings = s;
    src->health.name = s.name;
    src->health.type = s.type;
    src->health.enabled = s.enabled;
    src->due = clock_.Mono();
    // A changed source keeps its cursor state: the same feed under a new
    // interval must not re-read everything. Its HTTP validators are dropped,
    // since the URL may have changed. A new one starts from what the store
    // remembers.
    bool found = false;
    for (const auto& old : sources_) {
      if (old->settings.name == s.name) {
        src->state = old->state;
        src->health.consecutive_failures = old->health.consecutive_failures;
        src->health.last_success = old->health.last_success;
        found = true;
      }
    }
    if (!found && loader_) {
      if (auto saved = loader_(s.name)) {
        for (const auto& [k, v] : saved->cursor) src->state[k] = v;
        src->validators.etag = saved->etag;
        src->validators.last_modified = saved->last_modified;
        src->backoff = saved->backoff;
        src->health.consecutive_failures = static_cast<int>(saved->failures);
        src->health.last_success = saved->last_success;
        src->health.last_error = saved->last_error;
        src->health.last_error_at = saved->last_error_at;
        // A restart must not defeat a backoff or a server's Retry-After.
        if (saved->failures > 0 && saved->next_attempt) {
          Duration wait = std::chrono::duration_cast<Duration>(*saved->next_attempt - clock_.Now());
          if (wait > Duration(0)) {
            src->due += std::min(wait, HttpPoll::kMaxHold);
            src->health.next_poll = saved->next_attempt;
          }
        }
      }
    }
    next.push_back(std::move(src));
  }
  for (const auto& old : sources_) {
    if (std::find(next.begin(), next.end(), old) == next.end()) {
      old->removed = true;
      if (old->plugin) old->plugin->Stop();
    }
  }
  sources_ = std::move(next);
  rescan_ = true;
  wake_.notify_all();
}

void Scheduler::Start() {
  if (fetcher_) {
    fetch_thread_ = threads_.Start("fetch", [this] { fetcher_->Run(); });
  }
  {
    MutexLock lock(mu_);
    worker_since_.assign(kPollWorkers, std::nullopt);
  }
  for (size_t i = 0; i < static_cast<size_t>(kPollWorkers); ++i) {
    poll_threads_.push_back(threads_.Start("poll", [this, i] { PollWorker(i); }));
  }
  thread_ = threads_.Start("scheduler", [this] { Loop(); });
}

bool Scheduler::Stop(Duration deadline) {
  {
    MutexLock lock(mu_);
    if (stopping_ && thread_ == 0 && fetch_thread_ == 0) return true;
    stopping_ = true;
    for (const auto& s : sources_) {
      if (s->plugin) s->plugin->Stop();
    }
    // Polls still waiting for a worker never start.
    for (auto& job : poll_jobs_) {
      job.source->busy = false;
      job.source->polling = false;
    }
    poll_jobs_.clear();
  }
  wake_.notify_all();
  poll_wake_.notify_all();
  // Transfers in flight are abandoned; the fetch thread only runs libcurl
  // and returns at once.
  if (fetcher_) fetcher_->Quit();
  if (thread_ == 0) {
    threads_.Join(std::exchange(fetch_thread_, 0));
    return true;
  }
  // Wait for the polls in progress up to the deadline (a removed source's
  // poll still running on a worker counts too). A plugin that ignores Stop()
  // past it keeps the threads joinable and the caller exits without waiting
  // for them.
  MonoTime until = clock_.Mono() + deadline;
  auto busy = [this] {
    MutexLock lock(mu_);
    return std::any_of(sources_.begin(), sources_.end(), [](const auto& s) { return s->busy; }) ||
           std::any_of(worker_since_.begin(), worker_since_.end(), [](const auto& t) { return t.has_value(); });
  };
  while (busy() && clock_.Mono() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  bool finished = !busy();
  if (finished) {
    threads_.Join(std::exchange(thread_, 0));
    for (auto& t : poll_threads_) threads_.Join(std::exchange(t, 0));
  }
  threads_.Join(std::exchange(fetch_thread_, 0));
  return finished;
}

void Scheduler::RunOnce() {
  std::vector<std::shared_ptr<Source>> sources;
  {
    MutexLock lock(mu_);
    sources = sources_;
  }
  for (auto& s : sources) {
    if (s->settings.enabled) PollSource(s);
  }
  // Drive the transfers on this thread until every HTTP poll has finished.
  std::optional<Completion> c;
  while (true) {
    while (TakeCompletion(c)) OnFetched(*c);
    if (in_flight_count_.load() == 0 || !fetcher_) break;
    fetcher_->Perform(std::chrono::milliseconds(100));
  }
  ++progress_;
}

bool Scheduler::TakeCompletion(std::optional<Completion>& out) {
  MutexLock lock(mu_);
  if (completions_.empty()) return false;
  out = std::move(completions_.front());
  completions_.pop_front();
  return true;
}

Status Scheduler::PollNow(const std::string& name) {
  MutexLock lock(mu_);
  for (auto& s : sources_) {
    if (s->settings.name == name) {
      s->due = clock_.Mono();
      // A poll in progress schedules the next one when it ends: poll again
      // then. `busy` covers its ends, when neither a worker nor a transfer
      // has it (taken up, parsing the last page, handing the result over).
      if (s->busy || s->polling || s->in_flight) s->poll_again = true;
      rescan_ = true;
      wake_.notify_all();
      return Status::Ok();
    }
  }
  return Status::NotFound("no source named \"" + name + "\"");
}

Status Scheduler::SetPaused(const std::string& name, bool paused) {
  MutexLock lock(mu_);
  for (auto& s : sources_) {
    if (s->settings.name != name) continue;
    s->health.paused = paused;
    // A resumed source polls at once rather than waiting out its old schedule.
    if (!paused) s->due = clock_.Mono();
    rescan_ = true;
    wake_.notify_all();
    return Status::Ok();
  }
  return Status::NotFound("no source named \"" + name + "\"");
}

void Scheduler::HoldPolls(bool held) {
  MutexLock lock(mu_);
  if (polls_held_ == held) return;
  polls_held_ = held;
  if (held) {
    spdlog::warn("polls held until the store writes again");
  } else {
    spdlog::info("polls resume: the store writes again");
  }
  rescan_ = true;
  wake_.notify_all();
}

std::vector<SourceHealth> Scheduler::Health() const {
  MutexLock lock(mu_);
  std::vector<SourceHealth> out;
  for (const auto& s : sources_) out.push_back(s->health);
  return out;
}

bool Scheduler::PollStuck(MonoTime now) const {
  return std::any_of(worker_since_.begin(), worker_since_.end(),
                     [&](const auto& since) { return since && now - *since > kStuckPoll; });
}

std::shared_ptr<Scheduler::Source> Scheduler::FindDue(MonoTime now, MonoTime* next_due) const {
  *next_due = MonoTime::max();
  for (const auto& s : sources_) {
    if (!s->settings.enabled || s->health.paused || s->in_flight || s->polling) continue;
    if (s->due <= now) return s;
    *next_due = std::min(*next_due, s->due);
  }
  return nullptr;
}

void Scheduler::Loop() {
  MutexLock lock(mu_);
  // Scanning every source touches memory that is cold after a second: a
  // scan is done only when something may have changed (a notify, a finished
  // fetch or poll, a poll started) or when the earliest due time found by
  // the last scan has come. The wake each kIdleWake only counts progress.
  // Whether to scan is rescan_, not the wait's result: a notify that lands
  // as the wait times out reports a timeout.
  MonoTime next_due = MonoTime::max();
  auto sleep = [&](MonoTime now) {
    MonoTime until = std::min(next_due, now + kIdleWake);
    (void)lock.WaitFor(wake_, until - now);
  };
  while (!stopping_) {
    MonoTime now = clock_.Mono();
    if (!PollStuck(now)) ++progress_;
    if (!completions_.empty()) {
      Completion c = std::move(completions_.front());
      completions_.pop_front();
      lock.Unlock();
      OnFetched(c);
      lock.Lock();
      rescan_ = true;
      continue;
    }
    if (!poll_done_.empty()) {
      PollDone done = std::move(poll_done_.front());
      poll_done_.pop_front();
      rescan_ = true;
      Source& source = *done.source;
      source.polling = false;
      if (source.removed) continue;  // its replacement starts from the state before this poll
      source.state = std::move(done.state);
      source.busy = true;
      lock.Unlock();
      FinishPoll(source, std::move(done.status), std::move(done.mentions));
      lock.Lock();
      source.busy = false;
      continue;
    }
    if (polls_held_) {
      rescan_ = true;  // the sources due meanwhile start once released
      sleep(now);
      continue;
    }
    if (!rescan_ && now < next_due) {
      sleep(now);
      continue;
    }
    rescan_ = false;
    std::shared_ptr<Source> due = FindDue(now, &next_due);
    if (due) {
      rescan_ = true;  // the scan stopped at the first due source
      // A poll-now asked for before this poll starts is answered by it.
      due->poll_again = false;
      // Construction does no I/O; a poll plugin's Start() and Poll() run on a
      // poll worker, on a copy of the state.
      if (!due->plugin && due->settings.plugin.make) due->plugin = due->settings.plugin.make();
      if (!poll_threads_.empty() && dynamic_cast<plugin::PollPlugin*>(due->plugin.get()) != nullptr) {
        due->polling = true;
        due->busy = true;
        poll_jobs_.push_back(PollJob{due, due->state});
        poll_wake_.notify_one();
        continue;
      }
      due->busy = true;
      lock.Unlock();
      PollSource(due);
      lock.Lock();
      due->busy = false;
      continue;
    }
    sleep(now);
  }
}

void Scheduler::PollWorker(size_t index) {
  MutexLock lock(mu_);
  while (true) {
    while (!(stopping_ || !poll_jobs_.empty())) lock.Wait(poll_wake_);
    if (stopping_) return;
    PollJob job = std::move(poll_jobs_.front());
    poll_jobs_.pop_front();
    if (job.source->removed) {
      job.source->busy = false;
      job.source->polling = false;
      continue;
    }
    worker_since_[index] = clock_.Mono();
    lock.Unlock();
    PollDone done = RunPoll(job.source, std::move(job.state));
    lock.Lock();
    worker_since_[index].reset();
    job.source->busy = false;
    poll_done_.push_back(std::move(done));
    wake_.notify_all();
  }
}

Scheduler::PollDone Scheduler::RunPoll(const std::shared_ptr<Source>& handle, plugin::SourceState state) {
  PollDone done;
  done.source = handle;
  done.status = EnsureStarted(*handle);
  if (done.status.ok()) {
    CollectingSink sink(handle->settings);
    done.status = static_cast<plugin::PollPlugin&>(*handle->plugin).Poll(sink, state);
    done.mentions = std::move(sink.mentions);
  }
  done.state = std::move(state);
  return done;
}

Status Scheduler::EnsureStarted(Source& source) {
  if (!source.plugin) {
    source.plugin = source.settings.plugin.make ? source.settings.plugin.make() : nullptr;
  }
  if (!source.plugin) {
    return Status::InvalidArgument("source type \"" + source.settings.type + "\" is not available");
  }
  if (!source.started) {
    plugin::PluginContext ctx{source.settings.name, &clock_, spdlog::default_logger(), source.settings.limits,
                              source.settings.channel};
    Status status = source.plugin->Start(ctx);
    source.started = status.ok();
    return status;
  }
  return Status::Ok();
}

void Scheduler::PollSource(const std::shared_ptr<Source>& handle) {
  Source& source = *handle;
  Status status = EnsureStarted(source);
  if (!status.ok()) return FinishPoll(source, status, {});
  if (dynamic_cast<plugin::PollPlugin*>(source.plugin.get()) != nullptr) {
    PollDone done = RunPoll(handle, source.state);
    {
      MutexLock lock(mu_);
      source.state = std::move(done.state);
    }
    return FinishPoll(source, std::move(done.status), std::move(done.mentions));
  }
  auto* http = dynamic_cast<plugin::HttpPlugin*>(source.plugin.get());
  if (http == nullptr) return FinishPoll(source, Status::Internal("plugin is neither an http nor a poll plugin"), {});
  source.hold.reset();
  source.sink = std::make_unique<CollectingSink>(source.settings);
  source.http_poll = std::make_unique<HttpPoll>(*http, source.state, source.validators,
                                                source.settings.plugin.address_rules, *source.sink, clock_);
  SubmitNext(handle);
}

void Scheduler::SubmitNext(const std::shared_ptr<Source>& source) {
  auto request = source->http_poll->NextRequest();
  if (!request.ok() || !request->has_value()) return FinishHttpPoll(*source, Status::Ok());
  if (!fetcher_) return FinishHttpPoll(*source, fetcher_status_);
  uint64_t generation;
  {
    MutexLock lock(mu_);
    if (!source->in_flight) ++in_flight_count_;
    source->in_flight = true;
    generation = ++source->generation;
  }
  fetcher_->Submit(std::move(**request), [this, source, generation](fetch::FetchResult result) {
    MutexLock lock(mu_);
    completions_.push_back(Completion{source, generation, std::move(result)});
    wake_.notify_all();
  });
}

void Scheduler::FinishHttpPoll(Source& source, const Status& transport) {
  HttpPoll& poll = *source.http_poll;
  Status status = transport.ok() ? poll.status() : transport;
  if (poll.hold()) source.hold = poll.hold();
  source.validators = poll.validators();
  std::vector<Mention> mentions = std::move(source.sink->mentions);
  source.http_poll.reset();
  source.sink.reset();
  FinishPoll(source, std::move(status), std::move(mentions));
}

void Scheduler::OnFetched(const Completion& completion) {
  Source& source = *completion.source;
  {
    MutexLock lock(mu_);
    if (source.removed || completion.generation != source.generation) {
      if (source.in_flight) --in_flight_count_;
      source.in_flight = false;
      return;
    }
    source.busy = true;
  }
  HandleResponse(completion.source, completion.result);
  MutexLock lock(mu_);
  source.busy = false;
}

void Scheduler::HandleResponse(const std::shared_ptr<Source>& handle, const fetch::FetchResult& result) {
  {
    MutexLock lock(mu_);
    if (handle->in_flight) --in_flight_count_;
    handle->in_flight = false;
    CountResponse(handle->health.counters, result);
  }
  handle->http_poll->OnResult(result);
  SubmitNext(handle);
}

FailureKind FailureKindOf(const Status& status) {
  switch (status.code()) {
    case Status::Code::kUnavailable: return FailureKind::kTransient;
    case Status::Code::kInvalidArgument: return FailureKind::kConfig;
    case Status::Code::kCorrupt: return FailureKind::kCorrupt;
    default: return FailureKind::kOther;
  }
}

const char* FailureKindName(FailureKind kind) {
  static constexpr const char* kNames[kFailureKinds] = {"transient", "config", "corrupt", "other"};
  return kNames[static_cast<size_t>(kind)];
}

void StampMention(const settings::SourceSettings& source, Mention& m) {
  if (m.source.empty()) m.source = source.name;
  if (m.channel.empty()) m.channel = source.channel.empty() ? source.type : source.channel;
  if (auto kind = ParseChannelKind(source.kind)) m.kind = *kind;
  m.kind = ResolveKind(m);
  if (!source.reply_to.empty()) m.reply_to = source.reply_to;
  if (!source.lang.empty()) m.lang = source.lang;
}

void Scheduler::FinishPoll(Source& source, Status status, std::vector<Mention> mentions) {
  const std::string& name = source.settings.name;
  for (auto& m : mentions) StampMention(source.settings, m);
  {
    MutexLock lock(mu_);
    WallTime now = clock_.Now();
    ++source.health.counters.polls;
    if (!status.ok()) ++source.health.counters.failures[static_cast<size_t>(FailureKindOf(status))];
    if (status.ok()) {
      source.health.last_success = now;
      source.health.consecutive_failures = 0;
      source.health.mentions += mentions.size();
    } else {
      source.health.last_error_at = now;
      source.health.last_error = status.message();
      ++source.health.consecutive_failures;
    }
    ScheduleNext(source, !status.ok());
  }
  if (!status.ok()) {
    // The same error every poll is logged once per window, not every time.
    errors_log_.Log(spdlog::level::warn, "source '" + name + "'", status.message());
    spdlog::debug("source '{}': retry in {}", name,
                  FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(source.due - clock_.Mono())));
  }
  PollResult result;
  result.mentions = std::move(mentions);
  result.status = std::move(status);
  result.state.source = name;
  result.state.cursor.assign(source.state.begin(), source.state.end());
  result.state.etag = source.validators.etag;
  result.state.last_modified = source.validators.last_modified;
  {
    MutexLock lock(mu_);
    result.state.failures = source.health.consecutive_failures;
    result.state.backoff = source.backoff;
    result.state.last_success = source.health.last_success;
    result.state.last_error = source.health.last_error;
    result.state.last_error_at = source.health.last_error_at;
    result.state.next_attempt = source.health.next_poll;
  }
  output_(source.settings, std::move(result));
}

void Scheduler::ScheduleNext(Source& source, bool failed) {
  Duration base = source.settings.interval;
  if (failed) {
    // Exponential backoff from 30s, capped at an hour (or the interval when longer).
    int n = std::min(source.health.consecutive_failures, 10);
    base = std::min<Duration>(std::chrono::seconds(30) * (1 << (n - 1)), std::max(kMaxBackoff, base));
  }
  int64_t spread = base.count() / 10;
  int64_t jitter = spread > 0 ? static_cast<int64_t>(rng_() % static_cast<uint64_t>(spread)) : 0;
  Duration delay(base.count() + jitter);
  // The server's word (Retry-After, rate-limit reset, max-age) is a floor.
  bool held = false;
  if (source.hold && std::min(*source.hold, HttpPoll::kMaxHold) > delay) {
    delay = std::min(*source.hold, HttpPoll::kMaxHold);
    held = delay > source.settings.interval;
  }
  source.hold.reset();
  source.backoff = failed ? delay : Duration(0);
  if (failed || held) ++source.health.counters.backoffs;
  if (source.poll_again) {
    // poll-now during the poll: once more at once, backoff kept for later.
    source.poll_again = false;
    delay = Duration(0);
  }
  source.due = clock_.Mono() + delay;
  source.health.next_poll = clock_.Now() + delay;
}

}  // namespace brandmon::scheduler
