// needs_reply: a question or a complaint someone should answer, found by the
// cues of the mention's language, a question mark about the brand, a handle
// of the brand or a low rating; once per author per cooldown.

#include <algorithm>

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

namespace {

class NeedsReplyRule : public Rule {
 public:
  explicit NeedsReplyRule(const Brand& brand) : brand_(brand), o_(brand.rules.options.needs_reply) {}

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    if (!o_.enabled) return;
    const Mention& m = in.scored.mention;
    const std::vector<uint8_t>& found = in.prepared.found;
    bool question = found[kQuestionPhrase];
    bool complaint = found[kComplaintPhrase];
    bool addressed = found[kHandlePhrase];
    const double* rating = m.Metric("rating");
    bool low_rating = rating && *rating <= o_.max_rating;
    bool asks = question || (HasQuestionMark(m.text) && Named(in));
    bool complains = low_rating || (complaint && (addressed || in.score < 0.05)) || (addressed && in.score <= -0.05);
    if (!asks && !complains) return;
    if (!cooldowns.Take("needs_reply|" + AuthorKey(m), o_.cooldown, in.now)) return;
    Alert a = MentionAlert(brand_.rules.name, "needs_reply", in.scored, in.now);
    a.severity = complains ? Severity::kWarning : Severity::kInfo;
    ReplyReason reason = low_rating  ? ReplyReason::kLowRating
                         : complains ? ReplyReason::kComplaint
                                     : ReplyReason::kQuestion;
    a.summary = NeedsReplyText(brand_.rules.name, m, reason, rating ? *rating : 0);
    a.figures = {{"question", asks ? 1.0 : 0.0},
                 {"complaint", complains ? 1.0 : 0.0},
                 {"addressed", addressed ? 1.0 : 0.0},
                 {"score", in.score},
                 {"reach", in.reach}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

 private:
  // Whether the mention names the brand: a handle, the name or a matched term.
  static bool Named(const MentionInput& in) {
    const std::vector<uint8_t>& found = in.prepared.found;
    if (found[kHandlePhrase] || found[kNamePhrase]) return true;
    const std::vector<Phrase>& terms = in.prepared.matched;
    return std::any_of(terms.begin(), terms.end(),
                       [&](const Phrase& t) { return ContainsWords(in.prepared.words, t); });
  }

  const Brand& brand_;
  const NeedsReplyOptions& o_;
};

}  // namespace

std::unique_ptr<Rule> MakeNeedsReplyRule(const Brand& brand) { return std::make_unique<NeedsReplyRule>(brand); }

}  // namespace brandmon::rules
