// needs_reply: a question or a complaint addressed to the brand, which someone
// should answer; once per author per cooldown.
//
// A post is addressed to the brand when it names one of the brand's handles,
// replies to one of its own posts, or is a review of it; in the kinds of
// channel where people talk to brands (`kinds`: social posts, reviews and
// forum threads by default) a question in a sentence naming the brand, or a
// complaint in the first person about it, is addressed to it too. A news or
// blog article or a video that names the brand asks its readers, not the
// brand. The brand's own accounts never need its reply.

#include <algorithm>

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

namespace {

// What one sentence holds, as this rule reads it.
enum SentenceFlag : uint8_t {
  kAsks = 1,         // a question mark or a question cue
  kComplains = 2,    // a complaint cue
  kFirstPerson = 4,  // the writer speaks of themself
  kHandle = 8,       // one of the brand's handles
  kBrand = 16,       // the brand (a matched term, its name or a handle)
};

std::vector<uint8_t> SentenceFlags(const PreparedMention& p) {
  std::vector<uint8_t> flags(p.sentences.size(), 0);
  if (flags.empty()) return flags;
  for (size_t s = 0; s < flags.size(); ++s) flags[s] = p.sentences[s].question ? kAsks : 0;
  for (const PhraseHit& hit : p.hits) {
    uint8_t flag = hit.id == kQuestionPhrase      ? kAsks
                   : hit.id == kComplaintPhrase   ? kComplains
                   : hit.id == kFirstPersonPhrase ? kFirstPerson
                   : hit.id == kHandlePhrase      ? kHandle | kBrand
                                                  : 0;
    flags[SentenceOfWord(p.sentences, hit.word)] |= flag;
  }
  for (uint32_t s : p.focus.sentences) flags[s] |= kBrand;
  return flags;
}

// What the rule read in one mention.
struct Reading {
  bool asks = false;
  bool complains = false;
  bool low_rating = false;
  const char* addressed = nullptr;  // how the post is addressed to the brand as a whole, if it is
  uint32_t first = 0;               // the sentences to quote, [first, last]
  uint32_t last = 0;
  bool quoted = false;
  std::string why;
};

class NeedsReplyRule : public Rule {
 public:
  explicit NeedsReplyRule(const Brand& brand)
      : brand_(brand), o_(brand.rules.options.needs_reply), kinds_(KindSet(o_.kinds)) {}

  std::optional<Verdict> Judge(const MentionInput& in) const override {
    Reading r = Read(in, /*explain=*/true);
    Verdict v;
    v.alert = r.asks || r.complains;
    v.why = r.why;
    if (v.alert) v.cooldowns = {"needs_reply|" + AuthorKey(in.scored.mention)};
    return v;
  }

  void OnMention(const MentionInput& in, Cooldowns& cooldowns, std::vector<Alert>& out) override {
    Reading r = Read(in, /*explain=*/false);
    if (!r.asks && !r.complains) return;
    const Mention& m = in.scored.mention;
    if (!cooldowns.Take("needs_reply|" + AuthorKey(m), o_.cooldown, in.now)) return;
    Alert a = MentionAlert(brand_.rules.name, "needs_reply", in.scored, in.now);
    a.severity = r.complains ? Severity::kWarning : Severity::kInfo;
    ReplyReason reason = r.low_rating  ? ReplyReason::kLowRating
                         : r.complains ? ReplyReason::kComplaint
                                       : ReplyReason::kQuestion;
    if (!r.quoted) r.first = r.last = ScoredSentence(in);
    Quote quote = QuoteOf(in, r.first, r.last);
    a.snippet = quote.Cut(kSnippetChars);
    const double* rating = m.Metric("rating");
    a.summary = NeedsReplyText(brand_.rules.name, m, reason, rating ? *rating : 0, quote.Cut(kSummarySnippetChars));
    a.figures = {{"question", r.asks ? 1.0 : 0.0},
                 {"complaint", r.complains ? 1.0 : 0.0},
                 {"addressed", r.addressed ? 1.0 : 0.0},
                 {"score", in.score},
                 {"reach", in.reach}};
    AddReachFigures(m, a);
    out.push_back(std::move(a));
  }

 private:
  // What the rule reads in `in`; with `explain`, r.why says it in words.
  Reading Read(const MentionInput& in, bool explain) const {
    Reading r;
    const PreparedMention& p = in.prepared;
    const Mention& m = in.scored.mention;
    if (!o_.enabled || p.own) {
      if (explain) r.why = !o_.enabled ? "disabled" : "the brand's own account " + m.author + " wrote it";
      return r;
    }
    ChannelKind kind = ResolveKind(m);
    bool conversational = HasKind(kinds_, kind);
    std::vector<uint8_t> flags = SentenceFlags(p);
    bool handle = std::any_of(flags.begin(), flags.end(), [](uint8_t f) { return f & kHandle; });
    // A reply to the brand's post, or a review, speaks to it from end to end.
    bool whole = p.replies_to_brand || (kind == ChannelKind::kReview && conversational);
    r.addressed = handle ? "its handle" : p.replies_to_brand ? "a reply to its post" : whole ? "a review" : nullptr;
    std::string what = explain ? "a " + std::string(ChannelKindName(kind)) + " post" : std::string();
    if (!conversational && !r.addressed) {
      if (explain)
        r.why = what + " speaks to its readers: it names no handle of the brand and replies to none of its posts";
      return r;
    }
    const double* rating = m.Metric("rating");
    r.low_rating = rating != nullptr && *rating <= o_.max_rating;
    FindCues(flags, p, whole, conversational, r);
    if (!r.complains && r.addressed && in.score <= -0.05) r.complains = true;
    r.complains = r.complains || r.low_rating;
    if (explain) r.why = Why(r, what, rating, in.score);
    return r;
  }

  // Finds the first question and the first complaint addressed to the brand,
  // and the sentences to quote. `whole`: the whole post is addressed to it.
  static void FindCues(const std::vector<uint8_t>& flags, const PreparedMention& p, bool whole, bool conversational,
                       Reading& r) {
    auto same_field = [&](size_t s) { return s > 0 && p.sentences[s - 1].title == p.sentences[s].title; };
    for (size_t s = 0; s < flags.size() && !(r.asks && r.complains); ++s) {
      uint8_t before = same_field(s) ? flags[s - 1] : 0;
      bool by_handle = ((flags[s] | before) & kHandle) != 0;
      bool by_brand = conversational && (flags[s] & kBrand);
      bool after_brand = conversational && (before & kBrand);
      bool first_person = ((flags[s] | (after_brand ? before : 0)) & kFirstPerson) != 0;
      bool asks = (flags[s] & kAsks) && (whole || by_handle || by_brand);
      bool complains = (flags[s] & kComplains) && (whole || by_handle || ((by_brand || after_brand) && first_person));
      if (!asks && !complains) continue;
      if (!r.quoted) {
        r.quoted = true;
        r.last = static_cast<uint32_t>(s);
        r.first = !(flags[s] & kBrand) && (before & kBrand) ? r.last - 1 : r.last;
      }
      r.asks = r.asks || asks;
      r.complains = r.complains || complains;
    }
  }

  std::string Why(const Reading& r, const std::string& what, const double* rating, double score) const {
    std::string to = r.addressed ? what + " addressed to the brand by " + r.addressed : what;
    if (r.low_rating)
      return to + ": rated " + FormatFigure(*rating, 1) + " (max_rating " + FormatFigure(o_.max_rating, 1) + ")";
    if (r.asks && r.complains) return to + ": a question and a complaint";
    if (r.complains) {
      return r.quoted ? to + ": a complaint" + (r.addressed ? "" : " in the first person about the brand")
                      : to + ": negative (score " + FormatFigure(score) + ")";
    }
    if (r.asks) return to + ": a question" + (r.addressed ? "" : " in a sentence naming the brand");
    if (r.addressed) return to + ", with no question or complaint in it";
    return to + " with no question in a sentence naming the brand, nor a complaint in the first person about it";
  }

  const Brand& brand_;
  const NeedsReplyOptions& o_;
  uint32_t kinds_;
};

}  // namespace

std::unique_ptr<Rule> MakeNeedsReplyRule(const Brand& brand) { return std::make_unique<NeedsReplyRule>(brand); }

}  // namespace brandmon::rules
