#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/histogram.h"
#include "daemon/base/logging.h"
#include "daemon/base/mutex.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/thread_set.h"
#include "daemon/match/matcher.h"
#include "daemon/rules/rule_set.h"
#include "daemon/scheduler/scheduler.h"
#include "daemon/sentiment/analyzer.h"
#include "daemon/settings/settings.h"
#include "daemon/store/store.h"

namespace brandmon::pipeline {

// Per-brand counts for `status` and the systemd STATUS= line.
struct BrandCounts {
  uint64_t mentions_today = 0;
  uint64_t alerts_today = 0;
};

// Counts by three labels: (brand, channel, sentiment label) of mentions,
// (brand, rule, severity) of alerts.
using LabelCounts = std::map<std::tuple<std::string, std::string, std::string>, uint64_t>;

// Distinct channels the mention counts keep apart; the mentions of further
// ones count as channel "other" (a channel may come from a source's data).
inline constexpr size_t kMaxCountedChannels = 32;
inline constexpr size_t kMaxCountedLanguages = 32;

struct PipelineStats {
  uint64_t mentions_stored = 0;     // since start
  uint64_t duplicates_dropped = 0;  // already seen before
  uint64_t unmatched = 0;           // matched no brand
  uint64_t alerts = 0;              // journaled since start
  uint64_t write_errors = 0;        // failed commit attempts, retries included
  // A commit failed and waits to be retried; everything after it waits
  // behind it (and the engine starts no poll) until it is written.
  bool store_failing = false;
  std::string last_store_error;  // of the last failed attempt, kept after recovery
  std::optional<WallTime> last_store_error_at;
  std::optional<WallTime> oldest_pending_since;  // when the waiting commit first failed
  uint64_t last_seq = 0;
  std::optional<WallTime> last_alert_at;
  std::string last_alert;  // "acme negative_mention: ..."
  std::map<std::string, BrandCounts> brands;
  LabelCounts mentions_by_label;  // stored since start (docs/metrics.md)
  LabelCounts alerts_by_rule;     // journaled since start
  // Mentions stored since start whose language has no lexicon, by language;
  // at most kMaxCountedLanguages of them, the others as "other" (a source
  // may declare any language).
  std::map<std::string, uint64_t> unscored_by_lang;
  // The sentiment of the mentions stored since start, by brand: the
  // brand-targeted compound (Sentiment::Effective()).
  std::map<std::string, CompoundHistogram> compound_by_brand;
  // Seconds from the hand-over of a transaction's oldest poll result to its
  // commit: how long a mention waits in the pipeline at most.
  StageSecondsHistogram batch_seconds;
  StageSecondsHistogram commit_seconds;  // of each commit attempt, failed ones included
  size_t queued_polls = 0;               // poll results waiting for the pipeline
  size_t batches_to_score = 0;           // deduped batches waiting for the score thread
  size_t batches_scored = 0;             // scored batches waiting for their commit
};

// Receives what was journaled, in seq order: alerts, and the stored mentions
// of brands that publish them. Called on the pipeline thread.
class PipelineSink {
 public:
  virtual ~PipelineSink() = default;
  virtual void OnAlerts(const std::vector<Alert>& alerts) = 0;
  virtual void OnMentions(const std::vector<ScoredMention>& mentions) = 0;
};

// Turns poll results into stored, scored mentions and journaled alerts:
// dedupe → match brands → score sentiment → rules → one SQLite transaction
// (mentions, seen ids, source state, rule state, alerts) → sink. Poll results
// that queue up while a transaction is written go together into the next one
// (up to store.batch_max_mentions), so a busy pipeline commits less often
// and an idle one commits each poll at once.
//
// Two threads, started by Start() and joined by Stop(): "pipeline" owns the
// store's connection (drops the mentions already on their way, commits,
// feeds the sink); "pipeline-score" takes the batches it is handed one at a
// time, in order, drops what a read connection finds committed, matches,
// scores, runs the rules and fills the batch's write, so that one batch is
// scored while the one before is committed; the batches scored while a
// transaction was written go together into the next one. When nothing else
// waits, the pipeline thread scores a batch itself. The rule set belongs
// to whichever thread scores; the pipeline thread ticks it only while no
// batch is out for scoring. Submit() and the other public methods are
// thread-safe.
//
// Nothing is acknowledged before it is durable: a commit that fails (disk
// full, the database locked past the busy timeout, an I/O error) is kept in
// memory and retried with backoff, unchanged (the same mentions, rule state,
// source positions and alerts, which get the same seqs), and nothing is
// committed or handed to the sink past it until it is written. A source's
// persisted position therefore only moves with the commit that stores its
// items, and a restart while a commit waits reads them again. The store
// state listener holds the engine's polls meanwhile, so what waits is
// bounded by the queue.
class Pipeline {
 public:
  // Opens the store under `state_dir` and loads the lexicons. The pipeline's
  // threads, and the store's, are started in `threads`, which must outlive
  // the pipeline.
  // Errors: from the store (Unavailable, Corrupt) or the lexicons (NotFound).
  static Result<std::unique_ptr<Pipeline>> Create(const settings::Settings& settings, const std::string& state_dir,
                                                  const Clock& clock, ThreadSet& threads, PipelineSink* sink);
  ~Pipeline();

  // Called with true on the committing thread when a commit fails and the
  // store starts failing, with false once the failed commit is written.
  // REQUIRES: Start() not called yet.
  void SetStoreStateListener(std::function<void(bool failing)> listener);
  // Fault injection: see store::Store::SetFaultHookForTesting.
  // REQUIRES: Start() not called yet.
  void SetStoreFaultHookForTesting(std::function<int(int step)> hook);

  void Start();
  // Processes what is queued, writes the rules' state, and joins the threads.
  // A failed commit still waiting is tried once more at once; when that fails
  // too, it and everything behind it are dropped unwritten (logged): their
  // sources' positions were not saved either, so the next start reads their
  // items again.
  void Stop();

  // Hands one poll result over (moves it). Blocks only while the queue holds
  // more than a few hundred results.
  void Submit(const settings::SourceSettings& source, scheduler::PollResult result);
  // Uses the brands of `settings` from now on; rules baselines of brands that
  // stay are kept.
  void ApplySettings(const settings::Settings& settings);
  // Waits until everything submitted so far is processed, or until a failed
  // commit waits for its retry time (Stats().store_failing), which the clock
  // has not reached. On a pipeline that was not started, processes the queue
  // (and a retry that is due) on the calling thread.
  void Flush();

  // The persisted state of `source` (for the engine's StateLoader).
  std::optional<store::SourceState> SourceState(const std::string& source) const;
  PipelineStats Stats() const;

 private:
  struct Work;
  struct Brands;
  struct Pending;
  struct Unwritten;
  Pipeline(const settings::Settings& settings, const Clock& clock, ThreadSet& threads, PipelineSink* sink,
           std::unique_ptr<store::Store> store, sentiment::Analyzer analyzer);
  void Loop();
  void ScoreLoop();
  // Whether the pipeline thread may take the front of the queue: a reload
  // waits until no batch is being scored.
  bool CanTake() const REQUIRES(mu_);
  // Moves the next work off the queue: a reload alone, or as many polls in a
  // row as fit in one transaction (batch_max_mentions; at least one).
  // REQUIRES: queue_ not empty.
  std::vector<std::unique_ptr<Work>> TakeBatch() REQUIRES(mu_);
  // Moves what has been scored off scored_, to share one transaction: up to
  // batch_max_mentions (at least one batch). REQUIRES: scored_ not empty.
  std::vector<std::unique_ptr<Pending>> TakeScored() REQUIRES(mu_);
  void ApplyReload(const settings::Settings& settings);
  // Stage 1, pipeline thread: drops the mentions seen before in a batch not
  // yet committed or earlier in this batch, and with `committed` those the
  // store has committed (otherwise the score stage looks those up).
  std::unique_ptr<Pending> Dedupe(std::vector<std::unique_ptr<Work>> works, bool committed);
  // Stage 2, score thread: drops the committed ones, matches and scores the
  // rest, runs the rules and fills the batch.
  void Score(Pending& pending);
  void DropCommitted(Pending& pending);
  // All three stages on the calling thread, for one batch.
  void ProcessHere(std::vector<std::unique_ptr<Work>> works);
  // Stage 1 here, then hands the batch to the score thread.
  void HandOver(std::vector<std::unique_ptr<Work>> works);
  // Stage 3, pipeline thread: one transaction for `pendings` (scored, in
  // order), sink.
  void Finish(std::vector<std::unique_ptr<Pending>> pendings);
  void RunTimers(bool force);
  // Writes `unwritten` (a first attempt or a retry of unwritten_); on success
  // accounts for it and hands the journaled alerts and published mentions to
  // the sink. On failure (logged, counted) keeps it in unwritten_ with its
  // next attempt's time and returns false. REQUIRES: unwritten_ empty.
  bool Write(std::unique_ptr<Unwritten> unwritten);
  bool WriteAlone(store::WriteBatch batch);  // a batch of no poll (rules' state, ticks)
  void Written(Unwritten& unwritten, const store::WriteResult& written);
  // Stop() with the store still failing: drops unwritten_ and everything
  // queued behind it.
  void Abandon();
  Status Rebuild(const settings::Settings& settings);
  void CountDay(WallTime now) REQUIRES(mu_);

  const Clock& clock_;
  ThreadSet& threads_;
  PipelineSink* sink_;
  std::unique_ptr<store::Store> store_;  // pipeline thread only
  // Score stage only; nullptr when the store is in memory.
  std::unique_ptr<store::SeenReader> seen_reader_;
  sentiment::Analyzer analyzer_;  // score stage only
  // Used by the score stage; the pipeline thread replaces it (reload) or
  // ticks and saves its rules only while no batch is out for scoring.
  std::unique_ptr<Brands> brands_;
  // "source\0id" of the mentions handed to scoring and not yet committed.
  std::unordered_set<std::string> in_flight_;  // pipeline thread only
  // The commit that failed, waiting for its retry; nothing else is committed
  // before it. Pipeline thread only (retry_at_ says so to other threads).
  std::unique_ptr<Unwritten> unwritten_;
  Duration retry_backoff_{0};                         // pipeline thread only
  bool abandoned_ = false;                            // pipeline thread only
  std::function<void(bool)> store_listener_;          // set before Start()
  std::unique_ptr<RateLimitedLog> store_errors_log_;  // the same error on every retry: logged once a while
  MonoTime next_tick_{};                              // pipeline thread only
  MonoTime next_counts_{};                            // with the rule set
  MonoTime next_prune_{};
  MonoTime next_index_{};  // pipeline thread only
  Duration prune_interval_{};

  mutable Mutex mu_;
  std::condition_variable work_ready_;   // for the pipeline thread
  std::condition_variable score_ready_;  // for the score thread
  std::condition_variable work_done_;
  std::deque<std::unique_ptr<Work>> queue_ GUARDED_BY(mu_);
  std::deque<std::unique_ptr<Pending>> to_score_ GUARDED_BY(mu_);
  std::deque<std::unique_ptr<Pending>> scored_ GUARDED_BY(mu_);
  size_t outstanding_ GUARDED_BY(mu_) = 0;  // batches deduped, not yet finished
  size_t batch_max_mentions_ GUARDED_BY(mu_) = 1;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool score_stopping_ GUARDED_BY(mu_) = false;
  bool busy_ GUARDED_BY(mu_) = false;
  std::optional<MonoTime> retry_at_ GUARDED_BY(mu_);  // set while unwritten_ waits
  PipelineStats stats_ GUARDED_BY(mu_);
  int stats_day_ GUARDED_BY(mu_) = -1;
  std::map<std::string, store::SourceState> source_states_ GUARDED_BY(mu_);
  // Started and not yet joined (0: none).
  ThreadSet::Id score_thread_ = 0;
  ThreadSet::Id thread_ = 0;
};

}  // namespace brandmon::pipeline
