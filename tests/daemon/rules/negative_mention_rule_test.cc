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

// Eight sentences about home networks; `brand_at` (0-7) names acme in one.
std::string LongText(int brand_at) {
  const char* sentences[] = {
      "The home network needed a rebuild after five years.",
      "The old rack was loud, hot and full of cables nobody could trace.",
      "The new setup is three small fanless machines and a managed switch.",
      "Everything boots from the network now.",
      "The first switch could not do VLANs properly, which was a terrible waste of an evening.",
      "The storage box shipped with a dead disk.",
      "Power draw fell from 300 watts to 60.",
      "Next month I will write about monitoring.",
  };
  std::string text;
  for (int i = 0; i < 8; ++i) {
    text += (i ? " " : "") + std::string(sentences[i]);
    if (i == brand_at) text.insert(text.size() - 1, ", like my awful old Acme router");
  }
  return text;
}

std::vector<Alert> Negative(const ScoredMention& sm, BrandRules r = AcmeRules()) {
  Brand brand(r);
  auto rule = MakeNegativeMentionRule(brand);
  Cooldowns cooldowns;
  return RunOne(*rule, brand, sm, -0.8, cooldowns, FromUnixMillis(kT0));
}

TEST(NegativeMentionRuleTest, ABrandNamedOnceInPassingDeepInALongTextStaysQuiet) {
  EXPECT_TRUE(Negative(Mention("1", LongText(5))).empty()) << "named once, in sentence 6 of 8";
  EXPECT_EQ(Negative(Mention("1", LongText(0))).size(), 1u) << "named in the first sentence";
  ScoredMention titled = Mention("1", LongText(5));
  titled.mention.title = "Why I finally replaced my Acme router";
  EXPECT_EQ(Negative(titled).size(), 1u) << "named in the title";
  EXPECT_EQ(Negative(Mention("1", "My acme router died. Awful.")).size(), 1u) << "a short text";
  ScoredMention often = Mention("1", LongText(5) + " Acme support was useless. Acme never replied.");
  EXPECT_EQ(Negative(often).size(), 1u) << "named in 3 of 10 sentences";
  BrandRules any_salience = AcmeRules();
  any_salience.options.negative_mention.min_salience = 0;
  auto passing = Negative(Mention("1", LongText(5)), any_salience);
  ASSERT_EQ(passing.size(), 1u) << "min_salience 0 alerts on passing mentions too";
  EXPECT_DOUBLE_EQ(*passing[0].Figure("salience"), 0.25);
}

TEST(NegativeMentionRuleTest, TheSnippetIsTheSentenceTheTargetedScoreCameFrom) {
  ScoredMention sm = Mention("1",
                             "Acme opened a store in Lyon last week. The queue was long. Acme staff were rude and "
                             "the Acme kettle I bought leaks.");
  auto first = Negative(sm);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].snippet, "Acme opened a store in Lyon last week.") << "without a clause, the first naming it";
  sm.target_at = 60;  // in "Acme staff were rude..."
  auto targeted = Negative(sm);
  ASSERT_EQ(targeted.size(), 1u);
  EXPECT_EQ(targeted[0].snippet, "Acme staff were rude and the Acme kettle I bought leaks.");
  EXPECT_EQ(targeted[0].summary,
            "negative mention of acme on reddit by bob (score -0.8, reach 0): Acme staff were rude and the Acme "
            "kettle I bought leaks.");
}

TEST(NegativeMentionRuleTest, KindsAndTheBrandsOwnAccounts) {
  BrandRules social_only = AcmeRules();
  social_only.options.negative_mention.kinds = {"social"};
  ScoredMention news = Mention("1", "acme is awful");
  news.mention.channel = "rss";
  EXPECT_TRUE(Negative(news, social_only).empty());
  EXPECT_EQ(Negative(news).size(), 1u);
  news.mention.channel = "x";
  EXPECT_EQ(Negative(news, social_only).size(), 1u);
  EXPECT_TRUE(Negative(Mention("2", "acme is awful, sorry for the outage", "@acmecorp")).empty())
      << "the brand's own account";
}

}  // namespace
}  // namespace brandmon::rules
