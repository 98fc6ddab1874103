#include "daemon/engine/engine.h"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/base/units.h"

namespace brandmon::engine {

namespace {
constexpr Duration kMaxBackoff = std::chrono::hours(1);
constexpr Duration kIdleWake = std::chrono::seconds(1);

// Collects one poll's output.
class CollectingSink final : public plugin::Sink {
 public:
  explicit CollectingSink(const std::string& source) : source_(source) {}
  void Emit(Mention mention) override { mentions.push_back(std::move(mention)); }
  void Warn(std::string message) override { spdlog::warn("source '{}': {}", source_, message); }
  std::vector<Mention> mentions;

 private:
  const std::string& source_;
};
}  // namespace

struct Engine::Source {
  SourceSettings settings;
  std::unique_ptr<plugin::Plugin> plugin;
  plugin::SourceState state;
  SourceHealth health;
  MonoTime due{};
  bool started = false;
  bool busy = false;
};

Engine::Engine(const Clock& clock, Output output, StateLoader loader)
    : clock_(clock),
      output_(std::move(output)),
      loader_(std::move(loader)),
      errors_log_(clock, std::chrono::minutes(10)) {}

Engine::~Engine() {
  Stop(std::chrono::seconds(0));
  if (thread_.joinable()) thread_.join();
}

void Engine::Apply(const std::vector<SourceSettings>& sources) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Source>> next;
  for (const auto& s : sources) {
    auto same = std::find_if(sources_.begin(), sources_.end(), [&](const auto& old) {
      return old->settings.name == s.name && old->settings.fingerprint == s.fingerprint;
    });
    if (same != sources_.end()) {
      next.push_back(*same);
      continue;
    }
    auto src = std::make_shared<Source>();
    src->settings = s;
    src->health.name = s.name;
    src->health.type = s.type;
    src->health.enabled = s.enabled;
    // A changed source keeps its cursor state: the same feed under a new
    // interval must not re-read everything. A new one starts from what the
    // store remembers.
    bool found = false;
    for (const auto& old : sources_) {
      if (old->settings.name == s.name) {
        src->state = old->state;
        src->health.consecutive_failures = old->health.consecutive_failures;
        src->health.last_success = old->health.last_success;
        found = true;
      }
    }
    if (!found && loader_) {
      if (auto saved = loader_(s.name)) {
        for (const auto& [k, v] : saved->cursor) src->state[k] = v;
        src->health.consecutive_failures = static_cast<int>(saved->failures);
        src->health.last_success = saved->last_success;
        src->health.last_error = saved->last_error;
        src->health.last_error_at = saved->last_error_at;
      }
    }
    src->due = clock_.Mono();
    next.push_back(std::move(src));
  }
  for (const auto& old : sources_) {
    if (std::find(next.begin(), next.end(), old) == next.end() && old->plugin) old->plugin->Stop();
  }
  sources_ = std::move(next);
  wake_.notify_all();
}

void Engine::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "engine");
    Loop();
  });
}

bool Engine::Stop(Duration deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return true;
    stopping_ = true;
    for (const auto& s : sources_) {
      if (s->plugin) s->plugin->Stop();
    }
  }
  wake_.notify_all();
  if (!thread_.joinable()) return true;
  // Wait for the in-flight poll up to the deadline. A plugin that ignores
  // Stop() past it keeps the thread joinable and the caller exits without
  // waiting for it.
  MonoTime until = clock_.Mono() + deadline;
  auto busy = [this] {
    std::lock_guard<std::mutex> lock(mu_);
    return std::any_of(sources_.begin(), sources_.end(), [](const auto& s) { return s->busy; });
  };
  while (busy() && clock_.Mono() < until) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (busy()) return false;
  thread_.join();
  return true;
}

void Engine::RunOnce() {
  std::vector<std::shared_ptr<Source>> sources;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sources = sources_;
  }
  for (auto& s : sources) {
    if (s->settings.enabled) PollSource(*s);
  }
  ++progress_;
}

Status Engine::PollNow(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& s : sources_) {
    if (s->settings.name == name) {
      s->due = clock_.Mono();
      wake_.notify_all();
      return Status::Ok();
    }
  }
  return Status::NotFound("no source named \"" + name + "\"");
}

std::vector<SourceHealth> Engine::Health() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SourceHealth> out;
  for (const auto& s : sources_) out.push_back(s->health);
  return out;
}

void Engine::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    ++progress_;
    MonoTime now = clock_.Mono();
    std::shared_ptr<Source> due;
    MonoTime next_wake = now + kIdleWake;
    for (auto& s : sources_) {
      if (!s->settings.enabled || s->health.paused) continue;
      if (s->due <= now) {
        due = s;
        break;
      }
      next_wake = std::min(next_wake, s->due);
    }
    if (due) {
      due->busy = true;
      lock.unlock();
      PollSource(*due);
      lock.lock();
      due->busy = false;
      continue;
    }
    wake_.wait_for(lock, next_wake - now);
  }
}

void Engine::PollSource(Source& source) {
  const std::string& name = source.settings.name;
  Status status;
  std::vector<Mention> mentions;
  if (!source.plugin) {
    source.plugin = source.settings.plugin.make ? source.settings.plugin.make() : nullptr;
  }
  if (!source.plugin) {
    status = Status::InvalidArgument("source type \"" + source.settings.type + "\" is not available");
  } else if (!source.started) {
    plugin::PluginContext ctx{name, &clock_, spdlog::default_logger()};
    status = source.plugin->Start(ctx);
    source.started = status.ok();
  }
  if (status.ok()) {
    CollectingSink sink(name);
    if (auto* poll = dynamic_cast<plugin::PollPlugin*>(source.plugin.get())) {
      status = poll->Poll(sink, source.state);
    } else {
      status = Status::Unavailable("http sources need the fetcher, which this engine does not have yet");
    }
    mentions = std::move(sink.mentions);
  }
  for (auto& m : mentions) {
    if (m.source.empty()) m.source = name;
    if (m.channel.empty()) m.channel = source.settings.channel.empty() ? source.settings.type : source.settings.channel;
    if (!source.settings.lang.empty()) m.lang = source.settings.lang;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    WallTime now = clock_.Now();
    if (status.ok()) {
      source.health.last_success = now;
      source.health.consecutive_failures = 0;
      source.health.mentions += mentions.size();
    } else {
      source.health.last_error_at = now;
      source.health.last_error = status.message();
      ++source.health.consecutive_failures;
    }
    ScheduleNext(source, !status.ok());
  }
  if (!status.ok()) {
    // The same error every poll is logged once per window, not every time.
    errors_log_.Log(spdlog::level::warn, "source '" + name + "'", status.message());
    spdlog::debug("source '{}': retry in {}", name,
                  FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(source.due - clock_.Mono())));
  }
  PollResult result;
  result.mentions = std::move(mentions);
  result.status = status;
  result.state.source = name;
  result.state.cursor.assign(source.state.begin(), source.state.end());
  {
    std::lock_guard<std::mutex> lock(mu_);
    result.state.failures = source.health.consecutive_failures;
    result.state.last_success = source.health.last_success;
    result.state.last_error = source.health.last_error;
    result.state.last_error_at = source.health.last_error_at;
    result.state.next_attempt = source.health.next_poll;
  }
  output_(source.settings, std::move(result));
}

void Engine::ScheduleNext(Source& source, bool failed) {
  Duration base = source.settings.interval;
  if (failed) {
    // Exponential backoff from 30s, capped at an hour (or the interval when longer).
    int n = std::min(source.health.consecutive_failures, 10);
    base = std::min<Duration>(std::chrono::seconds(30) * (1 << (n - 1)), std::max(kMaxBackoff, base));
  }
  int64_t spread = base.count() / 10;
  int64_t jitter = spread > 0 ? static_cast<int64_t>(rng_() % static_cast<uint64_t>(spread)) : 0;
  Duration delay(base.count() + jitter);
  source.due = clock_.Mono() + delay;
  source.health.next_poll = clock_.Now() + delay;
}

}  // namespace brandmon::engine
