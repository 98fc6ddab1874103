#include "daemon/cli/state_database.h"

#include <filesystem>

#include "daemon/plugin/registry.h"
#include "daemon/settings/paths.h"
#include "daemon/settings/settings.h"

namespace brandmon::cli {

Result<StateDatabase> FindStateDatabase(const std::string& database, const std::string& config_path_arg) {
  if (!database.empty()) return StateDatabase{database, "--database", {}};
  std::string config_path = config_path_arg;
  auto env = config::ProcessEnv();
  if (config_path.empty()) {
    if (auto p = env("BRANDMON_CONFIG"); p && !p->empty()) config_path = *p;
  }
  std::error_code ec;
  if (config_path.empty() && std::filesystem::exists("/etc/brandmon/brandmon.json", ec)) {
    config_path = "/etc/brandmon/brandmon.json";
  }
  if (config_path.empty()) {
    settings::DaemonOptions daemon;
    config::ApplyDefaults(settings::DaemonOptionTable(), daemon);
    store::StoreOptions store;
    config::ApplyDefaults(store::StoreOptionTable(), store);
    std::string dir = settings::ResolvePaths(daemon, env).state_dir;
    return StateDatabase{store::ResolveStorePath(store, dir), "the default state directory", {}};
  }
  auto settings = settings::LoadSettings(config_path, env, plugin::BuiltinRegistry());
  if (!settings.ok()) return settings.status().WithContext("config " + config_path);
  std::string dir = settings::ResolvePaths(settings->daemon, env).state_dir;
  return StateDatabase{store::ResolveStorePath(settings->store, dir), "the config " + config_path, settings->redactor};
}

Result<query::Reader> OpenStateDatabase(const StateDatabase& db) {
  auto reader = query::Reader::Open(db.path);
  if (reader.ok()) return reader;
  std::string message = reader.status().message() + " (from " + db.origin + ")";
  switch (reader.status().code()) {
    case Status::Code::kNotFound:
      return Status::NotFound(message + "; point at the daemon's with --config FILE (its config) or --database FILE");
    case Status::Code::kInvalidArgument: return Status::InvalidArgument(message);
    default: return Status::Unavailable(message);
  }
}

std::string OptionError(std::string message) {
  // The message starts with the parameter's name: here, the option's.
  for (size_t i = 0; i < message.size() && message[i] != ':'; ++i) {
    if (message[i] == '_') message[i] = '-';
  }
  return "--" + message;
}

}  // namespace brandmon::cli
