#include <gtest/gtest.h>

#include "daemon/rules/rule_kinds.h"
#include "tests/daemon/rules/rule_testlib.h"

namespace brandmon::rules {
namespace {

using namespace rule_test;

TEST(NegativeMentionRuleTest, ThresholdReachAndRatingGradeTheAlert) {
  BrandRules r = AcmeRules();
  r.options.negative_mention.threshold = -0.4;
  Brand brand(r);
  auto rule = MakeNegativeMentionRule(brand);
  Cooldowns cooldowns;
  WallTime now = FromUnixMillis(kT0);
  EXPECT_TRUE(RunOne(*rule, brand, Mention("1", "meh acme", "a"), -0.3, cooldowns, now).empty());
  auto info = RunOne(*rule, brand, Mention("2", "awful acme", "b"), -0.4, cooldowns, now);
  ASSERT_EQ(info.size(), 1u);
  EXPECT_EQ(info[0].severity, Severity::kInfo);
  EXPECT_EQ(info[0].summary, "negative mention of acme on reddit by b (score -0.4, reach 0): awful acme");
  ScoredMention rated = Mention("3", "awful acme", "c");
  rated.mention.SetMetric("rating", 1);
  auto raised = RunOne(*rule, brand, rated, -0.9, cooldowns, now);
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].severity, Severity::kWarning) << "a one-star rating raises the severity";
  EXPECT_TRUE(RunOne(*rule, brand, Mention("4", "still awful", "b"), -0.9, cooldowns, now).empty())
      << "the author's cooldown holds";
}

TEST(NegativeMentionRuleTest, DisabledRaisesNothing) {
  BrandRules r = AcmeRules();
  r.options.negative_mention.enabled = false;
  Brand brand(r);
  auto rule = MakeNegativeMentionRule(brand);
  Cooldowns cooldowns;
  EXPECT_TRUE(RunOne(*rule, brand, Mention("1", "awful acme"), -0.9, cooldowns, FromUnixMillis(kT0)).empty());
}

}  // namespace
}  // namespace brandmon::rules
