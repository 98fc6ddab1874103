#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/status.h"
#include "daemon/rules/rule.h"
#include "daemon/rules/rules_options.h"
#include "daemon/store/rule_state.h"

namespace brandmon::rules {

// Turns the stream of scored mentions into alerts by running every kind of
// Rule (rule_kinds.h) of each brand: per-mention rules (negative_mention,
// needs_reply, praise, keyword) and trend rules over time buckets
// (volume_spike, negative_spike, sentiment_shift, emerging_terms).
// Never fetches nor publishes; the rules' memory (baselines, storms,
// cooldowns) is loaded with Restore() and staged with SaveState(), which the
// engine commits with the mentions and alerts that changed it. What changes
// with every mention (open buckets, term counts, cooldowns) is staged as
// small rows of changes, folded into a whole row once they add up to its
// size, so a save costs what changed rather than what is remembered; the
// counts may also be staged less often than the mentions are committed,
// since they can be counted again from the stored mentions. Owned by one
// thread (thread-compatible); `clock` must outlive it.
class RuleSet {
 public:
  RuleSet(std::vector<BrandRules> brands, const Clock& clock);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Loads the state saved by a previous run, then counts the mentions stored
  // after its mark. State of unknown brands, or saved under another bucket
  // width, is ignored. Errors: those of `reader`.
  Status Restore(store::RuleStateReader& reader);

  // What the rules read from the words of one mention, found without the
  // rules' memory: Prepare() may run on another thread, beside Process().
  using Prepared = PreparedMention;
  // Thread-safe: reads only what the constructor set. Empty for a mention of
  // an unknown brand.
  Prepared Prepare(const ScoredMention& mention) const;
  // The same from the mention's words and sentences already split:
  // SplitMention(mention), computed once for every brand it matched.
  Prepared Prepare(const ScoredMention& mention, MentionText text) const;

  // What each rule of the mention's brand makes of it, in the order of
  // MakeRules: {rule, verdict} of the mention rules, each with the cooldown
  // that holds it back now (Verdict::held), as restored or taken so far.
  // Empty for an unknown brand. Thread-safe, like Prepare().
  std::vector<std::pair<std::string, Verdict>> Judge(const ScoredMention& mention, const Prepared& prepared) const;

  // Closes the buckets that ended before now, then runs the rules over
  // `mentions` (those of unknown brands are ignored). Returns the alerts
  // without seq, in a deterministic order.
  std::vector<Alert> Process(const std::vector<ScoredMention>& mentions);
  // The same with prepared[i] = Prepare(mentions[i]), computed beforehand.
  std::vector<Alert> Process(const std::vector<ScoredMention>& mentions, const std::vector<Prepared>& prepared);

  // Closes the buckets that ended before now: quiet periods, the end of a
  // storm. Call it periodically even when no mention arrives.
  std::vector<Alert> Tick();

  // Stages the state changed since the last call. With `counts` false it
  // leaves out the counts of the open buckets, which change with every
  // mention, unless a bucket closed or a series began since; what the rules
  // decided (cooldowns) is staged either way. Returns whether the counts
  // were staged: then a mark of the last mention they include goes with
  // them, and Restore() counts the mentions stored after the mark again, so
  // counts left out of the commits before a crash are not lost. The first
  // call after start stages them.
  bool SaveState(store::RuleStateWriter& writer, bool counts = true);

 private:
  struct BrandState;
  static void CompileCues(BrandState& state);
  // The word indexes where `p` names the brand by a handle, and by its name
  // or its matched terms when `matched_terms` (the matcher's spans are not
  // known).
  static std::vector<uint32_t> NamedAt(const Prepared& p, bool matched_terms);
  static void RestoreBrand(BrandState& brand, const StateRows& rows);
  static void SaveBrand(BrandState& brand, store::RuleStateWriter& writer, bool counts, int64_t now_ms);
  Status Recount(store::RuleStateReader& reader, int64_t after);
  std::vector<Alert> AdvanceAll(WallTime now);

  const Clock& clock_;
  std::map<std::string, std::unique_ptr<BrandState>, std::less<>> brands_;
  bool counts_saved_ = false;  // the store has counts (and their mark) of these rules
  bool counted_ = false;       // mentions were counted since the last mark
};

}  // namespace brandmon::rules
