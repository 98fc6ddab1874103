// brandmon-notify's delivery rate and latency against a real publisher and a
// local webhook that answers at once.
//
//   notify_bench [--dead] [N] [M]
//
// Journals and publishes N alerts (default 5000) at once and prints the rate
// at which the webhook receives them (one receiver, one alert per delivery),
// then M alerts (default 500) at 100 alerts/s and prints the latency from the
// journal commit to the webhook's receipt (p50, p99). With --dead a second
// receiver whose target refuses every connection gets every alert too (and
// the window holds 1000 alerts): the resident memory is printed as the M
// alerts go by, and the first receiver's latency shows whether it felt the
// dead one (`notify_bench --dead 1000 60000` is ten minutes).

#include <httplib.h>
#include <rapidjson/document.h>

#include <algorithm>
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

bool WaitCount(Sink& sink, size_t n) {
  for (int i = 0; i < 60000 && sink.count() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return sink.count() >= n;
}

}  // namespace

// Resident memory of this process in MiB.
double RssMiB() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmRSS:")) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  bool dead = argc > 1 && std::string(argv[1]) == "--dead";
  if (dead) --argc, ++argv;
  const int n = argc > 1 ? std::atoi(argv[1]) : 5000;
  const int m = argc > 2 ? std::atoi(argv[2]) : 500;
  char templ[] = "/tmp/brandmon-notify-bench-XXXXXX";
  if (mkdtemp(templ) == nullptr) return 1;
  std::string dir = templ;
  SystemClock& clock = SystemClock::Instance();
  ThreadSet threads;
  store::StoreOptions so;
  config::ApplyDefaults(store::StoreOptionTable(), so);
  so.file = dir + "/brandmon.db";
  auto st = store::Store::Open(so, "", clock, threads);
  if (!st.ok()) return 1;
  publish::PublishOptions po = publish::DefaultPublishOptions();
  po.endpoints = {"ipc://alerts.sock"};
  po.catchup_endpoints = {"ipc://catchup.sock"};
  po.queue_capacity = 1000000;
  publish::Publisher publisher(
      po, dir, [&]() { return store::Store::Open(so, "", clock, threads); }, clock, threads);
  if (!publisher.Start(0).ok()) return 1;

  Sink sink;
  std::ofstream(dir + "/notify.json") << R"({"state_dir": ")" << dir << R"(", "subscribe": {"endpoint": ")"
                                      << publisher.endpoints()[0] << R"(", "catchup_endpoint": ")"
                                      << publisher.catchup_endpoints()[0] << R"(", "from_journal_start": true},
    "delivery": {"window_alerts": )" << (dead ? 1000 : 10000)
                                      << R"(},
    "receivers": [{"name": "hook", "type": "webhook", "url": ")"
                                      << sink.url() << R"("},
                  {"name": "dead", "type": "webhook", "url": "http://127.0.0.1:1/nobody"}],
    "routes": [{"receivers": ["hook")" << (dead ? R"(, "dead")" : "")
                                      << R"(]}]})";
  auto cfg = notify::LoadNotifyConfig(dir + "/notify.json", config::ProcessEnv(), notify::ReceiverKinds());
  if (!cfg.ok()) {
    std::fprintf(stderr, "%s\n", cfg.status().message().c_str());
    return 1;
  }
  notify::NotifyPaths paths{dir, dir};
  notify::Endpoints endpoints{publisher.endpoints()[0], publisher.catchup_endpoints()[0]};
  notify::Engine engine(std::move(*cfg), paths, endpoints, {});
  if (!engine.Start(threads).ok()) return 1;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  int next = 0;
  auto journal = [&](int count) {
    store::WriteBatch batch;
    for (int k = 0; k < count; ++k) batch.AddAlert(MakeAlert(next++));
    auto w = (*st)->Write(batch);
    if (w.ok()) {
      for (auto& a : w->alerts) publisher.Publish(a);
    }
  };
  auto t0 = Steady::now();
  for (int i = 0; i < n; i += 1000) journal(std::min(1000, n - i));
  bool ok = WaitCount(sink, static_cast<size_t>(n));
  double secs = std::chrono::duration<double>(Steady::now() - t0).count();
  std::printf("burst of %d alerts: %.0f alerts/s delivered to the webhook\n", n, n / secs);

  std::vector<double> latencies;
  std::vector<std::pair<uint64_t, Steady::time_point>> sent;
  if (dead) std::printf("RSS at the start: %.1f MiB\n", RssMiB());
  for (int i = 0; ok && i < m; ++i) {
    if (dead && i > 0 && i % std::max(1, m / 10) == 0) std::printf("RSS after %d alerts: %.1f MiB\n", i, RssMiB());
    auto due = t0 = Steady::now();
    journal(1);
    sent.emplace_back(static_cast<uint64_t>(n + i + 1), Steady::now());
    std::this_thread::sleep_until(due + std::chrono::milliseconds(10));
  }
  ok = ok && WaitCount(sink, static_cast<size_t>(n + m));
  for (const auto& [seq, at] : sent) {
    if (auto got = sink.at(seq)) latencies.push_back(std::chrono::duration<double, std::milli>(*got - at).count());
  }
  if (dead) std::printf("RSS at the end: %.1f MiB\n", RssMiB());
  std::sort(latencies.begin(), latencies.end());
  if (ok && !latencies.empty()) {
    std::printf("%d alerts at 100/s: commit to webhook p50 %.2f ms, p99 %.2f ms\n", m, latencies[latencies.size() / 2],
                latencies[latencies.size() * 99 / 100]);
  } else {
    std::printf("not every alert arrived: %zu of %d\n", sink.count(), n + m);
  }
  // The engine's threads are joined before anything they use goes away.
  engine.Stop(threads);
  publisher.Stop();
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
