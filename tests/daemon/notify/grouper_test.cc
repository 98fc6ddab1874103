#include "daemon/notify/grouper.h"

#include <gtest/gtest.h>

namespace brandmon::notify {
namespace {

using std::chrono::seconds;

AlertPtr Make(uint64_t seq, std::string brand = "acme", std::string rule = "negative_mention") {
  auto m = std::make_shared<AlertMessage>();
  m->alert.seq = seq;
  m->alert.brand = std::move(brand);
  m->alert.rule = std::move(rule);
  return m;
}

std::vector<std::vector<uint64_t>> Seqs(const std::vector<std::vector<AlertPtr>>& groups) {
  std::vector<std::vector<uint64_t>> out;
  for (const auto& g : groups) {
    out.emplace_back();
    for (const auto& a : g) out.back().push_back(a->alert.seq);
  }
  return out;
}

RouteSettings Grouped(Duration wait, Duration interval) {
  RouteSettings r;
  r.group_wait = wait;
  r.group_interval = interval;
  return r;
}

using Groups = std::vector<std::vector<uint64_t>>;

TEST(GrouperTest, WithoutGroupWaitEveryAlertGoesAloneAtOnce) {
  std::vector<RouteSettings> routes = {Grouped(Duration(0), seconds(300))};
  Grouper g(routes, 100);
  MonoTime t0{};
  g.Add(0, Make(1), t0);
  g.Add(0, Make(2), t0);
  ASSERT_TRUE(g.NextDue());
  EXPECT_LE(*g.NextDue(), t0);
  EXPECT_EQ(g.OldestHeld(), 1u);
  EXPECT_EQ(Seqs(g.TakeDue(t0)), (Groups{{1}, {2}}));
  g.Add(0, Make(3), t0);
  EXPECT_EQ(Seqs(g.TakeDue(t0)), (Groups{{3}}));
  EXPECT_EQ(g.held(), 0u);
}

TEST(GrouperTest, GroupsSameBrandAndRuleForGroupWaitThenGroupInterval) {
  std::vector<RouteSettings> routes = {Grouped(seconds(30), seconds(300))};
  Grouper g(routes, 100);
  MonoTime t0{};
  g.Add(0, Make(1), t0);
  g.Add(0, Make(2, "acme", "volume_spike"), t0 + seconds(5));
  g.Add(0, Make(3), t0 + seconds(10));
  EXPECT_EQ(g.OldestHeld(), 1u);
  EXPECT_TRUE(g.TakeDue(t0 + seconds(29)).empty());
  EXPECT_EQ(Seqs(g.TakeDue(t0 + seconds(30))), (Groups{{1, 3}}));
  EXPECT_EQ(Seqs(g.TakeDue(t0 + seconds(35))), (Groups{{2}}));
  // The group was sent at 30s: its next alerts wait for the interval.
  g.Add(0, Make(4), t0 + seconds(40));
  EXPECT_EQ(g.NextDue(), t0 + seconds(330));
  EXPECT_TRUE(g.TakeDue(t0 + seconds(300)).empty());
  EXPECT_EQ(Seqs(g.TakeDue(t0 + seconds(330))), (Groups{{4}}));
  // Quiet for a whole interval: the next alert waits group_wait again.
  g.Add(0, Make(5), t0 + seconds(1000));
  EXPECT_EQ(g.NextDue(), t0 + seconds(1030));
}

TEST(GrouperTest, AFullGroupIsDueAtOnce) {
  std::vector<RouteSettings> routes = {Grouped(seconds(30), seconds(300))};
  Grouper g(routes, 3);
  MonoTime t0{};
  for (uint64_t s = 1; s <= 4; ++s) g.Add(0, Make(s), t0);
  EXPECT_EQ(Seqs(g.TakeDue(t0)), (Groups{{1, 2, 3, 4}}));
}

TEST(GrouperTest, RoutesGroupApartAndTakeAllEmptiesEverything) {
  std::vector<RouteSettings> routes = {Grouped(seconds(30), seconds(300)), Grouped(seconds(60), seconds(300))};
  Grouper g(routes, 100);
  MonoTime t0{};
  g.Add(1, Make(2), t0);
  g.Add(0, Make(1), t0);
  g.Add(0, Make(3, "globex"), t0);
  EXPECT_EQ(g.held(), 3u);
  EXPECT_EQ(Seqs(g.TakeAll(t0)), (Groups{{1}, {2}, {3}}));
  EXPECT_EQ(g.held(), 0u);
  EXPECT_FALSE(g.NextDue());
  EXPECT_FALSE(g.OldestHeld());
}

}  // namespace
}  // namespace brandmon::notify
