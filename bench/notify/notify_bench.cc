// brandmon-notify's delivery rate and latency against a real publisher and a
// local webhook that answers at once.
//
//   notify_bench [N] [M]
//   notify_bench --dead-receiver SECONDS [--hang] [--baseline SECONDS]
//
// The first form journals and publishes N alerts (default 5000) at once and
// prints the rate at which the webhook receives them (one receiver, one
// alert per delivery), then M alerts (default 500) at 100 alerts/s and
// prints the latency from the journal commit to the webhook's receipt (p50,
// p99).
//
// The second form runs 100 alerts/s to the live webhook alone for the
// baseline (default 30 s), then for SECONDS more with a second receiver that
// gets every alert too and is dead: its target refuses every connection, or
// with --hang accepts it and never answers (each attempt then waits for the
// receiver's 10 s timeout). The window holds 1000 alerts. It prints the
// resident memory at the start and end of the dead phase (and every tenth
// of it), the live receiver's latency in both phases, and what became of
// the dead one (`notify_bench --dead-receiver 90` is two minutes).

#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "daemon/notify/engine.h"
#include "daemon/notify/notify_state.h"
#include "daemon/publish/publisher.h"
#include "daemon/store/store.h"

namespace {

using namespace brandmon;
using Steady = std::chrono::steady_clock;

Alert MakeAlert(int i) {
  Alert a;
  a.ts = FromUnixMillis(1767225600000 + i);
  a.brand = "acme";
  a.rule = "negative_mention";
  a.severity = Severity::kWarning;
  a.summary = "negative mention " + std::to_string(i);
  a.dedupe_key = "bench-" + std::to_string(i);
  ScoredMention m;
  m.brand = a.brand;
  m.mention.id = std::to_string(i);
  m.mention.text = "this product broke after two days, support never answered my emails";
  a.mentions.push_back(m);
  return a;
}

// The webhook: the time each seq arrived.
class Sink {
 public:
  Sink() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      rapidjson::Document doc;
      doc.Parse(req.body.c_str());
      auto now = Steady::now();
      std::lock_guard lock(mu_);
      for (const auto& a : doc["alerts"].GetArray()) received_[a["seq"].GetUint64()] = now;
      res.set_content("ok", "text/plain");
    });
    // Without TCP_NODELAY the sink's small writes meet the client's delayed
    // ACK: 40 ms per request that are the sink's, not brandmon-notify's.
    server_.set_tcp_nodelay(true);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Sink() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  size_t count() {
    std::lock_guard lock(mu_);
    return received_.size();
  }
  std::optional<Steady::time_point> at(uint64_t seq) {
    std::lock_guard lock(mu_);
    auto it = received_.find(seq);
    if (it == received_.end()) return std::nullopt;
    return it->second;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::map<uint64_t, Steady::time_point> received_;
};

// A target that accepts every connection and never answers (nor reads).
class HangingTarget {
 public:
  HangingTarget() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd_, 1024) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::perror("hanging target");
      std::exit(1);
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 100) > 0) {
          int c = accept(fd_, nullptr, nullptr);
          if (c >= 0) held_.push_back(c);
        }
      }
    });
  }
  ~HangingTarget() {
    stop_ = true;
    thread_.join();
    for (int c : held_) close(c);
    close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<int> held_;
};

bool WaitCount(Sink& sink, size_t n) {
  for (int i = 0; i < 60000 && sink.count() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return sink.count() >= n;
}

// Resident memory of this process in MiB.
double RssMiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

struct Options {
  int burst = 5000;
  int paced = 500;
  int dead_seconds = 0;  // > 0: the dead-receiver form
  int baseline_seconds = 30;
  bool hang = false;
};

// The store, the publisher and the webhook every engine of a run shares.
struct Bench {
  explicit Bench(std::string d) : dir(std::move(d)) {}
  std::string dir;
  ThreadSet threads;
  store::StoreOptions store_options;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<publish::Publisher> publisher;
  Sink sink;
  int next = 0;

  bool Open() {
    SystemClock& clock = SystemClock::Instance();
    config::ApplyDefaults(store::StoreOptionTable(), store_options);
    store_options.file = dir + "/brandmon.db";
    auto st = store::Store::Open(store_options, "", clock, threads);
    if (!st.ok()) return false;
    store = std::move(*st);
    publish::PublishOptions po = publish::DefaultPublishOptions();
    po.endpoints = {"ipc://alerts.sock"};
    po.catchup_endpoints = {"ipc://catchup.sock"};
    po.queue_capacity = 1000000;
    auto opener = [this]() { return store::Store::Open(store_options, "", SystemClock::Instance(), threads); };
    publisher = std::make_unique<publish::Publisher>(po, dir, opener, clock, threads);
    return publisher->Start(0).ok();
  }

  // Journals and publishes `count` alerts; returns the last seq.
  uint64_t Journal(int count) {
    store::WriteBatch batch;
    for (int k = 0; k < count; ++k) batch.AddAlert(MakeAlert(next++));
    auto w = store->Write(batch);
    if (!w.ok()) return 0;
    for (auto& a : w->alerts) publisher->Publish(a);
    return w->alerts.empty() ? 0 : w->alerts.back().seq;
  }

  // An engine with the live webhook, and a dead receiver at `dead_url` when
  // not empty, every alert to both.
  std::unique_ptr<notify::Engine> StartEngine(const std::string& dead_url, int window) {
    std::string receivers = R"([{"name": "hook", "type": "webhook", "url": ")" + sink.url() + "\"}";
    std::string route = R"("hook")";
    if (!dead_url.empty()) {
      receivers += R"(, {"name": "dead", "type": "webhook", "url": ")" + dead_url + "\"}";
      route += R"(, "dead")";
    }
    std::ofstream(dir + "/notify.json") << R"({"state_dir": ")" << dir << R"(", "subscribe": {"endpoint": ")"
                                        << publisher->endpoints()[0] << R"(", "catchup_endpoint": ")"
                                        << publisher->catchup_endpoints()[0] << R"(", "from_journal_start": true},
      "delivery": {"window_alerts": )" << window
                                        << R"(}, "receivers": )" << receivers << R"(], "routes": [{"receivers": [)"
                                        << route << "]}]}";
    auto cfg = notify::LoadNotifyConfig(dir + "/notify.json", config::ProcessEnv(), notify::ReceiverKinds());
    if (!cfg.ok()) {
      std::fprintf(stderr, "%s\n", cfg.status().message().c_str());
      return nullptr;
    }
    notify::NotifyPaths paths{dir, dir};
    notify::Endpoints endpoints{publisher->endpoints()[0], publisher->catchup_endpoints()[0]};
    auto engine = std::make_unique<notify::Engine>(std::move(*cfg), paths, endpoints, publish::ClientKeys{});
    if (!engine->Start(threads).ok()) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return engine;
  }
};

struct Latency {
  double p50 = 0, p99 = 0, max = 0;
  size_t n = 0;
  bool complete = false;
};

// Journals one alert every 10 ms for `seconds`, calling `every_tenth` ten
// times along the way, and measures commit-to-webhook latency.
template <typename F>
Latency Paced(Bench& b, double seconds, F every_tenth) {
  std::vector<std::pair<uint64_t, Steady::time_point>> sent;
  const int count = static_cast<int>(seconds * 100);
  for (int i = 0; i < count; ++i) {
    if (i > 0 && i % std::max(1, count / 10) == 0) every_tenth(i);
    auto due = Steady::now();
    uint64_t seq = b.Journal(1);
    sent.emplace_back(seq, Steady::now());
    std::this_thread::sleep_until(due + std::chrono::milliseconds(10));
  }
  Latency out;
  out.complete = WaitCount(b.sink, static_cast<size_t>(sent.back().first));
  std::vector<double> ms;
  for (const auto& [seq, at] : sent) {
    if (auto got = b.sink.at(seq)) ms.push_back(std::chrono::duration<double, std::milli>(*got - at).count());
  }
  std::sort(ms.begin(), ms.end());
  out.n = ms.size();
  out.complete = out.complete && ms.size() == sent.size();
  if (!ms.empty()) {
    out.p50 = ms[ms.size() / 2];
    out.p99 = ms[ms.size() * 99 / 100];
    out.max = ms.back();
  }
  return out;
}

void PrintLatency(const char* what, const Latency& l) {
  std::printf("%s: %zu alerts at 100/s, commit to webhook p50 %.2f ms, p99 %.2f ms, max %.2f ms%s\n", what, l.n, l.p50,
              l.p99, l.max, l.complete ? "" : " (NOT every alert arrived)");
}

int BurstAndLatency(Bench& b, const Options& o) {
  auto engine = b.StartEngine("", 10000);
  if (!engine) return 1;
  auto t0 = Steady::now();
  for (int i = 0; i < o.burst; i += 1000) b.Journal(std::min(1000, o.burst - i));
  bool ok = WaitCount(b.sink, static_cast<size_t>(o.burst));
  double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  std::printf("burst of %d alerts: %.0f alerts/s delivered to the webhook\n", o.burst, o.burst / secs);
  Latency l = Paced(b, o.paced / 100.0, [](int) {});
  PrintLatency("paced", l);
  engine->Stop(b.threads);
  return ok && l.complete ? 0 : 1;
}

void PrintDead(const notify::Engine& engine) {
  for (const auto& r : engine.Receivers()) {
    if (r.name != "dead") continue;
    std::printf("dead receiver: cursor %s, delivered %llu, attempts retried %llu, catching up %s, last error: %s\n",
                r.cursor ? std::to_string(*r.cursor).c_str() : "none", static_cast<unsigned long long>(r.delivered),
                static_cast<unsigned long long>(r.retried), r.catching_up ? "yes" : "no", r.last_error.c_str());
  }
}

int DeadReceiver(Bench& b, const Options& o) {
  std::optional<HangingTarget> hanging;
  if (o.hang) hanging.emplace();
  std::string dead_url = o.hang ? hanging->url() : "http://127.0.0.1:1/nobody";
  auto alone = b.StartEngine("", 1000);
  if (!alone) return 1;
  Latency base = Paced(b, o.baseline_seconds, [](int) {});
  alone->Stop(b.threads);
  alone.reset();

  auto engine = b.StartEngine(dead_url, 1000);
  if (!engine) return 1;
  double rss_start = RssMiB();
  std::printf("dead receiver (%s) for %d s; RSS at the start: %.1f MiB\n",
              o.hang ? "accepts, never answers" : "connection refused", o.dead_seconds, rss_start);
  Latency dead = Paced(b, o.dead_seconds, [](int i) { std::printf("RSS after %d s: %.1f MiB\n", i / 100, RssMiB()); });
  std::printf("RSS at the end: %.1f MiB (%+.1f MiB)\n", RssMiB(), RssMiB() - rss_start);
  PrintLatency("live receiver alone", base);
  PrintLatency("live receiver beside the dead one", dead);
  PrintDead(*engine);
  engine->Stop(b.threads);
  return base.complete && dead.complete ? 0 : 1;
}

bool ParseArgs(int argc, char** argv, Options& o) {
  std::vector<int> numbers;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--hang") {
      o.hang = true;
    } else if ((a == "--dead-receiver" || a == "--baseline") && i + 1 < argc) {
      (a == "--baseline" ? o.baseline_seconds : o.dead_seconds) = std::atoi(argv[++i]);
    } else if (!a.empty() && a[0] != '-') {
      numbers.push_back(std::atoi(a.c_str()));
    } else {
      return false;
    }
  }
  if (numbers.size() > 0) o.burst = numbers[0];
  if (numbers.size() > 1) o.paced = numbers[1];
  return o.burst > 0 && o.paced > 0 && o.dead_seconds >= 0 && o.baseline_seconds > 0 && (o.dead_seconds > 0 || !o.hang);
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    std::fprintf(stderr, "usage: notify_bench [N] [M] | --dead-receiver SECONDS [--hang] [--baseline SECONDS]\n");
    return 2;
  }
  char templ[] = "/tmp/brandmon-notify-bench-XXXXXX";
  if (mkdtemp(templ) == nullptr) return 1;
  int rc = 1;
  {
    Bench b(templ);
    if (b.Open()) rc = o.dead_seconds > 0 ? DeadReceiver(b, o) : BurstAndLatency(b, o);
    // The engines' threads were joined before anything they use goes away.
    if (b.publisher) b.publisher->Stop();
  }
  std::filesystem::remove_all(templ);
  return rc;
}
