#include "daemon/rules/rule_kinds.h"

namespace brandmon::rules {

std::vector<std::unique_ptr<Rule>> MakeRules(const Brand& brand) {
  std::vector<std::unique_ptr<Rule>> rules;
#define BRANDMON_MAKE_RULE(name) rules.push_back(Make##name##Rule(brand));
  BRANDMON_RULE_KINDS(BRANDMON_MAKE_RULE)
#undef BRANDMON_MAKE_RULE
  return rules;
}

const std::vector<std::string>& RuleKindNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    // "NegativeMention" -> "negative_mention".
    for (std::string_view camel : {
#define BRANDMON_RULE_NAME(name) std::string_view(#name),
             BRANDMON_RULE_KINDS(BRANDMON_RULE_NAME)
#undef BRANDMON_RULE_NAME
         }) {
      std::string snake;
      for (char c : camel) {
        bool upper = c >= 'A' && c <= 'Z';
        if (upper && !snake.empty()) snake += '_';
        snake += upper ? static_cast<char>(c - 'A' + 'a') : c;
      }
      out.push_back(std::move(snake));
    }
    return out;
  }();
  return names;
}

}  // namespace brandmon::rules
