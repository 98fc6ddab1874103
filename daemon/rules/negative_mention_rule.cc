// negative_mention: a mention whose brand-targeted sentiment is at or below
// the threshold, about a brand central to it (salience), graded by its
// reach; once per author per cooldown.

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

namespace {

Severity Raise(Severity s) { return s == Severity::kInfo ? Severity::kWarning : Severity::kCritical; }

// "the sentiment aimed at the brand -0.6" or "the text's sentiment -0.6".
std::string ScoreText(const MentionInput& in) {
  return std::string(in.scored.sentiment.target ? "the sentiment aimed at the brand " : "the text's sentiment ") +
         FormatFigure(in.score);
}

class NegativeMentionRule : public Rule {
 public:
  explicit NegativeMentionRule(const Brand& brand)
      : brand_(brand), o_(brand.rules.options.negative_mention), kinds_(KindSet(o_.kinds)) {}

  std::optional<Verdict> Judge(const MentionInput& in) const override {
    if (!o_.enabled) return Verdict{false, "disabled"};
    if (std::string skip = Skipped(in, kinds_); !skip.empty()) return Verdict{false, skip};
    if (in.score > o_.threshold) {
      return Verdict{false, ScoreText(in) + " is above the threshold " + FormatFigure(o_.threshold)};
    }
    std::string why;
    if (!Salient(in.prepared, o_.min_salience, why)) return Verdict{false, why};
    return Verdict{true, ScoreText(in) + " is at or below " + FormatFigure(o_.threshold) + "; " + why};
  }

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    const Mention& m = in.scored.mention;
    if (!Judge(in)->alert) return;
    if (!cooldowns.Take("negative_mention|" + AuthorKey(m), o_.cooldown, in.now)) return;
    Alert a = MentionAlert(brand_.rules.name, "negative_mention", in.scored, in.now);
    a.severity = in.reach >= o_.reach_critical  ? Severity::kCritical
                 : in.reach >= o_.reach_warning ? Severity::kWarning
                                                : Severity::kInfo;
    if (const double* rating = m.Metric("rating"); rating && *rating <= 1) a.severity = Raise(a.severity);
    uint32_t s = ScoredSentence(in);
    a.snippet = SnippetOf(in, s, s, kSnippetChars);
    a.summary =
        NegativeMentionText(brand_.rules.name, m, in.score, in.reach, SnippetOf(in, s, s, kSummarySnippetChars));
    a.figures = {{"score", in.score},
                 {"compound", in.scored.sentiment.compound},
                 {"threshold", o_.threshold},
                 {"reach", in.reach},
                 {"salience", in.prepared.focus.salience}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

 private:
  const Brand& brand_;
  const NegativeMentionOptions& o_;
  uint32_t kinds_;
};

}  // namespace

std::unique_ptr<Rule> MakeNegativeMentionRule(const Brand& brand) {
  return std::make_unique<NegativeMentionRule>(brand);
}

}  // namespace brandmon::rules
