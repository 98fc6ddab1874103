// negative_mention: a mention whose brand-targeted sentiment is at or below
// the threshold, graded by its reach; once per author per cooldown.

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

namespace {

Severity Raise(Severity s) { return s == Severity::kInfo ? Severity::kWarning : Severity::kCritical; }

class NegativeMentionRule : public Rule {
 public:
  explicit NegativeMentionRule(const Brand& brand) : brand_(brand), o_(brand.rules.options.negative_mention) {}

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    const Mention& m = in.scored.mention;
    if (!o_.enabled || in.score > o_.threshold) return;
    if (!cooldowns.Take("negative_mention|" + AuthorKey(m), o_.cooldown, in.now)) return;
    Alert a = MentionAlert(brand_.rules.name, "negative_mention", in.scored, in.now);
    a.severity = in.reach >= o_.reach_critical  ? Severity::kCritical
                 : in.reach >= o_.reach_warning ? Severity::kWarning
                                                : Severity::kInfo;
    if (const double* rating = m.Metric("rating"); rating && *rating <= 1) a.severity = Raise(a.severity);
    a.summary = NegativeMentionText(brand_.rules.name, m, in.score, in.reach);
    a.figures = {{"score", in.score},
                 {"compound", in.scored.sentiment.compound},
                 {"threshold", o_.threshold},
                 {"reach", in.reach}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

 private:
  const Brand& brand_;
  const NegativeMentionOptions& o_;
};

}  // namespace

std::unique_ptr<Rule> MakeNegativeMentionRule(const Brand& brand) {
  return std::make_unique<NegativeMentionRule>(brand);
}

}  // namespace brandmon::rules
