#include <gtest/gtest.h>

#include "daemon/rules/rule_kinds.h"
#include "tests/daemon/rules/rule_testlib.h"

namespace brandmon::rules {
namespace {

using namespace rule_test;

// The candidate terms Prepare() picks from a mention's words.
std::vector<std::string> Terms(const Rule& rule, const ScoredMention& sm) {
  PreparedMention p;
  p.words = Words(sm.mention.text);
  rule.Prepare(sm, p);
  std::vector<std::string> out;
  for (uint32_t i : p.terms) out.push_back(p.words[i]);
  return out;
}

TEST(EmergingTermsRuleTest, TermsLeaveOutTheBrandStopwordsHandlesAndNumbers) {
  BrandRules r = AcmeRules();
  r.options.emerging_terms.ignore = {"Widget"};
  Brand brand(r);
  auto rule = MakeEmergingTermsRule(brand);
  ScoredMention sm = Mention("1", "The ACME toaster #acme @acmecorp 3.5 2024 widget EXPLODED in Málaga");
  EXPECT_EQ(Terms(*rule, sm), (std::vector<std::string>{"toaster", "exploded", "málaga"}));
  r.options.emerging_terms.enabled = false;
  Brand off(r);
  EXPECT_TRUE(Terms(*MakeEmergingTermsRule(off), sm).empty());
}

TEST(EmergingTermsRuleTest, ATermFarAboveItsBaselineAlertsWhenItsBucketCloses) {
  Brand brand(AcmeRules());
  auto rule = MakeEmergingTermsRule(brand);
  Cooldowns cooldowns;
  const auto hour = std::chrono::hours(1);
  std::vector<Alert> alerts;
  for (int h = 0; h < 30; ++h) {
    WallTime now = FromUnixMillis(kT0) + hour * h + std::chrono::minutes(1);
    rule->CloseBuckets(now, alerts);
    ASSERT_TRUE(alerts.empty()) << h;
    for (int k = 0; k < 20; ++k) {
      std::string text = h == 29 ? "acme toaster flames" : "acme order " + std::to_string(k % 4);
      RunOne(*rule, brand, Mention(std::to_string(h) + "-" + std::to_string(k), text), 0, cooldowns, now);
    }
  }
  rule->CloseBuckets(FromUnixMillis(kT0) + hour * 30 + std::chrono::minutes(1), alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule, "emerging_terms");
  EXPECT_EQ(alerts[0].summary.rfind("emerging with acme in the last 1h: ", 0), 0u) << alerts[0].summary;
  EXPECT_NE(alerts[0].summary.find("toaster (20, usually 0)"), std::string::npos) << alerts[0].summary;
}

}  // namespace
}  // namespace brandmon::rules
