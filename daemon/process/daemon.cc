#include "daemon/process/daemon.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "daemon/base/errno_text.h"
#include "daemon/base/logging.h"
#include "daemon/base/signal_fd.h"
#include "daemon/base/units.h"
#include "daemon/base/version.h"
#include "daemon/control/control_server.h"
#include "daemon/http/listener.h"
#include "daemon/process/http_endpoints.h"
#include "daemon/publish/publisher.h"
#include "daemon/store/store_options.h"

namespace brandmon::process {

namespace {

std::string ErrorReply(const std::string& message) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("ok");
  w.Bool(false);
  w.Key("error");
  w.String(message);
  w.EndObject();
  return buf.GetString();
}

// Resident memory of this process in bytes, from /proc/self/statm.
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages_total = 0, pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) return 0;
  return pages_resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void WriteTime(rapidjson::Writer<rapidjson::StringBuffer>& w, const std::optional<WallTime>& t) {
  if (t) {
    w.String(FormatRfc3339(*t));
  } else {
    w.Null();
  }
}

// "pending_restart": the changed options a reload could not apply, each
// with the value the daemon runs with and the one in the config file.
void WritePendingRestart(rapidjson::Writer<rapidjson::StringBuffer>& w,
                         const std::vector<config::OptionChange>& pending) {
  w.Key("pending_restart");
  w.StartArray();
  for (const auto& c : pending) {
    w.StartObject();
    w.Key("key");
    w.String(c.key);
    // The values are JSON already (redacted dumps of the option).
    w.Key("running");
    w.RawValue(c.running.data(), c.running.size(), rapidjson::kObjectType);
    w.Key("configured");
    w.RawValue(c.configured.data(), c.configured.size(), rapidjson::kObjectType);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

Daemon::Daemon(DaemonFlags flags, config::EnvLookup env, const plugin::Registry& registry)
    : flags_(std::move(flags)), env_(std::move(env)), registry_(registry) {}

void Daemon::PublishSink::OnAlerts(const std::vector<Alert>& alerts) {
  if (publisher == nullptr) return;
  for (const auto& a : alerts) publisher->Publish(a);
}

void Daemon::PublishSink::OnMentions(const std::vector<ScoredMention>& mentions) {
  if (publisher == nullptr) return;
  for (const auto& m : mentions) publisher->PublishMention(m);
}

Daemon::~Daemon() {
  if (http_listener_) http_listener_->Stop();
  if (scheduler_) scheduler_->Stop(std::chrono::seconds(0));
  if (pipeline_) pipeline_->Stop();
  if (publisher_) publisher_->Stop();
  control_.reset();
  if (signal_fd_ >= 0) close(signal_fd_);
}

int Daemon::Run() {
  started_at_ = SystemClock::Instance().Now();
  // Before anything slow (config, lexicons, the integrity check): a SIGTERM
  // that arrives while starting waits in the signalfd and stops the daemon
  // gracefully once it runs, instead of killing it half-started.
  if (auto s = BlockSignals(); !s.ok()) {
    spdlog::error("startup failed: {}", s.message());
    return kExitFailure;
  }
  auto loaded = settings::LoadSettings(flags_.config_path, env_, registry_);
  if (!loaded.ok()) {
    LogLines(spdlog::level::err, "invalid config, not starting:", loaded.status().message());
    return kExitConfigInvalid;
  }
  settings_ = std::move(loaded).value();
  started_settings_ = settings_;
  if (flags_.log_level.empty()) {
    spdlog::set_level(ParseLogLevel(settings_.daemon.log_level).value_or(spdlog::level::info));
  }
  if (auto s = Startup(); !s.ok()) {
    spdlog::error("startup failed: {}", s.message());
    // InvalidArgument is a setting found unusable only now (a CURVE key, a
    // database newer than this build): a restart cannot fix it either.
    return s.code() == Status::Code::kInvalidArgument ? kExitConfigInvalid : kExitFailure;
  }
  if (flags_.once) return RunOnce();
  MainLoop();
  return kExitOk;
}

int Daemon::RunOnce() {
  scheduler_->RunOnce();
  pipeline_->Flush();
  publish_sink_.publisher = nullptr;
  publisher_->Stop();
  pipeline::PipelineStats stats = pipeline_->Stats();
  spdlog::info("one cycle done: {} sources, {} new mentions stored, {} alerts", settings_.sources.size(),
               stats.mentions_stored, stats.alerts);
  std::string failed;
  for (const auto& h : scheduler_->Health()) {
    if (h.enabled && h.consecutive_failures > 0) failed += (failed.empty() ? "" : ", ") + h.name;
  }
  if (failed.empty() && stats.write_errors == 0) return kExitOk;
  if (!failed.empty()) spdlog::error("--once: these sources failed: {}", failed);
  if (stats.write_errors > 0) spdlog::error("--once: {} commits to the store failed", stats.write_errors);
  return kExitPartial;
}

Status Daemon::BlockSignals() {
  // The main loop reads the signals from a signalfd: no handler runs
  // asynchronously, and the threads started later inherit the mask.
  auto fd = OpenControlSignalFd();
  if (!fd.ok()) return fd.status();
  signal_fd_ = *fd;
  return Status::Ok();
}

Status Daemon::Startup() {
  paths_ = settings::ResolvePaths(settings_.daemon, env_);
  if (auto s = settings::CreatePrivateDirectory(paths_.state_dir); !s.ok()) return s;
  // Before the store is opened or any socket bound or removed: a second
  // daemon on this state directory must leave the running one untouched.
  auto lock = InstanceLock::Acquire(paths_.state_dir);
  if (!lock.ok()) return lock.status();
  instance_lock_ = std::move(lock).value();
  // A database outside the state directory gets a lock of its own.
  namespace fs = std::filesystem;
  if (std::string db = store::ResolveStorePath(settings_.store, paths_.state_dir);
      fs::path(db).lexically_normal().parent_path() !=
      (fs::path(paths_.state_dir) / "").lexically_normal().parent_path()) {
    auto db_lock = InstanceLock::AcquireDatabase(db);
    if (!db_lock.ok()) return db_lock.status();
    database_lock_ = std::move(db_lock).value();
  }
  // Only now: a daemon refused by a lock leaves no runtime directory behind.
  if (auto s = settings::CreatePrivateDirectory(paths_.runtime_dir); !s.ok()) return s;
  if (auto s = store::Store::CheckIntegrity(settings_.store, paths_.state_dir); !s.ok()) return s;

  auto pipeline =
      pipeline::Pipeline::Create(settings_, paths_.state_dir, SystemClock::Instance(), threads_, &publish_sink_);
  if (!pipeline.ok()) return pipeline.status();
  pipeline_ = std::move(pipeline).value();
  if (auto s = StartPublisher(); !s.ok()) return s;
  scheduler_ = std::make_unique<scheduler::Scheduler>(
      SystemClock::Instance(), threads_,
      [this](const settings::SourceSettings& source, scheduler::PollResult result) {
        pipeline_->Submit(source, std::move(result));
      },
      [this](const std::string& source) { return pipeline_->SourceState(source); }, settings_.fetch);
  // No poll starts while the store fails, so that what waits for it stays bounded.
  pipeline_->SetStoreStateListener([this](bool failing) { scheduler_->HoldPolls(failing); });
  scheduler_->Apply(settings_.sources);
  if (flags_.once) return Status::Ok();

  auto control = control::ControlServer::Bind(paths_.control_endpoint());
  if (!control.ok()) return control.status();
  control_ = std::move(control).value();
  // Metrics are not worth a daemon that does not run: one that cannot
  // bind (the port taken) runs without them, and says so.
  if (auto s = StartHttp(); !s.ok()) {
    spdlog::error("no HTTP listener: {}", s.message());
    http_listener_.reset();
    http_endpoints_.reset();
  }
  spdlog::info("brandmond {} started: {} sources, {} brands; state in {}, control at {}", BuildVersion(),
               settings_.sources.size(), settings_.brands.size(), paths_.state_dir, control_->endpoint());
  pipeline_->Start();
  scheduler_->Start();
  return Status::Ok();
}

Status Daemon::StartPublisher() {
  store::StoreOptions store_options = settings_.store;
  std::string state_dir = paths_.state_dir;
  // The catch-up thread reads the journal through a connection of its own.
  publish::JournalOpener opener = [store_options, state_dir, this]() {
    return store::Store::Open(store_options, state_dir, SystemClock::Instance(), threads_);
  };
  publisher_ = std::make_unique<publish::Publisher>(settings_.publish, paths_.runtime_dir, std::move(opener),
                                                    SystemClock::Instance(), threads_);
  if (auto s = publisher_->Start(pipeline_->Stats().last_seq); !s.ok()) return s;
  publish_sink_.publisher = publisher_.get();
  std::string endpoints;
  for (const auto& e : publisher_->endpoints()) endpoints += (endpoints.empty() ? "" : ", ") + e;
  spdlog::info("publishing alerts on {}", endpoints);
  return Status::Ok();
}

Status Daemon::StartHttp() {
  if (settings_.http.listen.empty()) return Status::Ok();
  http_endpoints_ = std::make_unique<HttpEndpoints>(*pipeline_, *scheduler_, *publisher_, SystemClock::Instance(),
                                                    settings_.http.stall_after, settings_.redactor,
                                                    store::ResolveStorePath(settings_.store, paths_.state_dir));
  http_listener_ = std::make_unique<http::Listener>(settings_.http, *http_endpoints_);
  http_endpoints_->SetListener(http_listener_.get());
  if (auto s = http_listener_->Start(threads_); !s.ok()) return s;
  spdlog::info("serving /metrics, /healthz, /readyz and /api/v1/ on http://{}", http_listener_->endpoint());
  return Status::Ok();
}

void Daemon::MainLoop() {
  // /readyz says ready before systemd hears READY=1, so that whoever waits
  // for the one can rely on the other.
  if (http_endpoints_) http_endpoints_->SetReady();
  notifier_.Ready(StatusLine());
  Duration tick = settings_.daemon.status_interval;
  std::optional<Duration> watchdog = notifier_.watchdog_interval();
  if (watchdog) tick = std::min(tick, *watchdog / 2);
  tick = std::min<Duration>(tick, std::chrono::seconds(1));
  MonoTime next_status = SystemClock::Instance().Mono() + settings_.daemon.status_interval;
  uint64_t last_progress = scheduler_->progress();
  bool stop = false;
  while (!stop) {
    bool signalled = control_->Poll(tick, signal_fd_, [this](std::string_view req) { return HandleControl(req); });
    if (signalled) {
      signalfd_siginfo info{};
      while (read(signal_fd_, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGHUP) {
          spdlog::info("SIGHUP: reloading {}", flags_.config_path);
          Reload();
        } else {
          spdlog::info("{}: stopping", sigdescr_np(static_cast<int>(info.ssi_signo)));
          stop = true;
        }
      }
    }
    // Ping the watchdog only while the engine makes progress, so a stuck
    // engine gets the service restarted.
    uint64_t progress = scheduler_->progress();
    if (watchdog && progress != last_progress) notifier_.WatchdogPing();
    last_progress = progress;
    MonoTime now = SystemClock::Instance().Mono();
    if (now >= next_status) {
      notifier_.Status(StatusLine());
      next_status = now + settings_.daemon.status_interval;
    }
  }
  notifier_.Stopping();
  notifier_.Status("stopping");
  if (http_listener_) http_listener_->Stop();
  bool finished = scheduler_->Stop(settings_.daemon.shutdown_timeout);
  // Whatever the engine handed over is written and published before exit.
  pipeline_->Stop();
  publish_sink_.publisher = nullptr;
  publisher_->Stop();
  if (!finished) {
    spdlog::warn("in-flight work did not finish within {}; abandoning it",
                 FormatDuration(settings_.daemon.shutdown_timeout));
    control_.reset();
    spdlog::info("stopped");
    spdlog::shutdown();
    std::_Exit(0);
  }
  control_.reset();
  spdlog::info("stopped");
}

std::string Daemon::Reload() {
  notifier_.Reloading();
  auto loaded = settings::LoadSettings(flags_.config_path, env_, registry_);
  if (!loaded.ok()) {
    last_reload_error_ = loaded.status().message();
    LogLines(spdlog::level::err, "reload rejected, keeping the running config:", last_reload_error_);
    if (http_endpoints_) http_endpoints_->CountReload(false);
    notifier_.Ready(StatusLine());
    return last_reload_error_;
  }
  // Compared with the config the daemon started with, not the previous
  // reload's: a change undone by the next reload no longer waits.
  pending_restart_ = settings::RestartOnlyChanges(started_settings_, *loaded, registry_);
  for (const auto& c : pending_restart_) {
    spdlog::warn("reload: {} changed ({} -> {}); it applies at the next restart", c.key, c.running, c.configured);
  }
  settings_ = std::move(loaded).value();
  last_reload_error_.clear();
  if (http_endpoints_) http_endpoints_->CountReload(true);
  if (flags_.log_level.empty()) {
    spdlog::set_level(ParseLogLevel(settings_.daemon.log_level).value_or(spdlog::level::info));
  }
  pipeline_->ApplySettings(settings_);
  scheduler_->Apply(settings_.sources);
  std::string waiting;
  for (const auto& c : pending_restart_) waiting += (waiting.empty() ? "; needs a restart to apply: " : ", ") + c.key;
  spdlog::info("reloaded: {} sources, {} brands{}", settings_.sources.size(), settings_.brands.size(), waiting);
  notifier_.Ready(StatusLine());
  return "";
}

std::string Daemon::StatusLine() {
  std::vector<scheduler::SourceHealth> health =
      scheduler_ ? scheduler_->Health() : std::vector<scheduler::SourceHealth>{};
  int ok = 0, failing = 0;
  for (const auto& h : health) {
    if (!h.enabled) continue;
    if (h.consecutive_failures > 0) {
      ++failing;
    } else {
      ++ok;
    }
  }
  pipeline::PipelineStats stats = pipeline_ ? pipeline_->Stats() : pipeline::PipelineStats{};
  uint64_t today = 0;
  for (const auto& [brand, counts] : stats.brands) today += counts.mentions_today;
  std::string line = std::string(stats.store_failing ? "STORE FAILING (writes retried, polls held); " : "") +
                     std::to_string(ok) + " sources ok, " + std::to_string(failing) + " failing; " +
                     std::to_string(today) +
                     " mentions today; last alert: " + (stats.last_alert.empty() ? "none" : stats.last_alert);
  if (line.size() > 200) line = line.substr(0, 197) + "...";
  if (!last_reload_error_.empty()) line += "; last reload rejected (config errors)";
  if (!pending_restart_.empty()) line += "; config changes wait for a restart";
  return line;
}

namespace {

using JsonOut = rapidjson::Writer<rapidjson::StringBuffer>;

// The pipeline's counters, at the top level of the status.
void WritePipelineStatus(JsonOut& w, const pipeline::PipelineStats& stats) {
  w.Key("mentions_stored");
  w.Uint64(stats.mentions_stored);
  w.Key("duplicates_dropped");
  w.Uint64(stats.duplicates_dropped);
  w.Key("unscored_by_lang");
  w.StartObject();
  for (const auto& [lang, n] : stats.unscored_by_lang) {
    w.Key(lang.data(), static_cast<rapidjson::SizeType>(lang.size()));
    w.Uint64(n);
  }
  w.EndObject();
  w.Key("alerts");
  w.Uint64(stats.alerts);
  w.Key("last_seq");
  w.Uint64(stats.last_seq);
  w.Key("last_alert");
  if (stats.last_alert.empty()) {
    w.Null();
  } else {
    w.String(stats.last_alert);
  }
}

// The store's health: "state", write errors and the oldest retried commit.
void WriteStoreStatus(JsonOut& w, const pipeline::PipelineStats& stats, const config::Redactor& redactor,
                      WallTime now) {
  w.StartObject();
  w.Key("state");
  w.String(stats.store_failing ? "failing" : "ok");
  w.Key("write_errors");
  w.Uint64(stats.write_errors);
  w.Key("last_error");
  if (stats.last_store_error.empty()) {
    w.Null();
  } else {
    w.String(redactor.Redact(stats.last_store_error));
  }
  w.Key("last_error_at");
  WriteTime(w, stats.last_store_error_at);
  w.Key("oldest_pending_s");  // age of the commit waiting for a retry
  if (stats.oldest_pending_since) {
    w.Int64(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::seconds>(now - *stats.oldest_pending_since).count()));
  } else {
    w.Null();
  }
  w.EndObject();
}

// The publisher's counters and endpoints; an empty object without one.
void WritePublisherStatus(JsonOut& w, const publish::Publisher* publisher) {
  w.StartObject();
  if (publisher) {
    for (const auto& [key, value, gauge] : publish::NamedCounters(publisher->counters())) {
      w.Key(key);
      w.Uint64(value);
    }
    w.Key("endpoints");
    w.StartArray();
    for (const auto& e : publisher->endpoints()) w.String(e);
    w.EndArray();
  }
  w.EndObject();
}

// Today's mentions and alerts per configured brand.
void WriteBrandStatus(JsonOut& w, const std::vector<settings::BrandSettings>& brands,
                      const pipeline::PipelineStats& stats) {
  w.StartArray();
  for (const auto& b : brands) {
    auto it = stats.brands.find(b.name);
    w.StartObject();
    w.Key("name");
    w.String(b.name);
    w.Key("mentions_today");
    w.Uint64(it == stats.brands.end() ? 0 : it->second.mentions_today);
    w.Key("alerts_today");
    w.Uint64(it == stats.brands.end() ? 0 : it->second.alerts_today);
    w.EndObject();
  }
  w.EndArray();
}

// Each source's health as the scheduler reports it.
void WriteSourceStatus(JsonOut& w, const std::vector<scheduler::SourceHealth>& health,
                       const config::Redactor& redactor) {
  w.StartArray();
  for (const auto& h : health) {
    w.StartObject();
    w.Key("name");
    w.String(h.name);
    w.Key("type");
    w.String(h.type);
    w.Key("enabled");
    w.Bool(h.enabled);
    w.Key("paused");
    w.Bool(h.paused);
    w.Key("mentions");
    w.Uint64(h.mentions);
    w.Key("last_success");
    WriteTime(w, h.last_success);
    w.Key("last_error_at");
    WriteTime(w, h.last_error_at);
    w.Key("last_error");
    w.String(redactor.Redact(h.last_error));
    w.Key("consecutive_failures");
    w.Int(h.consecutive_failures);
    w.Key("next_poll");
    WriteTime(w, h.next_poll);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string Daemon::StatusJson() {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  WallTime now = SystemClock::Instance().Now();
  w.StartObject();
  w.Key("ok");
  w.Bool(true);
  w.Key("version");
  w.String(BRANDMON_VERSION);
  w.Key("pid");
  w.Int(getpid());
  w.Key("uptime_s");
  w.Int64(std::chrono::duration_cast<std::chrono::seconds>(now - started_at_).count());
  w.Key("config");
  w.String(flags_.config_path);
  w.Key("rss_bytes");
  w.Uint64(ResidentBytes());
  w.Key("state_dir");
  w.String(paths_.state_dir);
  pipeline::PipelineStats stats = pipeline_->Stats();
  WritePipelineStatus(w, stats);
  w.Key("store");
  WriteStoreStatus(w, stats, settings_.redactor, now);
  w.Key("publisher");
  WritePublisherStatus(w, publisher_.get());
  w.Key("brands");
  WriteBrandStatus(w, settings_.brands, stats);
  w.Key("last_reload_error");
  if (last_reload_error_.empty()) {
    w.Null();
  } else {
    w.String(last_reload_error_);
  }
  WritePendingRestart(w, pending_restart_);
  w.Key("status");
  w.String(StatusLine());
  w.Key("sources");
  WriteSourceStatus(w, scheduler_->Health(), settings_.redactor);
  w.EndObject();
  return buf.GetString();
}

std::string Daemon::SourcesJson() {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("ok");
  w.Bool(true);
  w.Key("sources");
  w.StartArray();
  for (const auto& s : settings_.sources) {
    w.StartObject();
    w.Key("name");
    w.String(s.name);
    w.Key("type");
    w.String(s.type);
    w.Key("enabled");
    w.Bool(s.enabled);
    w.Key("interval");
    w.String(FormatDuration(s.interval));
    w.Key("channel");
    w.String(s.channel);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string Daemon::HandleControl(std::string_view request) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(request.data(), request.size());
  if (doc.HasParseError() || !doc.IsObject()) return ErrorReply("malformed request: expected a JSON object");
  auto cmd = doc.FindMember("cmd");
  if (cmd == doc.MemberEnd() || !cmd->value.IsString()) return ErrorReply("malformed request: missing \"cmd\"");
  std::string name = cmd->value.GetString();
  if (name == "status") return StatusJson();
  if (name == "reload") {
    std::string errors = Reload();
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("ok");
    w.Bool(errors.empty());
    if (errors.empty()) {
      WritePendingRestart(w, pending_restart_);
    } else {
      w.Key("error");
      w.String("config rejected; the running config is unchanged");
      w.Key("errors");
      w.String(errors);
    }
    w.EndObject();
    return buf.GetString();
  }
  if (name == "poll-now" || name == "pause" || name == "resume") {
    auto src = doc.FindMember("source");
    if (src == doc.MemberEnd() || !src->value.IsString()) return ErrorReply(name + " needs \"source\"");
    std::string source = src->value.GetString();
    Status s = name == "poll-now" ? scheduler_->PollNow(source) : scheduler_->SetPaused(source, name == "pause");
    if (!s.ok()) return ErrorReply(s.message());
    if (name != "poll-now") spdlog::info("source '{}' {}d over the control socket", source, name);
    return R"({"ok":true})";
  }
  if (name == "sources") return SourcesJson();
  return ErrorReply("unknown command \"" + name + "\" (known: status, reload, sources, poll-now, pause, resume)");
}

}  // namespace brandmon::process
