#include "daemon/cli/state_database.h"

#include <algorithm>
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

bool ReadSideArgs::Has(const std::string& option) const {
  return std::find(switches.begin(), switches.end(), option) != switches.end();
}

std::optional<std::string> ReadSideArgs::Value(const std::string& option) const {
  auto it = values.find(option);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string FormatList(const std::vector<std::string>& formats) {
  std::string text;
  for (size_t i = 0; i < formats.size(); ++i) {
    if (i > 0) text += i + 1 == formats.size() ? " or " : ", ";
    text += formats[i];
  }
  return text;
}

}  // namespace

bool ParseReadSideArgs(const std::vector<std::string>& args, const ReadSideSpec& spec, ReadSideArgs& out,
                       std::ostream& err) {
  const std::string prefix = "brandmonctl " + spec.command + ": ";
  if (!spec.formats.empty()) out.format = spec.formats.front();
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (Contains(spec.switches, a)) {
      out.switches.push_back(a);
      continue;
    }
    if (i + 1 >= args.size()) {
      err << prefix << (a.starts_with("-") ? "'" + a + "' needs a value" : "unexpected '" + a + "'")
          << "\nusage: " << spec.usage << "\n";
      return false;
    }
    const std::string& value = args[++i];
    auto filter = std::find_if(spec.filters.begin(), spec.filters.end(), [&](const auto& f) { return f.first == a; });
    if (filter != spec.filters.end()) {
      out.params.emplace(filter->second, value);
    } else if (!spec.formats.empty() && (a == "--format" || Contains(spec.format_aliases, a))) {
      out.format = value;
    } else if (a == "--output" || a == "-o") {
      out.output = value;
    } else if (a == "--config" || a == "-c") {
      out.config_path = value;
    } else if (a == "--database") {
      out.database = value;
    } else if (Contains(spec.options, a)) {
      out.values[a] = value;
    } else {
      err << prefix << "unknown option '" << a << "'\nusage: " << spec.usage << "\n";
      return false;
    }
  }
  if (!spec.formats.empty() && !Contains(spec.formats, out.format)) {
    err << prefix << "--format must be " << FormatList(spec.formats) << ", got '" << out.format << "'\n";
    return false;
  }
  return true;
}

}  // namespace brandmon::cli
