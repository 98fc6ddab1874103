// The engine's HTTP sources end to end: the feed plugin and a paging plugin
// against an in-process server on 127.0.0.1. Each test asserts what a user
// sees: the mentions, the persisted source state and the log line.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <signal.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "daemon/base/units.h"
#include "daemon/scheduler/scheduler.h"
#include "plugins/exec/exec_plugin.h"
#include "plugins/feed/feed_plugin.h"
#include "tests/daemon/fetch/http_test_server.h"
#include "tests/support/test_util.h"

namespace brandmon::scheduler {
namespace {

using namespace std::chrono_literals;
using testing::HttpTestServer;

const char kTwoItems[] = R"(<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>a</guid><title>First</title><link>https://e.example/a</link></item>
<item><guid>b</guid><title>Second</title><link>https://e.example/b</link></item></channel></rss>)";

settings::SourceSettings FeedSource(const std::string& name, const std::string& url, Duration interval = 5min) {
  settings::SourceSettings s;
  s.name = name;
  s.type = "feed";
  s.interval = interval;
  s.fingerprint = name + url;
  s.plugin.make = [url] {
    plugin::FeedOptions o;
    o.url = url;
    o.format = "auto";
    return std::make_unique<plugin::FeedPlugin>(o);
  };
  return s;
}

// Pages through /page/<n> until `last_page`; each page holds one mention.
class PagingPlugin : public plugin::HttpPlugin {
 public:
  PagingPlugin(std::string base, int last_page) : base_(std::move(base)), last_page_(last_page) {}
  Result<std::optional<brandmon::HttpRequest>> NextRequest(const plugin::SourceState& state, int page) override {
    if (page > last_page_) return std::optional<brandmon::HttpRequest>();
    brandmon::HttpRequest r;
    r.url = base_ + "/page/" + std::to_string(page) + "?cursor=" + (page == 0 ? "" : state.at("cursor"));
    return std::optional<brandmon::HttpRequest>(r);
  }
  Status Parse(const brandmon::HttpResponse& response, brandmon::Sink& sink, plugin::SourceState& state) override {
    Mention m;
    m.id = response.body;
    sink.Emit(m);
    state["cursor"] = "after-" + response.body;
    return Status::Ok();
  }

 private:
  std::string base_;
  int last_page_;
};

// One request per poll; one mention per line of the body. Parse() waits
// while `hold` is set (or until Stop()), with `parsing` set meanwhile.
class HeldPlugin : public plugin::HttpPlugin {
 public:
  struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool hold = false;
    bool parsing = false;
    bool stopped = false;
  };
  HeldPlugin(std::string url, Gate& gate) : url_(std::move(url)), gate_(gate) {}
  Result<std::optional<brandmon::HttpRequest>> NextRequest(const plugin::SourceState&, int page) override {
    if (page > 0) return std::optional<brandmon::HttpRequest>();
    brandmon::HttpRequest r;
    r.url = url_;
    return std::optional<brandmon::HttpRequest>(r);
  }
  Status Parse(const brandmon::HttpResponse& response, brandmon::Sink& sink, plugin::SourceState&) override {
    {
      std::unique_lock<std::mutex> lock(gate_.mu);
      gate_.parsing = true;
      gate_.cv.notify_all();
      gate_.cv.wait(lock, [&] { return !gate_.hold || gate_.stopped; });
      gate_.parsing = false;
    }
    std::istringstream lines(response.body);
    for (std::string line; std::getline(lines, line);) {
      Mention m;
      m.id = line;
      sink.Emit(m);
    }
    return Status::Ok();
  }
  void Stop() override {
    std::lock_guard<std::mutex> lock(gate_.mu);
    gate_.stopped = true;
    gate_.cv.notify_all();
  }

 private:
  std::string url_;
  Gate& gate_;
};

struct Poll {
  std::vector<Mention> mentions;
  store::SourceState state;
  Status status;
};

class EngineHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  Scheduler::Output Collect() {
    return [this](const settings::SourceSettings&, PollResult r) {
      std::lock_guard<std::mutex> lock(mu_);
      polls_.push_back(Poll{std::move(r.mentions), std::move(r.state), r.status});
    };
  }
  Poll Last() {
    std::lock_guard<std::mutex> lock(mu_);
    return polls_.empty() ? Poll{} : polls_.back();
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu_);
    return polls_.size();
  }
  std::string Log() { return log_.str(); }

  FakeClock clock_;
  ThreadSet threads_;
  HttpTestServer server_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
  std::mutex mu_;
  std::vector<Poll> polls_;
  std::atomic<int> requests_{0};
  std::atomic<int> not_modified_{0};
};

TEST_F(EngineHttpTest, ETagMakesTheSecondPollA304AcrossRestarts) {
  server_.server().Get("/feed", [&](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    res.set_header("ETag", "W/\"v7\"");
    if (req.get_header_value("If-None-Match") == "W/\"v7\"") {
      ++not_modified_;
      res.status = 304;
      return;
    }
    res.set_content(kTwoItems, "application/rss+xml");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("blog", server_.Url("/feed"))});
  engine.RunOnce();
  Poll first = Last();
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  ASSERT_EQ(first.mentions.size(), 2u);
  EXPECT_EQ(first.mentions[0].title, "First");
  EXPECT_EQ(first.mentions[0].source, "blog");
  EXPECT_EQ(first.state.etag, "W/\"v7\"");
  engine.RunOnce();
  Poll second = Last();
  EXPECT_TRUE(second.status.ok());
  EXPECT_TRUE(second.mentions.empty());
  EXPECT_EQ(second.state.etag, "W/\"v7\"") << "a 304 keeps the validators";
  EXPECT_EQ(not_modified_, 1);

  // A restart starts from the persisted state and still gets a 304.
  store::SourceState saved = second.state;
  Scheduler restarted(clock_, threads_, Collect(),
                      [&](const std::string&) { return std::optional<store::SourceState>(saved); });
  restarted.Apply({FeedSource("blog", server_.Url("/feed"))});
  restarted.RunOnce();
  EXPECT_TRUE(Last().status.ok());
  EXPECT_EQ(not_modified_, 2);
  EXPECT_EQ(requests_, 3);
}

TEST_F(EngineHttpTest, LastModifiedMakesTheSecondPollA304) {
  const std::string stamp = "Tue, 30 Dec 2025 10:00:00 GMT";
  server_.server().Get("/feed", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Last-Modified", stamp);
    if (req.get_header_value("If-Modified-Since") == stamp) {
      ++not_modified_;
      res.status = 304;
      return;
    }
    res.set_content(kTwoItems, "application/rss+xml");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("blog", server_.Url("/feed"))});
  engine.RunOnce();
  EXPECT_EQ(Last().state.last_modified, stamp);
  EXPECT_TRUE(Last().state.etag.empty());
  engine.RunOnce();
  EXPECT_EQ(not_modified_, 1);
  EXPECT_TRUE(Last().mentions.empty());
}

TEST_F(EngineHttpTest, TooManyRequestsWaitsForRetryAfter) {
  server_.server().Get("/api", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "600");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("api", server_.Url("/api?token=s3cret"), 1min)});
  engine.RunOnce();
  Poll p = Last();
  EXPECT_FALSE(p.status.ok());
  EXPECT_EQ(p.state.last_error, "http 429 from " + server_.Url("/api") + " (retry after 10m)");
  EXPECT_EQ(p.state.failures, 1);
  ASSERT_TRUE(p.state.next_attempt);
  EXPECT_GE(*p.state.next_attempt - clock_.Now(), 600s) << "Retry-After beats the 30s first backoff";
  EXPECT_NE(Log().find("source 'api': http 429 from " + server_.Url("/api")), std::string::npos) << Log();
  EXPECT_EQ(Log().find("s3cret"), std::string::npos);
}

TEST_F(EngineHttpTest, RetryAfterPastTheCapSaysWhatIsHeld) {
  server_.server().Get("/api", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Retry-After", "999999999");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("api", server_.Url("/api"), 1min)});
  engine.RunOnce();
  Poll p = Last();
  ASSERT_TRUE(p.state.next_attempt);
  EXPECT_EQ(*p.state.next_attempt - clock_.Now(), 24h) << "a server may push the next poll back a day at most";
  EXPECT_EQ(p.state.last_error, "http 503 from " + server_.Url("/api") + " (retry after 1d)");
  auto health = engine.Health();
  EXPECT_EQ(health[0].last_error, p.state.last_error) << "status shows the delay actually held";
}

TEST_F(EngineHttpTest, RefusedRedirectsAndAddressesNameTheSourceAndTheTarget) {
  int hits = 0;
  server_.server().Get("/moved", [&](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://169.254.169.254/latest/meta-data/?token=s3cret");
  });
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.set_content(kTwoItems, "application/rss+xml");
  });
  settings::SourceSettings denied = FeedSource("preset_like", server_.Url("/feed"));
  denied.plugin.address_rules.deny_private = true;
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("moved", server_.Url("/moved")), denied, FeedSource("local", server_.Url("/feed"))});
  engine.RunOnce();
  auto health = engine.Health();
  EXPECT_EQ(health[0].last_error,
            "redirect to http://169.254.169.254/latest/meta-data/ refused: it reaches 169.254.169.254 (cloud "
            "metadata) (allow_private permits it)");
  EXPECT_NE(Log().find("source 'moved': redirect to http://169.254.169.254/latest/meta-data/ refused"),
            std::string::npos)
      << Log();
  EXPECT_EQ(Log().find("s3cret"), std::string::npos);
  EXPECT_EQ(health[1].last_error, server_.Url("/feed") + " reaches 127.0.0.1 (loopback), refused by deny_private");
  EXPECT_NE(Log().find("source 'preset_like': " + server_.Url("/feed") + " reaches 127.0.0.1"), std::string::npos)
      << Log();
  EXPECT_EQ(health[2].consecutive_failures, 0) << "a plain source may read a local feed";
  EXPECT_EQ(hits, 1);
}

TEST_F(EngineHttpTest, ServerErrorBacksOffThenRecovers) {
  std::atomic<bool> broken{true};
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    if (broken) {
      res.status = 500;
      return;
    }
    res.set_content(kTwoItems, "application/rss+xml");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("blog", server_.Url("/feed"), 10min), FeedSource("other", server_.Url("/feed"))});
  engine.RunOnce();
  auto health = engine.Health();
  EXPECT_EQ(health[0].consecutive_failures, 1);
  EXPECT_EQ(health[0].last_error, "http 500 from " + server_.Url("/feed"));
  ASSERT_TRUE(health[0].next_poll);
  EXPECT_GE(*health[0].next_poll - clock_.Now(), 30s);
  EXPECT_LE(*health[0].next_poll - clock_.Now(), 33s) << "backoff is shorter than the interval at first";
  EXPECT_NE(Log().find("source 'blog': http 500 from"), std::string::npos) << Log();
  broken = false;
  engine.RunOnce();
  health = engine.Health();
  EXPECT_EQ(health[0].consecutive_failures, 0);
  EXPECT_TRUE(health[0].last_success);
  EXPECT_EQ(health[0].mentions, 2u);
  EXPECT_EQ(Last().state.backoff, Duration(0));
}

TEST_F(EngineHttpTest, PollsMoveTheSourceCountersMetricsShows) {
  server_.server().Get("/feed", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_header("ETag", "\"v1\"");
    if (req.get_header_value("If-None-Match") == "\"v1\"") {
      res.status = 304;
      return;
    }
    res.set_content(kTwoItems, "application/rss+xml");
  });
  server_.server().Get("/gone", [&](const httplib::Request&, httplib::Response& res) { res.status = 404; });
  server_.server().Get("/down", [&](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  server_.server().Get("/junk", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content("not a feed at all", "application/rss+xml");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("blog", server_.Url("/feed")), FeedSource("gone", server_.Url("/gone")),
                FeedSource("down", server_.Url("/down")), FeedSource("junk", server_.Url("/junk"))});
  engine.RunOnce();
  engine.RunOnce();
  auto health = engine.Health();
  const SourceCounters& blog = health[0].counters;
  EXPECT_EQ(blog.polls, 2u);
  EXPECT_EQ(blog.failures, (std::array<uint64_t, kFailureKinds>{}));
  EXPECT_EQ(blog.responses_by_class, (std::array<uint64_t, 4>{1, 1, 0, 0}));
  EXPECT_EQ(blog.not_modified, 1u);
  EXPECT_EQ(blog.bytes_received, sizeof kTwoItems - 1) << "the 304 has no body";
  EXPECT_EQ(blog.fetch_seconds.count(), 2u);
  EXPECT_LT(blog.fetch_seconds.sum, 10) << "two requests to a local server";
  EXPECT_EQ(blog.backoffs, 0u);
  const SourceCounters& gone = health[1].counters;
  EXPECT_EQ(gone.failures[static_cast<size_t>(FailureKind::kConfig)], 2u) << "a 404 only the config can fix";
  EXPECT_EQ(gone.responses_by_class[2], 2u);
  EXPECT_EQ(gone.backoffs, 2u);
  const SourceCounters& down = health[2].counters;
  EXPECT_EQ(down.failures[static_cast<size_t>(FailureKind::kTransient)], 2u);
  EXPECT_EQ(down.responses_by_class[3], 2u);
  EXPECT_EQ(health[3].counters.failures[static_cast<size_t>(FailureKind::kCorrupt)], 2u) << "a body the feed "
                                                                                            "plugin cannot parse";
  EXPECT_EQ(health[3].counters.responses_by_class[0], 2u);
}

TEST_F(EngineHttpTest, CacheControlMaxAgeDelaysTheNextPoll) {
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "public, max-age=7200");
    res.set_content(kTwoItems, "application/rss+xml");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("blog", server_.Url("/feed"), 1min)});
  engine.RunOnce();
  ASSERT_TRUE(Last().state.next_attempt);
  EXPECT_GE(*Last().state.next_attempt - clock_.Now(), 2h);
}

TEST_F(EngineHttpTest, FollowsPagesUntilThePluginStopsOrTheCap) {
  server_.server().Get(R"(/page/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    ++requests_;
    res.set_content(req.matches[1].str() + "@" + req.get_param_value("cursor"), "text/plain");
  });
  settings::SourceSettings three;
  three.name = "three";
  three.type = "paging";
  three.interval = 5min;
  std::string base = server_.Url("");
  three.plugin.make = [base] { return std::make_unique<PagingPlugin>(base, 2); };
  settings::SourceSettings endless = three;
  endless.name = "endless";
  endless.plugin.make = [base] { return std::make_unique<PagingPlugin>(base, 1000); };
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({three});
  engine.RunOnce();
  ASSERT_EQ(Last().mentions.size(), 3u) << "one poll result carries every page";
  EXPECT_EQ(Last().mentions[0].id, "0@");
  EXPECT_EQ(Last().mentions[2].id, "2@after-1@after-0@");
  engine.Apply({endless});
  requests_ = 0;
  engine.RunOnce();
  EXPECT_EQ(requests_, HttpPoll::kMaxPages);
  EXPECT_TRUE(Last().status.ok());
}

TEST_F(EngineHttpTest, StalledServerTimesOutAndOtherSourcesAreUntouched) {
  const auto& stopping = server_.stopping();
  server_.server().Get("/drip", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/rss+xml", [&](size_t, httplib::DataSink& sink) {
      for (int i = 0; i < 50 && !stopping; ++i) std::this_thread::sleep_for(10ms);
      return !stopping && sink.write(" ", 1);
    });
  });
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(kTwoItems, "application/rss+xml");
  });
  fetch::FetchOptions options;
  options.low_speed_time = 1s;
  options.low_speed_limit = 64;
  Scheduler engine(clock_, threads_, Collect(), {}, options);
  engine.Apply({FeedSource("drip", server_.Url("/drip")), FeedSource("good", server_.Url("/feed"))});
  engine.RunOnce();
  auto health = engine.Health();
  EXPECT_NE(health[0].last_error.find("stalled"), std::string::npos) << health[0].last_error;
  EXPECT_EQ(health[1].consecutive_failures, 0);
  EXPECT_EQ(health[1].mentions, 2u);
}

TEST_F(EngineHttpTest, TwoSlowSourcesDoNotHoldUpTheHostsOtherSources) {
  std::atomic<bool> fast_served{false};
  std::atomic<int> slow_running{0}, slow_running_at_fast{-1};
  const auto& stopping = server_.stopping();
  server_.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    ++slow_running;
    for (int i = 0; i < 1000 && !fast_served && !stopping; ++i) std::this_thread::sleep_for(10ms);
    --slow_running;
    res.set_content(kTwoItems, "application/rss+xml");
  });
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    slow_running_at_fast = slow_running.load();
    fast_served = true;
    res.set_content(kTwoItems, "application/rss+xml");
  });
  fetch::FetchOptions options;
  options.slot_time = 200ms;
  Scheduler engine(clock_, threads_, Collect(), {}, options);
  engine.Apply({FeedSource("slow1", server_.Url("/slow")), FeedSource("slow2", server_.Url("/slow")),
                FeedSource("fast", server_.Url("/feed"))});
  auto start = std::chrono::steady_clock::now();
  engine.RunOnce();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(slow_running_at_fast, 2) << "polled while both of the host's slots were taken by slow sources";
  ASSERT_EQ(Count(), 3u);
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& p : polls_) EXPECT_TRUE(p.status.ok()) << p.state.source << ": " << p.status.message();
}

TEST_F(EngineHttpTest, EndlessBodyIsCutAtTheSizeCap) {
  const auto& stopping = server_.stopping();
  server_.server().Get("/endless", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/rss+xml", [&](size_t, httplib::DataSink& sink) {
      std::string chunk = "<item><title>x</title></item>";
      return !stopping && sink.write(chunk.data(), chunk.size());
    });
  });
  fetch::FetchOptions options;
  options.max_body = 64 * 1024;
  Scheduler engine(clock_, threads_, Collect(), {}, options);
  engine.Apply({FeedSource("big", server_.Url("/endless"))});
  engine.RunOnce();
  EXPECT_FALSE(Last().status.ok());
  EXPECT_NE(Last().state.last_error.find("larger than 64KiB, transfer aborted"), std::string::npos)
      << Last().state.last_error;
  EXPECT_TRUE(Last().mentions.empty());
}

TEST_F(EngineHttpTest, StopAbandonsTransfersInFlight) {
  const auto& stopping = server_.stopping();
  server_.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 500 && !stopping; ++i) std::this_thread::sleep_for(10ms);
    res.set_content(kTwoItems, "application/rss+xml");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("slow", server_.Url("/slow"))});
  engine.Start();
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(engine.Stop(1s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(Count(), 0u);
}

// A poll-now that arrives once the running poll has fetched (here while its
// last page is parsed) cannot be answered by that poll: what was published
// before the poll-now comes with a poll of its own, at once.
TEST_F(EngineHttpTest, PollNowWhileTheLastPageIsParsedPollsAgain) {
  std::mutex mu;
  std::string shown = "first\n";
  server_.server().Get("/items", [&](const httplib::Request&, httplib::Response& res) {
    ++requests_;
    std::lock_guard<std::mutex> lock(mu);
    res.set_content(shown, "text/plain");
  });
  HeldPlugin::Gate gate;
  gate.hold = true;
  settings::SourceSettings s;
  s.name = "held";
  s.type = "held";
  s.interval = 5min;
  s.fingerprint = "held";
  s.plugin.make = [url = server_.Url("/items"), &gate] { return std::make_unique<HeldPlugin>(url, gate); };
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({s});
  engine.Start();
  {
    std::unique_lock<std::mutex> lock(gate.mu);
    ASSERT_TRUE(gate.cv.wait_for(lock, 10s, [&] { return gate.parsing; }));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    shown = "first\nsecond\n";
  }
  ASSERT_TRUE(engine.PollNow("held").ok());
  {
    std::lock_guard<std::mutex> lock(gate.mu);
    gate.hold = false;
    gate.cv.notify_all();
  }
  // The fake clock does not move: only the poll-now can bring a second poll.
  auto until = std::chrono::steady_clock::now() + 10s;
  while (Count() < 2 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(engine.Stop(1s));
  ASSERT_EQ(Count(), 2u) << "the poll-now was answered by the poll that had already fetched";
  EXPECT_EQ(requests_, 2);
  std::lock_guard<std::mutex> lock(mu_);
  ASSERT_EQ(polls_[0].mentions.size(), 1u);
  ASSERT_EQ(polls_[1].mentions.size(), 2u);
  EXPECT_EQ(polls_[1].mentions[1].id, "second") << "the second poll reports what was published before the poll-now";
}

TEST_F(EngineHttpTest, BackgroundThreadsPollHttpSources) {
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(kTwoItems, "application/rss+xml");
  });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("blog", server_.Url("/feed"))});
  engine.Start();
  auto until = std::chrono::steady_clock::now() + 10s;
  while (Count() == 0 && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(engine.Stop(1s));
  ASSERT_EQ(Count(), 1u);
  EXPECT_EQ(Last().mentions.size(), 2u);
}

TEST_F(EngineHttpTest, SlowExecSourceDoesNotDelayHttpSources) {
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(kTwoItems, "application/rss+xml");
  });
  testing::TempDir dir;
  std::string pid_file = (dir.path() / "pid").string();
  // A program that takes a minute; listed first so it is due first.
  settings::SourceSettings slow;
  slow.name = "slow";
  slow.type = "exec";
  slow.interval = 5min;
  slow.fingerprint = "slow";
  slow.plugin.make = [pid_file] {
    plugin::ExecOptions o;
    o.command = {"sh", "-c", "echo $$ > " + pid_file + "; exec sleep 60"};
    o.mode = "scheduled";
    o.timeout = 5min;
    o.max_output = 1 << 20;
    o.max_line = 1 << 20;
    return std::make_unique<plugin::ExecPlugin>(o);
  };
  std::mutex mu;
  std::vector<std::string> finished;  // sources in the order their polls were handed over
  Scheduler engine(clock_, threads_, [&](const settings::SourceSettings& s, PollResult r) {
    std::lock_guard<std::mutex> lock(mu);
    finished.push_back(s.name);
    if (s.name == "blog") polls_.push_back(Poll{std::move(r.mentions), std::move(r.state), r.status});
  });
  engine.Apply({slow, FeedSource("blog", server_.Url("/feed"))});
  engine.Start();
  auto until = std::chrono::steady_clock::now() + 10s;
  auto pid_written = [&] { return std::ifstream(pid_file).peek() != EOF; };
  while ((Count() == 0 || !pid_written()) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  // The feed's mentions arrived while the program is still running.
  ASSERT_EQ(Count(), 1u);
  EXPECT_EQ(Last().mentions.size(), 2u);
  EXPECT_TRUE(Last().status.ok());
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(finished, std::vector<std::string>{"blog"});
  }
  ASSERT_TRUE(pid_written());
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_EQ(kill(pid, 0), 0) << "the program is still running";
  // Shutdown kills it and returns well before the program would end.
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(engine.Stop(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH) << "the program was killed and reaped";
}

// Hostile and messy documents served over HTTP: what the user gets.
struct FeedCase {
  std::string name;
  std::string body;
  std::string content_type;
  std::function<void(const Poll&)> check;
};

class EngineFeedCaseTest : public EngineHttpTest, public ::testing::WithParamInterface<int> {};

std::vector<FeedCase> FeedCases() {
  static testing::TempDir dir;
  static const std::string secret_path = dir.Write("secret.txt", "TOP-SECRET-CONTENT");
  std::string rss_head = "<rss version=\"2.0\"><channel><title>c</title><link>https://c.example/</link>";
  return {
      {"wrong_content_type", kTwoItems, "text/html",
       [](const Poll& p) {
         ASSERT_TRUE(p.status.ok()) << p.status.message();
         EXPECT_EQ(p.mentions.size(), 2u);
       }},
      {"iso_8859_1_from_http_charset",
       "<?xml version=\"1.0\"?>" + rss_head + "<item><title>Caf\xe9 cr\xe8me</title></item></channel></rss>",
       "application/rss+xml; charset=ISO-8859-1",
       [](const Poll& p) {
         ASSERT_EQ(p.mentions.size(), 1u);
         EXPECT_EQ(p.mentions[0].title, "Caf\xc3\xa9 cr\xc3\xa8me");
       }},
      {"windows_1252_declared",
       "<?xml version=\"1.0\" encoding=\"windows-1252\"?>" + rss_head +
           "<item><title>\x93quoted\x94 \x80 5</title></item></channel></rss>",
       "application/xml",
       [](const Poll& p) {
         ASSERT_EQ(p.mentions.size(), 1u);
         EXPECT_EQ(p.mentions[0].title, "\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x82\xac 5");
       }},
      {"invalid_utf8_repaired",
       "<?xml version=\"1.0\" encoding=\"utf-8\"?>" + rss_head +
           "<item><title>bad \xff\xfe byte</title></item></channel></rss>",
       "application/rss+xml",
       [](const Poll& p) {
         ASSERT_EQ(p.mentions.size(), 1u);
         EXPECT_NE(p.mentions[0].title.find("bad"), std::string::npos);
         EXPECT_NE(p.mentions[0].title.find("byte"), std::string::npos);
         EXPECT_EQ(p.mentions[0].title.find('\xff'), std::string::npos) << "output is valid UTF-8";
       }},
      {"billion_laughs",
       "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
       "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
       "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
       "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">]>" +
           rss_head + "<item><guid>x</guid><title>&h;</title></item></channel></rss>",
       "application/rss+xml",
       [](const Poll& p) {
         for (const auto& m : p.mentions) EXPECT_LT(m.title.size(), 100000u) << "entity expansion was bounded";
       }},
      {"external_entity_not_read",
       "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://" + secret_path + "\">]>" + rss_head +
           "<item><guid>x</guid><title>leak: &xxe;</title></item></channel></rss>",
       "application/rss+xml",
       [](const Poll& p) {
         for (const auto& m : p.mentions) {
           EXPECT_EQ(m.title.find("TOP-SECRET"), std::string::npos);
           EXPECT_EQ(m.text.find("TOP-SECRET"), std::string::npos);
         }
       }},
      {"deeply_nested_json_feed",
       "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"x\",\"items\":" + std::string(100000, '[') +
           std::string(100000, ']') + "}",
       "application/feed+json",
       [](const Poll& p) {
         // Either rejected with a clear error or read without items; never a crash.
         EXPECT_TRUE(p.mentions.empty());
       }},
      {"duplicate_guids",
       rss_head + "<item><guid>same</guid><title>one</title></item>"
                  "<item><guid>same</guid><title>two</title></item>"
                  "<item><guid>other</guid><title>three</title></item></channel></rss>",
       "application/rss+xml",
       [](const Poll& p) {
         ASSERT_EQ(p.mentions.size(), 2u);
         EXPECT_EQ(p.mentions[0].id, "same");
         EXPECT_EQ(p.mentions[1].id, "other");
       }},
      {"relative_links_with_xml_base",
       "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:base=\"https://site.example/blog/\"><title>b</title>"
       "<entry><id>1</id><title>t</title><link href=\"posts/1.html\"/></entry>"
       "<entry xml:base=\"/archive/\"><id>2</id><title>u</title><link href=\"two.html\"/></entry></feed>",
       "application/atom+xml",
       [](const Poll& p) {
         ASSERT_EQ(p.mentions.size(), 2u);
         EXPECT_EQ(p.mentions[0].url, "https://site.example/blog/posts/1.html");
         EXPECT_EQ(p.mentions[1].url, "https://site.example/archive/two.html");
       }},
  };
}

TEST_P(EngineFeedCaseTest, ServesAndChecks) {
  FeedCase c = FeedCases()[static_cast<size_t>(GetParam())];
  SCOPED_TRACE(c.name);
  server_.server().Get(
      "/doc", [&](const httplib::Request&, httplib::Response& res) { res.set_content(c.body, c.content_type); });
  Scheduler engine(clock_, threads_, Collect());
  engine.Apply({FeedSource("case", server_.Url("/doc"))});
  engine.RunOnce();
  ASSERT_EQ(Count(), 1u);
  c.check(Last());
}

INSTANTIATE_TEST_SUITE_P(Cases, EngineFeedCaseTest, ::testing::Range(0, static_cast<int>(FeedCases().size())),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return FeedCases()[static_cast<size_t>(info.param)].name;
                         });

}  // namespace
}  // namespace brandmon::scheduler
