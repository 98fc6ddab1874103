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

// In a long text, a crisis term counts beside the brand (its sentence or the
// next), or anywhere when the brand is central.
TEST(KeywordRuleTest, ACrisisTermFarFromABrandNamedInPassingStaysQuiet) {
  Brand brand(AcmeRules());
  auto rule = MakeKeywordRule(brand);
  WallTime now = FromUnixMillis(kT0);
  auto keyword = [&](const std::string& title, const std::string& text) {
    ScoredMention sm = Mention("1", text);
    sm.mention.title = title;
    Cooldowns cooldowns;
    return RunOne(*rule, brand, sm, 0, cooldowns, now);
  };
  std::string far =
      "Episode 112 is about IPv6. We start with address planning. Omar tells the story of an outage caused by one "
      "router. Lena explains happy eyeballs. Halfway through we look at content networks, and Acme was an early "
      "adopter. Links are on the episode page.";
  EXPECT_TRUE(keyword("IPv6 in the real world", far).empty()) << "outage in sentence 3, acme in passing in 5";
  auto near = keyword("IPv6 in the real world",
                      "Episode 112 is about IPv6. We start with address planning. Lena explains happy eyeballs. "
                      "Halfway through we look at content networks. Acme was an early adopter. Its outage last "
                      "year took a whole region down.");
  ASSERT_EQ(near.size(), 1u) << "outage in the sentence after the one naming acme";
  EXPECT_EQ(near[0].snippet, "Acme was an early adopter. Its outage last year took a whole region down.");
  EXPECT_EQ(keyword("The Acme outage, minute by minute", far).size(), 1u) << "acme in the title";
}

}  // namespace
}  // namespace brandmon::rules
