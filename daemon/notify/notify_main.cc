#include "daemon/notify/notify_main.h"

#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "daemon/base/logging.h"
#include "daemon/base/units.h"
#include "daemon/base/version.h"
#include "daemon/control/control_client.h"
#include "daemon/notify/notify_process.h"

namespace brandmon::notify {
namespace {

constexpr const char* kUsage = R"(usage: brandmon-notify [OPTIONS]
       brandmon-notify [--config PATH] status [--json]
       brandmon-notify [--config PATH] retry RECEIVER
       brandmon-notify config-docs [--format md|man]

Delivers brandmond's alerts to people: subscribes to its alert stream,
routes each alert to the configured receivers (webhook, Slack, Teams,
e-mail, Alertmanager) and keeps each receiver's cursor, so that a restart
of either program loses nothing. See docs/notify.md.

options:
  -c, --config PATH     config file (default: $BRANDMON_NOTIFY_CONFIG, else
                        $CONFIGURATION_DIRECTORY/notify.json under systemd,
                        else /etc/brandmon/notify.json)
      --check-config    validate the config, print the effective config with
                        secrets redacted, and exit 0 (valid) or 3 (invalid)
      --test RECEIVER   send one sample alert to RECEIVER and show its answer
                        (0 when it accepted it, 1 otherwise)
      --log-level LEVEL trace, debug, info, warn or error (overrides the config)
  -h, --help            show this help
      --version         show the version

commands (to the running brandmon-notify, over its control socket):
  status [--json]       per receiver: cursor, delivered, retried, failed, dead
                        letters, last error, next attempt
  retry RECEIVER        re-send RECEIVER's dead letters
  config-docs [--format md|man]
                        print the config reference: Markdown (docs/notify.md's
                        end), or the man page brandmon-notify.json(5)

signals: SIGHUP reloads the config (an invalid one is refused and the running
config kept); SIGTERM and SIGINT stop.

exit status:
  0  ok: stopped cleanly, config valid, test delivered, command answered
  1  runtime failure: startup failed (control socket in use, state directory
     unusable), the test was not delivered, or no answer from the program
  2  usage: unknown option or bad option value
  3  config invalid: the config file is missing, unreadable or invalid
)";

struct Flags {
  std::string config_path;
  std::string log_level;
  std::string test_receiver;
  bool check = false;
  bool json = false;
  std::vector<std::string> command;  // "status", "retry NAME", "config-docs"
};

std::string DefaultConfigPath(const config::EnvLookup& env) {
  if (auto p = env("BRANDMON_NOTIFY_CONFIG"); p && !p->empty()) return *p;
  if (auto d = env("CONFIGURATION_DIRECTORY"); d && !d->empty()) return d->substr(0, d->find(':')) + "/notify.json";
  return "/etc/brandmon/notify.json";
}

// Returns an exit code when the command line is done with (help, version,
// a usage error), else nullopt.
std::optional<int> ParseFlags(const std::vector<std::string>& args, Flags& f) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) {
        std::cerr << "brandmon-notify: " << a << " needs a value\n";
        return false;
      }
      out = args[++i];
      return true;
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else if (a == "--version") {
      std::cout << "brandmon-notify " << BuildVersion() << "\n";
      return kExitOk;
    } else if (a == "-c" || a == "--config") {
      if (!value(f.config_path)) return kExitUsage;
    } else if (a == "--check-config") {
      f.check = true;
    } else if (a == "--test") {
      if (!value(f.test_receiver)) return kExitUsage;
    } else if (a == "--log-level") {
      if (!value(f.log_level)) return kExitUsage;
    } else if (a == "--json" && !f.command.empty()) {
      f.json = true;
    } else if (!a.starts_with("-") || !f.command.empty()) {
      f.command.push_back(a);
    } else {
      std::cerr << "brandmon-notify: unknown option '" << a << "' (see brandmon-notify --help)\n";
      return kExitUsage;
    }
  }
  if (!f.log_level.empty() && !ParseLogLevel(f.log_level)) {
    std::cerr << "brandmon-notify: --log-level must be one of trace, debug, info, warn, error\n";
    return kExitUsage;
  }
  return std::nullopt;
}

Result<NotifyConfig> Load(const Flags& f, const config::EnvLookup& env, const std::vector<ReceiverKind>& kinds) {
  auto config = LoadNotifyConfig(f.config_path, env, kinds);
  if (!config.ok()) {
    std::cerr << config.status().message();
    if (config.status().message().back() != '\n') std::cerr << "\n";
    std::cerr << "brandmon-notify: " << f.config_path << ": config is invalid\n";
  }
  return config;
}

NotifyConfig CommandConfig(const std::string& path, const config::EnvLookup& env,
                           const std::vector<ReceiverKind>& kinds) {
  NotifyConfig config = DefaultNotifyConfig(kinds);
  config::Diagnostics ignored;
  auto tree = config::LoadConfigTree(path, env, ignored);
  if (!tree.ok()) return config;
  if (const config::ConfigValue* dir = tree->root.Find("runtime_dir"); dir != nullptr && dir->is_string()) {
    config.runtime_dir = config::ResolvePath(*dir, dir->as_string());
  }
  return config;
}

int TestReceiver(const NotifyConfig& config, const std::string& name) {
  const ReceiverSettings* r = config.FindReceiver(name);
  if (r == nullptr) {
    std::cerr << "brandmon-notify: no receiver named '" << name << "' in the config\n";
    return kExitUsage;
  }
  auto receiver = r->configured.make();
  Delivery d = SampleDelivery(name, SystemClock::Instance().Now());
  Outcome o = receiver->Deliver(d);
  std::string status = o.http_status ? " (http " + std::to_string(o.http_status) + ")" : "";
  switch (o.kind) {
    case Outcome::Kind::kDelivered: std::cout << name << ": delivered" << status << "\n"; return kExitOk;
    case Outcome::Kind::kRetry:
      std::cout << name << ": not delivered, would be retried" << status << ": " << o.detail << "\n";
      return kExitFailure;
    case Outcome::Kind::kPermanent:
      std::cout << name << ": refused" << status << ": " << o.detail << "\n";
      return kExitFailure;
  }
  return kExitFailure;
}

std::string Text(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return "-";
  if (it->value.IsString()) return it->value.GetString();
  if (it->value.IsUint64()) return std::to_string(it->value.GetUint64());
  if (it->value.IsBool()) return it->value.GetBool() ? "yes" : "no";
  return "-";
}

void PrintStatus(const rapidjson::Value& stream, const rapidjson::Value& receivers) {
  std::cout << "stream: " << Text(stream, "endpoint") << ", seq " << Text(stream, "cursor") << " ("
            << Text(stream, "alerts") << " alerts, " << Text(stream, "caught_up") << " caught up, "
            << Text(stream, "corrupt") << " unreadable)\n";
  if (std::string error = Text(stream, "last_error"); !error.empty() && error != "-") {
    std::cout << "  last error: " << error << "\n";
  }
  std::printf("%-16s %-12s %10s %9s %8s %7s %5s  %s\n", "RECEIVER", "TYPE", "CURSOR", "DELIVERED", "RETRIED", "FAILED",
              "DEAD", "NEXT ATTEMPT / LAST ERROR");
  for (const auto& r : receivers.GetArray()) {
    if (!r.IsObject()) continue;
    std::string next = Text(r, "next_attempt") == "-" ? "" : "next " + Text(r, "next_attempt") + " ";
    std::printf("%-16s %-12s %10s %9s %8s %7s %5s  %s%s\n", Text(r, "name").c_str(), Text(r, "type").c_str(),
                Text(r, "cursor").c_str(), Text(r, "delivered").c_str(), Text(r, "retried").c_str(),
                Text(r, "failed").c_str(), Text(r, "dead_letters").c_str(), next.c_str(),
                Text(r, "last_error").c_str());
    if (std::string quiet = Text(r, "quiet_held"); quiet != "-" && quiet != "0") {
      std::cout << "  quiet hours: " << quiet << " alerts held until " << Text(r, "quiet_until") << "\n";
    }
  }
}

// `config-docs [--format md|man]`.
int ConfigDocs(const std::vector<std::string>& command, const std::vector<ReceiverKind>& kinds) {
  bool man = command.size() == 3 && command[1] == "--format" && command[2] == "man";
  bool md = command.size() == 1 || (command.size() == 3 && command[1] == "--format" && command[2] == "md");
  if (!man && !md) {
    std::cerr << "brandmon-notify: config-docs takes only --format md or --format man\n";
    return kExitUsage;
  }
  std::cout << (man ? NotifyConfigMan(kinds) : NotifyConfigDocs(kinds));
  return kExitOk;
}

int Command(const Flags& f, const NotifyConfig& config, const config::EnvLookup& env) {
  const std::string& cmd = f.command[0];
  std::string request;
  if (cmd == "status" && f.command.size() == 1) {
    request = R"({"cmd":"status"})";
  } else if (cmd == "retry" && f.command.size() == 2) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("cmd");
    w.String("retry");
    w.Key("receiver");
    w.String(f.command[1].c_str());
    w.EndObject();
    request = buf.GetString();
  } else {
    std::cerr << "brandmon-notify: unknown command '" << cmd << "' or wrong arguments (see --help)\n";
    return kExitUsage;
  }
  NotifyPaths paths = ResolveNotifyPaths(config, env);
  control::ControlPeer peer{"brandmon-notify", "brandmon-notify " + cmd,
                            "give brandmon-notify " + cmd + " the service's --config"};
  auto reply = control::CallControl(paths.control_endpoint(), request, std::chrono::seconds(5), peer);
  if (!reply.ok()) {
    std::cerr << "brandmon-notify " << cmd << ": " << reply.status().message() << "\n";
    return kExitFailure;
  }
  rapidjson::Document doc;
  doc.Parse(reply->c_str());
  if (doc.HasParseError() || !doc.IsObject()) {
    std::cerr << "brandmon-notify " << cmd << ": malformed reply\n";
    return kExitFailure;
  }
  if (auto ok = doc.FindMember("ok"); ok != doc.MemberEnd() && ok->value.IsBool() && !ok->value.GetBool()) {
    std::cerr << "brandmon-notify " << cmd << ": " << Text(doc, "error") << "\n";
    return kExitFailure;
  }
  auto stream = doc.FindMember("stream");
  auto receivers = doc.FindMember("receivers");
  if (cmd == "retry") {
    std::cout << "re-sending the dead letters of " << f.command[1] << " (see brandmon-notify status)\n";
  } else if (f.json || stream == doc.MemberEnd() || !stream->value.IsObject() || receivers == doc.MemberEnd() ||
             !receivers->value.IsArray()) {
    std::cout << *reply << "\n";
  } else {
    PrintStatus(stream->value, receivers->value);
  }
  return kExitOk;
}

}  // namespace

int NotifyMain(const std::vector<std::string>& args, const std::vector<ReceiverKind>& kinds) {
  config::EnvLookup env = config::ProcessEnv();
  Flags f;
  if (auto rc = ParseFlags(args, f)) return *rc;
  if (!f.command.empty() && f.command[0] == "config-docs") return ConfigDocs(f.command, kinds);
  if (f.config_path.empty()) f.config_path = DefaultConfigPath(env);
  // The commands only need the runtime directory: they work without the
  // secrets the config names (systemd credentials are the service's only).
  if (!f.command.empty()) return Command(f, CommandConfig(f.config_path, env, kinds), env);
  auto config = Load(f, env, kinds);
  if (!config.ok()) return kExitConfigInvalid;
  if (f.check) {
    std::cout << DumpNotifyConfig(*config, kinds);
    std::cerr << "brandmon-notify: " << f.config_path << ": config is valid\n";
    return kExitOk;
  }
  if (!f.command.empty()) return Command(f, *config, env);
  SetupLogging(DetectLogStyle(), f.log_level.empty() ? config->log_level : f.log_level);
  if (!f.test_receiver.empty()) return TestReceiver(*config, f.test_receiver);
  NotifyProcess process(f.config_path, std::move(*config), kinds, env);
  int rc = process.Run();
  spdlog::shutdown();
  return rc;
}

}  // namespace brandmon::notify
