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
    Verdict v;
    v.alert = Alerts(in, &v.why);
    if (v.alert) v.cooldowns = {"negative_mention|" + AuthorKey(in.scored.mention)};
    return v;
  }

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    const Mention& m = in.scored.mention;
    if (!Alerts(in, nullptr)) return;
    if (!cooldowns.Take("negative_mention|" + AuthorKey(m), o_.cooldown, in.now)) return;
    Alert a = MentionAlert(brand_.rules.name, "negative_mention", in.scored, in.now);
    a.severity = in.reach >= o_.reach_critical  ? Severity::kCritical
                 : in.reach >= o_.reach_warning ? Severity::kWarning
                                                : Severity::kInfo;
    if (const double* rating = m.Metric("rating"); rating && *rating <= 1) a.severity = Raise(a.severity);
    uint32_t s = ScoredSentence(in);
    Quote quote = QuoteOf(in, s, s);
    a.snippet = quote.Cut(kSnippetChars);
    a.summary = NegativeMentionText(brand_.rules.name, m, in.score, in.reach, quote.Cut(kSummarySnippetChars));
    a.figures = {{"score", in.score},
                 {"compound", in.scored.sentiment.compound},
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
    if (in.score > o_.threshold) {
      return Because(why, false,
                     [&] { return ScoreText(in) + " is above the threshold " + FormatFigure(o_.threshold); });
    }
    if (!Salient(in.prepared, o_.min_salience, why)) return false;
    return Because(why, true,
                   [&] { return ScoreText(in) + " is at or below " + FormatFigure(o_.threshold) + "; " + *why; });
  }

  const Brand& brand_;
  const NegativeMentionOptions& o_;
  uint32_t kinds_;
};

}  // namespace

std::unique_ptr<Rule> MakeNegativeMentionRule(const Brand& brand) {
  return std::make_unique<NegativeMentionRule>(brand);
}

}  // namespace brandmon::rules
