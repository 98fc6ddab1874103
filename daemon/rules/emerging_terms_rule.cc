// emerging_terms: words seen with the brand far more often in the last bucket
// than in their baseline. The brand's own words, its matched terms, stopwords,
// handles and numbers are never terms.

#include <algorithm>
#include <string_view>

#include "daemon/base/units.h"
#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"
#include "daemon/rules/trend.h"

namespace brandmon::rules {

namespace {

// Whether `c` may be part of a number ("3.5", "1,000", "#2", "'24"): a word
// made only of these is no term.
bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '\'' || c == '-' || c == '#' || c == '.' || c == ',';
}

class EmergingTermsRule : public Rule {
 public:
  explicit EmergingTermsRule(const Brand& brand)
      : brand_(brand),
        o_(brand.rules.options.emerging_terms),
        key_("emerging_terms@" + FormatDuration(o_.bucket)),
        not_terms_(Stopwords()),
        open_log_(key_ + "/open") {
    const BrandRules& b = brand.rules;
    for (const auto& w : Words(b.name)) not_terms_.insert(w);
    for (const auto& list : {b.handles, b.hashtags}) {
      for (const auto& tag : list) {
        for (const auto& w : Words(tag)) {
          not_terms_.insert(w);
          if (w.size() > 1 && (w[0] == '@' || w[0] == '#')) not_terms_.insert(w.substr(1));
        }
      }
    }
    for (const auto& w : o_.ignore) {
      for (const auto& x : Words(w)) not_terms_.insert(x);
    }
  }

  void Prepare(const ScoredMention&, PreparedMention& out) const override {
    if (!o_.enabled) return;
    // The words of the matched terms, hashed once for every word compared.
    std::vector<HashedWord> matched;
    for (const Phrase& p : out.matched) {
      for (const std::string& w : p) matched.push_back({w, text::HashWord(w)});
    }
    auto is_matched = [&](const HashedWord& w) {
      return std::any_of(matched.begin(), matched.end(),
                         [&](const HashedWord& m) { return m.hash == w.hash && m.text == w.text; });
    };
    out.terms.reserve(out.words.size());
    for (size_t i = 0; i < out.words.size(); ++i) {
      const std::string& w = out.words[i];
      if (w.size() < 3 || w.size() > 64 || w[0] == '@') continue;
      if (HashedWord hashed = out.words.at(i); not_terms_.contains(hashed) || is_matched(hashed)) continue;
      if (std::all_of(w.begin(), w.end(), IsNumberChar)) continue;
      out.terms.push_back(static_cast<uint32_t>(i));
    }
  }

  void Count(const MentionInput& in) override {
    int64_t bucket = BucketOf(in.now, o_.bucket);
    if (!o_.enabled || bucket < 0) return;
    std::vector<HashedWord>& terms = terms_scratch_;
    terms.clear();
    for (uint32_t i : in.prepared.terms) terms.push_back(in.prepared.words.at(i));
    terms_.Add(bucket, terms, o_);
  }

  void CloseBuckets(WallTime now, std::vector<Alert>& out) override {
    int64_t bucket = BucketOf(now, o_.bucket);
    if (!o_.enabled || bucket < 0) return;
    int64_t before = terms_.open_bucket();
    auto closed_buckets = terms_.Advance(bucket, ToUnixMillis(now), o_);
    if (terms_.open_bucket() != before) baseline_dirty_ = reset_ = true;
    for (auto& [closed, terms] : closed_buckets) out.push_back(BucketAlert(closed, terms, now));
  }

  bool NeedsWholeSave() const override { return baseline_dirty_ || reset_; }
  void SaveCounts(store::RuleStateWriter& writer) override {
    const std::string& brand = brand_.rules.name;
    if (baseline_dirty_) writer.PutRuleState(brand, key_, terms_.SerializeBaseline());
    open_log_.Save(
        writer, brand, reset_, [&] { return terms_.SerializeOpen(); }, [&] { return terms_.SerializeOpenChanges(); });
    baseline_dirty_ = reset_ = false;
  }
  // The open counts need the baselines; rows of changes of another bucket
  // are stale and go with the next whole save.
  void Restore(const StateRows& rows) override {
    if (auto it = rows.find(key_); it != rows.end()) (void)terms_.DeserializeBaseline(it->second);
    open_log_.Restore(
        rows, [&](std::string_view v) { (void)terms_.DeserializeOpen(v); },
        [&](std::string_view v) { (void)terms_.MergeOpen(v); });
  }
  void Resume(WallTime now) override { terms_.Resume(BucketOf(now, o_.bucket)); }

 private:
  Alert BucketAlert(int64_t bucket, const std::vector<TermTracker::Emerging>& terms, WallTime now) const {
    const std::string& brand = brand_.rules.name;
    Alert a;
    a.ts = now;
    a.brand = brand;
    a.rule = "emerging_terms";
    int64_t start_ms = bucket * o_.bucket.count();
    a.dedupe_key = brand + "|emerging_terms|" + std::to_string(start_ms);
    a.severity = Severity::kInfo;
    for (const auto& t : terms) a.terms.push_back({t.term, t.count, t.baseline});
    a.summary = EmergingTermsText(brand, o_.bucket, a.terms);
    // Whole seconds, as the other trend rules report them.
    int64_t start_s = start_ms / 1000;
    int64_t bucket_s = o_.bucket.count() / 1000;
    a.figures = {{"terms", static_cast<double>(terms.size())},
                 {"top_count", terms.front().count},
                 {"bucket_start", static_cast<double>(start_s)},
                 {"bucket_seconds", static_cast<double>(bucket_s)}};
    return a;
  }

  const Brand& brand_;
  const EmergingTermsOptions& o_;
  const std::string key_;  // "emerging_terms@<bucket>": the baselines
  // Stopwords, and the words of the name, handles, hashtags and
  // emerging_terms.ignore: one lookup tells a word is none of them.
  WordSet not_terms_;
  TermTracker terms_;
  std::vector<HashedWord> terms_scratch_;  // Count()'s, its buffer reused from mention to mention
  ChangeLog open_log_;                     // the open bucket's counts
  bool baseline_dirty_ = false;            // a bucket closed
  bool reset_ = false;                     // the open bucket changed: the whole open counts
};

}  // namespace

std::unique_ptr<Rule> MakeEmergingTermsRule(const Brand& brand) { return std::make_unique<EmergingTermsRule>(brand); }

}  // namespace brandmon::rules
