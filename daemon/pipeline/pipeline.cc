#include "daemon/pipeline/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <ctime>
#include <iterator>
#include <set>
#include <unordered_map>
#include <utility>

#include "daemon/assess/assess.h"
#include "daemon/store/fields.h"
#include "daemon/text/tokens.h"

namespace brandmon::pipeline {

namespace {

// Adds `counts` to `total`, keeping kMaxCountedChannels channels apart.
void AddMentionCounts(const LabelCounts& counts, LabelCounts& total) {
  std::set<std::string> channels;
  for (const auto& [key, n] : total) channels.insert(std::get<1>(key));
  for (const auto& [key, n] : counts) {
    auto [brand, channel, label] = key;
    if (!channels.contains(channel)) {
      if (channels.size() >= kMaxCountedChannels) channel = "other";
      channels.insert(channel);
    }
    total[{brand, channel, label}] += n;
  }
}

// How many poll results may wait before Submit() blocks the engine.
constexpr size_t kMaxQueued = 256;
// Batches deduped and not yet committed: one being scored while the one
// before is committed.
constexpr size_t kMaxOutstanding = 2;
// How often the trend rules close their buckets.
constexpr Duration kTickInterval = std::chrono::seconds(5);
// How long a mention may wait for the full-text index while no commit
// brings kSearchIndexBatch more.
constexpr Duration kIndexInterval = std::chrono::seconds(1);
// How often the score stage commits the rules' counts, at most.
constexpr Duration kCountsInterval = std::chrono::seconds(1);
// Backoff between the attempts of a failed commit: short at first (a lock
// held for a moment), doubling up to a few seconds (a full disk).
constexpr Duration kFirstRetry = std::chrono::milliseconds(100);
constexpr Duration kMaxRetry = std::chrono::seconds(5);
// The same store error on every retry is logged once per this window.
constexpr Duration kStoreErrorLogWindow = std::chrono::minutes(1);

int DayOf(WallTime t) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count() / 24);
}

}  // namespace

struct Pipeline::Work {
  std::string source;
  scheduler::PollResult poll;
  std::optional<settings::Settings> settings;  // a reload instead of a poll
  MonoTime submitted{};                        // handed over
};

// One batch of polls on its way to one transaction; moves between the threads.
struct Pipeline::Pending {
  std::vector<std::unique_ptr<Work>> works;                  // their mentions: only those not seen before
  std::vector<std::string> keys;                             // "source\0id" of those mentions, in order
  store::WriteBatch batch;                                   // mentions, seen ids, alerts and rule state once scored
  std::vector<ScoredMention> published;                      // of the brands that publish their mentions
  std::map<std::string, CompoundHistogram> stored_by_brand;  // their sentiment
  LabelCounts stored_by_label;
  std::map<std::string, uint64_t> unscored_by_lang;
  uint64_t duplicates = 0;
  uint64_t unmatched = 0;
  bool committed_dropped = false;  // Dedupe() dropped the committed ones too
};

// One transaction on its way to the store, and what to account for once it
// is written; kept unchanged while it waits for a retry.
struct Pipeline::Unwritten {
  store::WriteBatch batch;
  std::vector<ScoredMention> published;
  std::vector<std::unique_ptr<Pending>> pendings;  // none for the rules' own writes
};

struct Pipeline::Brands {
  std::vector<settings::BrandSettings> settings;
  match::BrandMatcher matcher;
  match::MatchScratch scratch;
  std::vector<sentiment::LexiconOverrides> overrides;  // parallel to settings
  std::unique_ptr<rules::RuleSet> rules;
};

Result<std::unique_ptr<Pipeline>> Pipeline::Create(const settings::Settings& settings, const std::string& state_dir,
                                                   const Clock& clock, ThreadSet& threads, PipelineSink* sink) {
  auto store = store::Store::Open(settings.store, state_dir, clock, threads);
  if (!store.ok()) return store.status().WithContext("cannot open the state store");
  auto analyzer = sentiment::Analyzer::Create(settings.sentiment);
  if (!analyzer.ok()) return analyzer.status().WithContext("cannot load the sentiment lexicons");
  std::unique_ptr<Pipeline> p(
      new Pipeline(settings, clock, threads, sink, std::move(store).value(), std::move(analyzer).value()));
  auto reader = p->store_->OpenSeenReader();
  if (reader.ok()) {
    p->seen_reader_ = std::move(reader).value();
  } else {
    spdlog::warn("seen ids are looked up on the writer's connection: {}", reader.status().message());
  }
  if (auto s = p->Rebuild(settings); !s.ok()) return s;
  auto states = p->store_->LoadSourceStates();
  if (!states.ok()) return states.status().WithContext("cannot read source state");
  auto seq = p->store_->LastSeq();
  MutexLock lock(p->mu_);
  for (auto& st : *states) p->source_states_[st.source] = st;
  if (seq.ok()) p->stats_.last_seq = *seq;
  return p;
}

Pipeline::Pipeline(const settings::Settings& settings, const Clock& clock, ThreadSet& threads, PipelineSink* sink,
                   std::unique_ptr<store::Store> store, sentiment::Analyzer analyzer)
    : clock_(clock),
      threads_(threads),
      sink_(sink),
      store_(std::move(store)),
      analyzer_(std::move(analyzer)),
      prune_interval_(settings.store.prune_interval),
      batch_max_mentions_(static_cast<size_t>(std::max<int64_t>(1, settings.store.batch_max_mentions))) {
  next_tick_ = clock_.Mono() + kTickInterval;
  next_prune_ = clock_.Mono();
  store_errors_log_ = std::make_unique<RateLimitedLog>(clock_, kStoreErrorLogWindow);
}

void Pipeline::SetStoreStateListener(std::function<void(bool failing)> listener) {
  store_listener_ = std::move(listener);
}

void Pipeline::SetStoreFaultHookForTesting(std::function<int(int step)> hook) {
  store_->SetFaultHookForTesting(std::move(hook));
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Start() {
  score_thread_ = threads_.Start("pipeline-score", [this] { ScoreLoop(); });
  thread_ = threads_.Start("pipeline", [this] { Loop(); });
}

void Pipeline::Stop() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  if (thread_ != 0) {
    threads_.Join(std::exchange(thread_, 0));
  } else if (unwritten_ && !Write(std::move(unwritten_))) {
    Abandon();
  }
  {
    MutexLock lock(mu_);
    score_stopping_ = true;
  }
  score_ready_.notify_all();
  threads_.Join(std::exchange(score_thread_, 0));
}

void Pipeline::Submit(const settings::SourceSettings& source, scheduler::PollResult result) {
  auto work = std::make_unique<Work>();
  work->source = source.name;
  work->poll = std::move(result);
  work->submitted = clock_.Mono();
  MutexLock lock(mu_);
  while (!(queue_.size() < kMaxQueued || stopping_ || thread_ == 0)) lock.Wait(work_done_);
  queue_.push_back(std::move(work));
  work_ready_.notify_one();
}

void Pipeline::ApplySettings(const settings::Settings& settings) {
  auto work = std::make_unique<Work>();
  work->settings = settings;
  MutexLock lock(mu_);
  queue_.push_back(std::move(work));
  work_ready_.notify_one();
}

void Pipeline::Flush() {
  if (thread_ == 0) {
    // Not started: every stage runs here, one batch after the other.
    while (true) {
      if (unwritten_) {
        bool due = false;
        {
          MutexLock lock(mu_);
          due = clock_.Mono() >= *retry_at_;
        }
        if (!due || !Write(std::move(unwritten_))) return;
        continue;
      }
      std::vector<std::unique_ptr<Work>> works;
      {
        MutexLock lock(mu_);
        if (queue_.empty()) break;
        works = TakeBatch();
      }
      if (works.front()->settings) {
        ApplyReload(*works.front()->settings);
        continue;
      }
      ProcessHere(std::move(works));
    }
    RunTimers(/*force=*/true);
    return;
  }
  MutexLock lock(mu_);
  // The clock may have reached a retry's time: let the pipeline thread look.
  work_ready_.notify_all();
  lock.Wait(work_done_, [&] {
    mu_.AssertHeld();
    if (stopping_) return true;
    if (retry_at_) return !busy_ && clock_.Mono() < *retry_at_;
    return queue_.empty() && outstanding_ == 0 && !busy_;
  });
}

std::optional<store::SourceState> Pipeline::SourceState(const std::string& source) const {
  MutexLock lock(mu_);
  auto it = source_states_.find(source);
  if (it == source_states_.end()) return std::nullopt;
  return it->second;
}

PipelineStats Pipeline::Stats() const {
  MutexLock lock(mu_);
  PipelineStats stats = stats_;
  stats.queued_polls = queue_.size();
  stats.batches_to_score = to_score_.size();
  stats.batches_scored = scored_.size();
  return stats;
}

bool Pipeline::CanTake() const {
  if (queue_.empty()) return false;
  return queue_.front()->settings ? outstanding_ == 0 : outstanding_ < kMaxOutstanding;
}

void Pipeline::Loop() {
  while (true) {
    std::vector<std::unique_ptr<Pending>> scored;
    std::vector<std::unique_ptr<Work>> works;
    bool alone = false;  // nothing else waits: no need to hand the batch over
    bool retry = false;
    bool last_try = false;  // stopping: the failed commit's last chance
    {
      MutexLock lock(mu_);
      auto done = [&] {
        mu_.AssertHeld();
        return stopping_ && queue_.empty() && outstanding_ == 0;
      };
      // A failed commit holds everything else back until it is written.
      auto retry_due = [&] {
        mu_.AssertHeld();
        return stopping_ || clock_.Mono() >= *retry_at_;
      };
      Duration wait = std::chrono::seconds(1);
      if (retry_at_) {
        wait = std::clamp(std::chrono::duration_cast<Duration>(*retry_at_ - clock_.Mono()), Duration(1), wait);
      }
      (void)lock.WaitFor(work_ready_, wait, [&] {
        mu_.AssertHeld();
        return retry_at_ ? retry_due() : !scored_.empty() || CanTake() || done();
      });
      if (retry_at_) {
        if (!retry_due()) continue;
        retry = true;
        last_try = stopping_;
        busy_ = true;
      } else if (CanTake()) {
        // Before a commit: the idle score thread scores while this one commits.
        works = TakeBatch();
        alone = queue_.empty() && outstanding_ == 0;
        busy_ = true;
      } else if (!scored_.empty()) {
        // The slower the commits, the fewer of them.
        scored = TakeScored();
        busy_ = true;
      } else if (done()) {
        break;
      }
    }
    // Submit() may be waiting for room in the queue.
    if (!works.empty()) work_done_.notify_all();
    if (retry) {
      if (!Write(std::move(unwritten_)) && last_try) {
        Abandon();
        break;
      }
    } else if (!scored.empty()) {
      Finish(std::move(scored));
    } else if (!works.empty() && works.front()->settings) {
      ApplyReload(*works.front()->settings);
    } else if (!works.empty() && alone) {
      // Handing over costs two thread wake-ups and a transaction of its
      // own; when the score thread is idle and nothing else is queued,
      // scoring here is quicker.
      ProcessHere(std::move(works));
    } else if (!works.empty()) {
      HandOver(std::move(works));
    }
    // A tick's commit would go ahead of the failed one.
    if (!unwritten_) RunTimers(/*force=*/false);
    {
      MutexLock lock(mu_);
      busy_ = false;
    }
    work_done_.notify_all();
  }
  // After Abandon() the rules' state must not be saved either: it counts
  // mentions that were not written.
  if (!unwritten_ && !abandoned_) RunTimers(/*force=*/true);
  {
    MutexLock lock(mu_);
    busy_ = false;
  }
  work_done_.notify_all();
}

std::vector<std::unique_ptr<Pipeline::Pending>> Pipeline::TakeScored() {
  // Whatever has been scored meanwhile shares one transaction, up to
  // batch_max_mentions.
  std::vector<std::unique_ptr<Pending>> scored;
  size_t mentions = 0;
  while (!scored_.empty()) {
    size_t next = scored_.front()->batch.mention_count();
    if (!scored.empty() && mentions + next > batch_max_mentions_) break;
    mentions += next;
    scored.push_back(std::move(scored_.front()));
    scored_.pop_front();
  }
  return scored;
}

void Pipeline::HandOver(std::vector<std::unique_ptr<Work>> works) {
  std::unique_ptr<Pending> pending = Dedupe(std::move(works), /*committed=*/!seen_reader_);
  {
    MutexLock lock(mu_);
    ++outstanding_;
    to_score_.push_back(std::move(pending));
  }
  score_ready_.notify_one();
}

void Pipeline::ProcessHere(std::vector<std::unique_ptr<Work>> works) {
  // The writer's connection looks the ids up: no other commit has made its
  // cache stale.
  std::unique_ptr<Pending> pending = Dedupe(std::move(works), /*committed=*/true);
  Score(*pending);
  std::vector<std::unique_ptr<Pending>> one;
  one.push_back(std::move(pending));
  Finish(std::move(one));
}

void Pipeline::ScoreLoop() {
  while (true) {
    std::unique_ptr<Pending> pending;
    {
      MutexLock lock(mu_);
      while (!(!to_score_.empty() || score_stopping_)) lock.Wait(score_ready_);
      if (to_score_.empty()) break;
      pending = std::move(to_score_.front());
      to_score_.pop_front();
    }
    Score(*pending);
    {
      MutexLock lock(mu_);
      scored_.push_back(std::move(pending));
    }
    work_ready_.notify_all();
  }
}

std::vector<std::unique_ptr<Pipeline::Work>> Pipeline::TakeBatch() {
  std::vector<std::unique_ptr<Work>> works;
  size_t mentions = 0;
  while (!queue_.empty()) {
    Work& next = *queue_.front();
    if (!works.empty() &&
        (next.settings || works.front()->settings || mentions + next.poll.mentions.size() > batch_max_mentions_)) {
      break;
    }
    mentions += next.poll.mentions.size();
    works.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return works;
}

void Pipeline::ApplyReload(const settings::Settings& settings) {
  Status rebuilt = Rebuild(settings);
  if (rebuilt.code() == Status::Code::kUnavailable) {
    // The old rules' state waits for a retry: the new rules start from it
    // once it is written, so the reload is applied again then.
    auto work = std::make_unique<Work>();
    work->settings = settings;
    MutexLock lock(mu_);
    queue_.push_front(std::move(work));
    return;
  }
  if (!rebuilt.ok()) spdlog::error("applying brands failed: {}", rebuilt.message());
  prune_interval_ = settings.store.prune_interval;
  MutexLock lock(mu_);
  batch_max_mentions_ = static_cast<size_t>(std::max<int64_t>(1, settings.store.batch_max_mentions));
}

std::unique_ptr<Pipeline::Pending> Pipeline::Dedupe(std::vector<std::unique_ptr<Work>> works, bool committed) {
  auto pending = std::make_unique<Pending>();
  pending->committed_dropped = committed;
  // "source\0id" -> index of the poll of the batch that brought it first.
  std::unordered_map<std::string, size_t> ids;
  std::string key;
  for (size_t index = 0; index < works.size(); ++index) {
    const std::string& source = works[index]->source;
    std::vector<Mention>& mentions = works[index]->poll.mentions;
    size_t kept = 0;
    for (Mention& m : mentions) {
      if (m.id.empty()) continue;
      key.assign(source).push_back('\0');
      key.append(m.id);
      auto [it, first] = ids.try_emplace(key, index);
      if (!first) {
        // A repeat inside one poll is dropped quietly; one from an earlier poll
        // of the batch counts as seen before, as it would after its commit.
        if (it->second != index) ++pending->duplicates;
        continue;
      }
      bool seen = in_flight_.contains(key);
      if (!seen && committed) {
        auto stored = store_->SeenBefore(source, m.id);
        seen = stored.ok() && *stored;
      }
      if (seen) {
        ++pending->duplicates;
        continue;
      }
      pending->keys.push_back(key);
      if (&mentions[kept] != &m) mentions[kept] = std::move(m);
      ++kept;
    }
    mentions.resize(kept);
  }
  for (const auto& k : pending->keys) in_flight_.insert(k);
  pending->works = std::move(works);
  return pending;
}

void Pipeline::DropCommitted(Pending& pending) {
  if (pending.committed_dropped || !seen_reader_) return;
  if (auto s = seen_reader_->BeginLookups(); !s.ok()) {
    // Each look-up then takes its own snapshot; the store drops what slips through.
    spdlog::warn("seen ids: {}", s.message());
  }
  for (auto& work : pending.works) {
    pending.duplicates += std::erase_if(work->poll.mentions, [&](const Mention& m) {
      auto stored = seen_reader_->SeenBefore(work->source, m.id);
      return stored.ok() && *stored;
    });
  }
  seen_reader_->EndLookups();
}

void Pipeline::Score(Pending& pending) {
  DropCommitted(pending);
  std::vector<ScoredMention> scored;
  std::vector<rules::RuleSet::Prepared> prepared;  // parallel to scored
  std::vector<bool> publishes;                     // parallel to scored
  text::Tokens title_tokens, text_tokens;          // of one mention at a time, buffers reused
  const assess::MentionLanguage language(analyzer_, title_tokens, text_tokens);
  for (auto& work : pending.works) {
    const std::string& source = work->source;
    for (Mention& m : work->poll.mentions) {
      // Read once, for the matcher, and for the sentiment and the rules of
      // every brand the mention matched: the matcher folds the tokens'
      // text, the others split it only when there is a match.
      title_tokens.Reset(m.title);
      text_tokens.Reset(m.text);
      std::vector<match::BrandHit> hits =
          brands_->matcher.Match(assess::MatchInputOf(m, title_tokens, text_tokens, language), brands_->scratch);
      if (!m.reply_to.empty()) assess::AddRepliedBrands(m.reply_to, brands_->settings, hits);
      if (hits.empty()) {
        ++pending.unmatched;
        pending.batch.MarkSeen(source, m.id);
        continue;
      }
      rules::MentionText split = rules::SplitMention(title_tokens, text_tokens);
      // The last brand takes the mention and its words rather than copies;
      // nothing reads them in a later iteration.
      for (size_t h = 0; h < hits.size(); ++h) {
        bool last = h + 1 == hits.size();
        size_t b = hits[h].brand;
        // NOLINTNEXTLINE(bugprone-use-after-move): see above
        ScoredMention sm = assess::ScoreHit(analyzer_, brands_->settings[b], brands_->overrides[b], m, hits[h],
                                            title_tokens, text_tokens);
        if (last) {
          sm.mention = std::move(m);
        } else {
          sm.mention = m;
        }
        if (!sm.mention.lang && !sm.lang.empty()) sm.mention.lang = sm.lang;
        publishes.push_back(brands_->settings[b].publish_mentions);
        // NOLINTNEXTLINE(bugprone-use-after-move): see above
        prepared.push_back(brands_->rules->Prepare(sm, last ? std::move(split) : split));
        scored.push_back(std::move(sm));
      }
    }
  }
  // Batches reach this point one at a time, in the order they are committed,
  // so the rules see the mentions in that order too. Process() closes the
  // buckets that ended first, as a tick would.
  std::vector<Alert> alerts = brands_->rules->Process(scored, prepared);
  for (size_t i = 0; i < scored.size(); ++i) {
    pending.stored_by_brand[scored[i].brand].Observe(kCompoundBounds, scored[i].sentiment.Effective());
    ++pending.stored_by_label[{scored[i].brand, scored[i].mention.channel,
                               std::string(store::StoredLabel(scored[i].sentiment))}];
    if (!scored[i].sentiment.scored) ++pending.unscored_by_lang[scored[i].lang];
    if (publishes[i]) pending.published.push_back(scored[i]);
    pending.batch.AddMention(std::move(scored[i]));
  }
  for (auto& a : alerts) pending.batch.AddAlert(std::move(a));
  // The rules' counts go with a commit at most every kCountsInterval: on a
  // busy pipeline they are most of what a small commit writes, and after a
  // crash the rules count the mentions stored since again.
  MonoTime now = clock_.Mono();
  if (brands_->rules->SaveState(pending.batch, /*counts=*/now >= next_counts_)) next_counts_ = now + kCountsInterval;
}

void Pipeline::Finish(std::vector<std::unique_ptr<Pending>> pendings) {
  Pending& first = *pendings.front();
  for (auto& pending : pendings) {
    for (auto& w : pending->works) pending->batch.PutSourceState(w->poll.state);
    if (pending.get() == &first) continue;
    first.batch.Append(std::move(pending->batch));
    std::move(pending->published.begin(), pending->published.end(), std::back_inserter(first.published));
  }
  auto unwritten = std::make_unique<Unwritten>();
  unwritten->batch = std::move(first.batch);
  unwritten->published = std::move(first.published);
  unwritten->pendings = std::move(pendings);
  Write(std::move(unwritten));
}

Status Pipeline::Rebuild(const settings::Settings& settings) {
  auto next = std::make_unique<Brands>();
  next->settings = settings.brands;
  for (const auto& b : settings.brands) {
    auto overrides = analyzer_.MakeOverrides(b.lexicon);
    if (!overrides.ok()) return overrides.status().WithContext("brand '" + b.name + "' lexicon");
    next->overrides.push_back(std::move(overrides).value());
  }
  auto matcher = match::BrandMatcher::Build(assess::BrandSpecs(settings.brands));
  if (!matcher.ok()) return matcher.status();
  next->matcher = std::move(matcher).value();
  // Keep the baselines: the old engine saves, the new one restores.
  if (brands_ && brands_->rules) {
    store::WriteBatch batch;
    brands_->rules->SaveState(batch);
    if (!WriteAlone(std::move(batch))) return Status::Unavailable("the store is failing");
  }
  next->rules = std::make_unique<rules::RuleSet>(assess::RuleBrands(settings.brands), clock_);
  if (auto s = next->rules->Restore(*store_); !s.ok()) {
    spdlog::warn("rules baselines could not be restored, starting fresh: {}", s.message());
  }
  brands_ = std::move(next);
  return Status::Ok();
}

bool Pipeline::WriteAlone(store::WriteBatch batch) {
  auto unwritten = std::make_unique<Unwritten>();
  unwritten->batch = std::move(batch);
  return Write(std::move(unwritten));
}

bool Pipeline::Write(std::unique_ptr<Unwritten> unwritten) {
  assert(!unwritten_ && "nothing is written before the failed commit");
  MonoTime started = clock_.Mono();
  auto written = store_->Write(unwritten->batch);
  WallTime now = clock_.Now();
  MonoTime mono = clock_.Mono();
  bool was_failing = false;
  {
    MutexLock lock(mu_);
    stats_.commit_seconds.Observe(kStageSecondsBounds, std::chrono::duration<double>(mono - started).count());
    was_failing = retry_at_.has_value();
    if (!written.ok()) {
      retry_backoff_ = was_failing ? std::min(retry_backoff_ * 2, kMaxRetry) : kFirstRetry;
      retry_at_ = mono + retry_backoff_;
      ++stats_.write_errors;
      stats_.store_failing = true;
      stats_.last_store_error = written.status().message();
      stats_.last_store_error_at = now;
      if (!was_failing) stats_.oldest_pending_since = now;
    } else if (was_failing) {
      retry_at_.reset();
      stats_.store_failing = false;
      stats_.oldest_pending_since.reset();
    }
  }
  if (!written.ok()) {
    if (!was_failing) {
      spdlog::error("state write failed, retrying with backoff (polls wait meanwhile): {}", written.status().message());
    } else {
      store_errors_log_->Log(spdlog::level::err, "store", "state write failed again: " + written.status().message());
    }
    unwritten_ = std::move(unwritten);
    if (!was_failing && store_listener_) store_listener_(true);
    return false;
  }
  if (was_failing) {
    spdlog::info("state write succeeded after retrying: {} mentions, {} alerts written", written->mentions_written,
                 written->alerts.size());
    if (store_listener_) store_listener_(false);
  }
  Written(*unwritten, *written);
  return true;
}

void Pipeline::Written(Unwritten& unwritten, const store::WriteResult& written) {
  // No longer on their way: later batches find them committed.
  for (const auto& pending : unwritten.pendings) {
    for (const auto& k : pending->keys) in_flight_.erase(k);
  }
  WallTime now = clock_.Now();
  std::optional<MonoTime> oldest;
  for (const auto& pending : unwritten.pendings) {
    for (const auto& w : pending->works) oldest = std::min(oldest.value_or(w->submitted), w->submitted);
  }
  MonoTime mono = clock_.Mono();
  {
    MutexLock lock(mu_);
    if (oldest)
      stats_.batch_seconds.Observe(kStageSecondsBounds, std::chrono::duration<double>(mono - *oldest).count());
    // Stays 0 when the stages ran on one thread.
    outstanding_ -= std::min(outstanding_, unwritten.pendings.size());
    CountDay(now);
    for (auto& pending : unwritten.pendings) {
      stats_.duplicates_dropped += pending->duplicates;
      stats_.unmatched += pending->unmatched;
      for (auto& w : pending->works) source_states_[w->source] = std::move(w->poll.state);
      for (const auto& [brand, h] : pending->stored_by_brand) {
        stats_.brands[brand].mentions_today += h.count();
        stats_.compound_by_brand[brand].Add(h);
      }
      AddMentionCounts(pending->stored_by_label, stats_.mentions_by_label);
      for (const auto& [lang, n] : pending->unscored_by_lang) {
        bool counted = stats_.unscored_by_lang.size() < kMaxCountedLanguages || stats_.unscored_by_lang.count(lang);
        stats_.unscored_by_lang[counted ? lang : "other"] += n;
      }
    }
    stats_.mentions_stored += written.mentions_written;
    stats_.duplicates_dropped += written.duplicates_dropped;
    for (const auto& a : written.alerts) {
      ++stats_.alerts;
      ++stats_.brands[a.brand].alerts_today;
      ++stats_.alerts_by_rule[{a.brand, a.rule, std::string(SeverityName(a.severity))}];
      stats_.last_seq = std::max(stats_.last_seq, a.seq);
      stats_.last_alert_at = a.ts;
      stats_.last_alert = a.brand + " " + a.rule + ": " + a.summary;
    }
  }
  for (const auto& a : written.alerts) {
    spdlog::info("alert #{} {} {} [{}]: {}", a.seq, a.brand, a.rule, SeverityName(a.severity), a.summary);
  }
  if (sink_ != nullptr) {
    if (!written.alerts.empty()) sink_->OnAlerts(written.alerts);
    if (!unwritten.published.empty()) sink_->OnMentions(unwritten.published);
  }
}

void Pipeline::Abandon() {
  size_t mentions = unwritten_ ? unwritten_->batch.mention_count() : 0;
  size_t alerts = unwritten_ ? unwritten_->batch.alert_count() : 0;
  unwritten_.reset();
  in_flight_.clear();
  abandoned_ = true;
  MutexLock lock(mu_);
  size_t polls = queue_.size();
  for (const auto& p : to_score_) polls += p->works.size();
  for (const auto& p : scored_) polls += p->works.size();
  spdlog::error(
      "stopping while the store fails: {} mentions and {} alerts of the failed write, and {} poll results behind "
      "it, are not written; their sources' positions were not saved either, so the next start reads them again",
      mentions, alerts, polls);
  queue_.clear();
  to_score_.clear();
  scored_.clear();
  outstanding_ = 0;
}

void Pipeline::CountDay(WallTime now) {
  int day = DayOf(now);
  if (day != stats_day_) {
    for (auto& [name, counts] : stats_.brands) counts = {};
    stats_day_ = day;
  }
}

void Pipeline::RunTimers(bool force) {
  MonoTime now = clock_.Mono();
  bool rules_here = false;  // no batch is being scored, whose Process() closes buckets
  {
    MutexLock lock(mu_);
    rules_here = outstanding_ == 0;
  }
  if (rules_here && (force || now >= next_tick_)) {
    next_tick_ = now + kTickInterval;
    std::vector<Alert> alerts = brands_->rules->Tick();
    store::WriteBatch batch;
    for (auto& a : alerts) batch.AddAlert(std::move(a));
    brands_->rules->SaveState(batch);
    if (!WriteAlone(std::move(batch))) return;
  }
  if (force || now >= next_index_) {
    next_index_ = now + kIndexInterval;
    // The mentions of a quiet spell, which no commit's batch indexes; a
    // backlog (a restart) in a few passes, so that the queue does not wait.
    for (int pass = 0; pass < 10; ++pass) {
      auto indexed = store_->IndexForSearch();
      if (!indexed.ok()) store_errors_log_->Log(spdlog::level::warn, "index", indexed.status().message());
      if (!indexed.ok() || *indexed < store::Store::kSearchIndexBatch) break;
    }
  }
  if (now >= next_prune_) {
    next_prune_ = now + prune_interval_;
    auto pruned = store_->Prune(clock_.Now());
    if (!pruned.ok()) {
      spdlog::warn("pruning old state failed: {}", pruned.status().message());
    } else if (pruned->mentions + pruned->alerts + pruned->seen > 0) {
      spdlog::info("pruned {} mentions, {} alerts, {} seen ids past retention", pruned->mentions, pruned->alerts,
                   pruned->seen);
    }
  }
}

}  // namespace brandmon::pipeline
