#include "daemon/notify/reminders.h"

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace brandmon::notify {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

AlertPtr Make(uint64_t seq, std::string rule, std::string channel = "", std::string brand = "acme") {
  auto m = std::make_shared<AlertMessage>();
  m->alert.seq = seq;
  m->alert.ts = FromUnixMillis(1767225600000);
  m->alert.brand = std::move(brand);
  m->alert.rule = std::move(rule);
  m->alert.channel = std::move(channel);
  m->alert.summary = "alert " + std::to_string(seq);
  m->json = AlertToJson(m->alert);
  return m;
}

std::vector<std::pair<uint64_t, uint32_t>> SeqsAndRepeats(const std::vector<Reminders::Reminder>& due) {
  std::vector<std::pair<uint64_t, uint32_t>> out;
  for (const auto& r : due) out.emplace_back(r.alert->alert.seq, r.repeat);
  return out;
}

using Due = std::vector<std::pair<uint64_t, uint32_t>>;

class RemindersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RouteSettings spikes;
    spikes.match.rule = {"volume_*", "negative_spike"};
    spikes.receivers = {"hooks"};
    spikes.repeat_interval = hours(1);
    RouteSettings rest;
    rest.receivers = {"hooks"};
    routes_ = {spikes, rest};
    auto state = NotifyState::Open(dir_.path().string() + "/notify.db");
    ASSERT_TRUE(state.ok());
    state_.emplace(std::move(*state));
  }

  brandmon::testing::TempDir dir_;
  std::vector<RouteSettings> routes_;
  std::optional<NotifyState> state_;
  WallTime t0_ = FromUnixMillis(1767225600000);
};

TEST(ClearedRuleTest, NamesTheRuleAnAllClearEnds) {
  EXPECT_EQ(ClearedRule("volume_spike_clear"), "volume_spike");
  EXPECT_EQ(ClearedRule("negative_dip_clear"), "negative_dip");
  EXPECT_FALSE(ClearedRule("volume_spike"));
  EXPECT_FALSE(ClearedRule("_clear"));
  EXPECT_FALSE(ClearedRule(""));
  EXPECT_EQ(OpenAlertKey(Make(1, "volume_spike_clear", "reddit")->alert, "volume_spike"),
            OpenAlertKey(Make(2, "volume_spike", "reddit")->alert, "volume_spike"));
}

TEST_F(RemindersTest, AnOpenSpikeIsDueEveryIntervalUntilItsAllClear) {
  Reminders r(routes_, "hooks");
  r.Delivered(*state_, Make(5, "volume_spike"), t0_);
  EXPECT_EQ(r.NextDue(), t0_ + hours(1));
  EXPECT_TRUE(r.Due(t0_ + minutes(59)).empty());
  auto due = r.Due(t0_ + hours(1));
  EXPECT_EQ(SeqsAndRepeats(due), (Due{{5, 1}}));
  r.Sent(*state_, due[0], t0_ + hours(1));
  EXPECT_TRUE(r.Due(t0_ + hours(1) + minutes(59)).empty());
  EXPECT_EQ(SeqsAndRepeats(r.Due(t0_ + hours(2))), (Due{{5, 2}}));
  // The all-clear of another channel ends nothing; the brand's own does.
  r.Seen(*state_, Make(6, "volume_spike_clear", "reddit")->alert);
  EXPECT_EQ(r.size(), 1u);
  r.Seen(*state_, Make(7, "volume_spike_clear")->alert);
  EXPECT_EQ(r.size(), 0u);
  EXPECT_TRUE(r.Due(t0_ + hours(10)).empty());
  EXPECT_FALSE(r.NextDue());
}

TEST_F(RemindersTest, OnlyOpenTrendAlertsOfARepeatingRouteAreReminded) {
  Reminders r(routes_, "hooks");
  r.Delivered(*state_, Make(1, "negative_mention"), t0_);    // not a trend rule
  r.Delivered(*state_, Make(2, "negative_dip"), t0_);        // a trend rule, route without repeat
  r.Delivered(*state_, Make(3, "volume_spike_clear"), t0_);  // an all-clear
  Reminders other(routes_, "pager");                         // no route sends it there
  other.Delivered(*state_, Make(4, "volume_spike"), t0_);
  EXPECT_EQ(r.size(), 0u);
  EXPECT_EQ(other.size(), 0u);
}

TEST_F(RemindersTest, AnAllClearReadBeforeADelayedDeliveryOpensNothing) {
  Reminders r(routes_, "hooks");
  AlertPtr spike = Make(10, "volume_spike", "rss");
  r.Seen(*state_, spike->alert);
  r.Seen(*state_, Make(11, "volume_spike_clear", "rss")->alert);
  r.Delivered(*state_, spike, t0_);  // held in a group until after its all-clear
  EXPECT_EQ(r.size(), 0u);
  // A newer spike opens again; an older one delivered late does not replace it.
  r.Delivered(*state_, Make(12, "volume_spike", "rss"), t0_);
  r.Delivered(*state_, Make(9, "volume_spike", "rss"), t0_);
  EXPECT_EQ(SeqsAndRepeats(r.Due(t0_ + hours(1))), (Due{{12, 1}}));
}

TEST_F(RemindersTest, RemindersGoOnAfterARestart) {
  {
    Reminders r(routes_, "hooks");
    r.Delivered(*state_, Make(5, "volume_spike"), t0_);
    r.Delivered(*state_, Make(6, "negative_spike", "reddit"), t0_ + minutes(30));
    auto due = r.Due(t0_ + hours(1));
    ASSERT_EQ(due.size(), 1u);
    r.Sent(*state_, due[0], t0_ + hours(1));
  }
  auto reopened = NotifyState::Open(dir_.path().string() + "/notify.db");
  ASSERT_TRUE(reopened.ok());
  Reminders r(routes_, "hooks");
  ASSERT_TRUE(r.Load(*reopened).ok());
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.NextDue(), t0_ + minutes(90));
  EXPECT_EQ(SeqsAndRepeats(r.Due(t0_ + hours(2))), (Due{{5, 2}, {6, 1}}));
  EXPECT_EQ(r.Due(t0_ + hours(2))[0].alert->json, Make(5, "volume_spike")->json);
  // A reload that stops repeating forgets them, in the database too.
  routes_[0].repeat_interval = Duration(0);
  Reminders after_reload(routes_, "hooks");
  ASSERT_TRUE(after_reload.Load(*reopened).ok());
  EXPECT_EQ(after_reload.size(), 0u);
  EXPECT_TRUE(reopened->OpenAlerts("hooks")->empty());
}

TEST_F(RemindersTest, RemindersStopAfterTheRoutesRepeatMax) {
  routes_[0].repeat_max = 2;
  Reminders r(routes_, "hooks");
  r.Delivered(*state_, Make(5, "volume_spike"), t0_);
  auto first = r.Due(t0_ + hours(1));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].repeat_max, 2u);
  r.Sent(*state_, first[0], t0_ + hours(1));
  // Delivered again (read again after a restart): the count goes on.
  r.Delivered(*state_, Make(5, "volume_spike"), t0_ + hours(1));
  auto last = r.Due(t0_ + hours(2));
  ASSERT_EQ(SeqsAndRepeats(last), (Due{{5, 2}}));
  r.Sent(*state_, last[0], t0_ + hours(2));
  // The last was sent: the alert is forgotten, in the database too, though
  // no all-clear came.
  EXPECT_EQ(r.size(), 0u);
  EXPECT_FALSE(r.NextDue());
  EXPECT_TRUE(r.Due(t0_ + hours(100)).empty());
  EXPECT_TRUE(state_->OpenAlerts("hooks")->empty());
  // Its all-clear, when it comes at last, finds nothing to end.
  r.Seen(*state_, Make(6, "volume_spike_clear")->alert);
  EXPECT_EQ(r.size(), 0u);
}

TEST_F(RemindersTest, AReloadThatLowersRepeatMaxEndsTheRemindersPastIt) {
  {
    Reminders r(routes_, "hooks");
    r.Delivered(*state_, Make(5, "volume_spike"), t0_);
    r.Delivered(*state_, Make(6, "volume_dip"), t0_);
    for (int n = 1; n <= 3; ++n) {
      for (const auto& due : r.Due(t0_ + hours(n))) {
        if (due.alert->alert.seq == 5) r.Sent(*state_, due, t0_ + hours(n));
      }
    }
  }
  routes_[0].repeat_max = 3;
  Reminders r(routes_, "hooks");
  ASSERT_TRUE(r.Load(*state_).ok());
  EXPECT_EQ(r.size(), 1u);  // seq 5 had its 3 reminders
  EXPECT_EQ(SeqsAndRepeats(r.Due(t0_ + hours(4))), (Due{{6, 1}}));
  EXPECT_EQ(state_->OpenAlerts("hooks")->size(), 1u);
}

TEST_F(RemindersTest, AReplacedJournalEndsEveryReminder) {
  Reminders r(routes_, "hooks");
  r.Delivered(*state_, Make(5, "volume_spike"), t0_);
  r.Seen(*state_, Make(6, "volume_dip_clear")->alert);
  r.Forget(*state_);
  EXPECT_EQ(r.size(), 0u);
  EXPECT_TRUE(state_->OpenAlerts("hooks")->empty());
  // The new journal's seqs start again: an all-clear of the old one (seq 6)
  // does not hide a dip of the new one (seq 2).
  r.Delivered(*state_, Make(2, "volume_dip"), t0_);
  EXPECT_EQ(SeqsAndRepeats(r.Due(t0_ + hours(1))), (Due{{2, 1}}));
}

TEST_F(RemindersTest, APostponedReminderWaitsAndADamagedRecordIsDropped) {
  Reminders r(routes_, "hooks");
  r.Delivered(*state_, Make(5, "volume_spike"), t0_);
  auto due = r.Due(t0_ + hours(1));
  ASSERT_EQ(due.size(), 1u);
  r.Postpone(due[0], t0_ + hours(8));
  EXPECT_TRUE(r.Due(t0_ + hours(7)).empty());
  EXPECT_EQ(SeqsAndRepeats(r.Due(t0_ + hours(8))), (Due{{5, 1}}));
  ASSERT_TRUE(state_->SetOpenAlert("hooks", {"x", "{not json", t0_, 0}).ok());
  Reminders loaded(routes_, "hooks");
  ASSERT_TRUE(loaded.Load(*state_).ok());
  EXPECT_EQ(loaded.size(), 1u);
  EXPECT_EQ(state_->OpenAlerts("hooks")->size(), 1u);
}

}  // namespace
}  // namespace brandmon::notify
