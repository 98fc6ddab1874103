// brandmon-notify's delivery rate and latency against a real publisher and a
// local webhook that answers at once. brandmon-notify runs as its own
// process (the program built beside this bench, or --notify PATH), so the
// memory reported is its own, not the publisher's, the webhook's or the
// bench's records.
//
//   notify_bench [--notify PATH] [N] [M]
//   notify_bench [--notify PATH] --dead-receiver SECONDS [--hang] [--baseline SECONDS]
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
// receiver's 10 s timeout). The window holds 1000 alerts. It prints
// brandmon-notify's resident memory at the start and end of the dead phase
// (and every tenth of it), the live receiver's latency in both phases, and
// what became of the dead one (`notify_bench --dead-receiver 90` is two
// minutes).

#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
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

#include "daemon/base/thread_set.h"
#include "daemon/publish/publisher.h"
#include "daemon/store/store.h"

extern char** environ;

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

// Resident memory of process `pid` in MiB; 0 when it is gone.
double RssMiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

// brandmon-notify started with a config, as its own process (its log in
// `log`); stopped with SIGTERM.
class Notifier {
 public:
  Notifier(std::string binary, std::string config, std::string runtime_dir, const std::string& log)
      : binary_(std::move(binary)), config_(std::move(config)), runtime_dir_(std::move(runtime_dir)) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    std::vector<std::string> args = {binary_, "--config", config_};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, binary_.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~Notifier() { Stop(); }

  // Waits until the program answers on its control socket.
  bool Ready() {
    for (int i = 0; i < 100 && pid_ > 0; ++i) {
      if (std::filesystem::exists(runtime_dir_ + "/control.sock") && !StatusJson().empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::fprintf(stderr, "%s did not start\n", binary_.c_str());
    return false;
  }
  double Rss() const { return RssMiB(pid_); }
  // `brandmon-notify status --json`; empty when it did not answer.
  std::string StatusJson() const {
    std::string cmd = "'" + binary_ + "' --config '" + config_ + "' status --json 2>/dev/null";
    std::string out;
    if (FILE* p = popen(cmd.c_str(), "r")) {
      char buf[4096];
      for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
      if (pclose(p) != 0) out.clear();
    }
    return out;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  std::string binary_;
  std::string config_;
  std::string runtime_dir_;
  pid_t pid_ = -1;
};

struct Options {
  int burst = 5000;
  int paced = 500;
  int dead_seconds = 0;  // > 0: the dead-receiver form
  int baseline_seconds = 30;
  bool hang = false;
  std::string notify = BRANDMON_NOTIFY_BIN;
};

// The store, the publisher and the webhook every engine of a run shares.
struct Bench {
  Bench(std::string d, std::string n) : dir(std::move(d)), notify(std::move(n)) {}
  std::string dir;
  std::string notify;
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

  // brandmon-notify with the live webhook, and a dead receiver at
  // `dead_url` when not empty, every alert to both. Its state stays in
  // `dir` from one run to the next.
  std::unique_ptr<Notifier> StartNotifier(const std::string& dead_url, int window) {
    std::string receivers = R"([{"name": "hook", "type": "webhook", "url": ")" + sink.url() + "\"}";
    std::string route = R"("hook")";
    if (!dead_url.empty()) {
      receivers += R"(, {"name": "dead", "type": "webhook", "url": ")" + dead_url + "\"}";
      route += R"(, "dead")";
    }
    std::ofstream(dir + "/notify.json") << R"({"state_dir": ")" << dir << R"(", "runtime_dir": ")" << dir
                                        << R"(", "log_level": "error", "subscribe": {"endpoint": ")"
                                        << publisher->endpoints()[0] << R"(", "catchup_endpoint": ")"
                                        << publisher->catchup_endpoints()[0] << R"(", "from_journal_start": true},
      "delivery": {"window_alerts": )" << window
                                        << R"(}, "receivers": )" << receivers << R"(], "routes": [{"receivers": [)"
                                        << route << "]}]}";
    auto n = std::make_unique<Notifier>(notify, dir + "/notify.json", dir, dir + "/notify.log");
    if (!n->Ready()) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return n;
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
  auto notifier = b.StartNotifier("", 10000);
  if (!notifier) return 1;
  auto t0 = Steady::now();
  for (int i = 0; i < o.burst; i += 1000) b.Journal(std::min(1000, o.burst - i));
  bool ok = WaitCount(b.sink, static_cast<size_t>(o.burst));
  double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  std::printf("burst of %d alerts: %.0f alerts/s delivered to the webhook\n", o.burst, o.burst / secs);
  Latency l = Paced(b, o.paced / 100.0, [](int) {});
  PrintLatency("paced", l);
  notifier->Stop();
  return ok && l.complete ? 0 : 1;
}

void PrintDead(const Notifier& notifier) {
  rapidjson::Document doc;
  doc.Parse(notifier.StatusJson().c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("receivers") || !doc["receivers"].IsArray()) {
    std::printf("dead receiver: no status from brandmon-notify\n");
    return;
  }
  for (const auto& r : doc["receivers"].GetArray()) {
    if (!r.IsObject() || std::string_view(r["name"].GetString()) != "dead") continue;
    std::printf("dead receiver: cursor %s, delivered %llu, attempts retried %llu, catching up %s, last error: %s\n",
                r["cursor"].IsUint64() ? std::to_string(r["cursor"].GetUint64()).c_str() : "none",
                static_cast<unsigned long long>(r["delivered"].GetUint64()),
                static_cast<unsigned long long>(r["retried"].GetUint64()), r["catching_up"].GetBool() ? "yes" : "no",
                r["last_error"].GetString());
  }
}

int DeadReceiver(Bench& b, const Options& o) {
  std::optional<HangingTarget> hanging;
  if (o.hang) hanging.emplace();
  std::string dead_url = o.hang ? hanging->url() : "http://127.0.0.1:1/nobody";
  auto alone = b.StartNotifier("", 1000);
  if (!alone) return 1;
  Latency base = Paced(b, o.baseline_seconds, [](int) {});
  std::printf("live receiver alone: brandmon-notify's RSS %.1f MiB at the end\n", alone->Rss());
  alone.reset();

  auto notifier = b.StartNotifier(dead_url, 1000);
  if (!notifier) return 1;
  Notifier& n = *notifier;
  double rss_start = n.Rss();
  std::printf("dead receiver (%s) for %d s; brandmon-notify's RSS at the start: %.1f MiB\n",
              o.hang ? "accepts, never answers" : "connection refused", o.dead_seconds, rss_start);
  Latency dead = Paced(b, o.dead_seconds, [&n](int i) { std::printf("RSS after %d s: %.1f MiB\n", i / 100, n.Rss()); });
  double rss_end = n.Rss();
  std::printf("RSS at the end: %.1f MiB (%+.1f MiB)\n", rss_end, rss_end - rss_start);
  PrintLatency("live receiver alone", base);
  PrintLatency("live receiver beside the dead one", dead);
  PrintDead(n);
  n.Stop();
  return base.complete && dead.complete ? 0 : 1;
}

bool ParseArgs(int argc, char** argv, Options& o) {
  std::vector<int> numbers;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--hang") {
      o.hang = true;
    } else if (a == "--notify" && i + 1 < argc) {
      o.notify = argv[++i];
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
    std::fprintf(stderr,
                 "usage: notify_bench [--notify PATH] [N] [M] | [--notify PATH] --dead-receiver SECONDS [--hang] "
                 "[--baseline SECONDS]\n");
    return 2;
  }
  char templ[] = "/tmp/brandmon-notify-bench-XXXXXX";
  if (mkdtemp(templ) == nullptr) return 1;
  int rc = 1;
  {
    Bench b(templ, o.notify);
    if (b.Open()) rc = o.dead_seconds > 0 ? DeadReceiver(b, o) : BurstAndLatency(b, o);
    if (b.publisher) b.publisher->Stop();
  }
  std::filesystem::remove_all(templ);
  return rc;
}
