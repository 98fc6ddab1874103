#include "daemon/process/daemon_main.h"

#include <spdlog/spdlog.h>

#include <iostream>

#include "daemon/base/logging.h"
#include "daemon/base/version.h"
#include "daemon/process/daemon.h"
#include "daemon/settings/settings.h"

namespace brandmon::process {
namespace {

constexpr const char* kUsage = R"(usage: brandmond [OPTIONS]

brandmon's daemon: polls the configured sources, finds mentions of the
configured brands, scores their sentiment, raises alerts and publishes them
over ZeroMQ. It runs in the foreground; systemd does the daemonizing.

options:
  -c, --config PATH     config file (default: $BRANDMON_CONFIG, else
                        $CONFIGURATION_DIRECTORY/brandmon.json under systemd,
                        else /etc/brandmon/brandmon.json)
      --check-config    validate the config, print the effective config with
                        secrets redacted, and exit 0 (valid) or 3 (invalid)
      --once            run one cycle over every source, publish, flush, exit
                        (4 when a source or a commit failed)
      --log-level LEVEL trace, debug, info, warn or error (overrides the config)
  -h, --help            show this help
      --version         show the version

signals: SIGHUP reloads the config (an invalid one is rejected and the running
config kept); SIGTERM and SIGINT stop gracefully.

One daemon at a time uses a state directory: it holds a lock on
STATE_DIR/brandmond.lock (and on DATABASE.lock for a store.file outside it),
and a second one exits (1) naming the first's PID.
At start the database is checked page by page; a damaged one is refused (1).

exit status:
  0  ok: stopped cleanly, config valid, or --once polled every source
  1  runtime failure: startup failed (state directory in use, damaged
     database, socket in use) or the daemon failed while running
  2  usage: unknown option or bad option value
  3  config invalid: the config file is missing, unreadable or invalid, or a
     setting proved unusable at start (systemd does not restart the service
     on it: RestartPreventExitStatus=3)
  4  partial: --once finished but some sources or store commits failed
)";

std::string DefaultConfigPath(const config::EnvLookup& env) {
  if (auto p = env("BRANDMON_CONFIG"); p && !p->empty()) return *p;
  if (auto d = env("CONFIGURATION_DIRECTORY"); d && !d->empty()) return d->substr(0, d->find(':')) + "/brandmon.json";
  return "/etc/brandmon/brandmon.json";
}

}  // namespace

int DaemonMain(const std::vector<std::string>& args, const plugin::Registry& registry) {
  config::EnvLookup env = config::ProcessEnv();
  DaemonFlags flags;
  bool check = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) {
        std::cerr << "brandmond: " << a << " needs a value\n";
        return false;
      }
      out = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else if (a == "--version") {
      std::cout << "brandmond " << BuildVersion() << "\n";
      return kExitOk;
    } else if (a == "-c" || a == "--config") {
      if (!value(flags.config_path)) return kExitUsage;
    } else if (a.rfind("--config=", 0) == 0) {
      flags.config_path = a.substr(9);
    } else if (a == "--check-config") {
      check = true;
    } else if (a == "--once") {
      flags.once = true;
    } else if (a == "--log-level") {
      if (!value(flags.log_level)) return kExitUsage;
    } else if (a.rfind("--log-level=", 0) == 0) {
      flags.log_level = a.substr(12);
    } else {
      std::cerr << "brandmond: unknown option '" << a << "' (see brandmond --help)\n";
      return kExitUsage;
    }
  }
  if (!flags.log_level.empty() && !ParseLogLevel(flags.log_level)) {
    std::cerr << "brandmond: --log-level must be one of trace, debug, info, warn, error; got \"" << flags.log_level
              << "\"\n";
    return kExitUsage;
  }
  if (flags.config_path.empty()) flags.config_path = DefaultConfigPath(env);

  if (check) {
    auto settings = settings::LoadSettings(flags.config_path, env, registry);
    if (!settings.ok()) {
      std::cerr << settings.status().message();
      if (settings.status().message().back() != '\n') std::cerr << "\n";
      std::cerr << "brandmond: " << flags.config_path << ": config is invalid\n";
      return kExitConfigInvalid;
    }
    std::cout << settings::DumpSettings(*settings, registry);
    std::cerr << "brandmond: " << flags.config_path << ": config is valid\n";
    return kExitOk;
  }

  SetupLogging(DetectLogStyle(), flags.log_level.empty() ? "info" : flags.log_level);
  Daemon daemon(flags, env, registry);
  int rc = daemon.Run();
  spdlog::shutdown();
  return rc;
}

}  // namespace brandmon::process
