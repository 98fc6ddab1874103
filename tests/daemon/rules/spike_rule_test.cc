#include "daemon/rules/spike_rule.h"

#include <gtest/gtest.h>

namespace brandmon::rules {
namespace {

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
constexpr auto kBucket = std::chrono::minutes(15);

struct MapWriter : store::RuleStateWriter {
  StateRows rows;
  void PutRuleState(std::string, std::string key, std::string value) override { rows[key] = std::move(value); }
  void DeleteRuleState(std::string, std::string key) override { rows.erase(key); }
  void PutMentionMark(std::string, std::string) override {}
};

Brand Acme() {
  BrandRules r;
  r.name = "acme";
  r.options = DefaultRulesOptions();
  return Brand(r);
}

const SpikeRule::Kind kVolume{"volume_spike", "volume_dip", SpikeCount::kMentions};

// Counts `n` mentions on "reddit" in bucket `i`, after closing the buckets before it.
std::vector<Alert> Bucket(SpikeRule& rule, int i, int n, double score = 0) {
  WallTime now = FromUnixMillis(kT0) + kBucket * i + std::chrono::minutes(1);
  std::vector<Alert> out;
  rule.CloseBuckets(now, out);
  ScoredMention sm;
  sm.mention.channel = "reddit";
  PreparedMention prepared;
  for (int k = 0; k < n; ++k) rule.Count(MentionInput{sm, prepared, now, score, 0});
  return out;
}

std::vector<std::string> Names(const std::vector<Alert>& alerts) {
  std::vector<std::string> out;
  for (const auto& a : alerts) out.push_back(a.rule + "/" + a.channel);
  return out;
}

TEST(SpikeRuleTest, ASurgeAlertsForTheBrandAndItsChannelThenClears) {
  Brand brand = Acme();
  SpikeRule rule(brand, kVolume, brand.rules.options.volume_spike);
  for (int i = 0; i < 32; ++i) EXPECT_TRUE(Bucket(rule, i, 18 + (i * 3) % 5).empty()) << i;
  Bucket(rule, 32, 60);
  std::vector<Alert> spike = Bucket(rule, 33, 20);
  ASSERT_EQ(Names(spike), (std::vector<std::string>{"volume_spike/", "volume_spike/reddit"}));
  EXPECT_EQ(spike[0].summary.rfind("spike in mentions for acme: 60 in 15m vs a usual ", 0), 0u) << spike[0].summary;
  EXPECT_EQ(*spike[0].Figure("count"), 60);
  std::vector<std::string> later;
  for (int i = 34; i < 42; ++i) {
    for (const auto& n : Names(Bucket(rule, i, 20))) later.push_back(n);
  }
  EXPECT_EQ(later, (std::vector<std::string>{"volume_spike_clear/", "volume_spike_clear/reddit"}));
}

TEST(SpikeRuleTest, NegativeSpikesCountOnlyNegativeMentions) {
  Brand brand = Acme();
  SpikeRule rule(brand, {"negative_spike", "negative_dip", SpikeCount::kNegative}, brand.rules.options.negative_spike);
  for (int i = 0; i < 32; ++i) Bucket(rule, i, 2, -0.5), Bucket(rule, i, 20, 0.2);
  Bucket(rule, 32, 60, 0.3);
  EXPECT_TRUE(Bucket(rule, 33, 2, -0.5).empty()) << "positive mentions never make a negative spike";
}

TEST(SpikeRuleTest, SavedStateRestoresTheSameFuture) {
  Brand brand = Acme();
  SpikeRule rule(brand, kVolume, brand.rules.options.volume_spike);
  MapWriter w;
  for (int i = 0; i < 33; ++i) {
    Bucket(rule, i, i == 32 ? 60 : 18 + (i * 3) % 5);
    rule.SaveCounts(w);
  }
  OpenCells cells;
  rule.SaveOpenCells(cells);
  EXPECT_FALSE(rule.OpenCellsChanged());
  SpikeRule restored(brand, kVolume, brand.rules.options.volume_spike);
  restored.Restore(w.rows);
  for (const auto& [key, cell] : cells) restored.RestoreOpenCell(key, cell);
  for (int i = 33; i < 42; ++i) {
    EXPECT_EQ(Names(Bucket(restored, i, 20)), Names(Bucket(rule, i, 20))) << i;
  }
}

}  // namespace
}  // namespace brandmon::rules
