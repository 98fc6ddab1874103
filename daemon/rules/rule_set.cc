#include "daemon/rules/rule_set.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <unordered_map>
#include <unordered_set>

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
using Cooldowns = std::unordered_map<std::string, int64_t>;

std::string SerializeCooldowns(Cooldowns& cooldowns, int64_t now_ms) {
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

// The cooldowns named by `keys` that are still held, as {"key": until_ms}.
std::string SerializeCooldownChanges(const Cooldowns& cooldowns, const std::vector<std::string>& keys) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& key : keys) {
    auto it = cooldowns.find(key);
    if (it == cooldowns.end()) continue;
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.Int64(it->second);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// Rows of changes are named "<whole key>/<number>", the number zero-padded so
// that they sort in the order they were written.
std::string ChangeRowKey(const std::string& whole_key, uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "/%012llu", static_cast<unsigned long long>(n));
  return whole_key + buf;
}

// The number of a row of changes of `whole_key`, or nullopt when `key` is not one.
std::optional<uint64_t> ChangeRowNumber(std::string_view key, std::string_view whole_key) {
  if (key.size() != whole_key.size() + 13 || !key.starts_with(whole_key) || key[whole_key.size()] != '/') {
    return std::nullopt;
  }
  uint64_t n = 0;
  for (char c : key.substr(whole_key.size() + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

// Rows of changes are folded into the whole once they are this large, or this many.
constexpr size_t kMinChangeBytes = 4096;
constexpr size_t kMaxChangeRows = 256;

constexpr const char* kOpenCellsKey = "open_cells";
// The row of the last mention the saved counts include; of no brand.
constexpr const char* kCountedThroughKey = "counted_through";
// Stored mentions read at a time when they are counted again at Restore().
constexpr size_t kRecountPage = 1000;

void DeserializeCooldowns(std::string_view data, Cooldowns& out) {
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

// A piece of state saved as a whole row plus rows of changes since then.
struct RuleSet::ChangeLog {
  std::vector<std::string> rows;  // rows of changes since the whole was saved, oldest first
  size_t bytes = 0;               // their total size
  size_t whole_bytes = 0;         // size of the whole when last saved
  uint64_t next = 0;              // number of the next row

  // Stages the changes (`changes()`, empty when none) as a new row, or the
  // whole (`whole()`) in place of every row when `reset` or when the rows
  // would outweigh the whole.
  template <typename Whole, typename Changes>
  void Save(store::RuleStateWriter& writer, const std::string& brand, const std::string& key, bool reset, Whole&& whole,
            Changes&& changes) {
    std::string row = reset ? std::string() : changes();
    if (!reset && row.empty()) return;
    if (reset || bytes + row.size() > std::max(whole_bytes, kMinChangeBytes) || rows.size() >= kMaxChangeRows) {
      std::string value = whole();
      for (auto& r : rows) writer.DeleteRuleState(brand, std::move(r));
      rows.clear();
      bytes = 0;
      whole_bytes = value.size();
      writer.PutRuleState(brand, key, std::move(value));
      return;
    }
    rows.push_back(ChangeRowKey(key, next++));
    bytes += row.size();
    writer.PutRuleState(brand, rows.back(), std::move(row));
  }

  // Takes note of a row of changes found at restore.
  void Restored(std::string key, uint64_t n, size_t size) {
    rows.push_back(std::move(key));
    bytes += size;
    next = std::max(next, n + 1);
  }
};

struct RuleSet::BrandState {
  // Ids of the phrases looked for in each mention (PhraseSet).
  static constexpr uint32_t kQuestion = 0;
  static constexpr uint32_t kComplaint = 1;
  static constexpr uint32_t kHandle = 2;
  static constexpr uint32_t kName = 3;
  static constexpr uint32_t kFirstKeyword = 4;

  BrandRules rules;
  // Words of the name, handles, hashtags and emerging_terms.ignore: never "emerging".
  std::unordered_set<std::string> own_words;
  std::vector<Phrase> handles;  // "@acmecorp"
  Phrase name;
  // Every phrase of the mention rules (cues of one language with the brand's
  // own, handles, name, keyword terms), found in one pass over the words.
  std::map<std::string, PhraseSet, std::less<>> phrases_by_lang;
  PhraseSet all_phrases;                                      // for a mention in an unknown language
  std::vector<std::pair<std::string, Phrase>> keyword_terms;  // as reported, as looked for
  std::map<std::string, SpikeSeries> volume;                  // by channel, "*" for all
  std::map<std::string, SpikeSeries> negative;                //
  ShiftTracker shift;
  TermTracker terms;
  Cooldowns cooldowns;  // key -> until (unix ms)
  // Examples of the open bucket per series, by channel, of volume (0) and
  // negative (1) mentions, kept in memory only: after a restart a spike alert
  // may carry fewer of them.
  std::map<std::string, std::pair<int64_t, std::vector<ScoredMention>>> samples[2];
  // What changed since SaveState, so only that is written.
  bool series_dirty = false;  // a bucket closed or a series began: whole series
  bool shift_dirty = false;   // a bucket closed: whole tracker
  bool open_dirty = false;    // counts of open buckets (series and shift)
  bool terms_baseline_dirty = false;
  bool terms_reset = false;  // the open bucket of the terms changed
  std::vector<std::string> cooldowns_changed;
  ChangeLog terms_log;
  ChangeLog cooldowns_log;

  std::string SeriesKey(const char* rule, const SpikeOptions& o, const std::string& channel) const {
    return std::string(rule) + "@" + FormatDuration(o.bucket) + "/" + channel;
  }
  std::string ShiftKey() const { return "sentiment_shift@" + FormatDuration(rules.options.sentiment_shift.bucket); }
  std::string TermsKey() const { return "emerging_terms@" + FormatDuration(rules.options.emerging_terms.bucket); }
};

void RuleSet::CompileCues(const NeedsReplyOptions& options, BrandState& state) {
  auto add = [](const auto& phrases, uint32_t id, PhraseSet& out) {
    for (const auto& cue : phrases) out.Add(Words(cue), id);
  };
  auto add_brand = [&](PhraseSet& out) {
    add(options.question_cues, BrandState::kQuestion, out);
    add(options.complaint_cues, BrandState::kComplaint, out);
    for (const Phrase& h : state.handles) out.Add(h, BrandState::kHandle);
    out.Add(state.name, BrandState::kName);
    for (size_t k = 0; k < state.keyword_terms.size(); ++k) {
      out.Add(state.keyword_terms[k].second, BrandState::kFirstKeyword + static_cast<uint32_t>(k));
    }
  };
  for (const LanguageCues& lang : BuiltinCues()) {
    PhraseSet& set = state.phrases_by_lang[std::string(lang.lang)];
    add(lang.questions, BrandState::kQuestion, set);
    add(lang.complaints, BrandState::kComplaint, set);
    add_brand(set);
    add(lang.questions, BrandState::kQuestion, state.all_phrases);
    add(lang.complaints, BrandState::kComplaint, state.all_phrases);
  }
  add_brand(state.all_phrases);
}

RuleSet::RuleSet(std::vector<BrandRules> brands, const Clock& clock) : clock_(clock) {
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
    for (const auto& w : b.options.emerging_terms.ignore) {
      for (const auto& x : Words(w)) state->own_words.insert(x);
    }
    for (const auto& h : b.handles) {
      Phrase p = Words(h.starts_with('@') ? h : "@" + h);
      if (!p.empty()) state->handles.push_back(std::move(p));
    }
    state->name = Words(b.name);
    for (const auto& term : b.options.keyword.terms.empty() ? DefaultCrisisTerms() : b.options.keyword.terms) {
      Phrase p = Words(term);
      if (!p.empty()) state->keyword_terms.emplace_back(Folded(term), std::move(p));
    }
    CompileCues(b.options.needs_reply, *state);
    state->rules = std::move(b);
    std::string name = state->rules.name;
    brands_[name] = std::move(state);
  }
}

RuleSet::~RuleSet() = default;

Status RuleSet::Restore(store::RuleStateReader& reader) {
  auto entries = reader.LoadRuleState();
  if (!entries.ok()) return entries.status().WithContext("rules state");
  // Rows of changes and open cells apply on top of the whole rows, whatever
  // order the reader gives: gather them first.
  struct Later {
    BrandState* brand;
    const store::RuleStateEntry* entry;
    uint64_t n;
  };
  std::vector<Later> term_changes, cooldown_changes, open_cells;
  std::optional<int64_t> counted_through;
  for (const auto& e : *entries) {
    if (e.brand.empty() && e.key == kCountedThroughKey) {
      int64_t row = 0;
      auto [end, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), row);
      if (ec == std::errc() && end == e.value.data() + e.value.size()) counted_through = row;
    }
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
    std::string open_key = b.TermsKey() + "/open";
    if (e.key == b.ShiftKey()) (void)b.shift.Deserialize(e.value);
    if (e.key == b.TermsKey()) (void)b.terms.DeserializeBaseline(e.value);
    if (e.key == kOpenCellsKey) open_cells.push_back({&b, &e, 0});
    if (e.key == open_key) b.terms_log.whole_bytes = e.value.size();
    if (e.key == "cooldowns") {
      DeserializeCooldowns(e.value, b.cooldowns);
      b.cooldowns_log.whole_bytes = e.value.size();
    }
    if (auto n = ChangeRowNumber(e.key, open_key)) term_changes.push_back({&b, &e, *n});
    if (auto n = ChangeRowNumber(e.key, "cooldowns")) cooldown_changes.push_back({&b, &e, *n});
  }
  // The whole open counts need the baselines, which may come after them.
  for (const auto& e : *entries) {
    auto it = brands_.find(e.brand);
    if (it != brands_.end() && e.key == it->second->TermsKey() + "/open")
      (void)it->second->terms.DeserializeOpen(e.value);
  }
  auto by_number = [](const Later& a, const Later& b) { return a.n < b.n; };
  std::stable_sort(term_changes.begin(), term_changes.end(), by_number);
  std::stable_sort(cooldown_changes.begin(), cooldown_changes.end(), by_number);
  for (const Later& c : term_changes) {
    // Rows of another bucket are stale: they go with the next whole save.
    (void)c.brand->terms.MergeOpen(c.entry->value);
    c.brand->terms_log.Restored(c.entry->key, c.n, c.entry->value.size());
  }
  for (const Later& c : cooldown_changes) {
    DeserializeCooldowns(c.entry->value, c.brand->cooldowns);
    c.brand->cooldowns_log.Restored(c.entry->key, c.n, c.entry->value.size());
  }
  for (const Later& c : open_cells) RestoreOpenCells(*c.brand, c.entry->value);
  // The mentions committed after the saved counts, counted again as they
  // were: no bucket closed meanwhile, since a close saves the counts.
  if (counted_through) {
    counts_saved_ = true;
    for (int64_t after = *counted_through;;) {
      auto stored = reader.ReadMentions(after, kRecountPage);
      if (!stored.ok()) return stored.status().WithContext("rules state: mentions to count again");
      if (stored->empty()) break;
      for (const store::StoredMention& sm : *stored) {
        after = sm.row;
        auto it = brands_.find(sm.scored.brand);
        if (it == brands_.end()) continue;
        CountMention(*it->second, sm.scored, Prepare(sm.scored), sm.stored_at);
        counted_ = true;
      }
    }
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

// The open cells of a brand's series and sentiment tracker, which change with
// every mention, as one small row: {"<series key>": [bucket, count], ...,
// "<shift key>": [bucket, count, sum]}. The whole series are saved only when
// a bucket closes; this row, written with them and after them, overrides
// their open cells.
void RuleSet::SaveOpenCells(BrandState& b, store::RuleStateWriter& writer) {
  const RulesOptions& o = b.rules.options;
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  auto series = [&](const char* rule, const SpikeOptions& opts, const std::map<std::string, SpikeSeries>& map) {
    for (const auto& [channel, s] : map) {
      std::string key = b.SeriesKey(rule, opts, channel);
      w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
      w.StartArray();
      w.Int64(s.open_bucket());
      w.Double(s.open_count());
      w.EndArray();
    }
  };
  series("volume_spike", o.volume_spike, b.volume);
  series("negative_spike", o.negative_spike, b.negative);
  std::string shift_key = b.ShiftKey();
  w.Key(shift_key.data(), static_cast<rapidjson::SizeType>(shift_key.size()));
  w.StartArray();
  w.Int64(b.shift.open_bucket());
  w.Int64(b.shift.open_count());
  w.Double(b.shift.open_sum());
  w.EndArray();
  w.EndObject();
  writer.PutRuleState(b.rules.name, kOpenCellsKey, std::string(buf.GetString(), buf.GetSize()));
}

void RuleSet::RestoreOpenCells(BrandState& b, std::string_view data) {
  rapidjson::Document doc;
  doc.Parse(data.data(), data.size());
  if (doc.HasParseError() || !doc.IsObject()) return;
  const RulesOptions& o = b.rules.options;
  std::string volume_prefix = b.SeriesKey("volume_spike", o.volume_spike, "");
  std::string negative_prefix = b.SeriesKey("negative_spike", o.negative_spike, "");
  std::string shift_key = b.ShiftKey();
  for (const auto& m : doc.GetObject()) {
    std::string_view key(m.name.GetString(), m.name.GetStringLength());
    const rapidjson::Value& v = m.value;
    if (!v.IsArray() || v.Size() < 2 || !v[0].IsInt64() || !v[1].IsNumber()) continue;
    for (auto [prefix, map] : {std::pair{&volume_prefix, &b.volume}, std::pair{&negative_prefix, &b.negative}}) {
      if (v.Size() == 2 && key.starts_with(*prefix)) {
        (*map)[std::string(key.substr(prefix->size()))].RestoreOpen(v[0].GetInt64(), v[1].GetDouble());
      }
    }
    if (key == shift_key && v.Size() == 3 && v[1].IsInt64() && v[2].IsNumber()) {
      b.shift.RestoreOpen(v[0].GetInt64(), v[1].GetInt64(), v[2].GetDouble());
    }
  }
}

RuleSet::Prepared RuleSet::Prepare(const ScoredMention& sm) const {
  Prepared p;
  auto it = brands_.find(sm.brand);
  if (it == brands_.end()) return p;
  const BrandState& b = *it->second;
  const Mention& m = sm.mention;
  p.words = Words(m.title.empty() ? m.text : m.title + " . " + m.text);
  auto lang = b.phrases_by_lang.find(PrimaryLanguage(!sm.lang.empty() ? sm.lang : m.lang.value_or("")));
  const PhraseSet& phrases = lang != b.phrases_by_lang.end() ? lang->second : b.all_phrases;
  p.found.assign(std::max<size_t>(phrases.id_count(), BrandState::kFirstKeyword + b.keyword_terms.size()), 0);
  phrases.Find(p.words, p.found);
  if (b.rules.options.emerging_terms.enabled) {
    std::vector<std::string> matched;
    for (const auto& t : sm.matched_terms) {
      for (auto& w : Words(t)) matched.push_back(std::move(w));
    }
    for (size_t i = 0; i < p.words.size(); ++i) {
      const std::string& w = p.words[i];
      if (w.size() < 3 || w.size() > 64 || w[0] == '@' || IsStopword(w) || b.own_words.contains(w)) continue;
      if (std::find(matched.begin(), matched.end(), w) != matched.end()) continue;
      if (w.find_first_not_of("0123456789'-#") == std::string::npos) continue;
      p.terms.push_back(static_cast<uint32_t>(i));
    }
  }
  return p;
}

std::vector<Alert> RuleSet::Process(const std::vector<ScoredMention>& mentions) {
  std::vector<Prepared> prepared;
  prepared.reserve(mentions.size());
  for (const ScoredMention& m : mentions) prepared.push_back(Prepare(m));
  return Process(mentions, prepared);
}

std::vector<Alert> RuleSet::Process(const std::vector<ScoredMention>& mentions, const std::vector<Prepared>& prepared) {
  assert(prepared.size() == mentions.size());
  WallTime now = clock_.Now();
  std::vector<Alert> out = AdvanceAll(now);
  for (size_t i = 0; i < mentions.size(); ++i) {
    auto it = brands_.find(mentions[i].brand);
    if (it == brands_.end()) continue;
    RunMentionRules(*it->second, mentions[i], prepared[i], now, out);
    CountMention(*it->second, mentions[i], prepared[i], now);
    counted_ = true;
  }
  return out;
}

std::vector<Alert> RuleSet::Tick() { return AdvanceAll(clock_.Now()); }

std::vector<Alert> RuleSet::AdvanceAll(WallTime now) {
  std::vector<Alert> out;
  for (auto& [name, state] : brands_) AdvanceBrand(*state, now, out);
  return out;
}

bool RuleSet::TakeCooldown(BrandState& brand, const std::string& key, Duration cooldown, WallTime now) {
  int64_t now_ms = ToUnixMillis(now);
  auto it = brand.cooldowns.find(key);
  if (it != brand.cooldowns.end() && now_ms < it->second) return false;
  if (cooldown.count() > 0) {
    brand.cooldowns[key] = now_ms + cooldown.count();
    brand.cooldowns_changed.push_back(key);
  }
  return true;
}

void RuleSet::RunMentionRules(BrandState& b, const ScoredMention& sm, const Prepared& prepared, WallTime now,
                             std::vector<Alert>& out) {
  const RulesOptions& o = b.rules.options;
  const Mention& m = sm.mention;
  const std::string& brand = b.rules.name;
  double score = sm.sentiment.Effective();
  double reach = Reach(m);
  const double* rating = m.Metric("rating");
  std::string author = AuthorKey(m);
  const std::vector<std::string>& words = prepared.words;
  const std::vector<uint8_t>& found = prepared.found;

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
    bool question = found[BrandState::kQuestion];
    bool complaint = found[BrandState::kComplaint];
    bool addressed = found[BrandState::kHandle];
    auto named = [&] {
      if (addressed || found[BrandState::kName]) return true;
      return std::any_of(sm.matched_terms.begin(), sm.matched_terms.end(),
                         [&](const std::string& t) { return ContainsPhrase(words, t); });
    };
    bool low_rating = rating && *rating <= o.needs_reply.max_rating;
    bool asks = question || (HasQuestionMark(m.text) && named());
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
    for (size_t k = 0; k < b.keyword_terms.size(); ++k) {
      const std::string& folded = b.keyword_terms[k].first;
      if (!found[BrandState::kFirstKeyword + k]) continue;
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

void RuleSet::CountMention(BrandState& b, const ScoredMention& sm, const Prepared& prepared, WallTime now) {
  const RulesOptions& o = b.rules.options;
  const std::string& channel = sm.mention.channel;
  double score = sm.sentiment.Effective();
  // A mention that does not count still opens the channel's series, so its
  // warm-up starts with the channel's traffic, not with the first event.
  auto count = [&](int which, const SpikeOptions& opts, std::map<std::string, SpikeSeries>& map, bool counts) {
    int64_t bucket = BucketOf(now, opts.bucket);
    if (!opts.enabled || bucket < 0) return;
    static const std::string kAll = kAllChannels;
    const std::string* keys[2] = {&kAll, nullptr};
    if (opts.per_channel && !channel.empty() && (map.contains(channel) || map.size() < kMaxChannels)) {
      keys[1] = &channel;
    }
    for (const std::string* key : keys) {
      if (key == nullptr) continue;
      auto [it, created] = map.try_emplace(*key);
      it->second.Add(bucket, counts ? 1 : 0);
      b.open_dirty = true;
      b.series_dirty = b.series_dirty || created;
      if (!counts) continue;
      auto& [sample_bucket, samples] = b.samples[which][*key];
      if (sample_bucket != bucket) samples.clear();
      sample_bucket = bucket;
      if (samples.size() < kMaxSamples) samples.push_back(sm);
    }
  };
  count(0, o.volume_spike, b.volume, true);
  count(1, o.negative_spike, b.negative, score <= -0.05);
  if (o.sentiment_shift.enabled) {
    if (int64_t bucket = BucketOf(now, o.sentiment_shift.bucket); bucket >= 0) {
      b.shift.Add(bucket, score);
      b.open_dirty = true;
    }
  }
  if (o.emerging_terms.enabled) {
    if (int64_t bucket = BucketOf(now, o.emerging_terms.bucket); bucket >= 0) {
      std::vector<std::string_view> terms;
      terms.reserve(prepared.terms.size());
      for (uint32_t i : prepared.terms) terms.push_back(prepared.words[i]);
      b.terms.Add(bucket, terms, o.emerging_terms);
    }
  }
}

void RuleSet::AdvanceBrand(BrandState& b, WallTime now, std::vector<Alert>& out) {
  const RulesOptions& o = b.rules.options;
  const std::string& brand = b.rules.name;
  auto advance_spikes = [&](int which, const char* rule, const char* dip_rule, const SpikeOptions& opts,
                            std::map<std::string, SpikeSeries>& map) {
    int64_t bucket = BucketOf(now, opts.bucket);
    if (!opts.enabled || bucket < 0) return;
    // The brand's series exists from the start, so quiet periods count.
    if (map.try_emplace(kAllChannels).second) b.series_dirty = true;
    for (auto& [channel, series] : map) {
      int64_t before = series.open_bucket();
      std::vector<SpikeSeries::Event> events = series.Advance(bucket, opts);
      if (series.open_bucket() != before) b.series_dirty = true;
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
          auto s = b.samples[which].find(channel);
          if (s != b.samples[which].end() && s->second.first == e.bucket) a.mentions = s->second.second;
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
  advance_spikes(0, "volume_spike", "volume_dip", o.volume_spike, b.volume);
  advance_spikes(1, "negative_spike", "negative_dip", o.negative_spike, b.negative);

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
    if (b.terms.open_bucket() != before) b.terms_baseline_dirty = b.terms_reset = true;
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

bool RuleSet::SaveState(store::RuleStateWriter& writer, bool counts) {
  int64_t now_ms = ToUnixMillis(clock_.Now());
  // A closed bucket or a new series is saved whole, which takes the counts
  // of that moment with it: the mark must follow.
  counts = counts || !counts_saved_;
  bool changed = !counts_saved_ || counted_;
  for (const auto& [name, b] : brands_) {
    bool whole = b->series_dirty || b->shift_dirty || b->terms_baseline_dirty || b->terms_reset;
    counts = counts || whole;
    changed = changed || whole;
  }
  for (auto& [name, b] : brands_) {
    if (counts) {
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
      if (b->series_dirty || b->shift_dirty || b->open_dirty) SaveOpenCells(*b, writer);
      if (b->terms_baseline_dirty) writer.PutRuleState(name, b->TermsKey(), b->terms.SerializeBaseline());
      TermTracker& terms = b->terms;
      b->terms_log.Save(
          writer, name, b->TermsKey() + "/open", b->terms_reset, [&] { return terms.SerializeOpen(); },
          [&] { return terms.SerializeOpenChanges(); });
      b->series_dirty = b->shift_dirty = b->open_dirty = b->terms_baseline_dirty = b->terms_reset = false;
    }
    auto& cooldowns = b->cooldowns;
    auto& changed = b->cooldowns_changed;
    b->cooldowns_log.Save(
        writer, name, "cooldowns", false, [&] { return SerializeCooldowns(cooldowns, now_ms); },
        [&] { return changed.empty() ? std::string() : SerializeCooldownChanges(cooldowns, changed); });
    changed.clear();
  }
  // No mark when nothing was counted since the last: an idle engine stages
  // nothing, and its save commits nothing.
  if (counts && changed) {
    writer.PutMentionMark("", kCountedThroughKey);
    counts_saved_ = true;
    counted_ = false;
  }
  return counts;
}

}  // namespace brandmon::rules
