#include "daemon/engine/pipeline.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <set>

namespace brandmon::engine {

namespace {

// How many poll results may wait before Submit() blocks the engine.
constexpr size_t kMaxQueued = 256;
// How often the trend rules close their buckets.
constexpr Duration kTickInterval = std::chrono::seconds(5);
const std::string kNoLang;

int DayOf(WallTime t) {
  return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(t.time_since_epoch()).count() / 24);
}

}  // namespace

struct Pipeline::Work {
  std::string source;
  PollResult poll;
  std::optional<Settings> settings;  // a reload instead of a poll
};

struct Pipeline::Brands {
  std::vector<BrandSettings> settings;
  match::BrandMatcher matcher;
  match::MatchScratch scratch;
  std::vector<sentiment::LexiconOverrides> overrides;  // parallel to settings
  std::unique_ptr<rules::Engine> rules;
};

Result<std::unique_ptr<Pipeline>> Pipeline::Create(const Settings& settings, const std::string& state_dir,
                                                   const Clock& clock, PipelineSink* sink) {
  auto store = store::Store::Open(settings.store, state_dir, clock);
  if (!store.ok()) return store.status().WithContext("cannot open the state store");
  auto analyzer = sentiment::Analyzer::Create(settings.sentiment);
  if (!analyzer.ok()) return analyzer.status().WithContext("cannot load the sentiment lexicons");
  std::unique_ptr<Pipeline> p(
      new Pipeline(settings, clock, sink, std::move(store).value(), std::move(analyzer).value()));
  if (auto s = p->Rebuild(settings); !s.ok()) return s;
  auto states = p->store_->LoadSourceStates();
  if (!states.ok()) return states.status().WithContext("cannot read source state");
  for (auto& st : *states) p->source_states_[st.source] = st;
  auto seq = p->store_->LastSeq();
  if (seq.ok()) p->stats_.last_seq = *seq;
  return p;
}

Pipeline::Pipeline(const Settings& settings, const Clock& clock, PipelineSink* sink,
                   std::unique_ptr<store::Store> store, sentiment::Analyzer analyzer)
    : clock_(clock),
      sink_(sink),
      store_(std::move(store)),
      analyzer_(std::move(analyzer)),
      prune_interval_(settings.store.prune_interval) {
  next_tick_ = clock_.Mono() + kTickInterval;
  next_prune_ = clock_.Mono();
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "pipeline");
    Loop();
  });
}

void Pipeline::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Pipeline::Submit(const SourceSettings& source, PollResult result) {
  auto work = std::make_unique<Work>();
  work->source = source.name;
  work->poll = std::move(result);
  std::unique_lock<std::mutex> lock(mu_);
  work_done_.wait(lock, [&] { return queue_.size() < kMaxQueued || stopping_ || !thread_.joinable(); });
  queue_.push_back(std::move(work));
  work_ready_.notify_one();
}

void Pipeline::ApplySettings(const Settings& settings) {
  auto work = std::make_unique<Work>();
  work->settings = settings;
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(work));
  work_ready_.notify_one();
}

void Pipeline::Flush() {
  if (!thread_.joinable()) {
    while (true) {
      std::unique_ptr<Work> work;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (queue_.empty()) break;
        work = std::move(queue_.front());
        queue_.pop_front();
      }
      Process(*work);
    }
    RunTimers(/*force=*/true);
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  work_done_.wait(lock, [&] { return (queue_.empty() && !busy_) || stopping_; });
}

std::optional<store::SourceState> Pipeline::SourceState(const std::string& source) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = source_states_.find(source);
  if (it == source_states_.end()) return std::nullopt;
  return it->second;
}

PipelineStats Pipeline::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void Pipeline::Loop() {
  while (true) {
    std::unique_ptr<Work> work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_ready_.wait_for(lock, std::chrono::seconds(1), [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) break;
      if (!queue_.empty()) {
        work = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
      }
    }
    if (work) Process(*work);
    RunTimers(/*force=*/false);
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = false;
    }
    work_done_.notify_all();
  }
  RunTimers(/*force=*/true);
  work_done_.notify_all();
}

void Pipeline::Process(Work& work) {
  if (work.settings) {
    if (auto s = Rebuild(*work.settings); !s.ok()) spdlog::error("applying brands failed: {}", s.message());
    prune_interval_ = work.settings->store.prune_interval;
    return;
  }
  ProcessPoll(work.source, work.poll);
}

Status Pipeline::Rebuild(const Settings& settings) {
  auto next = std::make_unique<Brands>();
  next->settings = settings.brands;
  std::vector<match::BrandSpec> specs;
  std::vector<rules::BrandRules> brand_rules;
  for (const auto& b : settings.brands) {
    std::string query = b.query.empty() ? match::DefaultBrandQuery(b.name, b.handles, b.hashtags) : b.query;
    specs.push_back({b.name, query, {b.diacritic_insensitive}});
    brand_rules.push_back({b.name, b.handles, b.hashtags, b.rules});
    auto overrides = analyzer_.MakeOverrides(b.lexicon);
    if (!overrides.ok()) return overrides.status().WithContext("brand '" + b.name + "' lexicon");
    next->overrides.push_back(std::move(overrides).value());
  }
  auto matcher = match::BrandMatcher::Build(specs);
  if (!matcher.ok()) return matcher.status();
  next->matcher = std::move(matcher).value();
  // Keep the baselines: the old engine saves, the new one restores.
  if (brands_ && brands_->rules) {
    store::WriteBatch batch;
    brands_->rules->SaveState(batch);
    Commit(batch, {});
  }
  next->rules = std::make_unique<rules::Engine>(std::move(brand_rules), clock_);
  if (auto s = next->rules->Restore(*store_); !s.ok()) {
    spdlog::warn("rules baselines could not be restored, starting fresh: {}", s.message());
  }
  brands_ = std::move(next);
  return Status::Ok();
}

void Pipeline::ProcessPoll(const std::string& source, PollResult& result) {
  store::WriteBatch batch;
  std::vector<ScoredMention> scored;
  std::vector<bool> publishes;  // parallel to scored: the brand publishes its mentions
  std::set<std::string> ids_in_poll;
  uint64_t duplicates = 0, unmatched = 0;
  for (Mention& m : result.mentions) {
    if (m.id.empty() || !ids_in_poll.insert(m.id).second) continue;
    auto seen = store_->SeenBefore(source, m.id);
    if (seen.ok() && *seen) {
      ++duplicates;
      continue;
    }
    const std::string& lang = m.lang ? *m.lang : kNoLang;
    match::MatchInput in{m.text, m.title, m.author, m.url, lang, m.channel};
    std::vector<match::BrandHit> hits = brands_->matcher.Match(in, brands_->scratch);
    if (hits.empty()) {
      ++unmatched;
      batch.MarkSeen(source, m.id);
      continue;
    }
    for (const auto& hit : hits) {
      const BrandSettings& brand = brands_->settings[hit.brand];
      // Brand-targeted scoring needs spans in the scored text, so score the
      // body (or the title when there is none) and pass that field's spans.
      bool use_title = m.text.empty();
      std::vector<sentiment::CodePointSpan> targets;
      for (const auto& span : hit.spans) {
        if (span.field == (use_title ? match::Field::kTitle : match::Field::kText)) {
          targets.push_back({span.start, span.end});
        }
      }
      sentiment::ScoreRequest req;
      std::string lang = !brand.lang.empty() ? brand.lang : m.lang.value_or("auto");
      req.lang = lang;
      req.overrides = &brands_->overrides[hit.brand];
      req.targets = targets;
      sentiment::SentimentScore score = analyzer_.Score(use_title ? m.title : m.text, req);
      ScoredMention sm;
      sm.mention = m;
      if (!sm.mention.lang && score.lang != "und") sm.mention.lang = score.lang;
      sm.brand = brand.name;
      sm.sentiment = {score.compound, score.pos, score.neu, score.neg, std::string(score.label()), score.target};
      sm.lang = score.lang == "und" ? "" : score.lang;
      sm.matched_terms = hit.terms;
      publishes.push_back(brand.publish_mentions);
      scored.push_back(std::move(sm));
    }
  }
  std::vector<Alert> alerts = brands_->rules->Process(scored);
  std::vector<ScoredMention> published;
  for (size_t i = 0; i < scored.size(); ++i) {
    batch.AddMention(scored[i]);
    if (publishes[i]) published.push_back(scored[i]);
  }
  for (auto& a : alerts) batch.AddAlert(std::move(a));
  batch.PutSourceState(result.state);
  brands_->rules->SaveState(batch);
  bool committed = Commit(batch, std::move(published));
  std::lock_guard<std::mutex> lock(mu_);
  stats_.duplicates_dropped += duplicates;
  stats_.unmatched += unmatched;
  if (!committed) return;
  source_states_[source] = result.state;
  for (const auto& sm : scored) ++stats_.brands[sm.brand].mentions_today;
}

bool Pipeline::Commit(store::WriteBatch& batch, std::vector<ScoredMention> published_mentions) {
  auto written = store_->Write(batch);
  if (!written.ok()) {
    spdlog::error("state write failed: {}", written.status().message());
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.write_errors;
    return false;
  }
  WallTime now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    CountDay(now);
    stats_.mentions_stored += written->mentions_written;
    stats_.duplicates_dropped += written->duplicates_dropped;
    for (const auto& a : written->alerts) {
      ++stats_.alerts;
      ++stats_.brands[a.brand].alerts_today;
      stats_.last_seq = std::max(stats_.last_seq, a.seq);
      stats_.last_alert_at = a.ts;
      stats_.last_alert = a.brand + " " + a.rule + ": " + a.summary;
    }
  }
  for (const auto& a : written->alerts) {
    spdlog::info("alert #{} {} {} [{}]: {}", a.seq, a.brand, a.rule, SeverityName(a.severity), a.summary);
  }
  if (sink_ != nullptr) {
    if (!written->alerts.empty()) sink_->OnAlerts(written->alerts);
    if (!published_mentions.empty()) sink_->OnMentions(published_mentions);
  }
  return true;
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
  if (force || now >= next_tick_) {
    next_tick_ = now + kTickInterval;
    std::vector<Alert> alerts = brands_->rules->Tick();
    store::WriteBatch batch;
    for (auto& a : alerts) batch.AddAlert(std::move(a));
    brands_->rules->SaveState(batch);
    Commit(batch, {});
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

}  // namespace brandmon::engine
