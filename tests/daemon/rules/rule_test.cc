#include "daemon/rules/rule.h"

#include <gtest/gtest.h>

#include <map>

namespace brandmon::rules {
namespace {

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// The rows a writer ends up with, as a store would keep them.
struct MapWriter : store::RuleStateWriter {
  StateRows rows;
  void PutRuleState(std::string, std::string key, std::string value) override { rows[key] = std::move(value); }
  void DeleteRuleState(std::string, std::string key) override { rows.erase(key); }
  void PutMentionMark(std::string, std::string) override {}
};

TEST(CooldownsTest, HoldForTheirDurationPerKey) {
  Cooldowns c;
  WallTime t = FromUnixMillis(kT0);
  EXPECT_TRUE(c.Take("praise|author:x/bob", std::chrono::minutes(30), t));
  EXPECT_FALSE(c.Take("praise|author:x/bob", std::chrono::minutes(30), t + std::chrono::minutes(29)));
  EXPECT_TRUE(c.Take("praise|author:x/ann", std::chrono::minutes(30), t));
  EXPECT_TRUE(c.Take("praise|author:x/bob", std::chrono::minutes(30), t + std::chrono::minutes(30)));
  EXPECT_TRUE(c.Take("keyword|recall", Duration{}, t));
  EXPECT_TRUE(c.Take("keyword|recall", Duration{}, t)) << "no cooldown without a duration";
}

TEST(CooldownsTest, ChangesAndWholeRestoreTheSameCooldowns) {
  Cooldowns c;
  WallTime t = FromUnixMillis(kT0);
  ASSERT_TRUE(c.Take("a", std::chrono::minutes(10), t));
  std::string first = c.SerializeChanges();
  EXPECT_EQ(c.SerializeChanges(), "") << "nothing taken since";
  ASSERT_TRUE(c.Take("b", std::chrono::minutes(20), t));
  std::string second = c.SerializeChanges();
  Cooldowns restored;
  restored.Merge(first);
  restored.Merge(second);
  restored.Merge("not json");
  EXPECT_FALSE(restored.Take("a", std::chrono::minutes(10), t + std::chrono::minutes(5)));
  EXPECT_FALSE(restored.Take("b", std::chrono::minutes(10), t + std::chrono::minutes(15)));
  // The whole leaves out what is over.
  EXPECT_EQ(c.Serialize(kT0 + 15 * 60'000), "{\"b\":" + std::to_string(kT0 + 20 * 60'000) + "}");
}

TEST(ChangeRowTest, KeysSortInWrittenOrderAndParseBack) {
  EXPECT_EQ(ChangeRowKey("cooldowns", 7), "cooldowns/000000000007");
  EXPECT_LT(ChangeRowKey("k", 9), ChangeRowKey("k", 10));
  EXPECT_EQ(ChangeRowNumber(ChangeRowKey("k/open", 42), "k/open"), 42u);
  EXPECT_EQ(ChangeRowNumber("k/open", "k/open"), std::nullopt);
  EXPECT_EQ(ChangeRowNumber("k/open/00000000000x", "k/open"), std::nullopt);
  EXPECT_EQ(ChangeRowNumber("other/000000000001", "k"), std::nullopt);
}

TEST(ChangeLogTest, SmallChangesAreRowsUntilTheyOutweighTheWhole) {
  MapWriter w;
  ChangeLog log("cooldowns");
  std::string whole = "{}", applied;
  for (int i = 0; i < 300; ++i) {
    std::string change = std::to_string(i) + ";";
    log.Save(
        w, "acme", false, [&] { return applied + change; }, [&] { return change; });
    applied += change;
  }
  EXPECT_LE(w.rows.size(), 257u);
  ChangeLog restored_log("cooldowns");
  std::string restored;
  restored_log.Restore(
      w.rows, [&](std::string_view v) { restored = v; }, [&](std::string_view v) { restored += v; });
  EXPECT_EQ(restored, applied);
  log.Save(
      w, "acme", true, [&] { return applied; }, [] { return std::string(); });
  EXPECT_EQ(w.rows.size(), 1u) << "a reset folds every row into the whole";
}

TEST(RuleTest, Buckets) {
  auto q = std::chrono::minutes(15);
  EXPECT_EQ(BucketOf(FromUnixMillis(kT0), q), kT0 / (15 * 60'000));
  EXPECT_EQ(BucketOf(FromUnixMillis(-1), q), -1);
  EXPECT_EQ(BucketOf(FromUnixMillis(kT0), Duration{}), -1);
}

TEST(RuleTest, MentionAlertsNameTheMentionAndItsAuthor) {
  ScoredMention sm;
  sm.mention.source = "feed";
  sm.mention.id = "42";
  Alert a = MentionAlert("acme", "praise", sm, FromUnixMillis(kT0));
  EXPECT_EQ(a.dedupe_key, "acme|praise|feed|42");
  ASSERT_EQ(a.mentions.size(), 1u);
  EXPECT_EQ(AuthorKey(sm.mention), "item:feed/42");
  sm.mention.author = "bob";
  EXPECT_EQ(AuthorKey(sm.mention), "author:feed/bob");
}

TEST(BrandTest, PhrasesOfTheBrandAndItsTerms) {
  BrandRules r;
  r.name = "Acme Corp";
  r.handles = {"AcmeCorp", "@acme_help"};
  r.options = DefaultRulesOptions();
  Brand b(r);
  EXPECT_EQ(b.name, (Phrase{"acme", "corp"}));
  ASSERT_EQ(b.handles.size(), 2u);
  EXPECT_EQ(b.handles[0], Phrase{"@acmecorp"});
  EXPECT_EQ(b.handles[1], Phrase{"@acme_help"});
  bool breach = false;
  for (const auto& [term, phrase] : b.keyword_terms) breach = breach || term == "data breach";
  EXPECT_TRUE(breach) << "the built-in crisis terms when none are set";
  r.options.keyword.terms = {"Melted DOWN"};
  Brand custom(r);
  ASSERT_EQ(custom.keyword_terms.size(), 1u);
  EXPECT_EQ(custom.keyword_terms[0].first, "melted down");
}

}  // namespace
}  // namespace brandmon::rules
