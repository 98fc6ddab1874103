#include <gtest/gtest.h>

#include "daemon/rules/rule.h"
#include "daemon/rules/rule_kinds.h"
#include "daemon/rules/rule_set.h"

namespace brandmon::rules {
namespace {

// Every registered kind, through MakeRules alone: the mention rules alert in
// their registered order and the trend rules stage their state under their
// own keys.
TEST(RuleKindsTest, EveryKindIsMadeAndRunsInOrder) {
  BrandRules r;
  r.name = "acme";
  r.handles = {"@acmecorp"};
  r.options = DefaultRulesOptions();
  Brand brand(r);
  std::vector<std::unique_ptr<Rule>> rules = MakeRules(brand);
  ASSERT_EQ(rules.size(), 8u);
  EXPECT_EQ(RuleKindNames(),
            (std::vector<std::string>{"negative_mention", "needs_reply", "praise", "keyword", "volume_spike",
                                      "negative_spike", "sentiment_shift", "emerging_terms"}));

  ScoredMention sm;
  sm.brand = "acme";
  sm.mention.source = "feed";
  sm.mention.id = "1";
  sm.mention.author = "bob";
  sm.mention.text = "@acmecorp recall, still waiting for my refund";
  sm.mention.SetMetric("followers", 50000);
  FakeClock clock;
  PreparedMention p = RuleSet({r}, clock).Prepare(sm);
  WallTime now = FromUnixMillis(1'767'225'660'000);
  MentionInput in{sm, p, now, -0.7, 50000};
  Cooldowns cooldowns;
  std::vector<Alert> out;
  for (const auto& rule : rules) rule->OnMention(in, cooldowns, out);
  std::vector<std::string> names;
  for (const auto& a : out) names.push_back(a.rule);
  EXPECT_EQ(names, (std::vector<std::string>{"negative_mention", "needs_reply", "keyword"}));

  struct Keys : store::RuleStateWriter {
    std::vector<std::string> keys;
    void PutRuleState(std::string, std::string key, std::string) override { keys.push_back(key); }
    void DeleteRuleState(std::string, std::string) override {}
    void PutMentionMark(std::string, std::string) override {}
  } w;
  for (const auto& rule : rules) rule->Count(in);
  for (const auto& rule : rules) rule->CloseBuckets(now + std::chrono::hours(2), out);
  for (const auto& rule : rules) rule->SaveCounts(w);
  std::string all;
  for (const auto& k : w.keys) all += k + " ";
  for (const char* key : {"volume_spike@15m/*", "negative_spike@15m/*", "sentiment_shift@1h", "emerging_terms@1h"}) {
    EXPECT_NE(all.find(key), std::string::npos) << key << " in " << all;
  }
}

}  // namespace
}  // namespace brandmon::rules
