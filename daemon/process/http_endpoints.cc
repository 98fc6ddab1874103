#include "daemon/process/http_endpoints.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <filesystem>
#include <string>
#include <utility>

#include "daemon/base/units.h"
#include "daemon/http/exposition.h"
#include "daemon/pipeline/pipeline.h"
#include "daemon/publish/publisher.h"
#include "daemon/scheduler/scheduler.h"

namespace brandmon::process {
namespace {

using http::Exposition;

double Seconds(WallTime t) { return static_cast<double>(ToUnixMillis(t)) / 1000.0; }

void WritePipeline(Exposition& out, const pipeline::PipelineStats& s, WallTime now) {
  out.Single("brandmon_mentions_stored_total", "counter", "Mentions stored since start.",
             static_cast<double>(s.mentions_stored));
  out.Single("brandmon_duplicates_dropped_total", "counter", "Mentions dropped as seen before, since start.",
             static_cast<double>(s.duplicates_dropped));
  out.Single("brandmon_unmatched_total", "counter", "Mentions that matched no brand, since start.",
             static_cast<double>(s.unmatched));
  out.Single("brandmon_alerts_journaled_total", "counter", "Alerts journaled since start.",
             static_cast<double>(s.alerts));
  out.Single("brandmon_journal_last_seq", "gauge", "Seq of the last journaled alert.", static_cast<double>(s.last_seq));
  out.Single("brandmon_pipeline_queued_polls", "gauge", "Poll results waiting for the pipeline.",
             static_cast<double>(s.queued_polls));
  out.Single("brandmon_store_write_errors_total", "counter", "Failed commit attempts, retries included.",
             static_cast<double>(s.write_errors));
  out.Single("brandmon_store_failing", "gauge", "1 while a failed commit waits for its retry.",
             s.store_failing ? 1 : 0);
  double pending = 0;
  if (s.oldest_pending_since) pending = std::max(0.0, Seconds(now) - Seconds(*s.oldest_pending_since));
  out.Single("brandmon_store_oldest_pending_seconds", "gauge", "Age of the commit waiting for a retry (0: none).",
             pending);
}

// The business counters: labels from the config or fixed sets.
void WriteBusiness(Exposition& out, const pipeline::PipelineStats& s) {
  out.Family("brandmon_mentions_total", "counter", "Mentions stored since start by brand, channel and label.");
  for (const auto& [key, n] : s.mentions_by_label) {
    const auto& [brand, channel, label] = key;
    out.Sample("brandmon_mentions_total", {{"brand", brand}, {"channel", channel}, {"label", label}},
               static_cast<double>(n));
  }
  out.Family("brandmon_mentions_unscored_total", "counter",
             "Mentions stored since start in a language without a lexicon (not scored), by language.");
  for (const auto& [lang, n] : s.unscored_by_lang) {
    out.Sample("brandmon_mentions_unscored_total", {{"lang", lang}}, static_cast<double>(n));
  }
  out.Family("brandmon_alerts_total", "counter", "Alerts journaled since start by brand, rule and severity.");
  for (const auto& [key, n] : s.alerts_by_rule) {
    const auto& [brand, rule, severity] = key;
    out.Sample("brandmon_alerts_total", {{"brand", brand}, {"rule", rule}, {"severity", severity}},
               static_cast<double>(n));
  }
}

// How long the pipeline takes, what waits in it, and the sentiment it stored.
void WritePipelineTimes(Exposition& out, const pipeline::PipelineStats& s) {
  out.Family("brandmon_pipeline_batch_duration_seconds", "histogram",
             "Seconds from the hand-over of a transaction's oldest poll result to its commit.");
  out.Histogram("brandmon_pipeline_batch_duration_seconds", {}, kStageSecondsBounds, s.batch_seconds.counts,
                s.batch_seconds.sum);
  out.Family("brandmon_store_commit_duration_seconds", "histogram",
             "Seconds of each commit attempt of the state store, failed ones included.");
  out.Histogram("brandmon_store_commit_duration_seconds", {}, kStageSecondsBounds, s.commit_seconds.counts,
                s.commit_seconds.sum);
  out.Family("brandmon_pipeline_queued_batches", "gauge", "Batches waiting inside the pipeline, by stage.");
  out.Sample("brandmon_pipeline_queued_batches", {{"stage", "score"}}, static_cast<double>(s.batches_to_score));
  out.Sample("brandmon_pipeline_queued_batches", {{"stage", "commit"}}, static_cast<double>(s.batches_scored));
  out.Family("brandmon_mention_sentiment", "histogram",
             "Brand-targeted compound sentiment of the mentions stored since start, by brand.");
  for (const auto& [brand, h] : s.compound_by_brand) {
    out.Histogram("brandmon_mention_sentiment", {{"brand", brand}}, kCompoundBounds, h.counts, h.sum);
  }
}

void WriteSources(Exposition& out, const std::vector<scheduler::SourceHealth>& health) {
  out.Family("brandmon_source_mentions_total", "counter", "Mentions a source produced since start.");
  for (const auto& h : health) {
    out.Sample("brandmon_source_mentions_total", {{"source", h.name}}, static_cast<double>(h.mentions));
  }
  out.Family("brandmon_source_consecutive_failures", "gauge", "Failed polls of a source since its last success.");
  for (const auto& h : health) {
    out.Sample("brandmon_source_consecutive_failures", {{"source", h.name}}, h.consecutive_failures);
  }
  out.Family("brandmon_source_last_success_timestamp_seconds", "gauge",
             "Unix time of a source's last successful poll (0: none yet).");
  for (const auto& h : health) {
    out.Sample("brandmon_source_last_success_timestamp_seconds", {{"source", h.name}},
               h.last_success ? Seconds(*h.last_success) : 0);
  }
  out.Family("brandmon_source_active", "gauge", "1 when a source is enabled and not paused.");
  for (const auto& h : health) {
    out.Sample("brandmon_source_active", {{"source", h.name}}, h.enabled && !h.paused ? 1 : 0);
  }
  // The plugin once per source rather than on each of its series: joined
  // in a query by `* on (source) group_left (plugin) brandmon_source_info`.
  out.Family("brandmon_source_info", "gauge", "A source's plugin (its type); always 1.");
  for (const auto& h : health) out.Sample("brandmon_source_info", {{"source", h.name}, {"plugin", h.type}}, 1);
}

// The engine's counters of each source. A failure kind appears once it
// happened, as a labelled counter of a client library does: most sources
// never see most kinds.
void WriteSourcePolls(Exposition& out, const std::vector<scheduler::SourceHealth>& health) {
  out.Family("brandmon_source_polls_total", "counter", "Polls of a source since start, failed ones included.");
  for (const auto& h : health) {
    out.Sample("brandmon_source_polls_total", {{"source", h.name}}, static_cast<double>(h.counters.polls));
  }
  out.Family("brandmon_source_poll_errors_total", "counter", "Failed polls of a source since start, by kind.");
  for (const auto& h : health) {
    for (size_t k = 0; k < scheduler::kFailureKinds; ++k) {
      if (h.counters.failures[k] == 0) continue;
      const char* kind = scheduler::FailureKindName(static_cast<scheduler::FailureKind>(k));
      out.Sample("brandmon_source_poll_errors_total", {{"source", h.name}, {"kind", kind}},
                 static_cast<double>(h.counters.failures[k]));
    }
  }
  out.Family("brandmon_source_backoffs_total", "counter",
             "Polls of a source after which the next was put back beyond its interval (failure or server hold).");
  for (const auto& h : health) {
    out.Sample("brandmon_source_backoffs_total", {{"source", h.name}}, static_cast<double>(h.counters.backoffs));
  }
}

// The HTTP series of the sources that sent a request since start; a status
// class appears once a response of it came.
void WriteSourceFetches(Exposition& out, const std::vector<scheduler::SourceHealth>& health) {
  static constexpr const char* kClasses[] = {"2xx", "3xx", "4xx", "5xx"};
  out.Family("brandmon_source_http_responses_total", "counter", "HTTP responses a source got, by status class.");
  for (const auto& h : health) {
    if (h.counters.fetch_seconds.count() == 0) continue;
    for (size_t c = 0; c < 4; ++c) {
      if (h.counters.responses_by_class[c] == 0) continue;
      out.Sample("brandmon_source_http_responses_total", {{"source", h.name}, {"class", kClasses[c]}},
                 static_cast<double>(h.counters.responses_by_class[c]));
    }
  }
  out.Family("brandmon_source_not_modified_total", "counter", "304 Not Modified responses a source got.");
  for (const auto& h : health) {
    if (h.counters.fetch_seconds.count() == 0) continue;
    out.Sample("brandmon_source_not_modified_total", {{"source", h.name}},
               static_cast<double>(h.counters.not_modified));
  }
  out.Family("brandmon_source_received_bytes_total", "counter", "Bytes of response bodies a source got (decoded).");
  for (const auto& h : health) {
    if (h.counters.fetch_seconds.count() == 0) continue;
    out.Sample("brandmon_source_received_bytes_total", {{"source", h.name}},
               static_cast<double>(h.counters.bytes_received));
  }
  out.Family("brandmon_source_fetch_duration_seconds", "histogram",
             "Time of a source's HTTP requests, those that got no response included.");
  for (const auto& h : health) {
    const FetchSecondsHistogram& f = h.counters.fetch_seconds;
    if (f.count() == 0) continue;
    out.Histogram("brandmon_source_fetch_duration_seconds", {{"source", h.name}}, kFetchSecondsBounds, f.counts, f.sum);
  }
}

void WritePublisher(Exposition& out, const publish::PublisherCounters& c) {
  for (const auto& [key, value, gauge] : publish::NamedCounters(c)) {
    if (gauge) continue;
    std::string name = std::string("brandmon_publisher_") + key + "_total";
    out.Single(name, "counter", std::string("Publisher counter ") + key + " (as brandmonctl status shows it).",
               static_cast<double>(value));
  }
  out.Single("brandmon_publisher_catchup_sessions", "gauge", "Catch-up replies in progress.",
             static_cast<double>(c.catchup_sessions));
  out.Single("brandmon_publisher_catchup_queued_bytes", "gauge", "Bytes of catch-up replies held for clients.",
             static_cast<double>(c.catchup_queued_bytes));
  out.Single("brandmon_publisher_queued_messages", "gauge",
             "Alerts and mentions handed to the publisher, waiting for its thread.",
             static_cast<double>(c.queued_messages));
  out.Single("brandmon_publisher_backlog_messages", "gauge",
             "Messages held back by a subscriber at its high-water mark, waiting to be sent.",
             static_cast<double>(c.backlog_messages));
}

void WriteListener(Exposition& out, const std::optional<http::ListenerCounters>& counters) {
  if (!counters) return;
  const http::ListenerCounters& c = *counters;
  out.Family("brandmon_http_responses_total", "counter", "Responses of the HTTP listener by status code.");
  for (const auto& [code, n] : c.responses) {
    out.Sample("brandmon_http_responses_total", {{"code", std::to_string(code)}}, static_cast<double>(n));
  }
  out.Single("brandmon_http_refused_connections_total", "counter",
             "Connections answered 503 at once because max_connections were busy.",
             static_cast<double>(c.refused_busy));
}

// The state database's size on disk: the file and its write-ahead log.
std::optional<uint64_t> DatabaseBytes(const std::string& path) {
  if (path.empty() || path == ":memory:") return std::nullopt;
  std::error_code ec;
  uint64_t bytes = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
  uint64_t wal = std::filesystem::file_size(path + "-wal", ec);
  return ec ? bytes : bytes + wal;
}

std::string JsonReply(const char* status, const std::string& reason) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("status");
  w.String(status);
  if (!reason.empty()) {
    w.Key("reason");
    w.String(reason);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace

std::string MetricsText(const MetricsSnapshot& snapshot) {
  // About 100 bytes a sample, and 16 kB for the families of one sample.
  const pipeline::PipelineStats& p = snapshot.pipeline;
  Exposition out(16384 + 100 * (p.mentions_by_label.size() + p.alerts_by_rule.size() + 11 * p.compound_by_brand.size() +
                                34 * snapshot.sources.size()));
  out.Family("brandmon_build_info", "gauge", "The daemon's version; always 1.");
  out.Sample("brandmon_build_info", {{"version", BRANDMON_VERSION}}, 1);
  out.Single("brandmon_start_time_seconds", "gauge", "Unix time the daemon started.", Seconds(snapshot.started_at));
  out.Single("brandmon_ready", "gauge", "1 once the sources started (READY=1).", snapshot.ready ? 1 : 0);
  out.Family("brandmon_reloads_total", "counter", "Config reloads since start, by result.");
  out.Sample("brandmon_reloads_total", {{"result", "ok"}}, static_cast<double>(snapshot.reloads_ok));
  out.Sample("brandmon_reloads_total", {{"result", "failed"}}, static_cast<double>(snapshot.reloads_failed));
  WritePipeline(out, snapshot.pipeline, snapshot.now);
  WriteBusiness(out, snapshot.pipeline);
  WritePipelineTimes(out, snapshot.pipeline);
  WriteSources(out, snapshot.sources);
  WriteSourcePolls(out, snapshot.sources);
  WriteSourceFetches(out, snapshot.sources);
  WritePublisher(out, snapshot.publisher);
  WriteListener(out, snapshot.listener);
  if (snapshot.database_bytes) {
    out.Single("brandmon_store_size_bytes", "gauge",
               "Bytes of the state database on disk, its write-ahead log included.",
               static_cast<double>(*snapshot.database_bytes));
  }
  return out.text();
}

HttpEndpoints::HttpEndpoints(const pipeline::Pipeline& pipeline, const scheduler::Scheduler& scheduler,
                             const publish::Publisher& publisher, const Clock& clock, Duration stall_after,
                             config::Redactor redactor, std::string database)
    : pipeline_(pipeline),
      scheduler_(scheduler),
      publisher_(publisher),
      clock_(clock),
      stall_after_(stall_after),
      redactor_(std::move(redactor)),
      started_at_(clock.Now()),
      database_(database),
      api_(std::move(database), clock, redactor_),
      progress_since_(clock.Mono()) {}

http::Reply HttpEndpoints::Dashboard(const query::Params& params) { return api_.Dashboard(params); }

http::Reply HttpEndpoints::ReadApi(std::string_view path, const query::Params& params) {
  return api_.Handle(path, params);
}

http::Reply HttpEndpoints::Metrics() {
  MetricsSnapshot snapshot;
  snapshot.now = clock_.Now();
  snapshot.started_at = started_at_;
  snapshot.ready = ready_.load();
  snapshot.reloads_ok = reloads_ok_.load();
  snapshot.reloads_failed = reloads_failed_.load();
  snapshot.pipeline = pipeline_.Stats();
  snapshot.sources = scheduler_.Health();
  snapshot.publisher = publisher_.counters();
  if (const http::Listener* listener = listener_.load(); listener != nullptr) snapshot.listener = listener->counters();
  snapshot.database_bytes = DatabaseBytes(database_);
  return {200, std::string(http::kExpositionContentType), MetricsText(snapshot)};
}

http::Reply HttpEndpoints::Health() {
  pipeline::PipelineStats stats = pipeline_.Stats();
  if (stats.store_failing) {
    return {503, "application/json", JsonReply("failing", "store: " + redactor_.Redact(stats.last_store_error))};
  }
  uint64_t progress = scheduler_.progress();
  MonoTime now = clock_.Mono();
  Duration still;
  {
    MutexLock lock(mu_);
    if (progress != last_progress_) {
      last_progress_ = progress;
      progress_since_ = now;
    }
    still = std::chrono::duration_cast<Duration>(now - progress_since_);
  }
  if (still >= stall_after_) {
    return {503, "application/json",
            JsonReply("failing",
                      "engine: no progress for " + FormatDuration(still) + " (a poll or the pipeline is stuck)")};
  }
  return {200, "application/json", JsonReply("ok", "")};
}

http::Reply HttpEndpoints::Ready() {
  if (ready_.load()) return {200, "application/json", JsonReply("ready", "")};
  return {503, "application/json", JsonReply("starting", "the sources have not started yet")};
}

}  // namespace brandmon::process
