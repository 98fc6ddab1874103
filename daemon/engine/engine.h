#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mention.h"
#include "daemon/engine/logging.h"
#include "daemon/engine/settings.h"
#include "daemon/plugin/plugin.h"
#include "daemon/store/store.h"

namespace brandmon::engine {

// What `status` shows about one source.
struct SourceHealth {
  std::string name;
  std::string type;
  bool enabled = true;
  bool paused = false;
  std::optional<WallTime> last_success;
  std::optional<WallTime> last_error_at;
  std::string last_error;
  std::optional<WallTime> next_poll;
  uint64_t mentions = 0;
  int consecutive_failures = 0;
};

// What one poll of one source produced: its mentions (possibly none) and the
// source's state afterwards (plugin cursor, HTTP validators, failures,
// backoff, last error). The pipeline persists both in one transaction.
struct PollResult {
  std::vector<Mention> mentions;
  store::SourceState state;
  Status status;
};

// Schedules and polls the configured sources and hands what they produce to
// the pipeline. Owns the plugins and the "engine" thread; every public method
// is thread-safe. Sources whose config is unchanged across Apply() keep their
// plugin instance and state.
class Engine {
 public:
  // Called on the engine thread after every poll, successful or not.
  using Output = std::function<void(const SourceSettings& source, PollResult result)>;
  // Returns the persisted state of a source, if any; called when a source is
  // first created so that restarts keep cursors, validators and backoff.
  using StateLoader = std::function<std::optional<store::SourceState>(const std::string& source)>;

  Engine(const Clock& clock, Output output, StateLoader loader = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Replaces the set of sources (added, removed, changed in place).
  void Apply(const std::vector<SourceSettings>& sources);

  // Starts the engine thread.
  void Start();
  // Stops scheduling, interrupts blocking plugin work, and joins the thread,
  // waiting at most `deadline` for an in-flight poll to finish.
  // Returns false when the deadline passed (the poll was abandoned).
  bool Stop(Duration deadline);

  // Polls every enabled source once on the calling thread (--once).
  // REQUIRES: Start() not called.
  void RunOnce();

  // Asks for an immediate poll of `name`. Errors: NotFound.
  Status PollNow(const std::string& name);

  // Grows every time the engine thread completes a loop iteration; a stuck
  // engine stops it growing (the watchdog looks at this).
  uint64_t progress() const { return progress_.load(); }

  std::vector<SourceHealth> Health() const;

 private:
  struct Source;
  void Loop();
  void PollSource(Source& source);
  void ScheduleNext(Source& source, bool failed);

  const Clock& clock_;
  Output output_;
  StateLoader loader_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<Source>> sources_;  // guarded by mu_
  bool stopping_ = false;                         // guarded by mu_
  std::atomic<uint64_t> progress_{0};
  RateLimitedLog errors_log_;
  std::thread thread_;
  std::mt19937_64 rng_{std::random_device{}()};  // jitter; engine thread only
};

}  // namespace brandmon::engine
