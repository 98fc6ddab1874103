#include <gtest/gtest.h>

#include "daemon/rules/rule_kinds.h"
#include "tests/daemon/rules/rule_testlib.h"

namespace brandmon::rules {
namespace {

using namespace rule_test;

struct MapWriter : store::RuleStateWriter {
  StateRows rows;
  void PutRuleState(std::string, std::string key, std::string value) override { rows[key] = std::move(value); }
  void DeleteRuleState(std::string, std::string key) override { rows.erase(key); }
  void PutMentionMark(std::string, std::string) override {}
};

// Hour `h` of a day of calm (0.4) that turns sour (-0.4) from hour 24 on.
std::vector<Alert> Hour(Rule& rule, const Brand& brand, int h) {
  WallTime now = FromUnixMillis(kT0) + std::chrono::hours(h) + std::chrono::minutes(1);
  std::vector<Alert> out;
  rule.CloseBuckets(now, out);
  Cooldowns cooldowns;
  for (int k = 0; k < 10; ++k) {
    RunOne(rule, brand, Mention(std::to_string(h) + "-" + std::to_string(k), "acme"), h < 24 ? 0.4 : -0.4, cooldowns,
           now);
  }
  return out;
}

TEST(SentimentShiftRuleTest, ASourMoodAlertsOnceAndARestoredRuleAgrees) {
  Brand brand(AcmeRules());
  auto rule = MakeSentimentShiftRule(brand);
  MapWriter w;
  OpenCells cells;
  for (int h = 0; h < 25; ++h) {
    EXPECT_TRUE(Hour(*rule, brand, h).empty()) << h;
    rule->SaveCounts(w);
  }
  rule->SaveOpenCells(cells);
  auto restored = MakeSentimentShiftRule(brand);
  restored->Restore(w.rows);
  for (const auto& [key, cell] : cells) restored->RestoreOpenCell(key, cell);
  std::vector<Alert> alerts, again;
  for (int h = 25; h < 32; ++h) {
    for (auto& a : Hour(*rule, brand, h)) alerts.push_back(std::move(a));
    for (auto& a : Hour(*restored, brand, h)) again.push_back(std::move(a));
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule, "sentiment_shift");
  // It fires once two of the three recent hours are sour: (10 x 0.4 + 20 x -0.4) / 30 against 0.4.
  EXPECT_EQ(alerts[0].summary, "sentiment about acme dropped by 0.53: -0.13 over the last 30 mentions vs 0.4 before");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].summary, alerts[0].summary);
  EXPECT_EQ(again[0].dedupe_key, alerts[0].dedupe_key);
}

}  // namespace
}  // namespace brandmon::rules
