#include "daemon/rules/engine.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "daemon/base/units.h"
#include "daemon/rules/text_cues.h"

namespace brandmon::rules {

namespace {

constexpr size_t kMaxSamples = 3;
constexpr size_t kMaxChannels = 64;
constexpr const char* kAllChannels = "*";

const std::vector<std::string>& DefaultCrisisTerms() {
  static const std::vector<std::string> terms = {"recall", "lawsuit", "outage",      "refund", "scam",
                                                 "fraud",  "boycott", "data breach", "hacked", "class action"};
  return terms;
}

int64_t BucketOf(WallTime t, Duration width) {
  if (width.count() <= 0) return -1;
  int64_t ms = ToUnixMillis(t);
  int64_t b = ms / width.count();
  return (ms < 0 && ms % width.count() != 0) ? b - 1 : b;
}

std::string Fmt(double v, int decimals = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

// The first `max` bytes of `text` on one line, cut at a UTF-8 boundary.
std::string Snippet(std::string_view text, size_t max = 80) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() <= max) return out;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

std::string AuthorKey(const Mention& m) {
  return m.author.empty() ? "item:" + m.source + "/" + m.id : "author:" + m.source + "/" + m.author;
}

std::string Where(const Mention& m) {
  std::string s;
  if (!m.channel.empty()) s += " on " + m.channel;
  if (!m.author.empty()) s += " by " + m.author;
  return s;
}

std::string Folded(std::string_view s) {
  std::string out;
  for (const auto& w : Words(s)) out += (out.empty() ? "" : " ") + w;
  return out;
}

void AddReachFigures(const Mention& m, Alert& a) {
  for (const char* name : {"followers", "likes", "shares", "replies", "rating"}) {
    if (const double* v = m.Metric(name)) a.figures.emplace_back(name, *v);
  }
}

Alert MentionAlert(const std::string& brand, const char* rule, const ScoredMention& m, WallTime now) {
  Alert a;
  a.ts = now;
  a.brand = brand;
  a.rule = rule;
  a.dedupe_key = brand + "|" + rule + "|" + m.mention.source + "|" + m.mention.id;
  a.mentions.push_back(m);
  return a;
}

// Cooldowns as {"key": until_ms}, leaving out those over at `now_ms`.
std::string SerializeCooldowns(std::map<std::string, int64_t>& cooldowns, int64_t now_ms) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (auto it = cooldowns.begin(); it != cooldowns.end();) {
    if (it->second <= now_ms) {
      it = cooldowns.erase(it);
      continue;
    }
    w.Key(it->first.data(), static_cast<rapidjson::SizeType>(it->first.size()));
    w.Int64(it->second);
    ++it;
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

void DeserializeCooldowns(std::string_view data, std::map<std::string, int64_t>& out) {
  rapidjson::Document doc;
  doc.Parse(data.data(), data.size());
  if (doc.HasParseError() || !doc.IsObject()) return;
  for (const auto& m : doc.GetObject()) {
    if (m.value.IsInt64()) out[std::string(m.name.GetString(), m.name.GetStringLength())] = m.value.GetInt64();
  }
}

Severity Raise(Severity s) { return s == Severity::kInfo ? Severity::kWarning : Severity::kCritical; }

}  // namespace

double Reach(const Mention& mention) {
  double reach = 0;
  for (const char* name : {"followers", "likes", "shares", "replies"}) {
    if (const double* v = mention.Metric(name); v && std::isfinite(*v)) reach = std::max(reach, *v);
  }
  return reach;
}

struct Engine::BrandState {
  // Cue phrases of one language (with the brand's own extra cues), split once.
  struct Cues {
    std::vector<Phrase> questions;
    std::vector<Phrase> complaints;
  };

  BrandRules rules;
  std::set<std::string> own_words;  // words of the name, handles and hashtags: never "emerging"
  std::vector<Phrase> handles;      // "@acmecorp"
  Phrase name;
  std::map<std::string, Cues, std::less<>> cues_by_lang;
  Cues all_cues;                                              // for a mention in an unknown language
  std::vector<std::pair<std::string, Phrase>> keyword_terms;  // as reported, as looked for
  std::map<std::string, SpikeSeries> volume;                  // by channel, "*" for all
  std::map<std::string, SpikeSeries> negative;                //
  ShiftTracker shift;
  TermTracker terms;
  std::map<std::string, int64_t> cooldowns;  // key -> until (unix ms)
  // Examples of the open bucket per series ("volume_spike/<channel>"), kept
  // in memory only: after a restart a spike alert may carry fewer of them.
  std::map<std::string, std::pair<int64_t, std::vector<ScoredMention>>> samples;
  // What changed since SaveState, so only that is written.
  bool series_dirty = false;
  bool shift_dirty = false;
  bool terms_baseline_dirty = false;
  bool terms_open_dirty = false;
  bool cooldowns_dirty = false;

  std::string SeriesKey(const char* rule, const SpikeOptions& o, const std::string& channel) const {
    return std::string(rule) + "@" + FormatDuration(o.bucket) + "/" + channel;
  }
  std::string ShiftKey() const { return "sentiment_shift@" + FormatDuration(rules.options.sentiment_shift.bucket); }
  std::string TermsKey() const { return "emerging_terms@" + FormatDuration(rules.options.emerging_terms.bucket); }
};

void Engine::CompileCues(const NeedsReplyOptions& options, BrandState& state) {
  auto add = [](const auto& phrases, std::vector<Phrase>& out) {
    for (const auto& cue : phrases) {
      Phrase p = Words(cue);
      if (!p.empty()) out.push_back(std::move(p));
    }
  };
  for (const LanguageCues& lang : BuiltinCues()) {
    auto& cues = state.cues_by_lang[std::string(lang.lang)];
    add(lang.questions, cues.questions);
    add(lang.complaints, cues.complaints);
    add(options.question_cues, cues.questions);
    add(options.complaint_cues, cues.complaints);
    add(lang.questions, state.all_cues.questions);
    add(lang.complaints, state.all_cues.complaints);
  }
  add(options.question_cues, state.all_cues.questions);
  add(options.complaint_cues, state.all_cues.complaints);
}

Engine::Engine(std::vector<BrandRules> brands, const Clock& clock) : clock_(clock) {
  for (auto& b : brands) {
    auto state = std::make_unique<BrandState>();
    for (const auto& w : Words(b.name)) state->own_words.insert(w);
    for (const auto& list : {b.handles, b.hashtags}) {
      for (const auto& tag : list) {
        for (const auto& w : Words(tag)) {
          state->own_words.insert(w);
          if (w.size() > 1 && (w[0] == '@' || w[0] == '#')) state->own_words.insert(w.substr(1));
        }
      }
    }
    for (const auto& h : b.handles) {
      Phrase p = Words(h.starts_with('@') ? h : "@" + h);
      if (!p.empty()) state->handles.push_back(std::move(p));
    }
    state->name = Words(b.name);
    CompileCues(b.options.needs_reply, *state);
    for (const auto& term : b.options.keyword.terms.empty() ? DefaultCrisisTerms() : b.options.keyword.terms) {
      Phrase p = Words(term);
      if (!p.empty()) state->keyword_terms.emplace_back(Folded(term), std::move(p));
    }
    state->rules = std::move(b);
    std::string name = state->rules.name;
    brands_[name] = std::move(state);
  }
}

Engine::~Engine() = default;

Status Engine::Restore(store::RuleStateReader& reader) {
  auto entries = reader.LoadRuleState();
  if (!entries.ok()) return entries.status().WithContext("rules state");
  // Entries come sorted by key, so a tracker's baselines precede its open bucket.
  for (const auto& e : *entries) {
    auto it = brands_.find(e.brand);
    if (it == brands_.end()) continue;
    BrandState& b = *it->second;
    const RulesOptions& o = b.rules.options;
    auto restore_series = [&](const char* rule, const SpikeOptions& opts, std::map<std::string, SpikeSeries>& map) {
      std::string prefix = b.SeriesKey(rule, opts, "");
      SpikeSeries s;
      if (e.key.starts_with(prefix) && s.Deserialize(e.value)) map[e.key.substr(prefix.size())] = std::move(s);
    };
    restore_series("volume_spike", o.volume_spike, b.volume);
    restore_series("negative_spike", o.negative_spike, b.negative);
    if (e.key == b.ShiftKey()) (void)b.shift.Deserialize(e.value);
    if (e.key == b.TermsKey()) (void)b.terms.DeserializeBaseline(e.value);
    if (e.key == b.TermsKey() + "/open") (void)b.terms.DeserializeOpen(e.value);
    if (e.key == "cooldowns") DeserializeCooldowns(e.value, b.cooldowns);
  }
  WallTime now = clock_.Now();
  for (auto& [name, b] : brands_) {
    const RulesOptions& o = b->rules.options;
    for (auto& [channel, s] : b->volume) s.Resume(BucketOf(now, o.volume_spike.bucket));
    for (auto& [channel, s] : b->negative) s.Resume(BucketOf(now, o.negative_spike.bucket));
    b->shift.Resume(BucketOf(now, o.sentiment_shift.bucket));
    b->terms.Resume(BucketOf(now, o.emerging_terms.bucket));
  }
  return Status::Ok();
}

std::vector<Alert> Engine::Process(const std::vector<ScoredMention>& mentions) {
  WallTime now = clock_.Now();
  std::vector<Alert> out = AdvanceAll(now);
  for (const ScoredMention& m : mentions) {
    auto it = brands_.find(m.brand);
    if (it == brands_.end()) continue;
    RunMentionRules(*it->second, m, now, out);
    CountMention(*it->second, m, now);
  }
  return out;
}

std::vector<Alert> Engine::Tick() { return AdvanceAll(clock_.Now()); }

std::vector<Alert> Engine::AdvanceAll(WallTime now) {
  std::vector<Alert> out;
  for (auto& [name, state] : brands_) AdvanceBrand(*state, now, out);
  return out;
}

bool Engine::TakeCooldown(BrandState& brand, const std::string& key, Duration cooldown, WallTime now) {
  int64_t now_ms = ToUnixMillis(now);
  auto it = brand.cooldowns.find(key);
  if (it != brand.cooldowns.end() && now_ms < it->second) return false;
  if (cooldown.count() > 0) {
    brand.cooldowns[key] = now_ms + cooldown.count();
    brand.cooldowns_dirty = true;
  }
  return true;
}

void Engine::RunMentionRules(BrandState& b, const ScoredMention& sm, WallTime now, std::vector<Alert>& out) {
  const RulesOptions& o = b.rules.options;
  const Mention& m = sm.mention;
  const std::string& brand = b.rules.name;
  double score = sm.sentiment.Effective();
  double reach = Reach(m);
  const double* rating = m.Metric("rating");
  std::vector<std::string> words = Words(m.title.empty() ? m.text : m.title + " . " + m.text);
  std::string author = AuthorKey(m);

  if (o.negative_mention.enabled && score <= o.negative_mention.threshold &&
      TakeCooldown(b, "negative_mention|" + author, o.negative_mention.cooldown, now)) {
    Alert a = MentionAlert(brand, "negative_mention", sm, now);
    a.severity = reach >= o.negative_mention.reach_critical  ? Severity::kCritical
                 : reach >= o.negative_mention.reach_warning ? Severity::kWarning
                                                             : Severity::kInfo;
    if (rating && *rating <= 1) a.severity = Raise(a.severity);
    a.summary = "negative mention of " + brand + Where(m) + " (score " + Fmt(score) + ", reach " + Fmt(reach, 0) +
                "): " + Snippet(m.text);
    a.figures = {{"score", score},
                 {"compound", sm.sentiment.compound},
                 {"threshold", o.negative_mention.threshold},
                 {"reach", reach}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

  if (o.needs_reply.enabled) {
    auto lang = b.cues_by_lang.find(PrimaryLanguage(!sm.lang.empty() ? sm.lang : m.lang.value_or("")));
    const BrandState::Cues& cues = lang != b.cues_by_lang.end() ? lang->second : b.all_cues;
    auto any = [&](const std::vector<Phrase>& phrases) {
      return std::any_of(phrases.begin(), phrases.end(), [&](const Phrase& p) { return ContainsWords(words, p); });
    };
    bool question = any(cues.questions);
    bool complaint = any(cues.complaints);
    bool addressed = any(b.handles);
    bool named = addressed || ContainsWords(words, b.name);
    for (const auto& t : sm.matched_terms) named = named || ContainsPhrase(words, t);
    bool low_rating = rating && *rating <= o.needs_reply.max_rating;
    bool asks = question || (HasQuestionMark(m.text) && named);
    bool complains = low_rating || (complaint && (addressed || score < 0.05)) || (addressed && score <= -0.05);
    if ((asks || complains) && TakeCooldown(b, "needs_reply|" + author, o.needs_reply.cooldown, now)) {
      Alert a = MentionAlert(brand, "needs_reply", sm, now);
      a.severity = complains ? Severity::kWarning : Severity::kInfo;
      std::string what = low_rating ? Fmt(*rating, 1) + "-star review" : complains ? "complaint" : "question";
      a.summary = what + " for " + brand + Where(m) + ": " + Snippet(m.text);
      a.figures = {{"question", asks ? 1.0 : 0.0},
                   {"complaint", complains ? 1.0 : 0.0},
                   {"addressed", addressed ? 1.0 : 0.0},
                   {"score", score},
                   {"reach", reach}};
      AddReachFigures(m, a);
      out.push_back(std::move(a));
    }
  }

  if (o.praise.enabled && score >= o.praise.threshold && reach >= o.praise.min_reach &&
      TakeCooldown(b, "praise|" + author, o.praise.cooldown, now)) {
    Alert a = MentionAlert(brand, "praise", sm, now);
    a.severity = Severity::kInfo;
    a.summary = "praise for " + brand + Where(m) + " (score " + Fmt(score) + ", reach " + Fmt(reach, 0) +
                "): " + Snippet(m.text);
    a.figures = {{"score", score}, {"threshold", o.praise.threshold}, {"reach", reach}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

  if (o.keyword.enabled) {
    std::vector<TermCount> hits;
    for (const auto& [folded, phrase] : b.keyword_terms) {
      if (!ContainsWords(words, phrase)) continue;
      if (std::any_of(hits.begin(), hits.end(), [&f = folded](const TermCount& t) { return t.term == f; })) continue;
      if (!TakeCooldown(b, "keyword|" + folded, o.keyword.cooldown, now)) continue;
      hits.push_back({folded, 1, 0});
    }
    if (!hits.empty()) {
      Alert a = MentionAlert(brand, "keyword", sm, now);
      a.severity = ParseSeverity(o.keyword.severity).value_or(Severity::kWarning);
      std::string list;
      for (const auto& t : hits) list += (list.empty() ? "" : ", ") + t.term;
      a.summary = "crisis term " + list + " with " + brand + Where(m) + ": " + Snippet(m.text);
      a.figures = {{"terms", static_cast<double>(hits.size())}, {"score", score}, {"reach", reach}};
      a.terms = std::move(hits);
      out.push_back(std::move(a));
    }
  }
}

void Engine::CountMention(BrandState& b, const ScoredMention& sm, WallTime now) {
  const RulesOptions& o = b.rules.options;
  const std::string& channel = sm.mention.channel;
  double score = sm.sentiment.Effective();
  // A mention that does not count still opens the channel's series, so its
  // warm-up starts with the channel's traffic, not with the first event.
  auto count = [&](const char* rule, const SpikeOptions& opts, std::map<std::string, SpikeSeries>& map, bool counts) {
    int64_t bucket = BucketOf(now, opts.bucket);
    if (!opts.enabled || bucket < 0) return;
    std::vector<std::string> keys = {kAllChannels};
    if (opts.per_channel && !channel.empty() && (map.contains(channel) || map.size() < kMaxChannels)) {
      keys.push_back(channel);
    }
    for (const auto& key : keys) {
      SpikeSeries& s = map[key];
      s.Add(bucket, counts ? 1 : 0);
      b.series_dirty = true;
      if (!counts) continue;
      auto& [sample_bucket, samples] = b.samples[b.SeriesKey(rule, opts, key)];
      if (sample_bucket != bucket) samples.clear();
      sample_bucket = bucket;
      if (samples.size() < kMaxSamples) samples.push_back(sm);
    }
  };
  count("volume_spike", o.volume_spike, b.volume, true);
  count("negative_spike", o.negative_spike, b.negative, score <= -0.05);
  if (o.sentiment_shift.enabled) {
    if (int64_t bucket = BucketOf(now, o.sentiment_shift.bucket); bucket >= 0) {
      b.shift.Add(bucket, score);
      b.shift_dirty = true;
    }
  }
  if (o.emerging_terms.enabled) {
    if (int64_t bucket = BucketOf(now, o.emerging_terms.bucket); bucket >= 0) {
      std::set<std::string> skip(b.own_words);
      for (const auto& t : sm.matched_terms) {
        for (const auto& w : Words(t)) skip.insert(w);
      }
      for (const auto& w : o.emerging_terms.ignore) {
        for (const auto& x : Words(w)) skip.insert(x);
      }
      std::vector<std::string> terms;
      const Mention& m = sm.mention;
      for (auto& w : Words(m.title.empty() ? m.text : m.title + " . " + m.text)) {
        if (w.size() < 3 || w.size() > 64 || w[0] == '@' || IsStopword(w) || skip.contains(w)) continue;
        if (w.find_first_not_of("0123456789'-#") == std::string::npos) continue;
        terms.push_back(std::move(w));
      }
      b.terms.Add(bucket, terms, o.emerging_terms);
      b.terms_open_dirty = true;
    }
  }
}

void Engine::AdvanceBrand(BrandState& b, WallTime now, std::vector<Alert>& out) {
  const RulesOptions& o = b.rules.options;
  const std::string& brand = b.rules.name;
  auto advance_spikes = [&](const char* rule, const char* dip_rule, const SpikeOptions& opts,
                            std::map<std::string, SpikeSeries>& map) {
    int64_t bucket = BucketOf(now, opts.bucket);
    if (!opts.enabled || bucket < 0) return;
    map[kAllChannels];  // the brand's series exists from the start, so quiet periods count
    for (auto& [channel, series] : map) {
      int64_t before = series.open_bucket();
      std::vector<SpikeSeries::Event> events = series.Advance(bucket, opts);
      if (series.open_bucket() != before) b.series_dirty = true;
      std::string key = b.SeriesKey(rule, opts, channel);
      for (const auto& e : events) {
        bool dip = e.kind == SpikeSeries::EventKind::kDip || (e.kind == SpikeSeries::EventKind::kClear && e.dip_storm);
        std::string name = dip ? dip_rule : rule;
        if (e.kind == SpikeSeries::EventKind::kClear) name += "_clear";
        Alert a;
        a.ts = now;
        a.brand = brand;
        a.rule = name;
        a.channel = channel == kAllChannels ? "" : channel;
        int64_t start_ms = e.storm_start * opts.bucket.count();
        a.dedupe_key = brand + "|" + name + "|" + channel + "|" + std::to_string(start_ms);
        std::string where = a.channel.empty() ? "" : " on " + a.channel;
        std::string what = std::string(rule) == "volume_spike" ? "mentions" : "negative mentions";
        std::string width = FormatDuration(opts.bucket);
        if (e.kind == SpikeSeries::EventKind::kClear) {
          a.severity = Severity::kInfo;
          a.summary = "all clear for " + brand + where + ": " + what + " back to normal after " +
                      std::to_string(e.storm_buckets - opts.clear_after) + " x " + width + " (" +
                      (dip ? "low " : "peak ") + Fmt(e.peak, 0) + ", usual " + Fmt(e.median, 1) + ")";
        } else {
          a.severity = (std::abs(e.z) >= 2 * opts.z) ? Severity::kCritical : Severity::kWarning;
          a.summary = std::string(dip ? "drop in " : "spike in ") + what + " for " + brand + where + ": " +
                      Fmt(e.count, 0) + " in " + width + " vs a usual " + Fmt(e.median, 1) + " (z " + Fmt(e.z, 1) + ")";
          auto s = b.samples.find(key);
          if (s != b.samples.end() && s->second.first == e.bucket) a.mentions = s->second.second;
        }
        a.figures = {{"count", e.count},
                     {"baseline_median", e.median},
                     {"baseline_sigma", e.sigma},
                     {"z", e.z},
                     {"p_value", e.p},
                     {"bucket_start", static_cast<double>(e.bucket * opts.bucket.count() / 1000)},
                     {"bucket_seconds", static_cast<double>(opts.bucket.count() / 1000)}};
        if (e.kind == SpikeSeries::EventKind::kClear) {
          a.figures.emplace_back("storm_start", static_cast<double>(start_ms / 1000));
          a.figures.emplace_back("storm_buckets", static_cast<double>(e.storm_buckets));
          a.figures.emplace_back("storm_total", e.storm_total);
          a.figures.emplace_back("peak", e.peak);
        }
        out.push_back(std::move(a));
      }
    }
  };
  advance_spikes("volume_spike", "volume_dip", o.volume_spike, b.volume);
  advance_spikes("negative_spike", "negative_dip", o.negative_spike, b.negative);

  if (int64_t bucket = BucketOf(now, o.sentiment_shift.bucket); o.sentiment_shift.enabled && bucket >= 0) {
    int64_t before = b.shift.open_bucket();
    std::vector<ShiftTracker::Event> events = b.shift.Advance(bucket, o.sentiment_shift);
    if (b.shift.open_bucket() != before) b.shift_dirty = true;
    for (const auto& e : events) {
      Alert a;
      a.ts = now;
      a.brand = brand;
      a.rule = "sentiment_shift";
      int64_t start_ms = e.bucket * o.sentiment_shift.bucket.count();
      a.dedupe_key = brand + "|sentiment_shift|" + std::to_string(start_ms);
      a.severity = e.drop >= 2 * o.sentiment_shift.drop ? Severity::kCritical : Severity::kWarning;
      a.summary = "sentiment about " + brand + " dropped by " + Fmt(e.drop) + ": " + Fmt(e.recent_avg) +
                  " over the last " + std::to_string(e.recent_count) + " mentions vs " + Fmt(e.baseline_avg) +
                  " before";
      a.figures = {{"recent_avg", e.recent_avg},
                   {"baseline_avg", e.baseline_avg},
                   {"drop", e.drop},
                   {"threshold", o.sentiment_shift.drop},
                   {"recent_count", static_cast<double>(e.recent_count)},
                   {"baseline_count", static_cast<double>(e.baseline_count)},
                   {"bucket_start", static_cast<double>(start_ms / 1000)}};
      out.push_back(std::move(a));
    }
  }

  if (int64_t bucket = BucketOf(now, o.emerging_terms.bucket); o.emerging_terms.enabled && bucket >= 0) {
    int64_t before = b.terms.open_bucket();
    auto closed_buckets = b.terms.Advance(bucket, ToUnixMillis(now), o.emerging_terms);
    if (b.terms.open_bucket() != before) b.terms_baseline_dirty = b.terms_open_dirty = true;
    for (auto& [closed, terms] : closed_buckets) {
      Alert a;
      a.ts = now;
      a.brand = brand;
      a.rule = "emerging_terms";
      int64_t start_ms = closed * o.emerging_terms.bucket.count();
      a.dedupe_key = brand + "|emerging_terms|" + std::to_string(start_ms);
      a.severity = Severity::kInfo;
      std::string list;
      for (const auto& t : terms) {
        list += (list.empty() ? "" : ", ") + t.term + " (" + Fmt(t.count, 0) + ", usually " + Fmt(t.baseline, 1) + ")";
        a.terms.push_back({t.term, t.count, t.baseline});
      }
      a.summary = "emerging with " + brand + " in the last " + FormatDuration(o.emerging_terms.bucket) + ": " + list;
      a.figures = {{"terms", static_cast<double>(terms.size())},
                   {"top_count", terms.front().count},
                   {"bucket_start", static_cast<double>(start_ms / 1000)},
                   {"bucket_seconds", static_cast<double>(o.emerging_terms.bucket.count() / 1000)}};
      out.push_back(std::move(a));
    }
  }
}

void Engine::SaveState(store::RuleStateWriter& writer) {
  int64_t now_ms = ToUnixMillis(clock_.Now());
  for (auto& [name, b] : brands_) {
    const RulesOptions& o = b->rules.options;
    if (b->series_dirty) {
      for (const auto& [channel, s] : b->volume) {
        writer.PutRuleState(name, b->SeriesKey("volume_spike", o.volume_spike, channel), s.Serialize());
      }
      for (const auto& [channel, s] : b->negative) {
        writer.PutRuleState(name, b->SeriesKey("negative_spike", o.negative_spike, channel), s.Serialize());
      }
    }
    if (b->shift_dirty) writer.PutRuleState(name, b->ShiftKey(), b->shift.Serialize());
    if (b->terms_baseline_dirty) writer.PutRuleState(name, b->TermsKey(), b->terms.SerializeBaseline());
    if (b->terms_open_dirty) writer.PutRuleState(name, b->TermsKey() + "/open", b->terms.SerializeOpen());
    if (b->cooldowns_dirty) writer.PutRuleState(name, "cooldowns", SerializeCooldowns(b->cooldowns, now_ms));
    b->series_dirty = b->shift_dirty = b->terms_baseline_dirty = b->terms_open_dirty = b->cooldowns_dirty = false;
  }
}

}  // namespace brandmon::rules
