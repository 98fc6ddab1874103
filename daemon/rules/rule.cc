#include "daemon/rules/rule.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "daemon/rules/alert_text.h"

namespace brandmon::rules {

namespace {

const std::vector<std::string>& DefaultCrisisTerms() {
  static const std::vector<std::string> terms = {"recall", "lawsuit", "outage",      "refund", "scam",
                                                 "fraud",  "boycott", "data breach", "hacked", "class action"};
  return terms;
}

std::string Folded(std::string_view s) {
  std::string out;
  for (const auto& w : Words(s)) out += (out.empty() ? "" : " ") + w;
  return out;
}

// Rows of changes are folded into the whole once they are this large, or this many.
constexpr size_t kMinChangeBytes = 4096;
constexpr size_t kMaxChangeRows = 256;

}  // namespace

Brand::Brand(BrandRules r) : rules(std::move(r)) {
  for (const auto& h : rules.handles) {
    Phrase p = Words(h.starts_with('@') ? h : "@" + h);
    if (!p.empty()) handles.push_back(std::move(p));
  }
  name = Words(rules.name);
  const KeywordOptions& o = rules.options.keyword;
  for (const auto& term : o.terms.empty() ? DefaultCrisisTerms() : o.terms) {
    Phrase p = Words(term);
    if (!p.empty()) keyword_terms.emplace_back(Folded(term), std::move(p));
  }
}

std::vector<Phrase> MatchedPhrases(const ScoredMention& m) {
  // The terms of the brands' queries, which most mentions repeat: each is
  // split once per thread. Bounded, so terms of many configs (replay) or of
  // stored mentions cannot grow it without end.
  constexpr size_t kMaxKnownTerms = 4096;
  thread_local std::unordered_map<std::string, Phrase, WordHash, WordEq> known;
  std::vector<Phrase> phrases;
  phrases.reserve(m.matched_terms.size());
  for (const std::string& term : m.matched_terms) {
    auto it = known.find(term);
    if (it == known.end()) {
      if (known.size() >= kMaxKnownTerms) known.clear();
      it = known.emplace(term, Words(term)).first;
    }
    phrases.push_back(it->second);
  }
  return phrases;
}

std::vector<uint32_t> SentencesWith(const PreparedMention& p, uint32_t id) {
  std::vector<uint32_t> out;
  if (p.sentences.empty()) return out;
  // Hits come by word, so their sentences ascend.
  for (const PhraseHit& hit : p.hits) {
    if (hit.id != id) continue;
    uint32_t s = SentenceOfWord(p.sentences, hit.word);
    if (out.empty() || out.back() != s) out.push_back(s);
  }
  return out;
}

void Rule::Prepare(const ScoredMention&, PreparedMention&) const {}
void Rule::OnMention(const MentionInput&, Cooldowns&, std::vector<Alert>&) {}
std::optional<Verdict> Rule::Judge(const MentionInput&) const { return std::nullopt; }
void Rule::Count(const MentionInput&) {}
void Rule::CloseBuckets(WallTime, std::vector<Alert>&) {}
bool Rule::NeedsWholeSave() const { return false; }
void Rule::SaveCounts(store::RuleStateWriter&) {}
bool Rule::OpenCellsChanged() const { return false; }
void Rule::SaveOpenCells(OpenCells&) const {}
void Rule::Restore(const StateRows&) {}
void Rule::RestoreOpenCell(std::string_view, const OpenCell&) {}
void Rule::Resume(WallTime) {}

bool Cooldowns::Take(const std::string& key, Duration cooldown, WallTime now) {
  int64_t now_ms = ToUnixMillis(now);
  auto it = until_ms_.find(key);
  if (it != until_ms_.end() && now_ms < it->second) return false;
  if (cooldown.count() > 0) {
    until_ms_[key] = now_ms + cooldown.count();
    changed_.push_back(key);
  }
  return true;
}

std::optional<int64_t> Cooldowns::Until(const std::string& key) const {
  auto it = until_ms_.find(key);
  if (it == until_ms_.end()) return std::nullopt;
  return it->second;
}

std::string Cooldowns::Serialize(int64_t now_ms) {
  changed_.clear();
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (auto it = until_ms_.begin(); it != until_ms_.end();) {
    if (it->second <= now_ms) {
      it = until_ms_.erase(it);
      continue;
    }
    w.Key(it->first.data(), static_cast<rapidjson::SizeType>(it->first.size()));
    w.Int64(it->second);
    ++it;
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Cooldowns::SerializeChanges() {
  if (changed_.empty()) return {};
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& key : changed_) {
    auto it = until_ms_.find(key);
    if (it == until_ms_.end()) continue;
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.Int64(it->second);
  }
  w.EndObject();
  changed_.clear();
  return std::string(buf.GetString(), buf.GetSize());
}

void Cooldowns::Merge(std::string_view data) {
  rapidjson::Document doc;
  doc.Parse(data.data(), data.size());
  if (doc.HasParseError() || !doc.IsObject()) return;
  for (const auto& m : doc.GetObject()) {
    if (m.value.IsInt64()) until_ms_[std::string(m.name.GetString(), m.name.GetStringLength())] = m.value.GetInt64();
  }
}

int64_t BucketOf(WallTime t, Duration width) {
  if (width.count() <= 0) return -1;
  int64_t ms = ToUnixMillis(t);
  int64_t b = ms / width.count();
  return (ms < 0 && ms % width.count() != 0) ? b - 1 : b;
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

uint32_t KindSet(const std::vector<std::string>& names) {
  uint32_t kinds = 0;
  for (const std::string& name : names) {
    if (auto kind = ParseChannelKind(name)) kinds |= 1u << static_cast<uint32_t>(*kind);
  }
  return kinds;
}

bool Skips(const MentionInput& in, uint32_t kinds, std::string* why) {
  const Mention& m = in.scored.mention;
  ChannelKind kind = ResolveKind(m);
  if (!HasKind(kinds, kind)) {
    return Because(why, true,
                   [&] { return "it does not read " + std::string(ChannelKindName(kind)) + " mentions (kinds)"; });
  }
  if (in.prepared.own) return Because(why, true, [&] { return "the brand's own account " + m.author + " wrote it"; });
  return false;
}

namespace {

// "salience 0.25: named in 1 of 8 sentences, first in sentence 6".
std::string SalienceText(const PreparedMention& p) {
  const Focus& f = p.focus;
  std::string salience = "salience " + FormatFigure(f.salience);
  if (f.in_title) return salience + ": named in the title";
  if (f.text_sentences <= kShortTextSentences) return salience + ": a short text";
  auto named = static_cast<uint32_t>(f.sentences.size());
  salience += ": named in " + std::to_string(named) + " of " + std::to_string(f.text_sentences) + " sentences";
  // People count the text's sentences from 1; the title, when there is one, is 0.
  if (named > 0)
    salience += ", first in sentence " + std::to_string(f.sentences.front() + (p.sentences[0].title ? 0 : 1));
  return salience;
}

}  // namespace

bool Salient(const PreparedMention& p, double min, std::string* why) {
  bool salient = p.focus.salience >= min;
  return Because(why, salient, [&] {
    return salient ? SalienceText(p)
                   : "named in passing (" + SalienceText(p) + ", below min_salience " + FormatFigure(min) + ")";
  });
}

uint32_t ScoredSentence(const MentionInput& in) {
  const std::vector<Sentence>& sentences = in.prepared.sentences;
  auto n = static_cast<uint32_t>(sentences.size());
  if (const auto& at = in.scored.target_at) {
    uint32_t s = SentenceAt(sentences, *at, in.scored.mention.text.empty());
    if (s < n) return s;
  }
  const std::vector<uint32_t>& named = in.prepared.focus.sentences;
  for (uint32_t s : named) {
    if (!sentences[s].title) return s;
  }
  if (!named.empty()) return named.front();
  return n > 1 && sentences[0].title ? 1 : 0;
}

Quote QuoteOf(const MentionInput& in, uint32_t first, uint32_t last) {
  const std::vector<Sentence>& sentences = in.prepared.sentences;
  if (last >= sentences.size()) return {};
  const Sentence& from = sentences[first];
  uint32_t anchor = from.cp_begin;
  for (const TermSpan& span : in.scored.spans) {
    if (span.title == from.title && span.start >= from.cp_begin && span.start < sentences[last].cp_end) {
      anchor = span.start;
      break;
    }
  }
  return QuoteOf(in.scored.mention, sentences, first, last, anchor);
}

std::string AuthorKey(const Mention& m) {
  return m.author.empty() ? "item:" + m.source + "/" + m.id : "author:" + m.source + "/" + m.author;
}

void AddReachFigures(const Mention& m, Alert& a) {
  for (const char* name : {"followers", "likes", "shares", "replies", "rating"}) {
    if (const double* v = m.Metric(name)) a.figures.emplace_back(name, *v);
  }
}

std::string ChangeRowKey(const std::string& whole_key, uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "/%012llu", static_cast<unsigned long long>(n));
  return whole_key + buf;
}

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

bool ChangeLog::TooMany(size_t more) const {
  return bytes_ + more > std::max(whole_bytes_, kMinChangeBytes) || rows_.size() >= kMaxChangeRows;
}

void ChangeLog::PutWhole(store::RuleStateWriter& writer, const std::string& brand, std::string value) {
  for (auto& r : rows_) writer.DeleteRuleState(brand, std::move(r));
  rows_.clear();
  bytes_ = 0;
  whole_bytes_ = value.size();
  writer.PutRuleState(brand, whole_key_, std::move(value));
}

void ChangeLog::PutChanges(store::RuleStateWriter& writer, const std::string& brand, std::string row) {
  rows_.push_back(ChangeRowKey(whole_key_, next_++));
  bytes_ += row.size();
  writer.PutRuleState(brand, rows_.back(), std::move(row));
}

void ChangeLog::Restored(std::string key, uint64_t n, size_t size) {
  rows_.push_back(std::move(key));
  bytes_ += size;
  next_ = std::max(next_, n + 1);
}

}  // namespace brandmon::rules
