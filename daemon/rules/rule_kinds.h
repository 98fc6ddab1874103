#pragma once

#include <memory>
#include <string>
#include <vector>

#include "daemon/rules/rule.h"

// The registered kinds of rule, in the order their alerts come out. Adding
// one takes its own file, defining `Make<Name>Rule`, and one line here.
#define BRANDMON_RULE_KINDS(X) \
  X(NegativeMention)           \
  X(NeedsReply)                \
  X(Praise)                    \
  X(Keyword)                   \
  X(VolumeSpike)               \
  X(NegativeSpike)             \
  X(SentimentShift)            \
  X(EmergingTerms)

namespace brandmon::rules {

// std::unique_ptr<Rule> Make<Name>Rule(const Brand& brand): the rule of that
// kind for `brand`, which must outlive it.
#define BRANDMON_DECLARE_RULE(name) std::unique_ptr<Rule> Make##name##Rule(const Brand& brand);
BRANDMON_RULE_KINDS(BRANDMON_DECLARE_RULE)
#undef BRANDMON_DECLARE_RULE

// The names of the kinds of rule ("negative_mention", "needs_reply"...), in
// the order MakeRules() makes them.
const std::vector<std::string>& RuleKindNames();

}  // namespace brandmon::rules
