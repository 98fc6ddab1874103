// volume_spike: every mention counts; volume_dip when a bucket is far below
// its baseline (options: dips).

#include "daemon/rules/rule_kinds.h"
#include "daemon/rules/spike_rule.h"

namespace brandmon::rules {

std::unique_ptr<Rule> MakeVolumeSpikeRule(const Brand& brand) {
  return std::make_unique<SpikeRule>(brand, SpikeRule::Kind{"volume_spike", "volume_dip", SpikeCount::kMentions},
                                     brand.rules.options.volume_spike);
}

}  // namespace brandmon::rules
