#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/config/options.h"

namespace brandmon::rules {

// Each rule has `enabled` and a `cooldown`: after it alerts, the same rule
// stays quiet for that long for the same author (mention rules) or the same
// series (trend rules). Mention rules also have `kinds`, the kinds of
// channel (ChannelKindName) whose mentions they read.

struct NegativeMentionOptions {
  bool enabled = true;
  double threshold = 0;  // alert when the (brand-targeted) compound is at or below it
  Duration cooldown{};
  double reach_warning = 0;   // reach from which the alert is a warning (below: info)
  double reach_critical = 0;  // reach from which it is critical
  double min_salience = 0;    // least salience of the brand (Focus) in a long text
  std::vector<std::string> kinds;
};

struct NeedsReplyOptions {
  bool enabled = true;
  Duration cooldown{};
  double max_rating = 0;                    // a review rated at or below this needs a reply
  std::vector<std::string> question_cues;   // added to the built-in cues of every language
  std::vector<std::string> complaint_cues;  //
  // Kinds whose posts a question or complaint about the brand addresses to
  // it; in the others only its handle or a reply to its own post does.
  std::vector<std::string> kinds;
};

struct PraiseOptions {
  bool enabled = true;
  double threshold = 0;  // compound at or above
  double min_reach = 0;
  Duration cooldown{};
  double min_salience = 0;
  std::vector<std::string> kinds;
};

struct KeywordOptions {
  bool enabled = true;
  std::vector<std::string> terms;  // crisis terms; empty means the built-in list
  std::string severity;
  Duration cooldown{};  // per term
  double min_salience = 0;
  std::vector<std::string> kinds;
};

// volume_spike counts every mention; negative_spike only negative ones.
struct SpikeOptions {
  bool enabled = true;
  Duration bucket{};
  int64_t window = 0;   // closed buckets in the baseline
  int64_t warm_up = 0;  // buckets seen before the rule may fire
  double z = 0;         // robust z-score above the baseline median
  double p_value = 0;   // Poisson tail probability at or below which a count is unusual
  int64_t min_count = 0;
  bool dips = false;
  bool per_channel = true;
  int64_t clear_after = 0;  // normal buckets in a row that end a storm ("all clear")
  Duration cooldown{};
};

struct SentimentShiftOptions {
  bool enabled = true;
  Duration bucket{};
  int64_t recent_buckets = 0;
  int64_t baseline_buckets = 0;
  double drop = 0;  // alert when the recent average is this much below the baseline's
  int64_t min_recent = 0;
  int64_t min_baseline = 0;
  Duration cooldown{};
};

struct EmergingTermsOptions {
  bool enabled = true;
  Duration bucket{};
  int64_t warm_up = 0;
  double ratio = 0;  // count must reach ratio x max(baseline, 1)
  int64_t min_count = 0;
  int64_t top = 0;
  int64_t max_terms = 0;  // terms tracked per brand; the rarest are forgotten first
  Duration cooldown{};    // per term
  std::vector<std::string> ignore;
};

// The rules of one brand (the brand's "rules" object, over global defaults).
struct RulesOptions {
  NegativeMentionOptions negative_mention;
  NeedsReplyOptions needs_reply;
  PraiseOptions praise;
  KeywordOptions keyword;
  SpikeOptions volume_spike;
  SpikeOptions negative_spike;
  SentimentShiftOptions sentiment_shift;
  EmergingTermsOptions emerging_terms;
};

const config::OptionTable<NegativeMentionOptions>& NegativeMentionOptionTable();
const config::OptionTable<NeedsReplyOptions>& NeedsReplyOptionTable();
const config::OptionTable<PraiseOptions>& PraiseOptionTable();
const config::OptionTable<KeywordOptions>& KeywordOptionTable();
const config::OptionTable<SpikeOptions>& VolumeSpikeOptionTable();
const config::OptionTable<SpikeOptions>& NegativeSpikeOptionTable();
const config::OptionTable<SentimentShiftOptions>& SentimentShiftOptionTable();
const config::OptionTable<EmergingTermsOptions>& EmergingTermsOptionTable();
const config::OptionTable<RulesOptions>& RulesOptionTable();

// RulesOptions with every option at its default.
RulesOptions DefaultRulesOptions();

// Applies a brand's "rules" object over `inout` (usually the global
// defaults): only the keys present change, recursively per rule, so a brand
// can write {"negative_mention": {"threshold": -0.3}} and keep the rest.
// Unknown keys, wrong types and out-of-range values are reported to ctx.diag.
void ApplyRulesOverrides(const config::ConfigValue& obj, const std::string& path, config::ApplyContext& ctx,
                         RulesOptions& inout);

}  // namespace brandmon::rules
