// negative_spike: only negative mentions (effective score at or below -0.05)
// count; negative_dip when a bucket is far below its baseline.

#include "daemon/rules/rule_kinds.h"
#include "daemon/rules/spike_rule.h"

namespace brandmon::rules {

std::unique_ptr<Rule> MakeNegativeSpikeRule(const Brand& brand) {
  return std::make_unique<SpikeRule>(brand, SpikeRule::Kind{"negative_spike", "negative_dip", SpikeCount::kNegative},
                                     brand.rules.options.negative_spike);
}

}  // namespace brandmon::rules
