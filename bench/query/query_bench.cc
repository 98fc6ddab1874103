// The dashboard's queries, the page, `brandmonctl report` and `brandmonctl
// export` over a generated state database (by default 10 million mentions of
// 100 brands over 90 days, written through the store's own write path):
// p50/p95 of each query over runs with varied brands and ranges, p95 of
// GET / through the real listener, the report of one brand over 30 days and
// the export of 1M rows in rows/s, each against its target.
//
//   cmake -S . -B build -DBRANDMON_BENCH=ON && ninja -C build query_bench
//   build/bench/query/query_bench [--mentions N] [--brands B] [--days D] [--db PATH] [--keep]
//       [--runs N] [--export-rows N]
//
// --db PATH reuses the file when it exists (else generates it there); a file
// the run generated is removed at the end unless --keep. Exits 1 when a target is missed
// (only checked from 1M mentions on: a small database says nothing of them).

#include <httplib.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/query/query_data.h"
#include "daemon/base/clock.h"
#include "daemon/base/thread_set.h"
#include "daemon/cli/command.h"
#include "daemon/http/api.h"
#include "daemon/http/listener.h"
#include "daemon/query/reader.h"
#include "daemon/query/report_builder.h"
#include "daemon/report/format.h"
#include "daemon/store/sqlite.h"

namespace {

namespace fs = std::filesystem;
using namespace brandmon;
using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kDayMs = 86'400'000;
// Where a generated database ends: a fixed time, so a kept file is read the
// same way in every run.
constexpr int64_t kEndMs = 1'796'083'200'000;  // 2026-12-01T00:00:00Z

struct Args {
  bench::QueryDataOptions data;
  std::string db;
  bool keep = false;
  int runs = 24;
  size_t export_rows = 1'000'000;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "query_bench: %s\n", what.c_str());
  std::exit(1);
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    auto number = [&]() { return static_cast<size_t>(std::stoull(value())); };
    if (arg == "--mentions") {
      a.data.mentions = number();
    } else if (arg == "--brands") {
      a.data.brands = std::max<size_t>(1, number());
    } else if (arg == "--days") {
      a.data.days = static_cast<int>(std::max<size_t>(1, number()));
    } else if (arg == "--db") {
      a.db = value();
    } else if (arg == "--keep") {
      a.keep = true;
    } else if (arg == "--runs") {
      a.runs = static_cast<int>(std::max<size_t>(1, number()));
    } else if (arg == "--export-rows") {
      a.export_rows = number();
    } else {
      Die("unknown option '" + arg + "' (--mentions N --brands B --days D --db PATH --keep --runs N --export-rows N)");
    }
  }
  return a;
}

double MillisSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Prints one result line and remembers whether it met its target.
class Results {
 public:
  explicit Results(bool judged) : judged_(judged) {}
  void Line(const std::string& name, const std::string& figures, bool met, const std::string& target) {
    std::printf("%-22s %-70s %s %s\n", name.c_str(), figures.c_str(), target.c_str(),
                !judged_ ? "(not judged)"
                : met    ? "ok"
                         : "MISSED");
    std::fflush(stdout);
    if (judged_ && !met) missed_ = true;
  }
  bool missed() const { return missed_; }

 private:
  bool judged_;
  bool missed_ = false;
};

std::string Rfc3339(int64_t ms) { return report::FormatUtc(ms, report::UtcStyle::kRfc3339); }

// The varied questions: brands drawn from the busiest to the quietest, one
// to three at a time, over the dashboard's ranges, each ending now.
std::vector<query::Filter> Questions(const Args& args, int64_t end_ms) {
  std::mt19937_64 rng(7);
  constexpr int64_t kRangesMs[] = {kDayMs, 7 * kDayMs, 30 * kDayMs};
  std::vector<query::Filter> out;
  for (int i = 0; i < args.runs; ++i) {
    query::Filter f;
    size_t count = 1 + static_cast<size_t>(i % 3 == 2 ? rng() % 3 : 0);
    for (size_t b = 0; b < count; ++b) f.brands.push_back(bench::BrandName(rng() % args.data.brands));
    f.until_ms = end_ms;
    f.since_ms = end_ms - kRangesMs[i % 3];
    out.push_back(std::move(f));
  }
  return out;
}

using Query = std::function<Status(query::Reader&, const query::Filter&)>;

struct NamedQuery {
  std::string name;
  Query run;
};

std::vector<NamedQuery> DashboardQueries() {
  static const char* kWords[] = {"refund", "delivery", "outage", "battery", "kalo", "love", "crash screen"};
  auto ok = [](const auto& r) { return r.ok() ? Status::Ok() : r.status(); };
  return {
      {"series",
       [=](query::Reader& r, const query::Filter& f) {
         return ok(r.TimeSeries(f, query::AutoStep(f), query::Dimension::kLabel));
       }},
      {"share of voice",
       [=](query::Reader& r, const query::Filter& f) { return ok(r.Breakdown(f, query::Dimension::kBrand)); }},
      {"channels",
       [=](query::Reader& r, const query::Filter& f) { return ok(r.Breakdown(f, query::Dimension::kChannel)); }},
      {"languages",
       [=](query::Reader& r, const query::Filter& f) { return ok(r.Breakdown(f, query::Dimension::kLang)); }},
      {"top by reach", [=](query::Reader& r, const query::Filter& f) { return ok(r.TopMentions(f, 10)); }},
      {"latest alerts",
       [=](query::Reader& r, const query::Filter& f) {
         return ok(r.Alerts(f, {"", 20}));
       }},
      {"emerging terms",
       [=](query::Reader& r, const query::Filter& f) { return ok(r.LatestAlert(f, "emerging_terms")); }},
      {"mentions page",
       [=](query::Reader& r, const query::Filter& f) {
         return ok(r.Mentions(f, {"", 100}));
       }},
      {"search",
       [=](query::Reader& r, const query::Filter& f) {
         query::Filter g = f;
         g.q = kWords[(f.since_ms / kDayMs + static_cast<int64_t>(f.brands.front().size() + f.brands.size())) % 7];
         return ok(r.Mentions(g, {"", 20}));
       }},
  };
}

// CPU time of the calling thread: on a shared machine it moves less than
// wall time with what else runs, and says what a query costs on an idle one.
double ThreadCpuMillis() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

void MeasureQueries(query::Reader& reader, const std::vector<query::Filter>& questions, Results& results) {
  for (const NamedQuery& q : DashboardQueries()) {
    std::vector<double> ms, cpu;
    for (const query::Filter& f : questions) {
      auto start = SteadyClock::now();
      double cpu_start = ThreadCpuMillis();
      if (auto s = q.run(reader, f); !s.ok()) Die(q.name + ": " + s.message());
      cpu.push_back(ThreadCpuMillis() - cpu_start);
      ms.push_back(MillisSince(start));
    }
    char buf[128];
    std::snprintf(buf, sizeof buf, "p50 %7.2f ms  p95 %7.2f ms  max %7.2f  cpu p50 %6.2f p95 %6.2f",
                  Percentile(ms, 0.5), Percentile(ms, 0.95), Percentile(ms, 1), Percentile(cpu, 0.5),
                  Percentile(cpu, 0.95));
    results.Line(q.name, buf, Percentile(ms, 0.95) < 50, "(target p95 < 50 ms)");
  }
}

// The daemon's read endpoints over the generated file, on a clock that
// stands at the database's end.
class ReadEndpoints final : public http::Endpoints {
 public:
  ReadEndpoints(const std::string& db, const Clock& clock) : api_(db, clock) {}
  http::Reply Metrics() override { return {200, "text/plain", ""}; }
  http::Reply Health() override { return {200, "application/json", "{}"}; }
  http::Reply Ready() override { return {200, "application/json", "{}"}; }
  http::Reply ReadApi(std::string_view path, const query::Params& params) override { return api_.Handle(path, params); }
  http::Reply Dashboard(const query::Params& params) override { return api_.Dashboard(params); }

 private:
  http::Api api_;
};

void MeasurePage(const std::string& db, int64_t end_ms, const std::vector<query::Filter>& questions, Results& results) {
  FakeClock clock;
  clock.SetNow(FromUnixMillis(end_ms));
  ReadEndpoints endpoints(db, clock);
  settings::HttpOptions options = settings::DefaultHttpOptions();
  options.listen = "127.0.0.1:0";
  http::Listener listener(options, endpoints);
  ThreadSet threads;
  if (auto s = listener.Start(threads); !s.ok()) Die(s.message());
  static const char* kRanges[] = {"24h", "7d", "30d"};
  std::vector<double> ms;
  size_t bytes = 0;
  for (size_t i = 0; i < questions.size(); ++i) {
    std::string url = "/?range=" + std::string(kRanges[i % 3]);
    for (const std::string& b : questions[i].brands) url += "&brand=" + b;
    httplib::Client client("http://" + listener.endpoint());
    auto start = SteadyClock::now();
    auto res = client.Get(url);
    ms.push_back(MillisSince(start));
    if (!res || res->status != 200) Die("GET " + url + " failed");
    bytes += res->body.size();
  }
  listener.Stop();
  char buf[96];
  std::snprintf(buf, sizeof buf, "p50 %7.2f ms  p95 %7.2f ms  %zu kB", Percentile(ms, 0.5), Percentile(ms, 0.95),
                bytes / questions.size() / 1024);
  results.Line("page GET /", buf, Percentile(ms, 0.95) < 300, "(target p95 < 300 ms)");
}

int Ctl(const std::vector<std::string>& args) {
  std::istringstream in;
  std::ostringstream out, err;
  int rc = cli::RunCtl(args, in, out, err);
  if (rc != 0) Die("brandmonctl " + args.front() + ": " + err.str());
  return rc;
}

void MeasureReport(const std::string& db, int64_t end_ms, const fs::path& out, Results& results) {
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    auto start = SteadyClock::now();
    Ctl({"report", "--brand", bench::BrandName(static_cast<size_t>(i)), "--since", Rfc3339(end_ms - 30 * kDayMs),
         "--until", Rfc3339(end_ms), "--format", "html", "--database", db, "--output", out.string()});
    ms.push_back(MillisSince(start));
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "p50 %7.2f ms  max %7.2f ms", Percentile(ms, 0.5), Percentile(ms, 1));
  results.Line("report 1 brand 30d", buf, Percentile(ms, 1) < 1000, "(target < 1 s)");
}

// Since when the newest `rows` mentions were stored.
int64_t SinceOfNewest(const std::string& db, size_t rows) {
  auto conn = store::Database::OpenReadOnly(db);
  if (!conn.ok()) Die(conn.status().message());
  auto at = conn->QueryInt("SELECT coalesce((SELECT stored_at FROM mentions ORDER BY stored_at DESC LIMIT 1 OFFSET " +
                           std::to_string(rows > 0 ? rows - 1 : 0) + "), (SELECT min(stored_at) FROM mentions))");
  if (!at.ok()) Die(at.status().message());
  return *at;
}

void MeasureExport(const std::string& db, int64_t end_ms, size_t rows_wanted, const fs::path& out, Results& results) {
  int64_t since = SinceOfNewest(db, rows_wanted);
  auto start = SteadyClock::now();
  double cpu_start = ThreadCpuMillis();
  Ctl({"export", "--since", Rfc3339(since), "--until", Rfc3339(end_ms), "--format", "csv", "--database", db, "--output",
       out.string()});
  double seconds = MillisSince(start) / 1000;
  double cpu_seconds = (ThreadCpuMillis() - cpu_start) / 1000;
  std::ifstream in(out, std::ios::binary);
  size_t lines = 0;
  std::string line;
  // Rows end in CRLF; a text field holds no bare line break (the store folds them).
  while (std::getline(in, line)) ++lines;
  size_t rows = lines > 0 ? lines - 1 : 0;
  double rate = static_cast<double>(rows) / seconds;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%zu rows in %.2f s (cpu %.2f s): %.0f rows/s, %.0f MB", rows, seconds, cpu_seconds,
                rate, static_cast<double>(fs::file_size(out)) / 1e6);
  results.Line("export csv", buf, rate >= 200'000, "(target >= 200k rows/s)");
}

}  // namespace

int main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);
  std::string tmpl = (fs::temp_directory_path() / "brandmon-query-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) Die("cannot create a temporary directory");
  fs::path dir = tmpl;
  std::string db = args.db.empty() ? (dir / "brandmon.db").string() : args.db;
  // Only a file this run generated is removed at the end (unless --keep).
  bool generated = !fs::exists(db);
  if (!generated) {
    std::fprintf(stderr, "reusing %s\n", db.c_str());
    // Opened by the store, as brandmond would, a file of an older schema is upgraded.
    if (auto s = bench::UpgradeQueryData(db); !s.ok()) Die(s.message());
  } else {
    std::fprintf(stderr, "generating %zu mentions of %zu brands over %d days in %s\n", args.data.mentions,
                 args.data.brands, args.data.days, db.c_str());
    auto start = SteadyClock::now();
    Status s = bench::GenerateQueryData(db, args.data, kEndMs, [&](double done) {
      double elapsed = MillisSince(start) / 1000;
      std::fprintf(stderr, "\r%5.1f%%  %.0f s  %.0f mentions/s   ", 100 * done, elapsed,
                   done * static_cast<double>(args.data.mentions) / std::max(elapsed, 1e-3));
    });
    std::fprintf(stderr, "\n");
    if (!s.ok()) Die(s.message());
    std::printf("generated %zu mentions in %.0f s, %.0f MB\n", args.data.mentions, MillisSince(start) / 1000,
                static_cast<double>(fs::file_size(db)) / 1e6);
  }
  auto reader = query::Reader::Open(db);
  if (!reader.ok()) Die(reader.status().message());
  auto conn = store::Database::OpenReadOnly(db);
  if (!conn.ok()) Die(conn.status().message());
  // Just after the newest mention, on a whole second (as RFC 3339 times are written).
  auto end = conn->QueryInt("SELECT coalesce(max(stored_at), 0) / 1000 * 1000 + 1000 FROM mentions");
  auto total = conn->QueryInt("SELECT count(*) FROM mentions");
  if (!end.ok() || !total.ok()) Die("cannot read the mentions of " + db);
  std::printf("%lld mentions; runs per query %d\n", static_cast<long long>(*total), args.runs);
  Results results(*total >= 1'000'000);
  std::vector<query::Filter> questions = Questions(args, *end);
  MeasureQueries(*reader, questions, results);
  MeasurePage(db, *end, questions, results);
  MeasureReport(db, *end, dir / "report.html", results);
  MeasureExport(db, *end, args.export_rows, dir / "export.csv", results);
  std::error_code ec;
  if (generated && !args.keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix, ec);
  } else if (generated) {
    std::fprintf(stderr, "kept %s (pass --db %s to reuse it)\n", db.c_str(), db.c_str());
  }
  fs::remove(dir / "report.html", ec);
  fs::remove(dir / "export.csv", ec);
  if (fs::is_empty(dir, ec)) fs::remove(dir, ec);
  return results.missed() ? 1 : 0;
}
