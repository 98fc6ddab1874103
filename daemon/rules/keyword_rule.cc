// keyword: a crisis term (the brand's list or the built-in one) in a sentence
// naming the brand (or the one after it), or anywhere in a mention the brand
// is central to (salience); once per term per cooldown, all of a mention's
// terms in one alert.

#include <algorithm>

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

namespace {

// A crisis term found where it counts.
struct TermAt {
  size_t term = 0;        // index in Brand::keyword_terms
  uint32_t sentence = 0;  // where it first counts
  bool near = false;      // in a sentence naming the brand or the next one
};

class KeywordRule : public Rule {
 public:
  explicit KeywordRule(const Brand& brand)
      : brand_(brand), o_(brand.rules.options.keyword), kinds_(KindSet(o_.kinds)) {}

  std::optional<Verdict> Judge(const MentionInput& in) const override {
    Verdict v;
    if (!o_.enabled) {
      v.why = "disabled";
      return v;
    }
    if (Skips(in, kinds_, &v.why)) return v;
    for (const TermAt& t : Counted(in, &v.why)) v.cooldowns.push_back("keyword|" + brand_.keyword_terms[t.term].first);
    v.alert = !v.cooldowns.empty();
    return v;
  }

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    if (!o_.enabled || Skips(in, kinds_, nullptr)) return;
    std::vector<TermAt> counted = Counted(in, nullptr);
    std::vector<TermCount> hits;
    const TermAt* quoted = nullptr;
    for (const TermAt& t : counted) {
      const std::string& folded = brand_.keyword_terms[t.term].first;
      if (!cooldowns.Take("keyword|" + folded, o_.cooldown, in.now)) continue;
      hits.push_back({folded, 1, 0});
      if (quoted == nullptr) quoted = &t;
    }
    if (hits.empty()) return;
    const Mention& m = in.scored.mention;
    Alert a = MentionAlert(brand_.rules.name, "keyword", in.scored, in.now);
    a.severity = ParseSeverity(o_.severity).value_or(Severity::kWarning);
    // The term's sentence, with the one before when that names the brand.
    const std::vector<uint32_t>& named = in.prepared.focus.sentences;
    uint32_t last = quoted->sentence;
    uint32_t first = last > 0 && !std::binary_search(named.begin(), named.end(), last) &&
                             std::binary_search(named.begin(), named.end(), last - 1) &&
                             in.prepared.sentences[last - 1].title == in.prepared.sentences[last].title
                         ? last - 1
                         : last;
    Quote quote = QuoteOf(in, first, last);
    a.snippet = quote.Cut(kSnippetChars);
    a.summary = KeywordText(brand_.rules.name, m, hits, quote.Cut(kSummarySnippetChars));
    a.figures = {{"terms", static_cast<double>(hits.size())},
                 {"score", in.score},
                 {"reach", in.reach},
                 {"salience", in.prepared.focus.salience}};
    a.terms = std::move(hits);
    out.push_back(std::move(a));
  }

 private:
  // The crisis terms that count, each once, in the order they occur; *why
  // (when not null) says what was found.
  std::vector<TermAt> Counted(const MentionInput& in, std::string* why) const {
    const PreparedMention& p = in.prepared;
    std::vector<TermAt> out;
    bool any =
        std::any_of(p.hits.begin(), p.hits.end(), [](const PhraseHit& h) { return h.id >= kFirstKeywordPhrase; });
    if (!any || p.sentences.empty()) {
      if (why) *why = "no crisis term";
      return out;
    }
    std::string salience;
    bool salient = Salient(p, o_.min_salience, why ? &salience : nullptr);
    const std::vector<uint32_t>& named = p.focus.sentences;
    std::vector<std::string> far;  // terms found only where they do not count
    for (const PhraseHit& hit : p.hits) {
      if (hit.id < kFirstKeywordPhrase) continue;
      size_t k = hit.id - kFirstKeywordPhrase;
      const std::string& folded = brand_.keyword_terms[k].first;
      uint32_t s = SentenceOfWord(p.sentences, hit.word);
      bool near = std::binary_search(named.begin(), named.end(), s) ||
                  (s > 0 && std::binary_search(named.begin(), named.end(), s - 1));
      auto same = [&](const TermAt& t) { return brand_.keyword_terms[t.term].first == folded; };
      if (std::any_of(out.begin(), out.end(), same)) continue;
      if (!near && !salient) {
        if (why && std::find(far.begin(), far.end(), folded) == far.end()) far.push_back(folded);
        continue;
      }
      out.push_back({k, s, near});
    }
    if (why) *why = Describe(out, far, salience);
    return out;
  }

  std::string Describe(const std::vector<TermAt>& counted, const std::vector<std::string>& far,
                       const std::string& salience) const {
    auto list = [](const std::vector<std::string>& terms) {
      std::string s;
      for (const auto& t : terms) s += (s.empty() ? "" : ", ") + t;
      return s;
    };
    std::vector<std::string> names;
    for (const TermAt& t : counted) names.push_back(brand_.keyword_terms[t.term].first);
    if (!names.empty()) return "crisis terms " + list(names) + " with the brand; " + salience;
    if (!far.empty()) return "crisis terms " + list(far) + " far from the brand, which is " + salience;
    return "no crisis term";
  }

  const Brand& brand_;
  const KeywordOptions& o_;
  uint32_t kinds_;
};

}  // namespace

std::unique_ptr<Rule> MakeKeywordRule(const Brand& brand) { return std::make_unique<KeywordRule>(brand); }

}  // namespace brandmon::rules
