// keyword: a crisis term (the brand's list or the built-in one) in a mention;
// once per term per cooldown, all of a mention's terms in one alert.

#include <algorithm>

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

namespace {

class KeywordRule : public Rule {
 public:
  explicit KeywordRule(const Brand& brand) : brand_(brand), o_(brand.rules.options.keyword) {}

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    if (!o_.enabled) return;
    std::vector<TermCount> hits;
    for (size_t k = 0; k < brand_.keyword_terms.size(); ++k) {
      const std::string& folded = brand_.keyword_terms[k].first;
      if (!in.prepared.found[kFirstKeywordPhrase + k]) continue;
      if (std::any_of(hits.begin(), hits.end(), [&](const TermCount& t) { return t.term == folded; })) continue;
      if (!cooldowns.Take("keyword|" + folded, o_.cooldown, in.now)) continue;
      hits.push_back({folded, 1, 0});
    }
    if (hits.empty()) return;
    const Mention& m = in.scored.mention;
    Alert a = MentionAlert(brand_.rules.name, "keyword", in.scored, in.now);
    a.severity = ParseSeverity(o_.severity).value_or(Severity::kWarning);
    a.summary = KeywordText(brand_.rules.name, m, hits);
    a.figures = {{"terms", static_cast<double>(hits.size())}, {"score", in.score}, {"reach", in.reach}};
    a.terms = std::move(hits);
    out.push_back(std::move(a));
  }

 private:
  const Brand& brand_;
  const KeywordOptions& o_;
};

}  // namespace

std::unique_ptr<Rule> MakeKeywordRule(const Brand& brand) { return std::make_unique<KeywordRule>(brand); }

}  // namespace brandmon::rules
