#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/systemd_notifier.h"
#include "daemon/base/thread_set.h"
#include "daemon/config/loader.h"
#include "daemon/pipeline/pipeline.h"
#include "daemon/plugin/registry.h"
#include "daemon/process/instance_lock.h"
#include "daemon/scheduler/scheduler.h"
#include "daemon/settings/paths.h"
#include "daemon/settings/settings.h"

namespace brandmon::control {
class ControlServer;
}
namespace brandmon::publish {
class Publisher;
}
namespace brandmon::http {
class Listener;
}

namespace brandmon::process {

class HttpEndpoints;

// brandmond's exit codes, as `brandmond --help` and docs/brandmond.md list
// them. The unit's RestartPreventExitStatus= names kExitConfigInvalid: a
// restart cannot fix the file.
enum ExitCode : int {
  kExitOk = 0,             // a clean stop, a valid config, or --once with every source polled
  kExitFailure = 1,        // a runtime failure: startup (store, sockets, lock) or the run
  kExitUsage = 2,          // a bad command line
  kExitConfigInvalid = 3,  // the config file is missing, unreadable or invalid
  kExitPartial = 4,        // --once finished, but some sources or commits failed
};

// Command-line choices that override or complement the config.
struct DaemonFlags {
  std::string config_path;
  std::string log_level;  // empty: the config's
  bool once = false;
};

// The brandmond process: loads the config, owns the scheduler, the pipeline,
// the publisher, the control socket and the systemd conversation, and runs
// the main loop until SIGTERM or SIGINT. Owns the one ThreadSet every other
// thread of the process is started in (docs/architecture.md, "Threads").
// Owned by the main thread.
class Daemon {
 public:
  // `registry` holds the plugins the config may name; it outlives the daemon.
  Daemon(DaemonFlags flags, config::EnvLookup env, const plugin::Registry& registry);
  ~Daemon();

  // Runs to completion and returns the process exit code (ExitCode):
  // kExitOk after a clean stop, kExitConfigInvalid when the config is
  // invalid, kExitFailure when startup fails (another daemon holds the state
  // directory, the database is damaged, a socket cannot be bound), and with
  // --once kExitPartial when a source or a commit failed.
  int Run();

  // The threads the daemon's components started and have not joined yet.
  // Thread-safe.
  const ThreadSet& threads() const { return threads_; }

 private:
  struct Counters;
  // Blocks SIGHUP, SIGTERM and SIGINT in every thread and opens the signalfd
  // the main loop reads them from.
  Status BlockSignals();
  Status Startup();
  void MainLoop();
  // Re-reads the config; on success applies it in place, but for the
  // restart-only options, which it logs and keeps in pending_restart_.
  // Returns the errors (one per line) or "" on success.
  std::string Reload();
  std::string HandleControl(std::string_view request);
  std::string StatusJson();
  std::string SourcesJson();
  std::string StatusLine();
  // --once: polls every source once, flushes, publishes; returns the exit code.
  int RunOnce();

  DaemonFlags flags_;
  config::EnvLookup env_;
  const plugin::Registry& registry_;
  settings::Settings settings_;
  settings::Paths paths_;
  // Held from before the store or any socket is touched until after
  // everything else is gone (members are destroyed in reverse order).
  InstanceLock instance_lock_;
  InstanceLock database_lock_;  // held when the database is outside the state directory
  Notifier notifier_;
  // Declared before the components that start threads in it, so that it
  // outlives them: each joins its own threads when it stops.
  ThreadSet threads_;
  // Hands what the pipeline journaled to the publisher (once it exists).
  class PublishSink final : public pipeline::PipelineSink {
   public:
    void OnAlerts(const std::vector<Alert>& alerts) override;
    void OnMentions(const std::vector<ScoredMention>& mentions) override;
    publish::Publisher* publisher = nullptr;
  };
  Status StartPublisher();
  // The HTTP listener (config "http"), unless its listen address is empty.
  Status StartHttp();

  PublishSink publish_sink_;
  std::unique_ptr<pipeline::Pipeline> pipeline_;
  std::unique_ptr<publish::Publisher> publisher_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::unique_ptr<control::ControlServer> control_;
  // After the components they read: destroyed, and stopped, before them.
  std::unique_ptr<HttpEndpoints> http_endpoints_;
  std::unique_ptr<http::Listener> http_listener_;
  int signal_fd_ = -1;
  WallTime started_at_{};
  std::string last_reload_error_;
  // The config as loaded at start: the restart-only options keep its values
  // until the process ends.
  settings::Settings started_settings_;
  // The restart-only options whose value in the config file, as of the last
  // accepted reload, differs from started_settings_.
  std::vector<config::OptionChange> pending_restart_;
};

}  // namespace brandmon::process
