// Publish throughput and catch-up time for 100,000 journaled alerts.
//
//   publish_bench [N]
//   publish_bench --catchup [N]
//   publish_bench --stalled-catchup K [N]
//
// Prints, for N alerts (default 100000): the journal write rate (the baseline
// every alert pays before it is published), the rate of Publish() hand-overs
// with no subscriber and with a stalled one (their ratio shows the pipeline
// does not feel slow subscribers), the end-to-end rate to a subscriber that
// reads everything, and the time a catch-up of the whole journal takes.
// --catchup times only the catch-up (best of 5). --stalled-catchup starts K
// catch-up clients in a child process that each ask for the whole journal
// over tcp and never read, and prints the publisher's resident memory before,
// while and after they stall (the clients stay connected throughout).

#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <zmq.hpp>

#include "daemon/base/thread_set.h"
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

// Resident memory of this process in MiB.
double RssMiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

// The child of --stalled-catchup: reads the catch-up endpoint from `in`,
// connects `k` DEALER sockets that each ask for the whole journal and never
// read, reports on `out`, and stays until `in` is closed.
[[noreturn]] void StalledClients(int k, int in, int out) {
  char endpoint[256] = {};
  ssize_t n = read(in, endpoint, sizeof endpoint - 1);
  if (n <= 0) _exit(1);
  zmq::context_t ctx;
  std::vector<zmq::socket_t> clients;
  for (int i = 0; i < k; ++i) {
    clients.emplace_back(ctx, zmq::socket_type::dealer);
    clients.back().set(zmq::sockopt::linger, 0);
    clients.back().connect(endpoint);
    clients.back().send(zmq::str_buffer("{\"v\":1,\"since\":0}"), zmq::send_flags::none);
  }
  if (write(out, "r", 1) != 1) _exit(1);
  char c;
  while (read(in, &c, 1) > 0) {
  }
  _exit(0);
}

// The journal's last seq, which a publisher starting on it announces and
// serves catch-up up to (as brandmond's does).
uint64_t JournalLast(const store::StoreOptions& so, const Clock& clock, ThreadSet& threads) {
  auto st = store::Store::Open(so, "", clock, threads);
  if (!st.ok()) return 0;
  auto last = (*st)->LastSeq();
  return last.ok() ? *last : 0;
}

int StalledCatchup(int k, const std::string& dir, const store::StoreOptions& so, const Clock& clock,
                   ThreadSet& threads) {
  int to_child[2], from_child[2];
  if (pipe(to_child) != 0 || pipe(from_child) != 0) return 1;
  std::fflush(stdout);
  pid_t child = fork();
  if (child == 0) {
    close(to_child[1]);
    close(from_child[0]);
    StalledClients(k, to_child[0], from_child[1]);
  }
  close(to_child[0]);
  close(from_child[1]);
  publish::PublishOptions o = Options();
  o.catchup_endpoints = {"tcp://127.0.0.1:*"};
  publish::Publisher p(
      o, dir, [&]() { return store::Store::Open(so, "", clock, threads); }, clock, threads);
  if (!p.Start(JournalLast(so, clock, threads)).ok()) return 1;
  std::printf("RSS with the publisher started: %8.1f MiB\n", RssMiB());
  const std::string& endpoint = p.catchup_endpoints()[0];
  if (write(to_child[1], endpoint.data(), endpoint.size()) != static_cast<ssize_t>(endpoint.size())) return 1;
  char c;
  if (read(from_child[0], &c, 1) != 1) return 1;
  auto t0 = std::chrono::steady_clock::now();
  double peak = 0;
  for (int second = 1; second <= 40; ++second) {
    std::this_thread::sleep_until(t0 + std::chrono::seconds(second));
    double rss = RssMiB();
    peak = std::max(peak, rss);
    if (second % 5 == 0) {
      std::printf("RSS %2ds after %d stalled clients: %8.1f MiB (peak %.1f)\n", second, k, rss, peak);
    }
  }
  close(to_child[1]);
  waitpid(child, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::printf("RSS once the clients are gone:  %8.1f MiB\n", RssMiB());
  return 0;
}

// CPU seconds (user + system) of every thread of this process so far.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// Times a catch-up of the whole journal (best of 5), in wall time and in the
// CPU time of the process (publisher and client), which a busy machine
// inflates less.
int CatchupOnly(const std::string& dir, const store::StoreOptions& so, const Clock& clock, ThreadSet& threads) {
  publish::Publisher p(
      Options(), dir, [&]() { return store::Store::Open(so, "", clock, threads); }, clock, threads);
  if (!p.Start(JournalLast(so, clock, threads)).ok()) return 1;
  auto sub = publish::Subscriber::Connect(p.endpoints()[0], p.catchup_endpoints()[0], {"alert."}, {});
  if (!sub.ok()) return 1;
  double best = 1e9, best_cpu = 1e9;
  for (int round = 0; round < 5; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    double cpu0 = CpuSeconds();
    uint64_t since = 0;
    size_t entries = 0;
    for (;;) {
      auto end = (*sub)->CatchUp(
          {since, "alert.", 0}, [&](publish::Message&&) { ++entries; }, std::chrono::seconds(30));
      if (!end.ok()) return 1;
      since = end->upto;
      if (end->complete) break;
    }
    double s = Since(t0);
    double cpu = CpuSeconds() - cpu0;
    best = std::min(best, s);
    best_cpu = std::min(best_cpu, cpu);
    std::printf("catch-up of %zu alerts:       %10.3f s  (%.0f entries/s, %.3f s CPU)\n", entries, s, entries / s, cpu);
  }
  std::printf("best of 5:                     %10.3f s  (%.3f s CPU)\n", best, best_cpu);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string mode;
  int stalled = 0;
  if (argc > 1 && std::strcmp(argv[1], "--catchup") == 0) {
    mode = argv[1];
    --argc, ++argv;
  } else if (argc > 2 && std::strcmp(argv[1], "--stalled-catchup") == 0) {
    mode = argv[1];
    stalled = std::atoi(argv[2]);
    argc -= 2, argv += 2;
  }
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  char templ[] = "/tmp/brandmon-bench-XXXXXX";
  if (mkdtemp(templ) == nullptr) return 1;
  std::string dir = templ;
  SystemClock& clock = SystemClock::Instance();
  ThreadSet threads;
  store::StoreOptions so;
  config::ApplyDefaults(store::StoreOptionTable(), so);
  so.file = dir + "/brandmon.db";
  auto st = store::Store::Open(so, "", clock, threads);
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
  auto opener = [&]() { return store::Store::Open(so, "", clock, threads); };

  std::printf("alerts: %d\n", n);
  std::printf("journal write (baseline):      %10.0f alerts/s\n", n / journal_s);
  if (!mode.empty()) {
    alerts.clear();
    alerts.shrink_to_fit();
    int rc =
        mode == "--catchup" ? CatchupOnly(dir, so, clock, threads) : StalledCatchup(stalled, dir, so, clock, threads);
    std::filesystem::remove_all(dir);
    return rc;
  }
  double free_s, stalled_s, e2e_s, catchup_s, got_total = 0;
  uint64_t dropped;
  {
    publish::Publisher p(Options(), dir, opener, clock, threads);
    if (!p.Start(0).ok()) return 1;
    free_s = HandOver(p, alerts);
    WaitPublished(p, n);
  }
  {
    publish::Publisher p(Options(), dir, opener, clock, threads);
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
    publish::Publisher p(Options(), dir, opener, clock, threads);
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
