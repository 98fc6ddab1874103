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
    Verdict v;
    v.alert = Alerts(in, &v.why);
    if (v.alert) v.cooldowns = {"praise|" + AuthorKey(in.scored.mention)};
    return v;
  }

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    const Mention& m = in.scored.mention;
    if (!Alerts(in, nullptr)) return;
    if (!cooldowns.Take("praise|" + AuthorKey(m), o_.cooldown, in.now)) return;
    Alert a = MentionAlert(brand_.rules.name, "praise", in.scored, in.now);
    a.severity = Severity::kInfo;
    uint32_t s = ScoredSentence(in);
    Quote quote = QuoteOf(in, s, s);
    a.snippet = quote.Cut(kSnippetChars);
    a.summary = PraiseText(brand_.rules.name, m, in.score, in.reach, quote.Cut(kSummarySnippetChars));
    a.figures = {{"score", in.score},
                 {"threshold", o_.threshold},
                 {"reach", in.reach},
                 {"salience", in.prepared.focus.salience}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

 private:
  // Whether it alerts on `in`, its cooldown aside; *why (when not null) says why.
  bool Alerts(const MentionInput& in, std::string* why) const {
    if (!o_.enabled) return Because(why, false, [] { return "disabled"; });
    if (Skips(in, kinds_, why)) return false;
    if (!in.scored.sentiment.scored) {
      return Because(why, false, [&] { return "its language (" + in.scored.lang + ") has no lexicon: not scored"; });
    }
    if (in.score < o_.threshold) {
      return Because(why, false, [&] {
        return "score " + FormatFigure(in.score) + " is below the threshold " + FormatFigure(o_.threshold);
      });
    }
    if (in.reach < o_.min_reach) {
      return Because(why, false, [&] {
        return "reach " + FormatFigure(in.reach, 0) + " is below min_reach " + FormatFigure(o_.min_reach, 0);
      });
    }
    if (!Salient(in.prepared, o_.min_salience, why)) return false;
    return Because(why, true, [&] {
      return "score " + FormatFigure(in.score) + " and reach " + FormatFigure(in.reach, 0) +
             " are at or above the thresholds; " + *why;
    });
  }

  const Brand& brand_;
  const PraiseOptions& o_;
  uint32_t kinds_;
};

}  // namespace

std::unique_ptr<Rule> MakePraiseRule(const Brand& brand) { return std::make_unique<PraiseRule>(brand); }

}  // namespace brandmon::rules
