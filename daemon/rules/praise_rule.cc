// praise: a positive mention with reach, about a brand central to it
// (salience); once per author per cooldown.

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

namespace {

class PraiseRule : public Rule {
 public:
  explicit PraiseRule(const Brand& brand) : brand_(brand), o_(brand.rules.options.praise), kinds_(KindSet(o_.kinds)) {}

  std::optional<Verdict> Judge(const MentionInput& in) const override {
    if (!o_.enabled) return Verdict{false, "disabled"};
    if (std::string skip = Skipped(in, kinds_); !skip.empty()) return Verdict{false, skip};
    std::string score = "score " + FormatFigure(in.score);
    if (in.score < o_.threshold) return Verdict{false, score + " is below the threshold " + FormatFigure(o_.threshold)};
    if (in.reach < o_.min_reach) {
      return Verdict{false,
                     "reach " + FormatFigure(in.reach, 0) + " is below min_reach " + FormatFigure(o_.min_reach, 0)};
    }
    std::string why;
    if (!Salient(in.prepared, o_.min_salience, why)) return Verdict{false, why};
    return Verdict{true, score + " and reach " + FormatFigure(in.reach, 0) + " are at or above the thresholds; " + why};
  }

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    const Mention& m = in.scored.mention;
    if (!Judge(in)->alert) return;
    if (!cooldowns.Take("praise|" + AuthorKey(m), o_.cooldown, in.now)) return;
    Alert a = MentionAlert(brand_.rules.name, "praise", in.scored, in.now);
    a.severity = Severity::kInfo;
    uint32_t s = ScoredSentence(in);
    a.snippet = SnippetOf(in, s, s, kSnippetChars);
    a.summary = PraiseText(brand_.rules.name, m, in.score, in.reach, SnippetOf(in, s, s, kSummarySnippetChars));
    a.figures = {{"score", in.score},
                 {"threshold", o_.threshold},
                 {"reach", in.reach},
                 {"salience", in.prepared.focus.salience}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

 private:
  const Brand& brand_;
  const PraiseOptions& o_;
  uint32_t kinds_;
};

}  // namespace

std::unique_ptr<Rule> MakePraiseRule(const Brand& brand) { return std::make_unique<PraiseRule>(brand); }

}  // namespace brandmon::rules
