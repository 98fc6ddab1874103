#include <gtest/gtest.h>

#include "daemon/rules/rule_kinds.h"
#include "tests/daemon/rules/rule_testlib.h"

namespace brandmon::rules {
namespace {

using namespace rule_test;

TEST(NeedsReplyRuleTest, QuestionsComplaintsAndLowRatings) {
  Brand brand(AcmeRules());
  auto rule = MakeNeedsReplyRule(brand);
  Cooldowns cooldowns;
  WallTime now = FromUnixMillis(kT0);
  auto question = RunOne(*rule, brand, Mention("1", "open on sunday, acme?", "a"), 0, cooldowns, now, {kNamePhrase});
  ASSERT_EQ(question.size(), 1u);
  EXPECT_EQ(question[0].summary, "question for acme on reddit by a: open on sunday, acme?");
  EXPECT_EQ(question[0].severity, Severity::kInfo);
  auto complaint = RunOne(*rule, brand, Mention("2", "still waiting", "b"), 0, cooldowns, now, {kComplaintPhrase});
  ASSERT_EQ(complaint.size(), 1u);
  EXPECT_EQ(complaint[0].summary.rfind("complaint for acme", 0), 0u);
  EXPECT_EQ(complaint[0].severity, Severity::kWarning);
  ScoredMention review = Mention("3", "meh", "c");
  review.mention.SetMetric("rating", 2);
  auto low = RunOne(*rule, brand, review, 0.2, cooldowns, now);
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].summary, "2-star review for acme on reddit by c: meh");
  EXPECT_TRUE(RunOne(*rule, brand, Mention("4", "what a game?", "d"), 0, cooldowns, now).empty())
      << "a question mark without the brand";
  EXPECT_TRUE(RunOne(*rule, brand, Mention("5", "still waiting", "b"), 0, cooldowns, now, {kComplaintPhrase}).empty())
      << "the author's cooldown holds";
}

}  // namespace
}  // namespace brandmon::rules
