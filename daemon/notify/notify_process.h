#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/systemd_notifier.h"
#include "daemon/base/thread_set.h"
#include "daemon/config/loader.h"
#include "daemon/control/control_server.h"
#include "daemon/notify/engine.h"
#include "daemon/notify/notify_config.h"

namespace brandmon::notify {

// brandmon-notify's exit statuses, as brandmond's (`brandmond --help`).
enum ExitCode {
  kExitOk = 0,             // a clean stop, a valid config, a delivered test
  kExitFailure = 1,        // startup or the run failed; a test was not delivered
  kExitUsage = 2,          // a bad command line
  kExitConfigInvalid = 3,  // the config file is missing, unreadable or invalid
};

// The running program: owns the threads (one ThreadSet), the engine, the
// control socket in the runtime directory and the systemd notifier; SIGHUP
// reloads the config (an invalid one is refused and the running one kept),
// SIGTERM and SIGINT stop. Owned by the main thread.
class NotifyProcess {
 public:
  // REQUIRES: `kinds` outlives the process.
  NotifyProcess(std::string config_path, NotifyConfig config, const std::vector<ReceiverKind>& kinds,
                config::EnvLookup env);
  ~NotifyProcess();
  NotifyProcess(const NotifyProcess&) = delete;
  NotifyProcess& operator=(const NotifyProcess&) = delete;

  // Runs until SIGTERM/SIGINT. Returns an ExitCode.
  int Run();

 private:
  Status BlockSignals();
  Status Startup();
  Status StartEngine(NotifyConfig config);
  void MainLoop();
  void Reload();
  std::string HandleControl(std::string_view request);
  std::string StatusLine() const;

  const std::string config_path_;
  const std::vector<ReceiverKind>& kinds_;
  const config::EnvLookup env_;
  NotifyConfig initial_;
  NotifyPaths paths_;
  // Declared before the engine: destroyed after it, joining what is left.
  ThreadSet threads_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<control::ControlServer> control_;
  Notifier notifier_;
  int signal_fd_ = -1;
};

// A delivery of one sample alert, as `--test RECEIVER` sends it.
Delivery SampleDelivery(const std::string& receiver, WallTime now);

}  // namespace brandmon::notify
