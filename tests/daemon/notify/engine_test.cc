#include "daemon/notify/engine.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "daemon/base/time_parse.h"
#include "daemon/notify/notify_state.h"
#include "tests/daemon/notify/fake_receiver.h"
#include "tests/daemon/publish/publish_fixture.h"

namespace brandmon::notify {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::Target;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::ResetTargets();
    fx_.StartPublisher(fx_.Options());
  }
  void TearDown() override { StopEngine(); }

  // Loads `json` (receivers and routes) as the config.
  NotifyConfig Config(const std::string& receivers_and_routes) {
    std::string json = R"({"state_dir": ")" + fx_.dir.path().string() +
                       R"(", "delivery": {"retry_initial": "10ms", "retry_max": "50ms", "window_alerts": 10},)" +
                       receivers_and_routes + "}";
    auto c = LoadNotifyConfig(fx_.dir.Write("notify.json", json), config::ProcessEnv(), testing::FakeKinds());
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c.ok() ? std::move(*c) : NotifyConfig{};
  }

  // Starts an engine on `config`; each receiver starts at `cursor` unless
  // it already has one.
  void StartEngine(NotifyConfig config, std::optional<uint64_t> cursor = 0) {
    NotifyPaths paths{fx_.dir.path().string(), fx_.dir.path().string()};
    if (cursor) {
      auto state = NotifyState::Open(paths.state_file());
      ASSERT_TRUE(state.ok());
      for (const auto& r : config.receivers) {
        if (!state->Load(r.name)->cursor) {
          ASSERT_TRUE(state->SetCursor(r.name, *cursor).ok());
        }
      }
    }
    Endpoints endpoints{fx_.publisher->endpoints()[0], fx_.publisher->catchup_endpoints()[0]};
    engine_ = std::make_unique<Engine>(std::move(config), paths, endpoints, publish::ClientKeys{}, wall_);
    ASSERT_TRUE(engine_->Start(threads_).ok());
  }

  void StopEngine() {
    if (!engine_) return;
    engine_->Stop(threads_);
    engine_.reset();
  }

  void Publish(int n) {
    for (auto& a : fx_.Journal(n)) fx_.publisher->Publish(a);
  }

  // Journals and publishes `a` (the journal gives it its seq).
  void PublishAlert(Alert a) {
    store::WriteBatch batch;
    batch.AddAlert(std::move(a));
    auto written = fx_.store->Write(batch);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    for (auto& w : written->alerts) fx_.publisher->Publish(w);
  }

  // Waits for `n` alerts at `target`, moving the clock so that heartbeats
  // flow (they tell the subscriber what it missed).
  bool WaitFor(const std::string& target, size_t n) {
    for (int i = 0; i < 300; ++i) {
      if (Target(target)->WaitForAlerts(n, milliseconds(50))) return true;
      fx_.clock.Advance(seconds(5));
    }
    return false;
  }

  static std::vector<uint64_t> Range(uint64_t from, uint64_t to) {
    std::vector<uint64_t> out;
    for (uint64_t s = from; s <= to; ++s) out.push_back(s);
    return out;
  }

  // Waits up to 5 s for `done`.
  template <typename F>
  bool Eventually(F done) {
    for (int i = 0; i < 250; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return done();
  }

  ReceiverStatus StatusOf(const std::string& name) {
    for (const auto& r : engine_->Receivers()) {
      if (r.name == name) return r;
    }
    ADD_FAILURE() << "no receiver " << name;
    return {};
  }

  brandmon::testing::PublishFixture fx_;
  FakeClock wall_;  // the engine's (quiet hours, repeats); fx_.clock drives the publisher
  ThreadSet threads_;
  std::unique_ptr<Engine> engine_;
};

constexpr char kOneReceiver[] = R"(
  "receivers": [{"name": "hooks", "type": "fake", "target": "hooks"}],
  "routes": [{"receivers": ["hooks"]}])";

TEST_F(EngineTest, DeliversEverySeqOnceInOrder) {
  Publish(5);  // journaled before the start: caught up from the cursor
  StartEngine(Config(kOneReceiver));
  Publish(45);
  ASSERT_TRUE(WaitFor("hooks", 50));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), Range(1, 50));
  auto first = Target("hooks")->Accepted()[0];
  EXPECT_EQ(first.key, "hooks:1-1");
  EXPECT_EQ(first.receiver, "hooks");
  EXPECT_EQ(first.alerts[0].alert.brand, "acme");
  EXPECT_EQ(first.alerts[0].json, AlertToJson(first.alerts[0].alert));
  for (int i = 0; i < 100 && StatusOf("hooks").cursor != 50u; ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(StatusOf("hooks").cursor, 50u);
  EXPECT_EQ(StatusOf("hooks").delivered, 50u);
}

TEST_F(EngineTest, ANewReceiverStartsAtTheEndOfTheJournal) {
  Publish(5);
  StartEngine(Config(kOneReceiver), std::nullopt);
  for (int i = 0; i < 200 && !StatusOf("hooks").cursor; ++i) std::this_thread::sleep_for(milliseconds(10));
  ASSERT_EQ(StatusOf("hooks").cursor, 5u);
  Publish(3);
  ASSERT_TRUE(WaitFor("hooks", 3));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), Range(6, 8));
}

TEST_F(EngineTest, RoutesSendEachAlertOnlyWhereItMatches) {
  // Scenario alerts alternate acme/globex by seq: odd seqs are acme.
  StartEngine(Config(R"(
    "receivers": [{"name": "acme", "type": "fake", "target": "acme"},
                  {"name": "all", "type": "fake", "target": "all"}],
    "routes": [{"match": {"brand": "acme"}, "receivers": ["acme"], "continue": true},
               {"receivers": ["all"]}])"));
  Publish(10);
  ASSERT_TRUE(WaitFor("all", 10));
  ASSERT_TRUE(WaitFor("acme", 5));
  EXPECT_EQ(Target("acme")->AcceptedSeqs(), (std::vector<uint64_t>{1, 3, 5, 7, 9}));
  EXPECT_EQ(Target("all")->AcceptedSeqs(), Range(1, 10));
}

TEST_F(EngineTest, GroupsAlertsOfABrandAndRuleIntoOneDelivery) {
  StartEngine(Config(R"(
    "receivers": [{"name": "digest", "type": "fake", "target": "digest"}],
    "routes": [{"match": {"brand": "acme", "rule": "negative_mention"}, "receivers": ["digest"],
                "group_wait": "300ms"}])"));
  Publish(12);  // acme negative_mention: seqs 3, 5, 9, 11 (scenario alerts 2, 4, 8, 10)
  ASSERT_TRUE(WaitFor("digest", 4));
  auto got = Target("digest")->Accepted();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "digest:3-11");
  EXPECT_TRUE(got[0].digest());
  EXPECT_EQ(Target("digest")->AcceptedSeqs(), (std::vector<uint64_t>{3, 5, 9, 11}));
}

TEST_F(EngineTest, ADeadReceiverDelaysNoOtherAndCatchesUpWhenBack) {
  Target("dead")->SetDown(true);
  StartEngine(Config(R"(
    "receivers": [{"name": "live", "type": "fake", "target": "live"},
                  {"name": "dead", "type": "fake", "target": "dead"}],
    "routes": [{"receivers": ["live", "dead"]}])"));
  Publish(100);
  ASSERT_TRUE(WaitFor("live", 100));
  EXPECT_EQ(Target("live")->AcceptedSeqs(), Range(1, 100));
  EXPECT_TRUE(Target("dead")->Accepted().empty());
  for (int i = 0; i < 500 && StatusOf("dead").retried == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  ReceiverStatus dead = StatusOf("dead");
  EXPECT_GT(dead.retried, 0u);
  EXPECT_EQ(dead.last_error, "down");
  EXPECT_EQ(dead.cursor, 0u);
  // The window holds 10 alerts: the dead receiver reads the rest from the
  // catch-up service once it is back.
  Target("dead")->SetDown(false);
  ASSERT_TRUE(WaitFor("dead", 100));
  EXPECT_EQ(Target("dead")->AcceptedSeqs(), Range(1, 100));
}

TEST_F(EngineTest, ARefusedDeliveryIsADeadLetterUntilRetried) {
  Target("hooks")->Script({Outcome::Permanent("http 400: bad payload", 400)});
  StartEngine(Config(kOneReceiver));
  Publish(3);
  ASSERT_TRUE(WaitFor("hooks", 2));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), (std::vector<uint64_t>{2, 3}));
  ReceiverStatus s = StatusOf("hooks");
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.dead_letters, 1u);
  EXPECT_EQ(s.last_error, "http 400: bad payload");
  ASSERT_TRUE(engine_->Retry("hooks").ok());
  EXPECT_EQ(engine_->Retry("nobody").code(), Status::Code::kNotFound);
  ASSERT_TRUE(WaitFor("hooks", 3));
  auto got = Target("hooks")->Accepted();
  EXPECT_EQ(got.back().key, "hooks:1-1");
  for (int i = 0; i < 100 && StatusOf("hooks").dead_letters != 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(StatusOf("hooks").dead_letters, 0u);
}

TEST_F(EngineTest, RetryResendsManyDeadLettersAPageAtATime) {
  // More than a page (100) of dead letters, one of which is refused again.
  Target("hooks")->Script({Outcome::Permanent("http 400: still bad", 400)});
  {
    auto state = NotifyState::Open(fx_.dir.path().string() + "/notify.db");
    ASSERT_TRUE(state.ok());
    for (int i = 1; i <= 250; ++i) {
      Alert a = brandmon::testing::ScenarioAlert(i);
      a.seq = static_cast<uint64_t>(i);
      std::string key = "hooks:" + std::to_string(i) + "-" + std::to_string(i);
      ASSERT_TRUE(state->RecordDeadLetter({0, "hooks", key, {AlertToJson(a)}, "http 400", {}}, std::nullopt).ok());
    }
  }
  StartEngine(Config(kOneReceiver));
  ASSERT_TRUE(engine_->Retry("hooks").ok());
  ASSERT_TRUE(Target("hooks")->WaitForAlerts(249, seconds(10)));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), Range(2, 250));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").delivered == 249; }));
  auto state = NotifyState::Open(fx_.dir.path().string() + "/notify.db");
  ASSERT_EQ(state->DeadLetters("hooks")->size(), 1u);
  EXPECT_EQ(state->DeadLetters("hooks")->front().key, "hooks:1-1");
}

TEST_F(EngineTest, RetriesUntilAccepted) {
  Target("hooks")->Script({Outcome::Retry("http 503", 503), Outcome::Retry("http 429", 429, milliseconds(30))});
  StartEngine(Config(kOneReceiver));
  Publish(2);
  ASSERT_TRUE(WaitFor("hooks", 2));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), Range(1, 2));
  EXPECT_EQ(Target("hooks")->attempts(), 4u);
  EXPECT_EQ(StatusOf("hooks").retried, 2u);
}

TEST_F(EngineTest, MaxPerMinuteSpacesTheDeliveries) {
  StartEngine(Config(R"(
    "receivers": [{"name": "paced", "type": "fake", "target": "paced", "max_per_minute": 600}],
    "routes": [{"receivers": ["paced"]}])"));
  auto start = std::chrono::steady_clock::now();
  Publish(6);
  ASSERT_TRUE(WaitFor("paced", 6));
  // Six deliveries 100 ms apart: at least half a second from the first.
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(500));
  EXPECT_EQ(Target("paced")->AcceptedSeqs(), Range(1, 6));
}

TEST_F(EngineTest, ARestartSendsWhatWasMissedAndNothingTwice) {
  StartEngine(Config(kOneReceiver));
  Publish(10);
  ASSERT_TRUE(WaitFor("hooks", 10));
  for (int i = 0; i < 100 && StatusOf("hooks").cursor != 10u; ++i) std::this_thread::sleep_for(milliseconds(10));
  StopEngine();
  Publish(10);
  StartEngine(Config(kOneReceiver));
  ASSERT_TRUE(WaitFor("hooks", 20));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), Range(1, 20));
}

WallTime At(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

// Europe/Berlin's night of 2026-03-28: quiet from 22:00 CET (21:00Z) to
// 07:00 CEST (05:00Z), an hour shorter for the change to summer time.
constexpr char kQuietRoute[] = R"(
  "receivers": [{"name": "hooks", "type": "fake", "target": "hooks"}],
  "routes": [{"receivers": ["hooks"], "quiet_hours": {"from": "22:00", "to": "07:00",
              "time_zone": "Europe/Berlin", "break_through": ["critical"]}}])";

TEST_F(EngineTest, QuietHoursHoldAlertsThroughARestartAndSendOneDigestWhenTheyEnd) {
  wall_.SetNow(At("2026-03-28T22:30:00Z"));  // 23:30 CET
  StartEngine(Config(kQuietRoute));
  Publish(5);  // seq 3 is critical: it breaks through
  ASSERT_TRUE(WaitFor("hooks", 1));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").quiet_held == 4; })) << StatusOf("hooks").quiet_held;
  EXPECT_EQ(StatusOf("hooks").quiet_until, At("2026-03-29T05:00:00Z"));
  StopEngine();

  wall_.SetNow(At("2026-03-29T03:00:00Z"));  // 05:00 CEST: still quiet
  StartEngine(Config(kQuietRoute));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").quiet_held == 4; }));
  Publish(2);  // seq 6 is critical, seq 7 info
  ASSERT_TRUE(WaitFor("hooks", 2));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").quiet_held == 5; }));
  wall_.SetNow(At("2026-03-29T04:59:59Z"));
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), (std::vector<uint64_t>{3, 6}));

  wall_.SetNow(At("2026-03-29T05:00:00Z"));  // 07:00 CEST
  ASSERT_TRUE(WaitFor("hooks", 7));
  auto got = Target("hooks")->Accepted();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].key, "hooks:1-7");
  ASSERT_EQ(got[2].alerts.size(), 5u);
  EXPECT_EQ(got[2].alerts[4].json, AlertToJson(got[2].alerts[4].alert));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), (std::vector<uint64_t>{3, 6, 1, 2, 4, 5, 7}));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").quiet_held == 0; }));
  EXPECT_FALSE(StatusOf("hooks").quiet_until);
  // After the quiet hours, alerts go out at once again; nothing is sent twice.
  Publish(1);
  ASSERT_TRUE(WaitFor("hooks", 8));
  EXPECT_EQ(Target("hooks")->Accepted().back().key, "hooks:8-8");
  StopEngine();
  StartEngine(Config(kQuietRoute));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs().size(), 8u);
}

// Quiet from 22:00 to 07:00 UTC; a group waits 2 s for more alerts.
constexpr char kGroupedQuietRoute[] = R"(
  "receivers": [{"name": "hooks", "type": "fake", "target": "hooks"}],
  "routes": [{"receivers": ["hooks"], "group_wait": "2s", "group_interval": "2s",
              "quiet_hours": {"from": "22:00", "to": "07:00", "time_zone": "UTC", "break_through": ["critical"]}}])";

// An alert of acme's negative_mention group, of `severity`.
Alert Grouped(int i, Severity severity) {
  Alert a = brandmon::testing::ScenarioAlert(1);
  a.severity = severity;
  a.summary = "grouped " + std::to_string(i);
  a.dedupe_key = "grouped-" + std::to_string(i);
  return a;
}

TEST_F(EngineTest, AGroupWhoseWaitEndsInQuietHoursGoesOutWithTheirDigest) {
  wall_.SetNow(At("2026-01-10T21:59:00Z"));
  StartEngine(Config(kGroupedQuietRoute));
  // A group due before the quiet hours goes out when due.
  PublishAlert(Grouped(1, Severity::kWarning));
  PublishAlert(Grouped(2, Severity::kWarning));
  ASSERT_TRUE(WaitFor("hooks", 2));
  ASSERT_EQ(Target("hooks")->Accepted().size(), 1u);
  EXPECT_EQ(Target("hooks")->Accepted()[0].key, "hooks:1-2");

  // Read before 22:00, due after: held, but for the critical one.
  PublishAlert(Grouped(3, Severity::kWarning));
  PublishAlert(Grouped(4, Severity::kCritical));
  PublishAlert(Grouped(5, Severity::kWarning));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").held == 3; })) << StatusOf("hooks").held;
  wall_.SetNow(At("2026-01-10T22:00:00Z"));  // the first minute of the quiet hours
  ASSERT_TRUE(WaitFor("hooks", 3));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").quiet_held == 2; })) << StatusOf("hooks").quiet_held;
  EXPECT_EQ(StatusOf("hooks").held, 0u);
  EXPECT_EQ(StatusOf("hooks").quiet_until, At("2026-01-11T07:00:00Z"));
  EXPECT_EQ(Target("hooks")->Accepted().back().key, "hooks:4-4");

  // Read in the quiet hours: held with them; a restart loses none.
  PublishAlert(Grouped(6, Severity::kWarning));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").quiet_held == 3; }));
  StopEngine();
  StartEngine(Config(kGroupedQuietRoute));
  wall_.SetNow(At("2026-01-11T06:59:59Z"));
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), (std::vector<uint64_t>{1, 2, 4}));

  wall_.SetNow(At("2026-01-11T07:00:00Z"));
  ASSERT_TRUE(WaitFor("hooks", 6));
  auto got = Target("hooks")->Accepted();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].key, "hooks:3-6");
  EXPECT_EQ(Target("hooks")->AcceptedSeqs(), (std::vector<uint64_t>{1, 2, 4, 3, 5, 6}));
  // Nothing is sent twice, after a restart either.
  StopEngine();
  StartEngine(Config(kGroupedQuietRoute));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(Target("hooks")->AcceptedSeqs().size(), 6u);
}

TEST_F(EngineTest, HeldAlertsDueAtTheStartGoOutAndDamagedOnesAreDropped) {
  wall_.SetNow(At("2026-01-10T12:00:00Z"));
  {
    auto state = NotifyState::Open(fx_.dir.path().string() + "/notify.db");
    ASSERT_TRUE(state.ok());
    Alert a = brandmon::testing::ScenarioAlert(0);
    a.seq = 1;
    WallTime morning = At("2026-01-10T07:00:00Z");
    ASSERT_TRUE(state->Hold("hooks", 1, AlertToJson(a), morning).ok());
    ASSERT_TRUE(state->Hold("hooks", 2, R"({"v":1,"seq":)", morning).ok());
    ASSERT_TRUE(state->Hold("hooks", 3, std::string(1 << 20, '<'), morning).ok());
  }
  StartEngine(Config(kOneReceiver));
  ASSERT_TRUE(WaitFor("hooks", 1));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").quiet_held == 0; }));
  auto got = Target("hooks")->Accepted();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "hooks:1-1");
}

TEST_F(EngineTest, AnOpenSpikeIsSentAgainEveryRepeatIntervalUntilItsAllClear) {
  // Only the spike is routed: its all-clear ends the reminders all the same.
  constexpr char kRepeat[] = R"(
    "receivers": [{"name": "hooks", "type": "fake", "target": "hooks"}],
    "routes": [{"match": {"rule": "volume_spike"}, "receivers": ["hooks"], "repeat_interval": "1h"}])";
  wall_.SetNow(At("2026-01-10T12:00:00Z"));
  StartEngine(Config(kRepeat));
  Publish(1);  // seq 1: acme volume_spike
  ASSERT_TRUE(WaitFor("hooks", 1));
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").reminders == 1; }));
  wall_.SetNow(At("2026-01-10T12:59:00Z"));
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(Target("hooks")->Accepted().size(), 1u);
  wall_.SetNow(At("2026-01-10T13:00:00Z"));
  ASSERT_TRUE(WaitFor("hooks", 2));
  auto got = Target("hooks")->Accepted();
  EXPECT_EQ(got[1].key, "hooks:1-1/repeat-1");
  EXPECT_EQ(got[1].repeat, 1u);
  EXPECT_EQ(got[1].repeat_max, 12u);  // the route's repeat_max, by default
  EXPECT_EQ(got[1].alerts[0].json, got[0].alerts[0].json);

  // After a restart the reminders go on, numbered on.
  StopEngine();
  StartEngine(Config(kRepeat));
  wall_.SetNow(At("2026-01-10T14:00:00Z"));
  ASSERT_TRUE(WaitFor("hooks", 3));
  EXPECT_EQ(Target("hooks")->Accepted()[2].key, "hooks:1-1/repeat-2");

  Alert clear = brandmon::testing::ScenarioAlert(0);
  clear.rule = "volume_spike_clear";
  clear.dedupe_key = "clear-1";
  PublishAlert(clear);
  ASSERT_TRUE(Eventually([&] { return StatusOf("hooks").reminders == 0; }));
  wall_.SetNow(At("2026-01-10T20:00:00Z"));
  std::this_thread::sleep_for(milliseconds(1200));
  EXPECT_EQ(Target("hooks")->Accepted().size(), 3u);
}

TEST_F(EngineTest, StatusJsonShowsEveryReceiver) {
  StartEngine(Config(kOneReceiver));
  Publish(1);
  ASSERT_TRUE(WaitFor("hooks", 1));
  std::string json = engine_->StatusJson();
  EXPECT_NE(json.find(R"("name":"hooks")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("type":"fake")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("stream":{)"), std::string::npos) << json;
}

}  // namespace
}  // namespace brandmon::notify
