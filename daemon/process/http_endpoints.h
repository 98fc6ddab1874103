#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include <optional>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/config/diagnostics.h"
#include "daemon/http/api.h"
#include "daemon/http/listener.h"
#include "daemon/pipeline/pipeline.h"
#include "daemon/publish/publisher.h"
#include "daemon/scheduler/scheduler.h"

namespace brandmon::process {

// What one scrape of /metrics shows, read from the components at once.
struct MetricsSnapshot {
  WallTime now;
  WallTime started_at;
  bool ready = false;
  uint64_t reloads_ok = 0;
  uint64_t reloads_failed = 0;
  pipeline::PipelineStats pipeline;
  std::vector<scheduler::SourceHealth> sources;
  publish::PublisherCounters publisher;
  std::optional<http::ListenerCounters> listener;  // none without a listener
  std::optional<uint64_t> database_bytes;          // the state database and its log; none in memory
};

// The page of /metrics (docs/metrics.md) for `snapshot`, in the Prometheus
// text format.
std::string MetricsText(const MetricsSnapshot& snapshot);

// The daemon's answers to /metrics, /healthz and /readyz (docs/metrics.md),
// and to /api/v1 (docs/api.md) through an http::Api on the state database;
// read from the counters the pipeline, the scheduler, the publisher and the
// listener keep. Owned by process::Daemon; thread-safe.
class HttpEndpoints final : public http::Endpoints {
 public:
  // REQUIRES: the components outlive this object and the listener stops
  // before they do. `redactor` hides secrets in the store's error message.
  // `database` is the state database /api/v1 reads.
  HttpEndpoints(const pipeline::Pipeline& pipeline, const scheduler::Scheduler& scheduler,
                const publish::Publisher& publisher, const Clock& clock, Duration stall_after,
                config::Redactor redactor, std::string database);

  // The listener whose own counters /metrics shows; set before it starts.
  void SetListener(const http::Listener* listener) { listener_.store(listener); }
  // Sources started and READY=1 sent: /readyz answers 200 from now on.
  void SetReady() { ready_.store(true); }
  void CountReload(bool ok) { ++(ok ? reloads_ok_ : reloads_failed_); }

  http::Reply Metrics() override;
  http::Reply Health() override;
  http::Reply Ready() override;
  http::Reply ReadApi(std::string_view path, const query::Params& params) override;
  http::Reply Dashboard(const query::Params& params) override;

 private:
  const pipeline::Pipeline& pipeline_;
  const scheduler::Scheduler& scheduler_;
  const publish::Publisher& publisher_;
  const Clock& clock_;
  const Duration stall_after_;
  const config::Redactor redactor_;
  const WallTime started_at_;
  const std::string database_;
  http::Api api_;
  std::atomic<const http::Listener*> listener_{nullptr};
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> reloads_ok_{0};
  std::atomic<uint64_t> reloads_failed_{0};

  Mutex mu_;
  // The engine's progress counter as last seen, and since when it has not
  // moved.
  uint64_t last_progress_ GUARDED_BY(mu_) = 0;
  MonoTime progress_since_ GUARDED_BY(mu_){};
};

}  // namespace brandmon::process
