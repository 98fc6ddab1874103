#include "daemon/scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace brandmon::scheduler {
namespace {

using namespace std::chrono_literals;

// A poll plugin scripted by the test: emits `per_poll` mentions, fails while
// `fail` is set, and can block inside Poll() until released or stopped.
struct Script {
  std::atomic<int> constructed{0};
  std::atomic<int> polls{0};
  std::atomic<int> stops{0};
  std::atomic<bool> fail{false};
  std::atomic<bool> block{false};
  std::atomic<bool> honour_stop{true};
  std::atomic<bool> in_poll{false};
  int per_poll = 1;
  std::mutex mu;
  std::condition_variable cv;
  bool released = false;
};

class ScriptedPlugin : public plugin::PollPlugin {
 public:
  explicit ScriptedPlugin(Script& s) : s_(s) { ++s_.constructed; }
  Status Poll(brandmon::Sink& sink, plugin::SourceState& state) override {
    int n = ++s_.polls;
    state["polls"] = std::to_string(std::stoi(state.count("polls") ? state["polls"] : "0") + 1);
    if (s_.block) {
      s_.in_poll = true;
      std::unique_lock<std::mutex> lock(s_.mu);
      s_.cv.wait(lock, [&] { return s_.released || (stopped_ && s_.honour_stop); });
      s_.in_poll = false;
    }
    if (s_.fail) return Status::Unavailable("scripted failure");
    for (int i = 0; i < s_.per_poll; ++i) {
      Mention m;
      m.id = std::to_string(n) + "-" + std::to_string(i);
      m.text = "hello";
      sink.Emit(std::move(m));
    }
    return Status::Ok();
  }
  void Stop() override {
    ++s_.stops;
    std::lock_guard<std::mutex> lock(s_.mu);
    stopped_ = true;
    s_.cv.notify_all();
  }

 private:
  Script& s_;
  bool stopped_ = false;
};

settings::SourceSettings Source(const std::string& name, Script& script, Duration interval = 5min) {
  settings::SourceSettings s;
  s.name = name;
  s.type = "scripted";
  s.interval = interval;
  s.fingerprint = name + "/" + std::to_string(interval.count());
  s.plugin.make = [&script] { return std::make_unique<ScriptedPlugin>(script); };
  return s;
}

struct Received {
  std::mutex mu;
  std::vector<Mention> mentions;
  std::vector<store::SourceState> states;
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return mentions.size();
  }
};

template <typename F>
bool Eventually(F f, std::chrono::milliseconds timeout = 5s) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (f()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return f();
}

// A FakeClock that makes the thread named in `stall_on` take `stall` of real
// time in each Mono() call: the engine reads the clock with its lock held, so
// that thread holds the lock that long.
class StallingClock final : public Clock {
 public:
  WallTime Now() const override { return fake.Now(); }
  MonoTime Mono() const override {
    if (stall_on.load() == std::this_thread::get_id()) std::this_thread::sleep_for(stall);
    return fake.Mono();
  }
  FakeClock fake;
  std::atomic<std::thread::id> stall_on{};
  std::chrono::milliseconds stall{50};
};

class EngineTest : public ::testing::Test {
 protected:
  Scheduler::Output Collect() {
    return [this](const settings::SourceSettings&, PollResult r) {
      std::lock_guard<std::mutex> lock(received_.mu);
      for (auto& m : r.mentions) received_.mentions.push_back(std::move(m));
      received_.states.push_back(std::move(r.state));
    };
  }
  FakeClock clock_;
  ThreadSet threads_;
  Received received_;
};

TEST_F(EngineTest, RunOnceFillsSourceAndChannelDefaults) {
  Script a, b;
  Scheduler engine(clock_, threads_, Collect());
  settings::SourceSettings sb = Source("b", b);
  sb.channel = "reddit";
  sb.lang = "es";
  engine.Apply({Source("a", a), sb});
  engine.RunOnce();
  ASSERT_EQ(received_.size(), 2u);
  EXPECT_EQ(received_.mentions[0].source, "a");
  EXPECT_EQ(received_.mentions[0].channel, "scripted");
  EXPECT_EQ(received_.mentions[1].channel, "reddit");
  EXPECT_EQ(received_.mentions[1].lang, "es");
  EXPECT_EQ(received_.mentions[0].kind, ChannelKind::kSocial) << "an unknown channel reads as social";
  EXPECT_EQ(received_.mentions[1].kind, ChannelKind::kForum) << "reddit is a forum";
}

TEST(StampMentionTest, TheSourcesKindAndReplyToWinOverThePluginsAndTheChannelsKind) {
  settings::SourceSettings source;
  source.name = "comments";
  source.type = "http_json";
  Mention m;
  m.channel = "youtube";
  StampMention(source, m);
  EXPECT_EQ(m.source, "comments");
  EXPECT_EQ(m.kind, ChannelKind::kVideo) << "the channel's kind when no one says";
  Mention from_plugin;
  from_plugin.channel = "youtube";
  from_plugin.kind = ChannelKind::kSocial;
  from_plugin.reply_to = "someone";
  StampMention(source, from_plugin);
  EXPECT_EQ(from_plugin.kind, ChannelKind::kSocial) << "the plugin's kind (a preset's default_kind)";
  EXPECT_EQ(from_plugin.reply_to, "someone");
  source.kind = "review";
  source.reply_to = "@acme";
  StampMention(source, from_plugin);
  EXPECT_EQ(from_plugin.kind, ChannelKind::kReview) << "the source's kind overrides";
  EXPECT_EQ(from_plugin.reply_to, "@acme");
}

TEST_F(EngineTest, PollsOnScheduleAndOnDemand) {
  Script a;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("a", a, 1min)});
  engine.Start();
  ASSERT_TRUE(Eventually([&] { return a.polls == 1; }));
  // Not due yet: the fake clock has not moved.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(a.polls, 1);
  clock_.Advance(2min);
  ASSERT_TRUE(engine.PollNow("a").ok());
  ASSERT_TRUE(Eventually([&] { return a.polls == 2; }));
  EXPECT_EQ(engine.PollNow("nope").code(), Status::Code::kNotFound);
  EXPECT_TRUE(engine.Stop(1s));
}

TEST_F(EngineTest, HeldPollsStartNothingUntilReleased) {
  Script a;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("a", a, 1min)});
  engine.HoldPolls(true);
  engine.Start();
  uint64_t progress = engine.progress();
  ASSERT_TRUE(Eventually([&] { return engine.progress() > progress; }));
  clock_.Advance(2min);
  ASSERT_TRUE(engine.PollNow("a").ok());
  progress = engine.progress();
  ASSERT_TRUE(Eventually([&] { return engine.progress() > progress + 1; })) << "the engine keeps running";
  EXPECT_EQ(a.polls, 0) << "neither the schedule nor poll-now starts a poll while polls are held";
  engine.HoldPolls(false);
  ASSERT_TRUE(Eventually([&] { return a.polls == 1; })) << "released, the due poll starts at once";
  EXPECT_TRUE(engine.Stop(1s));
}

// The engine sleeps in real time until the next source is due; a poll-now
// wakes it. Here the wake lands as that sleep runs out: PollNow() holds the
// engine's lock past the end of the engine's wait, which is kept at 1ms by a
// source due 1ms ahead on a clock that does not move. The poll-now must
// still be polled at once, not at the next due time (never, on this clock).
TEST_F(EngineTest, PollNowThatLandsAsTheEnginesWaitEndsIsNotLost) {
  StallingClock clock;
  Script pacer, a;
  Scheduler engine(clock, threads_, Collect());
  engine.Apply({Source("pacer", pacer, 1ms), Source("a", a)});
  engine.Start();
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(received_.mu);
    return received_.states.size() == 2;
  }));
  // Idle: waking every millisecond to find the pacer not due yet.
  uint64_t p = engine.progress();
  ASSERT_TRUE(Eventually([&] { return engine.progress() > p + 3; }));
  clock.stall_on = std::this_thread::get_id();
  ASSERT_TRUE(engine.PollNow("a").ok());
  clock.stall_on = std::thread::id();
  EXPECT_TRUE(Eventually([&] { return a.polls == 2; })) << "the poll-now was lost";
  EXPECT_EQ(pacer.polls, 1) << "the clock has not moved";
  EXPECT_TRUE(engine.Stop(1s));
}

TEST_F(EngineTest, ReloadKeepsUnchangedSourcesAndTheirState) {
  Script a, b, c;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("a", a), Source("b", b)});
  engine.RunOnce();
  // a unchanged, b changed (new interval), c added.
  engine.Apply({Source("a", a), Source("b", b, 10min), Source("c", c)});
  engine.RunOnce();
  EXPECT_EQ(a.constructed, 1) << "an unchanged source keeps its plugin";
  EXPECT_EQ(b.constructed, 2) << "a changed source gets a new plugin";
  EXPECT_EQ(b.stops, 1) << "the replaced plugin was stopped";
  EXPECT_EQ(c.constructed, 1);
  // Removing a source stops its plugin.
  engine.Apply({Source("c", c)});
  EXPECT_EQ(a.stops, 1);
  auto health = engine.Health();
  ASSERT_EQ(health.size(), 1u);
  EXPECT_EQ(health[0].name, "c");
}

TEST_F(EngineTest, FailureIsPerSourceAndBacksOff) {
  Script bad, good;
  bad.fail = true;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("bad", bad, 1min), Source("good", good, 1min)});
  engine.RunOnce();
  engine.RunOnce();
  auto health = engine.Health();
  ASSERT_EQ(health.size(), 2u);
  EXPECT_EQ(health[0].consecutive_failures, 2);
  EXPECT_EQ(health[0].last_error, "scripted failure");
  ASSERT_TRUE(health[0].next_poll);
  // Second failure: 60s backoff (+ up to 10% jitter), more than the 1m interval would be... at least 60s.
  auto wait = *health[0].next_poll - clock_.Now();
  EXPECT_GE(wait, 60s);
  EXPECT_LE(wait, 66s);
  EXPECT_EQ(health[1].consecutive_failures, 0);
  EXPECT_TRUE(health[1].last_success);
  EXPECT_EQ(received_.size(), 2u);
  // Recovery resets the failure count.
  bad.fail = false;
  engine.RunOnce();
  EXPECT_EQ(engine.Health()[0].consecutive_failures, 0);
}

TEST_F(EngineTest, ALongPollDoesNotStopTheEngine) {
  Script slow, quick;
  slow.block = true;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("slow", slow), Source("quick", quick)});
  engine.Start();
  ASSERT_TRUE(Eventually([&] { return slow.in_poll.load(); }));
  // The other source is polled and its mentions delivered meanwhile.
  ASSERT_TRUE(Eventually([&] { return received_.size() == 1; }));
  EXPECT_EQ(received_.mentions[0].source, "quick");
  uint64_t p = engine.progress();
  EXPECT_TRUE(Eventually([&] { return engine.progress() > p; })) << "the engine goes on while a poll runs";
  // poll-now during the slow poll is not lost: it polls again once it ends.
  ASSERT_TRUE(engine.PollNow("slow").ok());
  {
    std::lock_guard<std::mutex> lock(slow.mu);
    slow.released = true;
    slow.cv.notify_all();
  }
  ASSERT_TRUE(Eventually([&] { return slow.polls == 2; }));
  EXPECT_TRUE(engine.Stop(1s));
}

TEST_F(EngineTest, ReloadDuringAPollKeepsAnUnchangedSourcesResult) {
  Script a, b;
  a.block = true;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("a", a)});
  engine.Start();
  ASSERT_TRUE(Eventually([&] { return a.in_poll.load(); }));
  engine.Apply({Source("a", a), Source("b", b)});
  {
    std::lock_guard<std::mutex> lock(a.mu);
    a.released = true;
    a.cv.notify_all();
  }
  ASSERT_TRUE(Eventually([&] { return received_.size() == 2; }));
  EXPECT_TRUE(engine.Stop(1s));
  EXPECT_EQ(a.constructed, 1);
  EXPECT_EQ(a.stops, 1) << "stopped once, at shutdown";
  std::lock_guard<std::mutex> lock(received_.mu);
  bool a_state = std::any_of(received_.states.begin(), received_.states.end(), [](const store::SourceState& st) {
    return st.source == "a" && st.cursor == std::vector<std::pair<std::string, std::string>>{{"polls", "1"}};
  });
  EXPECT_TRUE(a_state) << "the poll that ran across the reload was kept";
}

TEST_F(EngineTest, ChangedSourceDropsItsRunningPollAndStartsFromTheStateBefore) {
  Script c;
  c.block = true;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("c", c)});
  engine.Start();
  ASSERT_TRUE(Eventually([&] { return c.in_poll.load(); }));
  c.block = false;
  engine.Apply({Source("c", c, 10min)});  // changed: the running poll is stopped
  ASSERT_TRUE(Eventually([&] { return received_.size() == 1; }));
  EXPECT_TRUE(engine.Stop(1s));
  EXPECT_EQ(c.constructed, 2);
  EXPECT_EQ(c.polls, 2);
  std::lock_guard<std::mutex> lock(received_.mu);
  ASSERT_EQ(received_.mentions.size(), 1u) << "the interrupted poll's mentions are dropped";
  EXPECT_EQ(received_.mentions[0].id, "2-0");
  ASSERT_EQ(received_.states.size(), 1u);
  EXPECT_EQ(received_.states[0].cursor[0].second, "1") << "the new plugin started from the state before";
}

TEST_F(EngineTest, ProgressStallsWhileAPollIsStuck) {
  Script stuck;
  stuck.block = true;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("stuck", stuck)});
  engine.Start();
  ASSERT_TRUE(Eventually([&] { return stuck.in_poll.load(); }));
  // Running longer than any poll may: the engine must not look alive.
  clock_.Advance(Scheduler::kStuckPoll + 1min);
  std::this_thread::sleep_for(1200ms);  // longer than the idle wake-up
  uint64_t p = engine.progress();
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(engine.progress(), p) << "a stuck poll must not look alive to the watchdog";
  {
    std::lock_guard<std::mutex> lock(stuck.mu);
    stuck.released = true;
    stuck.cv.notify_all();
  }
  ASSERT_TRUE(Eventually([&] { return engine.progress() > p; }));
  EXPECT_TRUE(engine.Stop(1s));
}

TEST_F(EngineTest, StopInterruptsBlockingWork) {
  Script stuck;
  stuck.block = true;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("stuck", stuck)});
  engine.Start();
  ASSERT_TRUE(Eventually([&] { return stuck.in_poll.load(); }));
  EXPECT_TRUE(engine.Stop(2s));
  EXPECT_FALSE(stuck.in_poll);
}

TEST_F(EngineTest, StopGivesUpAfterTheDeadline) {
  Script stuck;
  stuck.block = true;
  stuck.honour_stop = false;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("stuck", stuck)});
  engine.Start();
  ASSERT_TRUE(Eventually([&] { return stuck.in_poll.load(); }));
  auto start = std::chrono::steady_clock::now();
  // The fake clock never moves on its own; advance it from another thread.
  std::thread ticker([&] {
    for (int i = 0; i < 100 && stuck.in_poll; ++i) {
      clock_.Advance(100ms);
      std::this_thread::sleep_for(5ms);
    }
  });
  EXPECT_FALSE(engine.Stop(500ms));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  {
    std::lock_guard<std::mutex> lock(stuck.mu);
    stuck.released = true;
    stuck.cv.notify_all();
  }
  ticker.join();
}

TEST_F(EngineTest, EveryPollReportsTheSourceStateToPersist) {
  Script bad;
  bad.fail = true;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({Source("bad", bad)});
  engine.RunOnce();
  ASSERT_EQ(received_.states.size(), 1u) << "a failed poll still reports its state";
  const store::SourceState& st = received_.states[0];
  EXPECT_EQ(st.source, "bad");
  EXPECT_EQ(st.failures, 1);
  EXPECT_EQ(st.last_error, "scripted failure");
  ASSERT_EQ(st.cursor.size(), 1u);
  EXPECT_EQ(st.cursor[0], (std::pair<std::string, std::string>{"polls", "1"}));
}

TEST_F(EngineTest, NewSourcesStartFromThePersistedState) {
  Script a;
  store::SourceState saved;
  saved.source = "a";
  saved.cursor = {{"polls", "41"}};
  saved.failures = 3;
  Scheduler engine(clock_, threads_, Collect(), [&](const std::string& name) -> std::optional<store::SourceState> {
    if (name == "a") return saved;
    return std::nullopt;
  });
  engine.Apply({Source("a", a)});
  EXPECT_EQ(engine.Health()[0].consecutive_failures, 3);
  engine.RunOnce();
  ASSERT_EQ(received_.states.size(), 1u);
  EXPECT_EQ(received_.states[0].cursor[0].second, "42") << "the plugin saw the restored cursor";
  EXPECT_EQ(received_.states[0].failures, 0);
}

}  // namespace
}  // namespace brandmon::scheduler
