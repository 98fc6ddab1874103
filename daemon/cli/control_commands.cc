// Subcommands that talk to a running brandmond over its control socket.

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <iomanip>
#include <ostream>

#include "daemon/base/safe_text.h"
#include "daemon/base/time_parse.h"
#include "daemon/base/units.h"
#include "daemon/cli/command.h"
#include "daemon/control/control_client.h"
#include "daemon/settings/paths.h"
#include "daemon/settings/settings.h"

namespace brandmon::cli {
namespace {

constexpr Duration kDefaultTimeout = std::chrono::seconds(30);

struct ControlArgs {
  std::string endpoint;
  std::string config_path;
  Duration timeout = kDefaultTimeout;  // for the daemon's answer
  bool json = false;
  std::vector<std::string> positional;
};

// Parses --endpoint, --config, --timeout and --json; anything else starting
// with '-' is an error.
bool ParseControlArgs(Invocation& inv, const char* name, ControlArgs& out) {
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& a = inv.args[i];
    if ((a == "--endpoint" || a == "--config" || a == "-c") && i + 1 < inv.args.size()) {
      (a == "--endpoint" ? out.endpoint : out.config_path) = inv.args[++i];
    } else if (a == "--timeout" && i + 1 < inv.args.size()) {
      auto d = ParseDuration(inv.args[++i]);
      if (!d || d->count() <= 0) {
        inv.err << "brandmonctl " << name << ": --timeout expects a duration like \"5s\", got \"" << inv.args[i]
                << "\"\n";
        return false;
      }
      out.timeout = *d;
    } else if (a == "--json") {
      out.json = true;
    } else if (!a.empty() && a[0] == '-') {
      inv.err << "brandmonctl " << name << ": unknown option '" << a << "'\n";
      return false;
    } else {
      out.positional.push_back(a);
    }
  }
  return true;
}

// The control endpoint: --endpoint, else the runtime directory of --config
// (or of the environment, as brandmond resolves it). Only daemon.runtime_dir
// is read from the config, leniently: `reload` must reach the daemon even when
// the file now has errors, so that the daemon reports them.
Result<std::string> ResolveEndpoint(const ControlArgs& args) {
  if (!args.endpoint.empty()) return args.endpoint;
  settings::DaemonOptions daemon;
  config::ApplyDefaults(settings::DaemonOptionTable(), daemon);
  if (!args.config_path.empty()) {
    config::Diagnostics ignored;
    auto tree = config::LoadConfigTree(args.config_path, config::ProcessEnv(), ignored);
    if (!tree.ok()) return tree.status();
    const config::ConfigValue* d = tree->root.Find("daemon");
    const config::ConfigValue* dir = d != nullptr && d->is_object() ? d->Find("runtime_dir") : nullptr;
    if (dir != nullptr && dir->is_string()) daemon.runtime_dir = dir->as_string();
  }
  return settings::ResolvePaths(daemon, config::ProcessEnv()).control_endpoint();
}

Result<rapidjson::Document> Call(const ControlArgs& args, const std::string& request) {
  auto endpoint = ResolveEndpoint(args);
  if (!endpoint.ok()) return endpoint.status();
  auto reply = control::CallControl(*endpoint, request, args.timeout);
  if (!reply.ok()) return reply.status();
  rapidjson::Document doc;
  doc.Parse(reply->c_str());
  if (doc.HasParseError() || !doc.IsObject()) return Status::Corrupt("malformed reply from " + *endpoint);
  return doc;
}

// The reply as pretty JSON (--json).
int PrintJson(const rapidjson::Document& reply, std::ostream& out) {
  rapidjson::StringBuffer buf;
  config::JsonWriter w(buf);
  reply.Accept(w);
  out << buf.GetString() << "\n";
  return 0;
}

// "12s ago" / "in 5m" for an RFC 3339 time, "-" when absent.
std::string Relative(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "-";
  auto t = ParseRfc3339(it->value.GetString());
  if (!t) return it->value.GetString();
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(*t - SystemClock::Instance().Now());
  std::string d = FormatDuration(std::chrono::duration_cast<Duration>(secs.count() < 0 ? -secs : secs));
  return secs.count() <= 0 ? d + " ago" : "in " + d;
}

// A string of the status reply as a terminal may show it: errors and names
// can carry text from remote servers and programs.
std::string Str(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "-";
  return EscapeUnsafe(std::string_view(it->value.GetString(), it->value.GetStringLength()));
}

// A text member of a reply that may hold several lines (a rejected reload's
// config errors): each line made safe for a terminal, the line ends kept.
std::string Lines(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString()) return "";
  std::string_view text(it->value.GetString(), it->value.GetStringLength());
  std::string out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    out += EscapeUnsafe(text.substr(0, end));
    out += '\n';
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return out;
}

// The "pending_restart" entries of a reply, or nullptr when there are none.
const rapidjson::Value* PendingRestart(const rapidjson::Value& reply) {
  auto it = reply.FindMember("pending_restart");
  if (it == reply.MemberEnd() || !it->value.IsArray() || it->value.Empty()) return nullptr;
  return &it->value;
}

// A value of the reply as compact JSON, as a terminal may show it.
std::string CompactJson(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) return "-";
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  it->value.Accept(w);
  return EscapeUnsafe(std::string_view(buf.GetString(), buf.GetSize()));
}

}  // namespace

int RunReload(Invocation& inv) {
  ControlArgs args;
  if (!ParseControlArgs(inv, "reload", args)) return 2;
  auto reply = Call(args, R"({"cmd":"reload"})");
  if (!reply.ok()) {
    inv.err << "brandmonctl reload: " << reply.status().message() << "\n";
    return 1;
  }
  // The reload happened even when some changes wait for a restart: exit 0.
  if ((*reply)["ok"].IsTrue()) {
    inv.out << "reloaded";
    if (const rapidjson::Value* pending = PendingRestart(*reply)) {
      inv.out << "; needs a restart to apply:";
      for (const auto& c : pending->GetArray()) inv.out << (&c == pending->Begin() ? " " : ", ") << Str(c, "key");
    }
    inv.out << "\n";
    return 0;
  }
  inv.err << "brandmonctl reload: " << Lines(*reply, "error") << Lines(*reply, "errors");
  return 1;
}

int RunStatus(Invocation& inv) {
  ControlArgs args;
  if (!ParseControlArgs(inv, "status", args)) return 2;
  auto reply = Call(args, R"({"cmd":"status"})");
  if (!reply.ok()) {
    inv.err << "brandmonctl status: " << reply.status().message() << "\n";
    return 1;
  }
  const rapidjson::Document& s = *reply;
  if (args.json) return PrintJson(s, inv.out);
  auto num = [&](const rapidjson::Value& obj, const char* key) -> uint64_t {
    auto it = obj.FindMember(key);
    return it != obj.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
  };
  inv.out << "brandmond " << Str(s, "version") << " (pid " << num(s, "pid") << "), up " << num(s, "uptime_s") << "s, "
          << num(s, "rss_bytes") / (1024 * 1024) << " MiB resident\n"
          << Str(s, "status") << "\n"
          << "stored " << num(s, "mentions_stored") << " mentions and " << num(s, "alerts")
          << " alerts since start; last seq " << num(s, "last_seq") << "\n";
  auto store = s.FindMember("store");
  if (store != s.MemberEnd() && store->value.IsObject()) {
    const rapidjson::Value& st = store->value;
    bool failing = Str(st, "state") == "failing";
    inv.out << "store: " << (failing ? "FAILING" : "ok") << ", " << num(st, "write_errors") << " write errors";
    if (failing) {
      inv.out << "; oldest pending write waits "
              << FormatDuration(std::chrono::seconds(static_cast<int64_t>(num(st, "oldest_pending_s"))))
              << ", polls held";
    }
    if (Str(st, "last_error") != "-")
      inv.out << "; last error " << Relative(st, "last_error_at") << ": " << Str(st, "last_error");
    inv.out << "\n";
  }
  if (s.HasMember("brands") && s["brands"].IsArray() && !s["brands"].Empty()) {
    inv.out << "\n"
            << std::left << std::setw(24) << "BRAND" << std::setw(16) << "MENTIONS TODAY"
            << "ALERTS TODAY\n";
    for (const auto& b : s["brands"].GetArray()) {
      inv.out << std::setw(24) << Str(b, "name") << std::setw(16) << num(b, "mentions_today") << num(b, "alerts_today")
              << "\n";
    }
  }
  if (s.HasMember("last_reload_error") && s["last_reload_error"].IsString()) {
    inv.out << "last reload rejected:\n" << s["last_reload_error"].GetString();
  }
  if (const rapidjson::Value* pending = PendingRestart(s)) {
    inv.out << "config changes that need a restart to apply (running -> config file):\n";
    for (const auto& c : pending->GetArray()) {
      inv.out << "  " << Str(c, "key") << ": " << CompactJson(c, "running") << " -> " << CompactJson(c, "configured")
              << "\n";
    }
  }
  inv.out << "\n"
          << std::left << std::setw(24) << "SOURCE" << std::setw(10) << "TYPE" << std::setw(10) << "MENTIONS"
          << std::setw(16) << "LAST SUCCESS" << std::setw(14) << "NEXT POLL"
          << "LAST ERROR\n";
  if (s.HasMember("sources") && s["sources"].IsArray()) {
    for (const auto& src : s["sources"].GetArray()) {
      std::string err = Str(src, "last_error");
      bool paused = src.HasMember("paused") && src["paused"].IsTrue();
      inv.out << std::setw(24) << (Str(src, "name") + (paused ? " (paused)" : "")) << std::setw(10) << Str(src, "type")
              << std::setw(10) << (src.HasMember("mentions") ? src["mentions"].GetUint64() : 0) << std::setw(16)
              << Relative(src, "last_success") << std::setw(14) << Relative(src, "next_poll")
              << (err.empty() ? "-" : err) << "\n";
    }
  }
  return 0;
}

int RunSources(Invocation& inv) {
  ControlArgs args;
  if (!ParseControlArgs(inv, "sources", args)) return 2;
  auto reply = Call(args, R"({"cmd":"sources"})");
  if (!reply.ok()) {
    inv.err << "brandmonctl sources: " << reply.status().message() << "\n";
    return 1;
  }
  const rapidjson::Document& s = *reply;
  if (args.json) return PrintJson(s, inv.out);
  inv.out << std::left << std::setw(24) << "SOURCE" << std::setw(10) << "TYPE" << std::setw(10) << "ENABLED"
          << std::setw(10) << "INTERVAL"
          << "CHANNEL\n";
  if (s.HasMember("sources") && s["sources"].IsArray()) {
    for (const auto& src : s["sources"].GetArray()) {
      bool enabled = src.HasMember("enabled") && src["enabled"].IsTrue();
      inv.out << std::setw(24) << Str(src, "name") << std::setw(10) << Str(src, "type") << std::setw(10)
              << (enabled ? "yes" : "no") << std::setw(10) << Str(src, "interval") << Str(src, "channel") << "\n";
    }
  }
  return 0;
}

namespace {

// poll-now, pause and resume: one SOURCE argument, an ok/error reply.
int RunSourceCommand(Invocation& inv, const std::string& cmd, const std::string& done) {
  ControlArgs args;
  if (!ParseControlArgs(inv, cmd.c_str(), args)) return 2;
  if (args.positional.size() != 1) {
    inv.err << "brandmonctl " << cmd << ": expected one SOURCE name\n";
    return 2;
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("cmd");
  w.String(cmd);
  w.Key("source");
  w.String(args.positional[0]);
  w.EndObject();
  auto reply = Call(args, buf.GetString());
  if (!reply.ok()) {
    inv.err << "brandmonctl " << cmd << ": " << reply.status().message() << "\n";
    return 1;
  }
  if (!(*reply)["ok"].IsTrue()) {
    inv.err << "brandmonctl " << cmd << ": " << Str(*reply, "error") << "\n";
    return 1;
  }
  inv.out << done << " " << args.positional[0] << "\n";
  return 0;
}

}  // namespace

int RunPollNow(Invocation& inv) { return RunSourceCommand(inv, "poll-now", "polling"); }
int RunPause(Invocation& inv) { return RunSourceCommand(inv, "pause", "paused"); }
int RunResume(Invocation& inv) { return RunSourceCommand(inv, "resume", "resumed"); }

}  // namespace brandmon::cli
