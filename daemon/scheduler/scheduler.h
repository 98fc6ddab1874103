#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/histogram.h"
#include "daemon/base/logging.h"
#include "daemon/base/mention.h"
#include "daemon/base/mutex.h"
#include "daemon/base/thread_set.h"
#include "daemon/fetch/fetch_options.h"
#include "daemon/fetch/fetcher.h"
#include "daemon/plugin/plugin.h"
#include "daemon/scheduler/http_poll.h"
#include "daemon/settings/settings.h"
#include "daemon/store/store.h"

namespace brandmon::scheduler {

// Why a poll failed, from its status (the failure classes of HttpPoll):
// what a later poll may not meet (Unavailable: a transfer error, 5xx, 408,
// 429), what only the config can fix (InvalidArgument: any other 4xx, an
// address refused), a body the plugin cannot use (Corrupt), anything else.
enum class FailureKind { kTransient, kConfig, kCorrupt, kOther };
inline constexpr size_t kFailureKinds = 4;
FailureKind FailureKindOf(const Status& status);
// "transient", "config", "corrupt", "other": the label /metrics shows.
const char* FailureKindName(FailureKind kind);

// What the engine counted about one source since it was created (a reload
// that changes the source starts it again), shown by /metrics.
struct SourceCounters {
  uint64_t polls = 0;
  std::array<uint64_t, kFailureKinds> failures{};  // failed polls by FailureKind
  // HTTP sources: responses by status class (2xx, 3xx, 4xx, 5xx), the 304s
  // among them, body bytes received (decoded), every request's time (those
  // that got no response included).
  std::array<uint64_t, 4> responses_by_class{};
  uint64_t not_modified = 0;
  uint64_t bytes_received = 0;
  FetchSecondsHistogram fetch_seconds;
  // Polls after which the next one was put back further than the interval:
  // a failure's backoff or the server's hold (Retry-After, rate limit, max-age).
  uint64_t backoffs = 0;
};

// What `status` shows about one source.
struct SourceHealth {
  std::string name;
  std::string type;
  bool enabled = true;
  bool paused = false;
  std::optional<WallTime> last_success;
  std::optional<WallTime> last_error_at;
  std::string last_error;
  std::optional<WallTime> next_poll;
  uint64_t mentions = 0;
  int consecutive_failures = 0;
  SourceCounters counters;
};

// What one poll of one source produced: its mentions (possibly none) and the
// source's state afterwards (plugin cursor, HTTP validators, failures,
// backoff, last error). The pipeline persists both in one transaction.
struct PollResult {
  std::vector<Mention> mentions;
  store::SourceState state;
  Status status;
};

// What the engine puts on every mention of `source` before the pipeline sees
// it (and `brandmonctl fetch` before printing it): the source's name and
// channel where the plugin left them empty (the channel falls back to the
// source's type), the source's kind and reply_to where configured, else the
// plugin's, else the kind of the channel (ResolveKind), and the source's
// pinned language.
void StampMention(const settings::SourceSettings& source, Mention& mention);

// Schedules and polls the configured sources and hands what they produce to
// the pipeline. Owns the plugins and, started in the owner's ThreadSet, the
// "scheduler" thread (scheduling, HTTP plugin calls and parsing, the Output
// callback), the "fetch" thread (the libcurl event loop) and kPollWorkers
// "poll" threads that run poll plugins (exec, file), so that a slow program
// never delays transfers in flight nor the handling of responses that
// already arrived. A poll plugin works on a copy of its source's state; the
// scheduler thread takes the result back, so the state, health and backoff
// of a source only change on the scheduler thread.
// Every public method is thread-safe. Sources whose config is unchanged
// across Apply() keep their plugin instance and state (a poll running across
// the reload is kept too); a removed or changed source's running poll is
// stopped and its result dropped.
//
// HTTP sources: each poll runs through an HttpPoll (pages, validators, the
// server's hold, failure classes: see http_poll.h). The
// next poll is due after the interval with up to 10% jitter, but never before
// Cache-Control max-age, Retry-After or an exhausted rate limit's reset;
// failures back off exponentially (30s doubling, capped at an hour or the
// interval) and the first success resets them.
class Scheduler {
 public:
  // Called on the scheduler thread after every poll, successful or not.
  using Output = std::function<void(const settings::SourceSettings& source, PollResult result)>;
  // Returns the persisted state of a source, if any; called when a source is
  // first created so that restarts keep cursors, validators and backoff.
  using StateLoader = std::function<std::optional<store::SourceState>(const std::string& source)>;

  // Poll plugins running at once at most; more due ones wait their turn.
  static constexpr int kPollWorkers = 4;
  // A poll plugin call running longer than this (twice the longest exec
  // timeout) is stuck: progress() stops growing so the watchdog notices.
  static constexpr Duration kStuckPoll = std::chrono::hours(2);

  // Start() starts the threads in `threads`, which must outlive the
  // scheduler. `fetch_options` are the limits of every HTTP transfer (config
  // "fetch").
  Scheduler(const Clock& clock, ThreadSet& threads, Output output, StateLoader loader = {},
            const fetch::FetchOptions& fetch_options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Replaces the set of sources (added, removed, changed in place).
  void Apply(const std::vector<settings::SourceSettings>& sources);

  // Starts the fetch thread, the poll workers, then the scheduler thread.
  void Start();
  // Stops scheduling, interrupts blocking plugin work (exec kills its
  // children), and joins the threads, waiting at most `deadline` for polls in
  // progress to return. Results that arrive after Stop() are dropped.
  // Returns false when the deadline passed (the poll was abandoned).
  bool Stop(Duration deadline);

  // Polls every enabled source once on the calling thread (--once), HTTP
  // sources concurrently, poll plugins one after the other, and returns when
  // every poll has finished.
  // REQUIRES: Start() not called.
  void RunOnce();

  // Asks for an immediate poll of `name`: a poll that starts after the call
  // (right after the running one when a poll is in progress, so that it
  // fetches after the request). Errors: NotFound.
  Status PollNow(const std::string& name);

  // Stops or restarts the scheduling of `name` (kept across reloads that
  // leave the source unchanged, not across restarts). Errors: NotFound.
  Status SetPaused(const std::string& name, bool paused);

  // While held, no poll of any source starts (those due wait, poll-now
  // included); polls in progress finish and hand their results over. The
  // pipeline holds them while the store fails, so that what waits for the
  // store cannot grow. Releasing starts the due polls at once.
  void HoldPolls(bool held);

  // Grows every time the scheduler thread completes a loop iteration; a stuck
  // scheduler, or a poll plugin call running longer than kStuckPoll, stops it
  // growing (the watchdog looks at this).
  uint64_t progress() const { return progress_.load(); }

  std::vector<SourceHealth> Health() const;

 private:
  struct Source;
  struct Completion;
  struct PollJob;
  struct PollDone;
  void Loop();
  void PollWorker(size_t index);
  // Runs one poll of a poll plugin on `state` (the caller's copy).
  PollDone RunPoll(const std::shared_ptr<Source>& source, plugin::SourceState state);
  bool PollStuck(MonoTime now) const REQUIRES(mu_);
  // The first source (in order) due at `now` that may poll, or null; sets
  // *next_due to the earliest due time of the sources scanned before it
  // (MonoTime::max() for none).
  std::shared_ptr<Source> FindDue(MonoTime now, MonoTime* next_due) const REQUIRES(mu_);
  void PollSource(const std::shared_ptr<Source>& source);
  Status EnsureStarted(Source& source);
  // Sends the next request of the source's HTTP poll, or finishes the poll
  // when it has none.
  void SubmitNext(const std::shared_ptr<Source>& source);
  // Ends the source's HTTP poll with its outcome (or `transport`, when not OK).
  void FinishHttpPoll(Source& source, const Status& transport);
  void OnFetched(const Completion& completion);
  void HandleResponse(const std::shared_ptr<Source>& handle, const fetch::FetchResult& result);
  void FinishPoll(Source& source, Status status, std::vector<Mention> mentions);
  void ScheduleNext(Source& source, bool failed);
  bool TakeCompletion(std::optional<Completion>& out);

  const Clock& clock_;
  ThreadSet& threads_;
  Output output_;
  StateLoader loader_;
  mutable Mutex mu_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<Source>> sources_ GUARDED_BY(mu_);
  std::deque<Completion> completions_ GUARDED_BY(mu_);
  std::condition_variable poll_wake_;  // poll workers wait on it
  std::deque<PollJob> poll_jobs_ GUARDED_BY(mu_);
  std::deque<PollDone> poll_done_ GUARDED_BY(mu_);
  std::vector<std::optional<MonoTime>> worker_since_ GUARDED_BY(mu_);  // per worker: its poll's start
  bool stopping_ GUARDED_BY(mu_) = false;
  bool polls_held_ GUARDED_BY(mu_) = false;
  // A source's schedule or the set of sources changed: the scheduler thread
  // scans them before it sleeps again. Set with every wake_ notify that asks
  // for a scan. Guarded by mu_.
  bool rescan_ = true;
  std::atomic<uint64_t> progress_{0};
  std::atomic<int64_t> in_flight_count_{0};  // HTTP polls waiting for a response
  RateLimitedLog errors_log_;
  std::unique_ptr<fetch::Fetcher> fetcher_;  // null when libcurl failed to start
  Status fetcher_status_;
  // Started and not yet joined (0: none); poll_threads_ stays empty until Start().
  ThreadSet::Id fetch_thread_ = 0;
  std::vector<ThreadSet::Id> poll_threads_;
  ThreadSet::Id thread_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};  // jitter; scheduler thread only
};

}  // namespace brandmon::scheduler
