#include "daemon/rules/rule_set.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <optional>

#include "daemon/rules/rule_kinds.h"
#include "daemon/rules/text_cues.h"
#include "daemon/text/tokens.h"

namespace brandmon::rules {

namespace {

constexpr const char* kOpenCellsKey = "open_cells";
constexpr const char* kCooldownsKey = "cooldowns";
// The row of the last mention the saved counts include; of no brand.
constexpr const char* kCountedThroughKey = "counted_through";
// Stored mentions read at a time when they are counted again at Restore().
constexpr size_t kRecountPage = 1000;

// The open cells of a brand's trend rules, which change with every mention,
// as one small row: {"<series key>": [bucket, count], ..., "<shift key>":
// [bucket, count, sum]}. The rules save their whole series only when a
// bucket closes; this row, written with them, overrides their open cells.
std::string WriteOpenCells(const OpenCells& cells) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& [key, cell] : cells) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.StartArray();
    w.Int64(cell.bucket);
    if (cell.integer_count) {
      w.Int64(static_cast<int64_t>(cell.count));
    } else {
      w.Double(cell.count);
    }
    if (cell.sum) w.Double(*cell.sum);
    w.EndArray();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// The cells of a WriteOpenCells() row; malformed cells are left out.
OpenCells ReadOpenCells(std::string_view data) {
  OpenCells cells;
  rapidjson::Document doc;
  doc.Parse(data.data(), data.size());
  if (doc.HasParseError() || !doc.IsObject()) return cells;
  for (const auto& m : doc.GetObject()) {
    const rapidjson::Value& v = m.value;
    if (!v.IsArray() || v.Size() < 2 || v.Size() > 3 || !v[0].IsInt64() || !v[1].IsNumber()) continue;
    if (v.Size() == 3 && !v[2].IsNumber()) continue;
    OpenCell cell;
    cell.bucket = v[0].GetInt64();
    cell.count = v[1].GetDouble();
    cell.integer_count = v[1].IsInt64();
    if (v.Size() == 3) cell.sum = v[2].GetDouble();
    cells.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()), cell);
  }
  return cells;
}

}  // namespace

struct RuleSet::BrandState {
  explicit BrandState(BrandRules r) : brand(std::move(r)), rules(MakeRules(brand)) {}
  Brand brand;  // before `rules`, which keep a reference to it
  std::vector<std::unique_ptr<Rule>> rules;
  // Every phrase of the mention rules (cues of one language with the brand's
  // own, handles, name, keyword terms), found in one pass over the words.
  std::map<std::string, PhraseSet, std::less<>> phrases_by_lang;
  PhraseSet all_phrases;  // for a mention in an unknown language
  Cooldowns cooldowns;
  ChangeLog cooldowns_log{kCooldownsKey};
};

namespace {

// A phrase of the built-in cues, split once, with its PhraseId.
using Cue = std::pair<Phrase, uint32_t>;

std::vector<Cue> SplitCues(const LanguageCues& lang) {
  std::vector<Cue> out;
  for (auto [list, id] : {std::pair{&lang.questions, kQuestionPhrase},
                          {&lang.complaints, kComplaintPhrase},
                          {&lang.first_person, kFirstPersonPhrase}}) {
    for (std::string_view cue : *list) out.emplace_back(Words(cue), id);
  }
  return out;
}

// The built-in cues of each language (with those of its `also`), split once
// for every brand of every rule set, and those of every language.
const std::map<std::string, std::vector<Cue>, std::less<>>& CuesByLanguage() {
  static const std::map<std::string, std::vector<Cue>, std::less<>> cues = [] {
    std::map<std::string, std::vector<Cue>, std::less<>> out;
    for (const LanguageCues& lang : BuiltinCues()) {
      std::vector<Cue>& mine = out[std::string(lang.lang)];
      for (const LanguageCues* applies : CuesFor(lang.lang)) {
        std::vector<Cue> split = SplitCues(*applies);
        mine.insert(mine.end(), split.begin(), split.end());
      }
      std::vector<Cue> own = SplitCues(lang);
      out[""].insert(out[""].end(), own.begin(), own.end());
    }
    return out;
  }();
  return cues;
}

}  // namespace

void RuleSet::CompileCues(BrandState& state) {
  const Brand& b = state.brand;
  const NeedsReplyOptions& options = b.rules.options.needs_reply;
  auto add_brand = [&](PhraseSet& out) {
    for (const auto& cue : options.question_cues) out.Add(Words(cue), kQuestionPhrase);
    for (const auto& cue : options.complaint_cues) out.Add(Words(cue), kComplaintPhrase);
    for (const Phrase& h : b.handles) out.Add(h, kHandlePhrase);
    out.Add(b.name, kNamePhrase);
    for (size_t k = 0; k < b.keyword_terms.size(); ++k) {
      out.Add(b.keyword_terms[k].second, kFirstKeywordPhrase + static_cast<uint32_t>(k));
    }
  };
  for (const auto& [lang, cues] : CuesByLanguage()) {
    PhraseSet& set = lang.empty() ? state.all_phrases : state.phrases_by_lang[lang];
    for (const auto& [phrase, id] : cues) set.Add(phrase, id);
    add_brand(set);
  }
}

RuleSet::RuleSet(std::vector<BrandRules> brands, const Clock& clock) : clock_(clock) {
  for (auto& b : brands) {
    std::string name = b.name;
    auto state = std::make_unique<BrandState>(std::move(b));
    CompileCues(*state);
    brands_[name] = std::move(state);
  }
}

RuleSet::~RuleSet() = default;

Status RuleSet::Restore(store::RuleStateReader& reader) {
  auto entries = reader.LoadRuleState();
  if (!entries.ok()) return entries.status().WithContext("rules state");
  std::map<std::string, StateRows, std::less<>> rows_by_brand;
  std::optional<int64_t> counted_through;
  for (auto& e : *entries) {
    if (e.brand.empty() && e.key == kCountedThroughKey) {
      int64_t row = 0;
      auto [end, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), row);
      if (ec == std::errc() && end == e.value.data() + e.value.size()) counted_through = row;
    }
    if (brands_.contains(e.brand)) rows_by_brand[e.brand][std::move(e.key)] = std::move(e.value);
  }
  for (const auto& [name, rows] : rows_by_brand) RestoreBrand(*brands_.find(name)->second, rows);
  // The mentions committed after the saved counts, counted again as they
  // were: no bucket closed meanwhile, since a close saves the counts.
  if (counted_through) {
    counts_saved_ = true;
    if (auto s = Recount(reader, *counted_through); !s.ok()) return s;
  }
  WallTime now = clock_.Now();
  for (auto& [name, b] : brands_) {
    for (auto& rule : b->rules) rule->Resume(now);
  }
  return Status::Ok();
}

void RuleSet::RestoreBrand(BrandState& b, const StateRows& rows) {
  auto merge = [&](std::string_view data) { b.cooldowns.Merge(data); };
  b.cooldowns_log.Restore(rows, merge, merge);
  for (auto& rule : b.rules) rule->Restore(rows);
  // The open cells are newer than the whole series they belong to.
  if (auto it = rows.find(kOpenCellsKey); it != rows.end()) {
    for (const auto& [key, cell] : ReadOpenCells(it->second)) {
      for (auto& rule : b.rules) rule->RestoreOpenCell(key, cell);
    }
  }
}

Status RuleSet::Recount(store::RuleStateReader& reader, int64_t after) {
  for (;;) {
    auto stored = reader.ReadMentions(after, kRecountPage);
    if (!stored.ok()) return stored.status().WithContext("rules state: mentions to count again");
    if (stored->empty()) return Status::Ok();
    for (const store::StoredMention& sm : *stored) {
      after = sm.row;
      auto it = brands_.find(sm.scored.brand);
      if (it == brands_.end()) continue;
      Prepared prepared = Prepare(sm.scored);
      MentionInput in{sm.scored, prepared, sm.stored_at, sm.scored.sentiment.Effective(), Reach(sm.scored.mention)};
      for (auto& rule : it->second->rules) rule->Count(in);
      counted_ = true;
    }
  }
}

RuleSet::Prepared RuleSet::Prepare(const ScoredMention& sm) const {
  if (!brands_.contains(sm.brand)) return {};
  return Prepare(sm, SplitMention(sm.mention));
}

RuleSet::Prepared RuleSet::Prepare(const ScoredMention& sm, MentionText text) const {
  Prepared p;
  auto it = brands_.find(sm.brand);
  if (it == brands_.end()) return p;
  const BrandState& b = *it->second;
  const Mention& m = sm.mention;
  p.words = std::move(text.words);
  p.sentences = std::move(text.sentences);
  p.matched = MatchedPhrases(sm);
  auto lang = b.phrases_by_lang.find(PrimaryLanguage(!sm.lang.empty() ? sm.lang : m.lang.value_or("")));
  const PhraseSet& phrases = lang != b.phrases_by_lang.end() ? lang->second : b.all_phrases;
  p.found.assign(std::max<size_t>(phrases.id_count(), kFirstKeywordPhrase + b.brand.keyword_terms.size()), 0);
  phrases.Find(p.words, p.found, &p.hits);
  p.focus = FocusOf(p.sentences, sm.spans, NamedAt(p, sm.spans.empty()));
  const std::vector<std::string>& handles = b.brand.rules.handles;
  auto is_handle = [&](const std::string& account) {
    return std::any_of(handles.begin(), handles.end(), [&](const auto& h) { return SameAccount(h, account); });
  };
  p.own = !m.author.empty() && is_handle(m.author);
  p.replies_to_brand = !m.reply_to.empty() && is_handle(m.reply_to);
  for (const auto& rule : b.rules) rule->Prepare(sm, p);
  return p;
}

std::vector<uint32_t> RuleSet::NamedAt(const Prepared& p, bool matched_terms) {
  std::vector<uint32_t> at;
  for (const PhraseHit& hit : p.hits) {
    if (hit.id == kHandlePhrase || (matched_terms && hit.id == kNamePhrase)) at.push_back(hit.word);
  }
  // Without the matcher's spans (a mention read back from the store), the
  // matched terms are looked for among the words.
  for (size_t i = 0; matched_terms && i < p.words.size(); ++i) {
    for (const Phrase& term : p.matched) {
      if (!term.empty() && i + term.size() <= p.words.size() &&
          std::equal(term.begin(), term.end(), p.words.begin() + static_cast<std::ptrdiff_t>(i))) {
        at.push_back(static_cast<uint32_t>(i));
        break;
      }
    }
  }
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  return at;
}

namespace {

// Fills v.held when every cooldown v's alert would take is held at `now_ms`
// (a keyword alert needs one term that is not): with the one that ends first.
void HeldBack(const Cooldowns& cooldowns, int64_t now_ms, Verdict& v) {
  for (const std::string& key : v.cooldowns) {
    std::optional<int64_t> until = cooldowns.Until(key);
    if (!until || *until <= now_ms) {
      v.held.clear();
      return;
    }
    if (v.held.empty() || *until < v.held_until_ms) {
      v.held = key;
      v.held_until_ms = *until;
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, Verdict>> RuleSet::Judge(const ScoredMention& sm, const Prepared& prepared) const {
  std::vector<std::pair<std::string, Verdict>> out;
  auto it = brands_.find(sm.brand);
  if (it == brands_.end()) return out;
  MentionInput in{sm, prepared, clock_.Now(), sm.sentiment.Effective(), Reach(sm.mention)};
  const std::vector<std::unique_ptr<Rule>>& rules = it->second->rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    auto verdict = rules[i]->Judge(in);
    if (!verdict) continue;
    HeldBack(it->second->cooldowns, ToUnixMillis(in.now), *verdict);
    out.emplace_back(RuleKindNames()[i], std::move(*verdict));
  }
  return out;
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
    BrandState& b = *it->second;
    const ScoredMention& m = mentions[i];
    MentionInput in{m, prepared[i], now, m.sentiment.Effective(), Reach(m.mention)};
    for (auto& rule : b.rules) rule->OnMention(in, b.cooldowns, out);
    for (auto& rule : b.rules) rule->Count(in);
    counted_ = true;
  }
  return out;
}

std::vector<Alert> RuleSet::Tick() { return AdvanceAll(clock_.Now()); }

std::vector<Alert> RuleSet::AdvanceAll(WallTime now) {
  std::vector<Alert> out;
  for (auto& [name, b] : brands_) {
    for (auto& rule : b->rules) rule->CloseBuckets(now, out);
  }
  return out;
}

bool RuleSet::SaveState(store::RuleStateWriter& writer, bool counts) {
  int64_t now_ms = ToUnixMillis(clock_.Now());
  // A closed bucket or a new series is saved whole, which takes the counts
  // of that moment with it: the mark must follow.
  counts = counts || !counts_saved_;
  bool changed = !counts_saved_ || counted_;
  for (const auto& [name, b] : brands_) {
    bool whole = std::any_of(b->rules.begin(), b->rules.end(), [](const auto& r) { return r->NeedsWholeSave(); });
    counts = counts || whole;
    changed = changed || whole;
  }
  for (auto& [name, b] : brands_) SaveBrand(*b, writer, counts, now_ms);
  // No mark when nothing was counted since the last: an idle rule set
  // stages nothing, and its save commits nothing.
  if (counts && changed) {
    writer.PutMentionMark("", kCountedThroughKey);
    counts_saved_ = true;
    counted_ = false;
  }
  return counts;
}

void RuleSet::SaveBrand(BrandState& b, store::RuleStateWriter& writer, bool counts, int64_t now_ms) {
  const std::string& name = b.brand.rules.name;
  if (counts) {
    bool cells_changed =
        std::any_of(b.rules.begin(), b.rules.end(), [](const auto& r) { return r->OpenCellsChanged(); });
    OpenCells cells;
    for (auto& rule : b.rules) {
      if (cells_changed) rule->SaveOpenCells(cells);
      rule->SaveCounts(writer);
    }
    if (cells_changed) writer.PutRuleState(name, kOpenCellsKey, WriteOpenCells(cells));
  }
  Cooldowns& cooldowns = b.cooldowns;
  b.cooldowns_log.Save(
      writer, name, false, [&] { return cooldowns.Serialize(now_ms); }, [&] { return cooldowns.SerializeChanges(); });
}

}  // namespace brandmon::rules
