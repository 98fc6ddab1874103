#include <gtest/gtest.h>

#include "daemon/rules/rule_kinds.h"
#include "tests/daemon/rules/rule_testlib.h"

namespace brandmon::rules {
namespace {

using namespace rule_test;

TEST(KeywordRuleTest, EachTermOncePerCooldownInOneAlert) {
  BrandRules r = AcmeRules();
  r.options.keyword.terms = {"recall", "Class Action", "धोखा"};
  r.options.keyword.severity = "critical";
  Brand brand(r);
  auto rule = MakeKeywordRule(brand);
  Cooldowns cooldowns;
  WallTime now = FromUnixMillis(kT0);
  auto both = RunOne(*rule, brand, Mention("1", "RECALL and a class action: recall"), 0, cooldowns, now);
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(both[0].severity, Severity::kCritical);
  EXPECT_EQ(both[0].summary,
            "crisis terms recall, class action with acme on reddit by bob: RECALL and a class action: recall");
  EXPECT_TRUE(RunOne(*rule, brand, Mention("2", "another recall", "ann"), 0, cooldowns, now).empty());
  auto hindi = RunOne(*rule, brand, Mention("3", "यह धोखा।", "ann"), 0, cooldowns, now);
  ASSERT_EQ(hindi.size(), 1u);
  EXPECT_EQ(hindi[0].terms[0].term, "धोखा");
}

}  // namespace
}  // namespace brandmon::rules
