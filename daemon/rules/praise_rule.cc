// praise: a positive mention with reach; once per author per cooldown.

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

namespace {

class PraiseRule : public Rule {
 public:
  explicit PraiseRule(const Brand& brand) : brand_(brand), o_(brand.rules.options.praise) {}

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    const Mention& m = in.scored.mention;
    if (!o_.enabled || in.score < o_.threshold || in.reach < o_.min_reach) return;
    if (!cooldowns.Take("praise|" + AuthorKey(m), o_.cooldown, in.now)) return;
    Alert a = MentionAlert(brand_.rules.name, "praise", in.scored, in.now);
    a.severity = Severity::kInfo;
    a.summary = PraiseText(brand_.rules.name, m, in.score, in.reach);
    a.figures = {{"score", in.score}, {"threshold", o_.threshold}, {"reach", in.reach}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

 private:
  const Brand& brand_;
  const PraiseOptions& o_;
};

}  // namespace

std::unique_ptr<Rule> MakePraiseRule(const Brand& brand) { return std::make_unique<PraiseRule>(brand); }

}  // namespace brandmon::rules
