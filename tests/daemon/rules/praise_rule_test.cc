#include <gtest/gtest.h>

#include "daemon/rules/rule_kinds.h"
#include "tests/daemon/rules/rule_testlib.h"

namespace brandmon::rules {
namespace {

using namespace rule_test;

TEST(PraiseRuleTest, PositiveWithReachOnly) {
  BrandRules r = AcmeRules();
  r.options.praise.threshold = 0.5;
  r.options.praise.min_reach = 1000;
  Brand brand(r);
  auto rule = MakePraiseRule(brand);
  Cooldowns cooldowns;
  WallTime now = FromUnixMillis(kT0);
  ScoredMention loud = Mention("1", "love acme", "a");
  loud.mention.SetMetric("followers", 5000);
  EXPECT_TRUE(RunOne(*rule, brand, Mention("2", "love acme", "b"), 0.9, cooldowns, now).empty()) << "no reach";
  EXPECT_TRUE(RunOne(*rule, brand, loud, 0.4, cooldowns, now).empty()) << "below the threshold";
  auto praise = RunOne(*rule, brand, loud, 0.9, cooldowns, now);
  ASSERT_EQ(praise.size(), 1u);
  EXPECT_EQ(praise[0].summary, "praise for acme on reddit by a (score 0.9, reach 5000): love acme");
  EXPECT_EQ(*praise[0].Figure("followers"), 5000);
}

}  // namespace
}  // namespace brandmon::rules
