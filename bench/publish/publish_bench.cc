// Publish throughput and catch-up time for 100,000 journaled alerts.
//
//   publish_bench [N]
//
// Prints, for N alerts (default 100000): the journal write rate (the baseline
// every alert pays before it is published), the rate of Publish() hand-overs
// with no subscriber and with a stalled one (their ratio shows the pipeline
// does not feel slow subscribers), the end-to-end rate to a subscriber that
// reads everything, and the time a catch-up of the whole journal takes.

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <zmq.hpp>

#include "daemon/publish/publisher.h"
#include "daemon/publish/subscriber.h"
#include "daemon/store/store.h"

namespace {

using namespace brandmon;
using Seconds = std::chrono::duration<double>;

Alert MakeAlert(int i) {
  Alert a;
  a.ts = FromUnixMillis(1767225600000 + i);
  a.brand = i % 2 ? "acme" : "globex";
  a.rule = "negative_mention";
  a.severity = Severity::kWarning;
  a.summary = "negative mention " + std::to_string(i);
  a.dedupe_key = "bench-" + std::to_string(i);
  ScoredMention m;
  m.brand = a.brand;
  m.mention.source = "rss";
  m.mention.id = std::to_string(i);
  m.mention.text = "this product broke after two days, support never answered my emails";
  m.sentiment.compound = -0.7;
  m.sentiment.label = "negative";
  a.mentions.push_back(m);
  a.figures = {{"reach", 100.0 + i % 50}};
  return a;
}

double Since(std::chrono::steady_clock::time_point t0) {
  return Seconds(std::chrono::steady_clock::now() - t0).count();
}

publish::PublishOptions Options() {
  publish::PublishOptions o = publish::DefaultPublishOptions();
  o.endpoints = {"ipc://alerts.sock"};
  o.catchup_endpoints = {"ipc://catchup.sock"};
  o.queue_capacity = 10000000;
  return o;
}

// Hands `alerts` over and returns the seconds the Publish() calls took.
double HandOver(publish::Publisher& p, const std::vector<Alert>& alerts) {
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& a : alerts) p.Publish(a);
  return Since(t0);
}

void WaitPublished(publish::Publisher& p, uint64_t n) {
  while (p.counters().published + p.counters().dropped_slow_subscriber < n) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  char templ[] = "/tmp/brandmon-bench-XXXXXX";
  if (mkdtemp(templ) == nullptr) return 1;
  std::string dir = templ;
  SystemClock& clock = SystemClock::Instance();
  store::StoreOptions so;
  config::ApplyDefaults(store::StoreOptionTable(), so);
  so.file = dir + "/brandmon.db";
  auto st = store::Store::Open(so, "", clock);
  if (!st.ok()) return 1;

  std::vector<Alert> alerts;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; i += 1000) {
    store::WriteBatch batch;
    for (int k = i; k < std::min(n, i + 1000); ++k) batch.AddAlert(MakeAlert(k));
    auto w = (*st)->Write(batch);
    if (!w.ok()) return 1;
    for (auto& a : w->alerts) alerts.push_back(std::move(a));
  }
  double journal_s = Since(t0);
  auto opener = [&]() { return store::Store::Open(so, "", clock); };

  std::printf("alerts: %d\n", n);
  std::printf("journal write (baseline):      %10.0f alerts/s\n", n / journal_s);
  double free_s, stalled_s, e2e_s, catchup_s, got_total = 0;
  uint64_t dropped;
  {
    publish::Publisher p(Options(), dir, opener, clock);
    if (!p.Start(0).ok()) return 1;
    free_s = HandOver(p, alerts);
    WaitPublished(p, n);
  }
  {
    publish::Publisher p(Options(), dir, opener, clock);
    if (!p.Start(0).ok()) return 1;
    zmq::context_t ctx;
    zmq::socket_t stalled(ctx, zmq::socket_type::sub);
    stalled.set(zmq::sockopt::rcvhwm, 10);
    stalled.set(zmq::sockopt::subscribe, "");
    stalled.connect(p.endpoints()[0]);
    zmq::message_t m;
    (void)stalled.recv(m);  // the start-up heartbeat may be missed; wait for one
    stalled_s = HandOver(p, alerts);
    p.Stop();  // what the stalled subscriber still holds back counts as dropped
    dropped = p.counters().dropped_slow_subscriber;
  }
  {
    publish::Publisher p(Options(), dir, opener, clock);
    if (!p.Start(0).ok()) return 1;
    auto sub = publish::Subscriber::Connect(p.endpoints()[0], p.catchup_endpoints()[0], {"alert.", "heartbeat"}, {});
    if (!sub.ok()) return 1;
    (void)(*sub)->Receive(std::chrono::seconds(10));  // subscribed once the first message arrives
    t0 = std::chrono::steady_clock::now();
    std::thread feed([&] { HandOver(p, alerts); });
    int got = 0;
    auto last_alert = t0;
    while (got < n) {
      auto msg = (*sub)->Receive(std::chrono::seconds(10));
      if (!msg.ok() || !*msg) break;
      // A heartbeat comes only once the publisher is idle: the rest was dropped.
      if ((*msg)->topic == "heartbeat") {
        if (got > 0) break;
        continue;
      }
      ++got;
      last_alert = std::chrono::steady_clock::now();
    }
    e2e_s = Seconds(last_alert - t0).count();
    got_total = got;
    feed.join();
    std::printf("received end to end:           %10d of %d (%llu dropped at the subscriber's sndhwm)\n", got, n,
                static_cast<unsigned long long>(p.counters().dropped_slow_subscriber));

    t0 = std::chrono::steady_clock::now();
    uint64_t since = 0;
    size_t entries = 0;
    for (;;) {
      auto end = (*sub)->CatchUp(
          {since, "alert.", 0}, [&](publish::Message&&) { ++entries; }, std::chrono::seconds(30));
      if (!end.ok()) return 1;
      since = end->upto;
      if (end->complete) break;
    }
    catchup_s = Since(t0);
    std::printf("catch-up entries:              %10zu\n", entries);
  }
  std::printf("Publish() hand-over, no sub:   %10.0f msgs/s\n", n / free_s);
  std::printf("Publish() hand-over, stalled:  %10.0f msgs/s  (ratio to no sub %.2f; %llu dropped)\n", n / stalled_s,
              free_s / stalled_s, static_cast<unsigned long long>(dropped));
  std::printf("end-to-end, one subscriber:    %10.0f msgs/s received  (%.2fx the journal write rate)\n",
              got_total / e2e_s, (got_total / e2e_s) / (n / journal_s));
  std::printf("catch-up of %d alerts:     %10.3f s  (%.0f entries/s)\n", n, catchup_s, n / catchup_s);
  std::filesystem::remove_all(dir);
  return 0;
}
