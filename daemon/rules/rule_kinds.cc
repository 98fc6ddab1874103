#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

std::vector<std::unique_ptr<Rule>> MakeRules(const Brand& brand) {
  std::vector<std::unique_ptr<Rule>> rules;
#define BRANDMON_MAKE_RULE(name) rules.push_back(Make##name##Rule(brand));
  BRANDMON_RULE_KINDS(BRANDMON_MAKE_RULE)
#undef BRANDMON_MAKE_RULE
  return rules;
}

}  // namespace brandmon::rules
