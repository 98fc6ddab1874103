#include "daemon/notify/notify_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <sstream>

#include "daemon/base/roff.h"
#include "daemon/settings/config_docs.h"

namespace brandmon::notify {

using config::ApplyContext;
using config::ConfigValue;
using config::OptionTable;

namespace {

// A route's match value: one name or glob, or a list of them.
template <typename T>
config::OptionSpec<T> Patterns(std::string key, std::vector<std::string> T::*field, std::string doc) {
  config::OptionSpec<T> spec = config::StrList<T>(std::move(key), field, std::move(doc));
  spec.apply = [field](T& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
    (out.*field).clear();
    if (v == nullptr) return;
    if (v->is_string()) {
      (out.*field).push_back(v->as_string());
      return;
    }
    if (!v->is_array()) {
      ctx.diag.Error(v->pos(), path, "expected a string or an array of strings, got " + config::Describe(*v));
      return;
    }
    for (size_t i = 0; i < v->items().size(); ++i) {
      const ConfigValue& item = v->items()[i];
      if (!item.is_string()) {
        ctx.diag.Error(item.pos(), config::JoinIndex(path, i), "expected a string, got " + config::Describe(item));
      } else {
        (out.*field).push_back(item.as_string());
      }
    }
  };
  return spec;
}

// Receiver names appear in delivery keys ("<name>:<first>-<last>") and on
// the command line: no ':' or spaces.
bool ValidReceiverName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

const ReceiverKind* FindKind(const std::vector<ReceiverKind>& kinds, std::string_view name) {
  for (const auto& k : kinds) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace

const OptionTable<SubscribeOptions>& SubscribeOptionTable() {
  using S = SubscribeOptions;
  static const OptionTable<S> table = {
      config::Str<S>("endpoint", "", &S::endpoint,
                     "brandmond's alert stream (PUB). Empty: a default brandmond's ipc://…/alerts.sock when it "
                     "exists, else tcp://127.0.0.1:5556."),
      config::Str<S>("catchup_endpoint", "", &S::catchup_endpoint,
                     "brandmond's catch-up service (ROUTER). Empty: ipc://…/catchup.sock when it exists, else "
                     "tcp://127.0.0.1:5557."),
      config::Str<S>("server_key", "", &S::server_key,
                     "brandmond's CURVE public key (Z85, its publish.pub) when the stream is encrypted."),
      config::Secret<S>("secret_key", &S::secret_key,
                        "This client's CURVE secret key (Z85, from `brandmonctl keygen`), best "
                        "\"${credential:notify.key}\". Its public key must be in brandmond's allowed_client_keys."),
      config::Dur<S>("catchup_timeout", "10s", {"100ms", "5m"}, &S::catchup_timeout,
                     "How long a catch-up request waits for each reply message."),
      config::Bool<S>("from_journal_start", false, &S::from_journal_start,
                      "Where a receiver never delivered to (a new one) starts: false, with the alerts published "
                      "from now on; true, with every alert still in brandmond's journal."),
  };
  return table;
}

const OptionTable<DeliveryOptions>& DeliveryOptionTable() {
  using D = DeliveryOptions;
  static const OptionTable<D> table = {
      config::Dur<D>("retry_initial", "1s", {"10ms", "10m"}, &D::retry_initial,
                     "First wait before a failed delivery is tried again; doubled (with jitter) each time."),
      config::Dur<D>("retry_max", "5m", {"10ms", "1h"}, &D::retry_max,
                     "Longest wait between two attempts; a receiver that is down is tried at this pace until it "
                     "answers."),
      config::Int<D>("max_group", 100, {1, 10000}, &D::max_group,
                     "Most alerts in one delivery; a group that reaches it is sent at once."),
      config::Int<D>("window_alerts", 10000, {10, 1000000}, &D::window_alerts,
                     "Recent alerts kept in memory for every receiver. A receiver further behind (down for a "
                     "while) reads what it missed from brandmond's catch-up service instead."),
      config::Size<D>("window_bytes", "64MiB", {"64KiB", "4GiB"}, &D::window_bytes,
                      "Most bytes of recent alerts kept in memory."),
  };
  return table;
}

const OptionTable<ReceiverSettings>& ReceiverOptionTable() {
  using R = ReceiverSettings;
  static const OptionTable<R> table = {
      config::Str<R>("name", config::kRequired, &R::name,
                     "Unique name of the receiver, used by routes: letters, digits, '_', '-' and '.'."),
      config::Str<R>("type", config::kRequired, &R::type, "The receiver kind (see below)."),
      config::Int<R>("max_per_minute", 0, {0, 60000}, &R::max_per_minute,
                     "At most this many deliveries a minute, evenly spaced (a digest is one delivery); 0: no "
                     "limit. A 429 answer's Retry-After is honoured either way."),
  };
  return table;
}

const OptionTable<RouteMatch>& RouteMatchOptionTable() {
  using M = RouteMatch;
  static const OptionTable<M> table = {
      Patterns<M>("brand", &M::brand, "Brand name(s) or globs (`acme*`); absent: any brand."),
      Patterns<M>("rule", &M::rule, "Rule name(s) or globs (`volume_spike*`); absent: any rule."),
      Patterns<M>("severity", &M::severity, "Severities (`info`, `warning`, `critical`); absent: any."),
      Patterns<M>("channel", &M::channel,
                  "Channel name(s) or globs; absent: any. An alert without a channel matches only `*`."),
  };
  return table;
}

const OptionTable<RouteSettings>& RouteOptionTable() {
  using R = RouteSettings;
  static const OptionTable<R> table = {
      config::Obj<R>("match", &R::match, &RouteMatchOptionTable,
                     "Which alerts the route takes: every condition given must hold. Absent: every alert."),
      config::StrList<R>("receivers", &R::receivers, "The receivers (by name) that get the route's alerts."),
      config::Bool<R>("continue", false, &R::continue_matching,
                      "Also try the routes after this one when it matched (else the first match wins)."),
      config::Dur<R>("group_wait", "0s", {"0s", "1h"}, &R::group_wait,
                     "How long the first alert of a group (same brand and rule) waits for others, sent together as "
                     "one digest. 0s: every alert goes out alone, at once."),
      config::Dur<R>("group_interval", "5m", {"0s", "24h"}, &R::group_interval,
                     "After a group was sent, how long further alerts of the group are collected before the next "
                     "digest (only with group_wait above 0s)."),
      config::Dur<R>("repeat_interval", "0s", {"0s", "7d"}, &R::repeat_interval,
                     "While an alert of a trend rule (volume_spike, volume_dip, negative_spike, negative_dip) is "
                     "open, that is until its all-clear (`<rule>_clear`) comes, send it again this often, marked "
                     "as a reminder. 0s: once."),
      config::Int<R>("repeat_max", 12, {1, 1000}, &R::repeat_max,
                     "The most reminders of one open alert (with repeat_interval). After the last, the alert is "
                     "no longer reminded of, though brandmond still holds it open: a spike that lasts that long "
                     "is the new level, and its all-clear is then not awaited."),
      QuietHoursOption<R>(&R::quiet_hours,
                          "A daily period in which the route's alerts are held (kept in notify.db, so a restart "
                          "loses none) and go out as one digest when it ends, e.g. {\"from\": \"22:00\", \"to\": "
                          "\"07:00\", \"time_zone\": \"Europe/Berlin\", \"break_through\": [\"critical\"]}. "
                          "Absent: none."),
  };
  return table;
}

const ReceiverSettings* NotifyConfig::FindReceiver(std::string_view name) const {
  for (const auto& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

namespace {

void ApplyReceiver(const ConfigValue& obj, const std::string& path, ApplyContext& ctx,
                   const std::vector<ReceiverKind>& kinds, ReceiverSettings& out) {
  const ReceiverKind* kind = nullptr;
  if (const ConfigValue* type = obj.is_object() ? obj.Find("type") : nullptr; type && type->is_string()) {
    kind = FindKind(kinds, type->as_string());
    if (kind == nullptr) {
      std::vector<std::string_view> names;
      names.reserve(kinds.size());
      for (const auto& k : kinds) names.push_back(k.name);
      std::string msg = "unknown receiver type " + config::Describe(*type);
      std::string hint = type->substituted() ? "" : config::ClosestKey(type->as_string(), names);
      if (!hint.empty()) {
        msg += " (did you mean '" + hint + "'?)";
      } else {
        msg += "; known types:";
        for (auto n : names) msg += " " + std::string(n);
      }
      ctx.diag.Error(type->pos(), config::JoinPath(path, "type"), msg);
    }
  }
  if (obj.is_object() && (kind != nullptr || obj.Find("type") == nullptr)) {
    std::vector<config::OptionInfo> known = config::Infos(ReceiverOptionTable());
    if (kind != nullptr) known.insert(known.end(), kind->options.begin(), kind->options.end());
    config::CheckKeys(obj, path, known, ctx);
  }
  config::ApplyOptions(ReceiverOptionTable(), obj, path, ctx, out);
  if (!out.name.empty() && !ValidReceiverName(out.name)) {
    const ConfigValue* name = obj.Find("name");
    ctx.diag.Error(name->pos(), config::JoinPath(path, "name"),
                   "must be 1-64 letters, digits, '_', '-' or '.', got " + config::Describe(*name));
  }
  if (kind != nullptr) out.configured = kind->configure(obj, path, ctx);
}

void DumpReceiver(const ReceiverSettings& r, config::JsonWriter& w, const config::Redactor* redactor) {
  w.StartObject();
  config::DumpMembers(ReceiverOptionTable(), r, w, redactor);
  if (r.configured.dump_members) r.configured.dump_members(w, redactor);
  w.EndObject();
}

config::OptionSpec<NotifyConfig> ReceiversOption(const std::vector<ReceiverKind>* kinds) {
  config::OptionSpec<NotifyConfig> spec;
  spec.info = {"receivers", config::OptionType::kObjectList,
               false,       "[]",
               "",          "Where alerts go. Each has a name and a type, plus the options of its type (below).",
               {},          [] { return config::Infos(ReceiverOptionTable()); }};
  spec.apply = [kinds](NotifyConfig& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
    out.receivers.clear();
    if (v == nullptr) return;
    if (!v->is_array()) {
      ctx.diag.Error(v->pos(), path, "expected an array of objects, got " + config::Describe(*v));
      return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < v->items().size(); ++i) {
      ReceiverSettings r;
      std::string item_path = config::JoinIndex(path, i);
      ApplyReceiver(v->items()[i], item_path, ctx, *kinds, r);
      if (!r.name.empty() && !names.insert(r.name).second) {
        ctx.diag.Error(v->items()[i].pos(), item_path,
                       "duplicate receiver name " + config::Describe(*v->items()[i].Find("name")));
      }
      out.receivers.push_back(std::move(r));
    }
  };
  spec.dump = [](const NotifyConfig& in, config::JsonWriter& w, const config::Redactor* r) {
    w.Key("receivers");
    w.StartArray();
    for (const auto& rec : in.receivers) DumpReceiver(rec, w, r);
    w.EndArray();
  };
  return spec;
}

}  // namespace

OptionTable<NotifyConfig> NotifyConfigTable(const std::vector<ReceiverKind>& kinds) {
  using N = NotifyConfig;
  return {
      config::StrList<N>("include", &N::include,
                         "Globs of further config files merged into this one (relative to its folder); their "
                         "\"receivers\" and \"routes\" are appended."),
      config::Obj<N>("subscribe", &N::subscribe, &SubscribeOptionTable,
                     "brandmond's alert stream and catch-up service (docs/alerts.md)."),
      config::RestartOnly(config::Path<N>(
          "state_dir", "", &N::state_dir,
          "Where the cursors, counters and dead letters live (notify.db). Empty: $STATE_DIRECTORY (systemd), else "
          "$XDG_STATE_HOME/brandmon-notify, else ~/.local/state/brandmon-notify.")),
      config::RestartOnly(config::Path<N>("runtime_dir", "", &N::runtime_dir,
                                          "Where the control socket lives. Empty: $RUNTIME_DIRECTORY (systemd), else "
                                          "$XDG_RUNTIME_DIR/brandmon-notify, else /tmp/brandmon-notify-$UID.")),
      config::Enum<N>("log_level", "info", {"trace", "debug", "info", "warn", "error"}, &N::log_level,
                      "Least severe log level written."),
      config::Obj<N>("delivery", &N::delivery, &DeliveryOptionTable, "Retries, grouping limits and memory."),
      ReceiversOption(&kinds),
      config::ObjList<N>("routes", &N::routes, &RouteOptionTable,
                         "Which alerts go to which receivers: tried in order, the first that matches wins unless "
                         "it says \"continue\"."),
  };
}

namespace {

bool IsGlob(const std::string& s) { return s.find('*') != std::string::npos; }

void CheckSeverities(const ConfigValue& route, const RouteSettings& r, const std::string& path, ApplyContext& ctx) {
  const ConfigValue* match = route.Find("match");
  const ConfigValue* sev = match != nullptr && match->is_object() ? match->Find("severity") : nullptr;
  if (sev == nullptr) return;
  for (const auto& s : r.match.severity) {
    if (!IsGlob(s) && !ParseSeverity(s)) {
      ctx.diag.Error(sev->pos(), path + ".match.severity",
                     "unknown severity \"" + s + "\"; expected info, warning or critical");
    }
  }
}

// Checks what needs the whole config: every route names known receivers.
void ValidateRoutes(const ConfigValue& root, const NotifyConfig& cfg, ApplyContext& ctx) {
  const ConfigValue* routes = root.Find("routes");
  if (routes == nullptr || !routes->is_array()) return;
  for (size_t i = 0; i < cfg.routes.size() && i < routes->items().size(); ++i) {
    const ConfigValue& item = routes->items()[i];
    std::string path = config::JoinIndex("routes", i);
    if (!item.is_object()) continue;
    CheckSeverities(item, cfg.routes[i], path, ctx);
    const ConfigValue* names = item.Find("receivers");
    if (names == nullptr || (names->is_array() && names->items().empty())) {
      ctx.diag.Error(names != nullptr ? names->pos() : item.pos(), path + ".receivers",
                     "a route needs at least one receiver");
      continue;
    }
    if (!names->is_array()) continue;
    for (size_t j = 0; j < names->items().size(); ++j) {
      const ConfigValue& name = names->items()[j];
      if (!name.is_string() || cfg.FindReceiver(name.as_string()) != nullptr) continue;
      std::vector<std::string_view> known;
      known.reserve(cfg.receivers.size());
      for (const auto& r : cfg.receivers) known.push_back(r.name);
      std::string hint = config::ClosestKey(name.as_string(), known);
      ctx.diag.Error(
          name.pos(), config::JoinIndex(path + ".receivers", j),
          "unknown receiver " + config::Describe(name) + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
}

}  // namespace

Result<NotifyConfig> LoadNotifyConfig(const std::string& path, const config::EnvLookup& env,
                                      const std::vector<ReceiverKind>& kinds) {
  config::Diagnostics diag;
  auto tree = config::LoadConfigTree(path, env, diag);
  if (!tree.ok()) return tree.status();
  NotifyConfig cfg;
  cfg.redactor = tree->redactor;
  cfg.files = tree->files;
  ApplyContext ctx{diag, &cfg.redactor};
  OptionTable<NotifyConfig> table = NotifyConfigTable(kinds);
  config::ApplyTable(table, tree->root, "", ctx, cfg);
  ValidateRoutes(tree->root, cfg, ctx);
  const ConfigValue* sub = tree->root.Find("subscribe");
  if (sub != nullptr && sub->is_object() && cfg.subscribe.server_key.empty() != cfg.subscribe.secret_key.empty()) {
    ctx.diag.Error(sub->pos(), "subscribe", "server_key and secret_key go together");
  }
  if (!diag.ok()) return Status::InvalidArgument(diag.Joined());
  return cfg;
}

NotifyConfig DefaultNotifyConfig(const std::vector<ReceiverKind>& kinds) {
  NotifyConfig cfg;
  config::ApplyDefaults(NotifyConfigTable(kinds), cfg);
  return cfg;
}

std::string DumpNotifyConfig(const NotifyConfig& cfg, const std::vector<ReceiverKind>& kinds) {
  rapidjson::StringBuffer buf;
  config::JsonWriter w(buf);
  w.SetIndent(' ', 2);
  w.RedactPaths(&cfg.redactor);
  config::DumpTable(NotifyConfigTable(kinds), cfg, w, &cfg.redactor);
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

namespace {

constexpr const char* kManHead = R"(.\" -*- coding: UTF-8 -*-
.\" Generated by `brandmon-notify config-docs --format man` from the option tables in the code. Do not edit by hand.
.TH BRANDMON-NOTIFY.JSON 5 "" "brandmon @VERSION@" "brandmon"
.SH NAME
brandmon\-notify.json \- configuration of brandmon\-notify, which delivers brandmon's alerts to people
.SH SYNOPSIS
.I /etc/brandmon/notify.json
.SH DESCRIPTION
)";

constexpr const char* kManIntro =
    R"(brandmon-notify reads one JSON file: `brandmon-notify --config PATH`, else `$BRANDMON_NOTIFY_CONFIG`, else `$CONFIGURATION_DIRECTORY/notify.json` under systemd, else `/etc/brandmon/notify.json`. It is read as brandmond reads its own (brandmon.json(5)): comments and trailing commas, `include`, `${env:NAME}`, `${file:PATH}` and `${credential:NAME}` substitutions, and every error with `file:line:col`. `brandmon-notify --check-config` validates it and prints the effective config with secrets redacted; SIGHUP reloads it.

The config names the **receivers** (where alerts go: each has a `type`, whose options are listed below) and the **routes** (which alerts go to which receivers, grouped how, held through which quiet hours, reminded of how often). How routing, grouping, quiet hours, reminders and delivery work is told in `/usr/share/doc/brandmon/notify.md`; what each receiver kind sends, in `/usr/share/doc/brandmon/receivers.md`.
)";

constexpr const char* kManTail = R"(.SH FILES
.TP
.I /etc/brandmon/notify.json
The default config file, as installed: it delivers to a local webhook, with the other receiver kinds
and routes in comments.
.TP
.I /var/lib/brandmon\-notify/notify.db
The state (\fBstate_dir\fR under the unit): cursors, counters, dead letters, held and open alerts.
.SH "SEE ALSO"
.BR brandmon\-notify (1),
.BR brandmond (8),
.BR brandmon.json (5)
)";

}  // namespace

std::string NotifyConfigDocs(const std::vector<ReceiverKind>& kinds) {
  std::ostringstream out;
  out << "<!-- Generated by `brandmon-notify config-docs` from the option tables in the code. Do not edit by hand. "
         "-->\n\n";
  out << settings::OptionReference("Top level", config::Infos(NotifyConfigTable(kinds)));
  for (const auto& k : kinds) {
    out << "### type `" << k.name << "`\n\n" << k.description << "\n\n";
    if (k.options.empty()) {
      out << "No options of its own.\n\n";
    } else {
      out << settings::OptionTableMarkdown(k.options);
    }
  }
  return out.str();
}

std::string NotifyConfigMan(const std::vector<ReceiverKind>& kinds) {
  std::ostringstream out;
  std::string head = kManHead;
  head.replace(head.find("@VERSION@"), 9, BRANDMON_VERSION);
  out << head << RoffBlocks(kManIntro) << ".SH OPTIONS\n";
  out << settings::OptionReferenceMan("Top level", config::Infos(NotifyConfigTable(kinds)));
  for (const auto& k : kinds) {
    out << ".SS \"" << RoffInline("type `" + k.name + "`") << "\"\n.PP\n" << RoffInline(k.description) << "\n";
    out << (k.options.empty() ? ".PP\nNo options of its own.\n" : settings::OptionTableMan(k.options));
  }
  out << kManTail;
  return out.str();
}

namespace {

std::string FirstOf(const std::string& list) { return list.substr(0, list.find(':')); }

std::string Resolve(const std::string& configured, const char* systemd_var, const char* xdg_var,
                    const std::string& fallback, const config::EnvLookup& env) {
  if (!configured.empty()) return configured;
  if (auto sd = env(systemd_var); sd && !sd->empty()) return FirstOf(*sd);
  if (auto xdg = env(xdg_var); xdg && !xdg->empty()) return *xdg + "/brandmon-notify";
  return fallback;
}

bool IsSocket(const std::string& path) {
  struct stat st {};
  // A socket of another service user (brandmond's DynamicUser) is not ours
  // to open: then the tcp endpoint is the way in.
  return stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && access(path.c_str(), R_OK | W_OK) == 0;
}

}  // namespace

NotifyPaths ResolveNotifyPaths(const NotifyConfig& cfg, const config::EnvLookup& env) {
  NotifyPaths p;
  auto home = env("HOME");
  std::string uid = std::to_string(getuid());
  std::string state_fallback =
      home && !home->empty() ? *home + "/.local/state/brandmon-notify" : "/tmp/brandmon-notify-state-" + uid;
  p.state_dir = Resolve(cfg.state_dir, "STATE_DIRECTORY", "XDG_STATE_HOME", state_fallback, env);
  p.runtime_dir = Resolve(cfg.runtime_dir, "RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR", "/tmp/brandmon-notify-" + uid, env);
  return p;
}

Endpoints ResolveEndpoints(const SubscribeOptions& options, const config::EnvLookup& env) {
  // Where a default brandmond keeps its sockets: its own runtime directory
  // as a user service, /run/brandmon as a system service.
  std::vector<std::string> dirs;
  if (auto xdg = env("XDG_RUNTIME_DIR"); xdg && !xdg->empty()) dirs.push_back(*xdg + "/brandmon");
  dirs.push_back("/run/brandmon");
  auto pick = [&](const std::string& configured, const char* file, const char* tcp) {
    if (!configured.empty()) return configured;
    for (const auto& d : dirs) {
      if (IsSocket(d + "/" + file)) return "ipc://" + d + "/" + file;
    }
    return std::string(tcp);
  };
  return {pick(options.endpoint, "alerts.sock", "tcp://127.0.0.1:5556"),
          pick(options.catchup_endpoint, "catchup.sock", "tcp://127.0.0.1:5557")};
}

}  // namespace brandmon::notify
