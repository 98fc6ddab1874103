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

TEST(PraiseRuleTest, ABrandNamedInPassingOrItsOwnAccountRaisesNoPraise) {
  Brand brand(AcmeRules());
  auto rule = MakePraiseRule(brand);
  WallTime now = FromUnixMillis(kT0);
  auto praise = [&](ScoredMention sm) {
    sm.mention.SetMetric("followers", 50000);
    Cooldowns cooldowns;
    return RunOne(*rule, brand, sm, 0.9, cooldowns, now);
  };
  std::string passing =
      "What a weekend. We hiked to the lake on Saturday. The weather was perfect and the water was warm. "
      "On Sunday we cooked for twenty friends. Somebody brought an Acme grill. Everyone loved the food. "
      "Best weekend of the summer.";
  EXPECT_TRUE(praise(Mention("1", passing, "a")).empty()) << "named once, in sentence 5 of 7";
  EXPECT_EQ(praise(Mention("2", "Acme makes the best grills. " + passing, "b")).size(), 1u);
  EXPECT_TRUE(praise(Mention("3", "Love the new acme grill!", "@acmecorp")).empty()) << "the brand's own account";
}

}  // namespace
}  // namespace brandmon::rules
