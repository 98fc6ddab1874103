#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/scored_mention.h"
#include "daemon/rules/mention_text.h"
#include "daemon/rules/rules_options.h"
#include "daemon/rules/text_cues.h"
#include "daemon/store/rule_state.h"

namespace brandmon::rules {

// What the rules need to know about one brand.
struct BrandRules {
  std::string name;
  std::vector<std::string> handles;   // e.g. "@acme"
  std::vector<std::string> hashtags;  // e.g. "#acme"
  RulesOptions options;
};

// Ids of the phrases looked for in each mention (PhraseSet): the cues of
// needs_reply, the brand's handles and name, the words in which a writer
// speaks of themself, then one per keyword term.
enum PhraseId : uint32_t {
  kQuestionPhrase = 0,
  kComplaintPhrase = 1,
  kHandlePhrase = 2,
  kNamePhrase = 3,
  kFirstPersonPhrase = 4,
  kFirstKeywordPhrase = 5,
};

// A brand as the rules read it, built once and read-only after: its rules
// and the phrases made of its words.
struct Brand {
  explicit Brand(BrandRules rules);
  BrandRules rules;
  std::vector<Phrase> handles;                                // "@acmecorp"
  Phrase name;                                                //
  std::vector<std::pair<std::string, Phrase>> keyword_terms;  // as reported, as looked for
};

// What the rules read from the words of one mention for one brand, found
// without the rules' memory, so it may be computed on another thread.
struct PreparedMention {
  WordList words;                   // folded words of the title and text (MentionText)
  std::vector<Sentence> sentences;  // the title's, then the text's (MentionText)
  std::vector<Phrase> matched;      // the words of each of the mention's matched terms
  std::vector<uint8_t> found;       // by PhraseId: 1 when the phrase occurs in `words`
  std::vector<PhraseHit> hits;      // where each phrase occurs, by word
  std::vector<uint32_t> terms;      // indexes in `words` of the candidate emerging terms
  Focus focus;                      // where the brand is, and how central
  bool own = false;                 // written by one of the brand's own accounts (its handles)
  bool replies_to_brand = false;    // answers one of the brand's own accounts (Mention::reply_to)
};

// The sentences of `p` holding a phrase of id `id`, ascending and distinct.
std::vector<uint32_t> SentencesWith(const PreparedMention& p, uint32_t id);

// The words of each matched term of `m` ("acme corp" -> acme, corp), split
// once for every rule that reads them: PreparedMention::matched.
std::vector<Phrase> MatchedPhrases(const ScoredMention& m);

// One mention as a rule sees it.
struct MentionInput {
  const ScoredMention& scored;
  const PreparedMention& prepared;
  WallTime now;
  double score;  // sentiment.Effective()
  double reach;  // Reach(mention)
};

// The cooldowns of one brand's rules, shared by its rules: "<rule>|<what>"
// -> the end of the cooldown in unix ms. Thread-compatible.
class Cooldowns {
 public:
  // True when `key` is not cooling down at `now`; then starts its cooldown
  // (none when `cooldown` is zero).
  bool Take(const std::string& key, Duration cooldown, WallTime now);
  // When the cooldown of `key` ends (unix ms); nullopt when none was taken.
  std::optional<int64_t> Until(const std::string& key) const;
  // {"key": until_ms} of those still held at `now_ms`; forgets the others.
  std::string Serialize(int64_t now_ms);
  // The cooldowns taken since the last call, as Serialize writes them; empty
  // when none.
  std::string SerializeChanges();
  // Adds the cooldowns of a Serialize() or SerializeChanges() row; ignores a
  // malformed one.
  void Merge(std::string_view data);

 private:
  std::unordered_map<std::string, int64_t> until_ms_;
  std::vector<std::string> changed_;
};

// The rows of one brand's saved state, by key (so rows of changes, numbered
// with ChangeRowKey, come in the order they were written).
using StateRows = std::map<std::string, std::string, std::less<>>;

// One cell of the "open_cells" row shared by the trend rules: the count of a
// series' open bucket, [bucket, count] or [bucket, count, sum].
struct OpenCell {
  int64_t bucket = 0;
  double count = 0;
  bool integer_count = false;
  std::optional<double> sum;
};
using OpenCells = std::vector<std::pair<std::string, OpenCell>>;

// What a mention rule makes of one mention, its cooldown aside: whether it
// would alert, and why, in words for people (`brandmonctl explain`).
struct Verdict {
  bool alert = false;
  std::string why;
  // The cooldowns an alert takes ("<rule>|<what>", Cooldowns), empty when
  // there is no alert.
  std::vector<std::string> cooldowns;
  // When all of them are still held at the time judged, the one that ends
  // first and its end (unix ms): then the rule stays quiet (RuleSet::Judge
  // fills them; empty otherwise).
  std::string held;
  int64_t held_until_ms = 0;
};

// One kind of rule for one brand: it reads each mention and may alert on it
// (mention rules), counts it in time buckets and alerts when a bucket closes
// (trend rules), and keeps what it remembers in the store's rule state.
// Rules are made by MakeRules() (rule_kinds.h) and owned by a RuleSet;
// thread-compatible, except Prepare(), which is const and thread-safe.
class Rule {
 public:
  virtual ~Rule() = default;

  // Adds what the rule reads from the words of `m` to `out` (out.words and
  // out.matched are set). Runs without the rule's memory, maybe on another
  // thread.
  virtual void Prepare(const ScoredMention& m, PreparedMention& out) const;
  // Per mention, in arrival order: raises the rule's alerts on it.
  virtual void OnMention(const MentionInput& m, Cooldowns& cooldowns, std::vector<Alert>& out);
  // A mention rule's verdict on `m`, its cooldown aside (OnMention raises
  // an alert when the verdict is one and the cooldown allows); nullopt for
  // a trend rule.
  virtual std::optional<Verdict> Judge(const MentionInput& m) const;
  // Per mention, after OnMention of every rule, and again for the mentions
  // counted again at restore: adds it to the rule's counts.
  virtual void Count(const MentionInput& m);
  // Closes the buckets that ended before `now`, raising their alerts.
  virtual void CloseBuckets(WallTime now, std::vector<Alert>& out);

  // Whether a bucket closed or a series began since the last SaveCounts:
  // then the counts are saved whole, whatever the caller asked.
  virtual bool NeedsWholeSave() const;
  // Stages the counts changed since the last call under the rule's keys.
  virtual void SaveCounts(store::RuleStateWriter& writer);
  // Whether the rule's open cells changed since the last SaveCounts.
  virtual bool OpenCellsChanged() const;
  // Appends the rule's cells to the brand's "open_cells" row.
  virtual void SaveOpenCells(OpenCells& out) const;
  // Restores what SaveCounts staged (rows of other bucket widths are ignored),
  // then the cells of the "open_cells" row, which are newer.
  virtual void Restore(const StateRows& rows);
  virtual void RestoreOpenCell(std::string_view key, const OpenCell& cell);
  // After restore: the buckets that ended while the daemon was down count as
  // empty from `now` on.
  virtual void Resume(WallTime now);
};

// Makes every kind of rule for `brand`, in the order their alerts come out.
// REQUIRES: `brand` outlives the rules.
std::vector<std::unique_ptr<Rule>> MakeRules(const Brand& brand);

// The number of the bucket of width `width` holding `t`; -1 when the width
// is not positive.
int64_t BucketOf(WallTime t, Duration width);

// An alert on one mention: ts, brand, rule, dedupe key and the mention.
Alert MentionAlert(const std::string& brand, const char* rule, const ScoredMention& m, WallTime now);

// The kinds of channel named in `names` (ChannelKindName), as a set of bits.
uint32_t KindSet(const std::vector<std::string>& names);
// Whether `kinds` (a KindSet) holds `kind`.
inline bool HasKind(uint32_t kinds, ChannelKind kind) { return (kinds >> static_cast<uint32_t>(kind)) & 1u; }

// Returns `result`, and sets *why to text() when asked for it (not null):
// a rule puts its reasons into words only for someone who reads them.
template <typename Text>
bool Because(std::string* why, bool result, Text&& text) {
  if (why != nullptr) *why = text();
  return result;
}

// Whether a mention rule reading `kinds` skips `in` before looking at its
// words: it is not of those kinds, or one of the brand's own accounts wrote
// it. *why (when not null) gets the reason when it does.
bool Skips(const MentionInput& in, uint32_t kinds, std::string* why);

// Whether the brand is central enough to the mention (Focus::salience at
// least `min`); *why (when not null) gets the reason either way.
bool Salient(const PreparedMention& p, double min, std::string* why);

// The sentence that drove a decision on the sentiment aimed at the brand:
// the one holding the clause that weighs most in the targeted score
// (ScoredMention::target_at), else the first that names the brand, else the
// first. sentences.size() when the mention has none.
uint32_t ScoredSentence(const MentionInput& in);

// The sentences [first, last] of the mention, anchored at the brand's first
// match in them (QuoteOf): Cut(kSnippetChars) is an alert's snippet,
// Cut(kSummarySnippetChars) what its summary quotes.
Quote QuoteOf(const MentionInput& in, uint32_t first, uint32_t last);

// The longest snippet an alert carries, and the one its summary quotes, in
// code points.
inline constexpr size_t kSnippetChars = 240;
inline constexpr size_t kSummarySnippetChars = 100;

// Whom a cooldown of a mention rule is per: "author:<source>/<author>", or
// "item:<source>/<id>" for a mention without an author.
std::string AuthorKey(const Mention& m);

// Adds the mention's reach metrics and rating, where present, to a.figures.
void AddReachFigures(const Mention& m, Alert& a);

// "<whole key>/<number>": the key of row `n` of changes of `whole_key`,
// zero-padded so the rows sort in the order they were written.
std::string ChangeRowKey(const std::string& whole_key, uint64_t n);
// The number of a row of changes of `whole_key`; nullopt when `key` is not one.
std::optional<uint64_t> ChangeRowNumber(std::string_view key, std::string_view whole_key);

// A piece of state saved as a whole row plus rows of changes since then, so
// a save costs what changed rather than what is remembered.
class ChangeLog {
 public:
  explicit ChangeLog(std::string whole_key) : whole_key_(std::move(whole_key)) {}
  // Stages `changes()` (empty when none) as a new row, or `whole()` in place
  // of every row when `reset` or when the rows would outweigh the whole.
  template <typename Whole, typename Changes>
  void Save(store::RuleStateWriter& writer, const std::string& brand, bool reset, Whole&& whole, Changes&& changes) {
    std::string row = reset ? std::string() : changes();
    if (!reset && row.empty()) return;
    if (reset || TooMany(row.size())) {
      PutWhole(writer, brand, whole());
    } else {
      PutChanges(writer, brand, std::move(row));
    }
  }
  // Restores the whole row and then the rows of changes found in `rows`, in
  // the order they were written.
  template <typename Whole, typename Changes>
  void Restore(const StateRows& rows, Whole&& whole, Changes&& changes) {
    if (auto it = rows.find(whole_key_); it != rows.end()) {
      whole(it->second);
      whole_bytes_ = it->second.size();
    }
    for (auto it = rows.lower_bound(whole_key_ + "/"); it != rows.end() && it->first.starts_with(whole_key_); ++it) {
      auto n = ChangeRowNumber(it->first, whole_key_);
      if (!n) continue;
      changes(it->second);
      Restored(it->first, *n, it->second.size());
    }
  }
  const std::string& whole_key() const { return whole_key_; }

 private:
  bool TooMany(size_t more) const;
  void PutWhole(store::RuleStateWriter& writer, const std::string& brand, std::string value);
  void PutChanges(store::RuleStateWriter& writer, const std::string& brand, std::string row);
  void Restored(std::string key, uint64_t n, size_t size);

  std::string whole_key_;
  std::vector<std::string> rows_;  // rows of changes since the whole was saved, oldest first
  size_t bytes_ = 0;               // their total size
  size_t whole_bytes_ = 0;         // size of the whole when last saved
  uint64_t next_ = 0;              // number of the next row
};

}  // namespace brandmon::rules
