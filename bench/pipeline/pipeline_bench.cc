// Whole-pipeline throughput and latency: mentions per second through parse
// (MentionFromJson, as file and exec sources read them) → dedupe → match →
// score → rules → store (one SQLite transaction per batch of queued polls)
// on one and two threads, and the latency from a poll's completion to its commit (p50/p99)
// at a steady offered load, over a generated mixed-language corpus. The
// stages are also timed alone on one thread, so the run shows where the time
// goes; ratios are against the one-thread pipeline measured in the same run.
//
//   cmake -S . -B build -DBRANDMON_BENCH=ON && ninja -C build pipeline_bench
//   build/bench/pipeline/pipeline_bench [--mentions N] [--batch N] [--brands N]
//       [--synchronous normal|full] [--latency-batch N] [--load F | --rate N] [--two-threads-only]
//       [--http-rate N] [--without-index NAME]
//       [--exact-diacritics]   (brands match terms only as written, as before diacritic-insensitive
//                               matching became the default)
//
// --http-rate N: during the throughput runs the daemon's HTTP listener
// serves the run's database and a client asks it N requests a second, in
// turn /metrics, /api/v1/series, /api/v1/breakdown and /api/v1/mentions
// (the dashboard's load); compare with a run without it.
// --without-index NAME: the throughput runs' database drops that index of the
// schema, so that one binary measures what the index costs the commits.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "bench/pipeline/pipeline_corpus.h"
#include "daemon/base/clock.h"
#include "daemon/base/mention.h"
#include "daemon/base/thread_set.h"
#include "daemon/http/api.h"
#include "daemon/http/exposition.h"
#include "daemon/http/listener.h"
#include "daemon/match/matcher.h"
#include "daemon/pipeline/pipeline.h"
#include "daemon/plugin/registry.h"
#include "daemon/process/http_endpoints.h"
#include "daemon/sentiment/analyzer.h"
#include "daemon/settings/settings.h"
#include "daemon/store/sqlite.h"
#include "daemon/store/store.h"

namespace {

namespace fs = std::filesystem;
using brandmon::Mention;
using brandmon::ScoredMention;
using brandmon::SystemClock;
using brandmon::bench::PipelineCorpus;
using Clock = std::chrono::steady_clock;

struct Args {
  size_t mentions = 200000;
  size_t batch = 200;  // mentions per poll in the throughput runs
  size_t brands = 20;
  std::string synchronous = "normal";
  size_t latency_batch = 25;  // a typical feed page
  double load = 0.5;          // offered load in the latency run, as a share of the 2-thread throughput
  double rate = 0;            // offered mentions/s in the latency run instead of --load; 0: use --load
  bool two_only = false;      // only the 2-thread throughput run (for a profiler)
  double http_rate = 0;       // requests/s to the listener during the throughput runs; 0: no listener
  std::string without_index;  // an index the throughput runs drop; empty: none
  bool exact = false;         // "diacritic_insensitive": false for every brand
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time of the whole process so far (user + system, every thread): on a
// shared machine it moves less than wall time with what else is running.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// CPU seconds each named thread of this process has run so far, summed by
// name (from /proc/self/task/*/schedstat, nanoseconds on the CPU).
std::map<std::string, double> ThreadCpuSeconds() {
  std::map<std::string, double> out;
  std::error_code ec;
  for (const auto& task : fs::directory_iterator("/proc/self/task", ec)) {
    std::string name;
    std::ifstream(task.path() / "comm") >> name;
    unsigned long long run_ns = 0;
    std::ifstream(task.path() / "schedstat") >> run_ns;
    if (!name.empty()) out[name] += static_cast<double>(run_ns) / 1e9;
  }
  return out;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "pipeline_bench: %s\n", what.c_str());
  std::exit(1);
}

// A fresh state directory and config per run, so dedupe starts empty.
class RunDir {
 public:
  RunDir() {
    std::string tmpl = (fs::temp_directory_path() / "brandmon-pipeline-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) Die("cannot create a temporary directory");
    path_ = tmpl;
  }
  ~RunDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

brandmon::settings::Settings MakeSettings(const RunDir& dir, const PipelineCorpus& corpus, const Args& args,
                                          bool publish_mentions) {
  std::string brands;
  for (const auto& b : corpus.brands) {
    std::string query;
    for (char c : b.query) query += c == '"' ? std::string("\\\"") : std::string(1, c);
    if (!brands.empty()) brands += ",\n";
    brands += R"(    {"name": ")" + b.name + R"(", "query": ")" + query + R"(", "publish_mentions": )" +
              (publish_mentions ? "true" : "false") + (args.exact ? R"(, "diacritic_insensitive": false)" : "") + "}";
  }
  std::string config = R"({
  "daemon": {"log_level": "error"},
  "store": {"file": "bench.db", "synchronous": ")" +
                       args.synchronous + R"("},
  "brands": [
)" + brands + "\n  ]\n}\n";
  fs::path path = dir.path() / "brandmon.json";
  std::ofstream(path) << config;
  auto settings = brandmon::settings::LoadSettings(path.string(), brandmon::config::ProcessEnv(),
                                                   brandmon::plugin::BuiltinRegistry());
  if (!settings.ok()) Die("bench config rejected: " + settings.status().message());
  return std::move(settings).value();
}

brandmon::scheduler::PollResult ParsePoll(const std::vector<std::string>& lines, const std::string& source) {
  brandmon::scheduler::PollResult result;
  result.mentions.reserve(lines.size());
  for (const auto& line : lines) {
    auto m = brandmon::MentionFromJson(line);
    if (!m.ok()) Die("corpus line does not parse: " + m.status().message());
    m->source = source;
    result.mentions.push_back(std::move(m).value());
  }
  result.state.source = source;
  result.state.last_success = std::chrono::system_clock::now();
  return result;
}

// Stands in for the publisher: called on the pipeline thread after each
// commit with what the publisher would send. Records when each poll's
// mentions were committed. When daemon/publish is wired into the engine, the
// publisher's send belongs here so the figures include it.
class TimingSink final : public brandmon::pipeline::PipelineSink {
 public:
  explicit TimingSink(size_t polls) : committed_(polls) {}
  void OnAlerts(const std::vector<brandmon::Alert>& alerts) override { alerts_ += alerts.size(); }
  void OnMentions(const std::vector<ScoredMention>& mentions) override {
    auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& m : mentions) {
      size_t poll = brandmon::bench::PollOfId(m.mention.id);
      if (poll < committed_.size() && committed_[poll] == Clock::time_point{}) committed_[poll] = now;
    }
  }
  Clock::time_point committed(size_t poll) {
    std::lock_guard<std::mutex> lock(mu_);
    return committed_[poll];
  }
  size_t alerts() const { return alerts_; }

 private:
  std::mutex mu_;
  std::vector<Clock::time_point> committed_;
  size_t alerts_ = 0;  // pipeline thread only
};

// The daemon's listener on the run's database, answering /metrics from the
// pipeline's counters and /api/v1 through http::Api, and a client asking it
// `rate` requests a second until destroyed.
class HttpLoad final : public brandmon::http::Endpoints {
 public:
  HttpLoad(const std::string& database, const brandmon::pipeline::Pipeline& pipeline, double rate)
      : api_(database, brandmon::SystemClock::Instance()), pipeline_(pipeline) {
    brandmon::settings::HttpOptions options = brandmon::settings::DefaultHttpOptions();
    options.listen = "127.0.0.1:0";
    listener_ = std::make_unique<brandmon::http::Listener>(options, *this);
    if (auto s = listener_->Start(threads_); !s.ok()) Die("listener: " + s.message());
    client_ = std::thread([this, rate] { Ask(rate); });
  }
  ~HttpLoad() override {
    stop_ = true;
    client_.join();
    listener_->Stop();
  }
  size_t answered() const { return answered_; }
  size_t failed() const { return failed_; }

  brandmon::http::Reply Metrics() override {
    brandmon::process::MetricsSnapshot snapshot;
    snapshot.now = std::chrono::system_clock::now();
    snapshot.pipeline = pipeline_.Stats();
    snapshot.listener = listener_->counters();
    return {200, std::string(brandmon::http::kExpositionContentType), brandmon::process::MetricsText(snapshot)};
  }
  brandmon::http::Reply Health() override { return {200, "application/json", "{}"}; }
  brandmon::http::Reply Ready() override { return {200, "application/json", "{}"}; }
  brandmon::http::Reply ReadApi(std::string_view path, const brandmon::query::Params& params) override {
    return api_.Handle(path, params);
  }

 private:
  void Ask(double rate) {
    static const char* kTargets[] = {"/metrics", "/api/v1/series?since=1h&split=label",
                                     "/api/v1/breakdown?by=brand&since=1h", "/api/v1/mentions?limit=20&since=1h"};
    auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
    auto next = Clock::now();
    for (size_t i = 0; !stop_; ++i) {
      std::this_thread::sleep_until(next);
      next += period;
      httplib::Client client("http://" + listener_->endpoint());
      auto res = client.Get(kTargets[i % 4]);
      // 503 until the pipeline's first commit created the database.
      if (res && (res->status == 200 || res->status == 503)) {
        ++answered_;
      } else {
        ++failed_;
      }
    }
  }

  brandmon::http::Api api_;
  const brandmon::pipeline::Pipeline& pipeline_;
  brandmon::ThreadSet threads_;
  std::unique_ptr<brandmon::http::Listener> listener_;
  std::thread client_;
  std::atomic<bool> stop_{false};
  size_t answered_ = 0;  // client thread until joined
  size_t failed_ = 0;
};

struct RunResult {
  double seconds = 0;
  double cpu_seconds = 0;
  uint64_t stored = 0;
  uint64_t alerts = 0;
  std::map<std::string, double> thread_cpu;  // seconds on the CPU per thread name during the run
  size_t http_answered = 0;                  // requests of the --http-rate client
  size_t http_failed = 0;
};

// Parses and submits every poll. With `threads` == 1 the pipeline is not
// started and runs on this thread when flushed; with 2 the pipeline's threads
// (dedupe, rules and store on one, match and score on the other) are started
// and work while this one parses the next polls, all on the machine's cores.
RunResult RunThroughput(const PipelineCorpus& corpus, const Args& args, int threads) {
  RunDir dir;
  auto settings = MakeSettings(dir, corpus, args, /*publish_mentions=*/false);
  SystemClock clock;
  TimingSink sink(0);
  brandmon::ThreadSet thread_set;
  auto pipeline = brandmon::pipeline::Pipeline::Create(settings, dir.path().string(), clock, thread_set, &sink);
  if (!pipeline.ok()) Die("pipeline: " + pipeline.status().message());
  brandmon::settings::SourceSettings source;
  source.name = "bench";
  if (!args.without_index.empty()) {
    auto db = brandmon::store::Database::Open(brandmon::store::ResolveStorePath(settings.store, dir.path().string()));
    if (!db.ok()) Die("store: " + db.status().message());
    if (auto s = db->Exec("DROP INDEX " + args.without_index); !s.ok()) Die("--without-index: " + s.message());
  }
  std::unique_ptr<HttpLoad> load;
  if (args.http_rate > 0) {
    load = std::make_unique<HttpLoad>(brandmon::store::ResolveStorePath(settings.store, dir.path().string()),
                                      **pipeline, args.http_rate);
  }
  auto start = Clock::now();
  double cpu_start = CpuSeconds();
  auto threads_start = ThreadCpuSeconds();
  if (threads > 1) (*pipeline)->Start();
  for (size_t i = 0; i < corpus.polls.size(); ++i) {
    (*pipeline)->Submit(source, ParsePoll(corpus.polls[i], source.name));
    // One thread: process in chunks so the queue stays short.
    if (threads == 1 && i % 32 == 31) (*pipeline)->Flush();
  }
  (*pipeline)->Flush();
  RunResult r;
  r.seconds = Seconds(Clock::now() - start);
  r.cpu_seconds = CpuSeconds() - cpu_start;
  // Before Stop(): a joined thread's time is no longer listed.
  r.thread_cpu = ThreadCpuSeconds();
  for (auto& [name, seconds] : r.thread_cpu) seconds -= threads_start[name];
  if (load) {
    r.http_answered = load->answered();
    r.http_failed = load->failed();
    load.reset();
  }
  (*pipeline)->Stop();
  auto stats = (*pipeline)->Stats();
  r.stored = stats.mentions_stored;
  r.alerts = stats.alerts;
  return r;
}

struct Latency {
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  size_t max_poll = 0;  // which poll waited longest
  size_t polls = 0;
  double offered_per_s = 0;
};

// Offers polls of `latency_batch` mentions at a steady pace and measures, per
// poll, the time from the poll's completion (before parsing) to its commit.
Latency RunLatency(const Args& args, double rate_per_s) {
  size_t mentions = std::max<size_t>(args.latency_batch * 400, std::min<size_t>(args.mentions, 50000));
  PipelineCorpus corpus = brandmon::bench::GenerateCorpus(mentions, args.latency_batch, args.brands, 7);
  RunDir dir;
  auto settings = MakeSettings(dir, corpus, args, /*publish_mentions=*/true);
  SystemClock clock;
  TimingSink sink(corpus.polls.size());
  brandmon::ThreadSet thread_set;
  auto pipeline = brandmon::pipeline::Pipeline::Create(settings, dir.path().string(), clock, thread_set, &sink);
  if (!pipeline.ok()) Die("pipeline: " + pipeline.status().message());
  brandmon::settings::SourceSettings source;
  source.name = "bench";
  (*pipeline)->Start();
  std::vector<Clock::time_point> fetched(corpus.polls.size());
  auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(static_cast<double>(args.latency_batch) / rate_per_s));
  auto next = Clock::now();
  for (size_t i = 0; i < corpus.polls.size(); ++i) {
    std::this_thread::sleep_until(next);
    next += period;
    fetched[i] = Clock::now();
    (*pipeline)->Submit(source, ParsePoll(corpus.polls[i], source.name));
  }
  (*pipeline)->Flush();
  (*pipeline)->Stop();
  std::vector<double> ms;
  Latency l;
  for (size_t i = 0; i < corpus.polls.size(); ++i) {
    auto done = sink.committed(i);
    if (done == Clock::time_point{}) continue;
    ms.push_back(std::chrono::duration<double, std::milli>(done - fetched[i]).count());
    if (ms.back() >= l.max_ms) {
      l.max_ms = ms.back();
      l.max_poll = i;
    }
  }
  if (ms.empty()) Die("no poll was committed with a brand mention");
  std::sort(ms.begin(), ms.end());
  l.polls = ms.size();
  l.p50_ms = ms[ms.size() / 2];
  l.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  l.max_ms = ms.back();
  l.offered_per_s = rate_per_s;
  return l;
}

// The stages alone, one thread, on the same corpus: where the time goes.
void RunStages(const PipelineCorpus& corpus, const Args& args, double pipeline_seconds) {
  std::vector<Mention> mentions;
  mentions.reserve(corpus.mention_count);
  auto t0 = Clock::now();
  for (const auto& poll : corpus.polls) {
    brandmon::scheduler::PollResult parsed = ParsePoll(poll, "bench");
    for (auto& m : parsed.mentions) mentions.push_back(std::move(m));
  }
  double parse = Seconds(Clock::now() - t0);

  std::vector<brandmon::match::BrandSpec> specs;
  for (const auto& b : corpus.brands) specs.push_back({b.name, b.query, {}});
  auto matcher = brandmon::match::BrandMatcher::Build(specs);
  if (!matcher.ok()) Die("matcher: " + matcher.status().message());
  brandmon::match::MatchScratch scratch;
  std::vector<std::pair<size_t, brandmon::match::BrandHit>> hits;
  t0 = Clock::now();
  for (size_t i = 0; i < mentions.size(); ++i) {
    const Mention& m = mentions[i];
    std::string_view lang = m.lang ? std::string_view(*m.lang) : std::string_view();
    brandmon::match::MatchInput in{m.text, m.title, m.author, m.url, lang, m.channel};
    for (auto& hit : matcher->Match(in, scratch)) hits.emplace_back(i, std::move(hit));
  }
  double match = Seconds(Clock::now() - t0);

  auto analyzer = brandmon::sentiment::Analyzer::Create(brandmon::sentiment::SentimentOptions{});
  if (!analyzer.ok()) Die("analyzer: " + analyzer.status().message());
  std::vector<ScoredMention> scored;
  scored.reserve(hits.size());
  t0 = Clock::now();
  for (const auto& [i, hit] : hits) {
    std::vector<brandmon::sentiment::CodePointSpan> targets;
    for (const auto& s : hit.spans) {
      if (s.field == brandmon::match::Field::kText) targets.push_back({s.start, s.end});
    }
    brandmon::sentiment::ScoreRequest req;
    req.targets = targets;
    auto score = analyzer->Score(mentions[i].text, req);
    ScoredMention sm;
    sm.mention = mentions[i];
    sm.brand = hit.name;
    sm.sentiment = {score.compound, score.pos, score.neu, score.neg, std::string(score.label()), score.target};
    sm.lang = score.lang;
    sm.matched_terms = hit.terms;
    scored.push_back(std::move(sm));
  }
  double score = Seconds(Clock::now() - t0);

  RunDir dir;
  brandmon::settings::Settings settings = MakeSettings(dir, corpus, args, false);
  SystemClock clock;
  brandmon::ThreadSet thread_set;
  auto store = brandmon::store::Store::Open(settings.store, dir.path().string(), clock, thread_set);
  if (!store.ok()) Die("store: " + store.status().message());
  // Per poll, as the pipeline does: dedupe lookups, then one transaction with
  // the seen ids and the scored mentions.
  std::vector<size_t> first_scored(mentions.size() + 1, scored.size());
  for (size_t k = scored.size(); k-- > 0;) first_scored[hits[k].first] = k;
  for (size_t i = mentions.size(); i-- > 0;) first_scored[i] = std::min(first_scored[i], first_scored[i + 1]);
  t0 = Clock::now();
  size_t next = 0;
  for (const auto& poll : corpus.polls) {
    brandmon::store::WriteBatch batch;
    for (size_t k = 0; k < poll.size(); ++k, ++next) {
      if (auto seen = (*store)->SeenBefore("bench", mentions[next].id); !seen.ok() || *seen) Die("dedupe lookup");
      size_t first = first_scored[next], last = first_scored[next + 1];
      if (first == last) batch.MarkSeen("bench", mentions[next].id);
      for (size_t j = first; j < last; ++j) batch.AddMention(scored[j]);
    }
    if (auto w = (*store)->Write(batch); !w.ok()) Die("store write: " + w.status().message());
  }
  double store_s = Seconds(Clock::now() - t0);

  std::printf("\nstages alone, 1 thread (share of the 1-thread pipeline's time):\n");
  auto row = [&](const char* name, double s, size_t items) {
    std::printf("  %-26s %8.3f s  %10.0f items/s  %5.1f%%\n", name, s, static_cast<double>(items) / s,
                100.0 * s / pipeline_seconds);
  };
  row("parse (MentionFromJson)", parse, corpus.mention_count);
  row("match (BrandMatcher)", match, corpus.mention_count);
  row("score (Analyzer, matched)", score, hits.size());
  row("dedupe + store (SQLite)", store_s, corpus.mention_count);
  std::printf("  %-26s %8.3f s  (%.0f%% of the pipeline; the rest is rules and copies)\n", "sum",
              parse + match + score + store_s, 100.0 * (parse + match + score + store_s) / pipeline_seconds);
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + flag);
      return argv[++i];
    };
    if (flag == "--mentions") {
      a.mentions = std::stoul(value());
    } else if (flag == "--batch") {
      a.batch = std::stoul(value());
    } else if (flag == "--brands") {
      a.brands = std::stoul(value());
    } else if (flag == "--synchronous") {
      a.synchronous = value();
    } else if (flag == "--latency-batch") {
      a.latency_batch = std::stoul(value());
    } else if (flag == "--load") {
      a.load = std::stod(value());
    } else if (flag == "--rate") {
      a.rate = std::stod(value());
    } else if (flag == "--exact-diacritics") {
      a.exact = true;
    } else if (flag == "--two-threads-only") {
      a.two_only = true;
    } else if (flag == "--without-index") {
      a.without_index = value();
    } else if (flag == "--http-rate") {
      a.http_rate = std::stod(value());
    } else {
      Die("unknown flag " + flag +
          " (flags: --mentions --batch --brands --synchronous normal|full --latency-batch --load "
          "--exact-diacritics --rate --two-threads-only --http-rate --without-index)");
    }
  }
  if (a.mentions == 0 || a.batch == 0 || a.brands == 0 || a.latency_batch == 0 || a.load <= 0 || a.load > 1 ||
      a.rate < 0 || a.http_rate < 0) {
    Die("--mentions, --batch, --brands and --latency-batch must be positive, --load in (0, 1], --rate positive");
  }
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);
  spdlog::set_level(spdlog::level::warn);  // the pipeline logs every alert at info
  PipelineCorpus corpus = brandmon::bench::GenerateCorpus(args.mentions, args.batch, args.brands, 1);
  std::printf("corpus: %zu mentions (%.1f MB of JSON Lines), %zu polls of %zu, %zu brands; en es pt fr hi hi-latn gu\n",
              corpus.mention_count, static_cast<double>(corpus.bytes) / 1e6, corpus.polls.size(), args.batch,
              args.brands);
  std::printf("store: WAL, synchronous=%s, polls queued together share a transaction\n\n", args.synchronous.c_str());

  double n = static_cast<double>(corpus.mention_count);
  if (args.two_only) {
    RunResult two = RunThroughput(corpus, args, 2);
    std::printf("2 threads: %.0f mentions/s (%.2f s)\n", n / two.seconds, two.seconds);
    if (args.http_rate > 0) {
      std::printf("  listener: %zu requests answered, %zu failed (%.1f/s)\n", two.http_answered, two.http_failed,
                  static_cast<double>(two.http_answered + two.http_failed) / two.seconds);
    }
    for (const auto& [name, seconds] : two.thread_cpu) {
      if (seconds >= 0.005) std::printf("  %s %.2f s (%.0f%%)\n", name.c_str(), seconds, 100 * seconds / two.seconds);
    }
    return 0;
  }
  RunResult one = RunThroughput(corpus, args, 1);
  RunResult two = RunThroughput(corpus, args, 2);
  std::printf("pipeline parse→dedupe→match→score→rules→store\n");
  std::printf("  1 thread : %9.0f mentions/s  (%.2f s, %lu stored brand mentions, %lu alerts)  1.00x\n",
              n / one.seconds, one.seconds, static_cast<unsigned long>(one.stored),
              static_cast<unsigned long>(one.alerts));
  std::printf("  2 threads: %9.0f mentions/s  (%.2f s)  %.2fx\n", n / two.seconds, two.seconds,
              one.seconds / two.seconds);
  std::printf("  CPU time : 1 thread %.2f s (%.1f us/mention), 2 threads %.2f s (%.1f us/mention)\n", one.cpu_seconds,
              1e6 * one.cpu_seconds / n, two.cpu_seconds, 1e6 * two.cpu_seconds / n);
  // The busiest thread bounds the 2-thread rate: its share of the wall time
  // says how much of the run it was on a core.
  std::printf("  2 threads, busy time per thread:");
  for (const auto& [name, seconds] : two.thread_cpu) {
    if (seconds >= 0.005) std::printf("  %s %.2f s (%.0f%%)", name.c_str(), seconds, 100 * seconds / two.seconds);
  }
  std::printf("\n");

  // Capacity with the latency run's smaller polls, which cost more per mention.
  PipelineCorpus small = brandmon::bench::GenerateCorpus(corpus.mention_count / 2, args.latency_batch, args.brands, 3);
  RunResult capacity = RunThroughput(small, args, 2);
  double small_rate = static_cast<double>(small.mention_count) / capacity.seconds;
  Latency lat = RunLatency(args, args.rate > 0 ? args.rate : args.load * small_rate);
  std::printf("\nlatency poll completion → commit, polls of %zu (capacity %.0f mentions/s on 2 threads), offered\n",
              args.latency_batch, small_rate);
  std::printf("  at %.0f mentions/s (%.0f%% of that):\n", lat.offered_per_s, 100 * lat.offered_per_s / small_rate);
  std::printf("  p50 %.2f ms   p99 %.2f ms   max %.2f ms (poll %zu)   (%zu polls)\n", lat.p50_ms, lat.p99_ms,
              lat.max_ms, lat.max_poll, lat.polls);

  RunStages(corpus, args, one.seconds);
  return 0;
}
