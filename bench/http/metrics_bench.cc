// A scrape of /metrics as a daemon with 1,000 sources sees it: the page the
// daemon's writer (process::MetricsText) makes from a snapshot holding
// 1,000 sources, 100 brands with mentions on 33 channels (the most kept
// apart) in 3 labels and alerts of 12 rules in 3 severities; timed in the
// writer alone, its gzip alone, and through the real listener over HTTP.
// Target: < 10 ms per scrape.
//
//   cmake -S . -B build -DBRANDMON_BENCH=ON && ninja -C build metrics_bench
//   build/bench/http/metrics_bench [--sources N] [--brands N] [--scrapes N]

#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/histogram.h"
#include "daemon/base/thread_set.h"
#include "daemon/http/exposition.h"
#include "daemon/http/gzip.h"
#include "daemon/http/listener.h"
#include "daemon/process/http_endpoints.h"

namespace {

using namespace brandmon;
using SteadyClock = std::chrono::steady_clock;

struct Args {
  size_t sources = 1000;
  size_t brands = 100;
  int scrapes = 200;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    size_t value = std::stoull(argv[i + 1]);
    if (arg == "--sources") {
      a.sources = value;
    } else if (arg == "--brands") {
      a.brands = value;
    } else if (arg == "--scrapes") {
      a.scrapes = static_cast<int>(std::max<size_t>(1, value));
    } else {
      std::fprintf(stderr, "metrics_bench: unknown option '%s' (--sources N --brands N --scrapes N)\n", arg.c_str());
      std::exit(1);
    }
  }
  return a;
}

process::MetricsSnapshot Snapshot(const Args& args) {
  process::MetricsSnapshot s;
  s.now = std::chrono::system_clock::now();
  s.started_at = s.now - std::chrono::hours(24);
  s.ready = true;
  for (size_t i = 0; i < args.sources; ++i) {
    scheduler::SourceHealth h;
    h.name = "source-" + std::to_string(i) + "-news.example.com";
    h.type = i % 3 == 0 ? "feed" : "http_json";
    h.last_success = s.now - std::chrono::minutes(i % 60);
    h.mentions = i * 37;
    h.consecutive_failures = static_cast<int>(i % 7 == 0 ? i % 5 : 0);
    // A day of 5-minute polls, every source over HTTP.
    h.counters.polls = 288;
    h.counters.failures[0] = i % 7;
    h.counters.responses_by_class = {200, 80 + i % 5, i % 3, i % 7};
    h.counters.not_modified = 80;
    h.counters.bytes_received = 288 * 40'000 + i;
    h.counters.backoffs = i % 7;
    for (int poll = 0; poll < 288; ++poll) {
      h.counters.fetch_seconds.Observe(kFetchSecondsBounds, 0.01 * static_cast<double>((poll * 7 + i) % 300));
    }
    s.sources.push_back(std::move(h));
  }
  static const char* kLabels[] = {"positive", "neutral", "negative"};
  static const char* kSeverities[] = {"info", "warning", "critical"};
  for (size_t b = 0; b < args.brands; ++b) {
    std::string brand = "brand-" + std::to_string(b);
    for (int c = 0; c < 33; ++c) {
      std::string channel = c == 32 ? "other" : "channel-" + std::to_string(c);
      for (const char* label : kLabels) s.pipeline.mentions_by_label[{brand, channel, label}] = b * 1000 + c;
    }
    for (int r = 0; r < 12; ++r) {
      for (const char* severity : kSeverities) {
        s.pipeline.alerts_by_rule[{brand, "rule_" + std::to_string(r), severity}] = b + r;
      }
    }
    for (int m = 0; m < 1000; ++m) {
      s.pipeline.compound_by_brand[brand].Observe(kCompoundBounds, static_cast<double>((m * 13 + b) % 201) / 100 - 1);
    }
  }
  for (int batch = 0; batch < 1000; ++batch) {
    s.pipeline.batch_seconds.Observe(kStageSecondsBounds, 0.001 * (batch % 300));
    s.pipeline.commit_seconds.Observe(kStageSecondsBounds, 0.0005 * (batch % 40));
  }
  s.listener = http::ListenerCounters{{{200, 1000}, {400, 3}, {404, 2}}, 0};
  return s;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

// CPU time of the calling thread: on a shared machine it moves less than
// wall time with what else runs.
double ThreadCpuMillis() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double MillisSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

// GET `path` on a plain socket into a buffer kept across calls, as a
// scraper reads: the time is the server's, not a client's string growth.
// Returns the response's length, 0 on failure.
size_t RawGet(int port, const std::string& path, const std::string& headers, std::vector<char>& buffer) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  size_t got = 0;
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/plain\r\n" + headers + "\r\n";
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    for (;;) {
      if (got == buffer.size()) buffer.resize(buffer.size() * 2);
      ssize_t n = recv(fd, buffer.data() + got, buffer.size() - got, 0);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
  }
  close(fd);
  return std::string_view(buffer.data(), std::min<size_t>(got, 12)) == "HTTP/1.1 200" ? got : 0;
}

// Serves the snapshot's page, written anew for each scrape as the daemon does.
class SnapshotEndpoints final : public http::Endpoints {
 public:
  explicit SnapshotEndpoints(const process::MetricsSnapshot& s) : snapshot_(s) {}
  http::Reply Metrics() override {
    return {200, std::string(http::kExpositionContentType), process::MetricsText(snapshot_)};
  }
  http::Reply Health() override { return {200, "application/json", "{}"}; }
  http::Reply Ready() override { return {200, "application/json", "{}"}; }

 private:
  const process::MetricsSnapshot& snapshot_;
};

void Report(const char* what, const std::vector<double>& ms, size_t bytes) {
  std::printf("%-16s p50 %6.2f ms  p95 %6.2f ms  max %6.2f ms  %zu kB  (target < 10 ms) %s\n", what,
              Percentile(ms, 0.5), Percentile(ms, 0.95), Percentile(ms, 1), bytes / 1024,
              Percentile(ms, 0.95) < 10 ? "ok" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);
  process::MetricsSnapshot snapshot = Snapshot(args);
  std::vector<double> writer, writer_cpu;
  size_t bytes = 0;
  for (int i = 0; i < args.scrapes; ++i) {
    auto start = SteadyClock::now();
    double cpu = ThreadCpuMillis();
    bytes = process::MetricsText(snapshot).size();
    writer_cpu.push_back(ThreadCpuMillis() - cpu);
    writer.push_back(MillisSince(start));
  }
  std::string page = process::MetricsText(snapshot);
  size_t samples = 0;
  for (size_t at = 0; at < page.size(); at = page.find('\n', at) + 1) samples += page[at] != '#';
  std::printf("%zu sources, %zu brands: %zu samples\n", args.sources, args.brands, samples);
  Report("writer", writer, bytes);
  Report("writer (cpu)", writer_cpu, bytes);
  // What the listener's gzip of the page costs, apart from the writer.
  std::vector<double> gzip_cpu;
  size_t gzip_bytes = 0;
  for (int i = 0; i < args.scrapes; ++i) {
    double cpu = ThreadCpuMillis();
    gzip_bytes = http::GzipFast(page).value_or("").size();
    gzip_cpu.push_back(ThreadCpuMillis() - cpu);
  }
  Report("gzip (cpu)", gzip_cpu, gzip_bytes);
  bool ok = Percentile(writer, 0.95) < 10;

  SnapshotEndpoints endpoints(snapshot);
  settings::HttpOptions options = settings::DefaultHttpOptions();
  options.listen = "127.0.0.1:0";
  http::Listener listener(options, endpoints);
  ThreadSet threads;
  if (auto s = listener.Start(threads); !s.ok()) {
    std::fprintf(stderr, "metrics_bench: %s\n", s.message().c_str());
    return 1;
  }
  std::string endpoint = listener.endpoint();
  int port = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  std::vector<char> buffer(1 << 20);
  // Prometheus asks for gzip, which the listener then compresses.
  for (const char* headers : {"", "Accept-Encoding: gzip\r\n"}) {
    std::vector<double> scrape;
    for (int i = 0; i < args.scrapes; ++i) {
      auto start = SteadyClock::now();
      bytes = RawGet(port, "/metrics", headers, buffer);
      scrape.push_back(MillisSince(start));
      if (bytes == 0) {
        std::fprintf(stderr, "metrics_bench: GET /metrics failed\n");
        return 1;
      }
    }
    Report(*headers != 0 ? "GET /metrics gz" : "GET /metrics", scrape, bytes);
    ok = ok && Percentile(scrape, 0.95) < 10;
  }
  listener.Stop();
  return ok ? 0 : 1;
}
