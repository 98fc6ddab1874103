#pragma once

// brandmon-notify's config: where to subscribe, where to keep state, the
// receivers and the routes that send alerts to them. One table per object,
// as the daemon's settings; the receivers' own options come from their kind
// (receiver.h).

#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/config/loader.h"
#include "daemon/config/options.h"
#include "daemon/notify/quiet_hours.h"
#include "daemon/notify/receiver.h"

namespace brandmon::notify {

// Top-level "subscribe": brandmond's alert stream (docs/alerts.md).
struct SubscribeOptions {
  std::string endpoint;          // empty: the default brandmond's (DefaultEndpoints)
  std::string catchup_endpoint;  // likewise
  std::string server_key;        // Z85 public key of brandmond; empty: no CURVE
  std::string secret_key;        // Z85 secret key of this client
  Duration catchup_timeout{};
  bool from_journal_start = false;  // a receiver without a cursor starts at seq 0
};
const config::OptionTable<SubscribeOptions>& SubscribeOptionTable();

// Top-level "delivery": pacing, retries and memory of the delivery side.
struct DeliveryOptions {
  Duration retry_initial{};
  Duration retry_max{};
  int max_group = 0;      // alerts per delivery at most
  int window_alerts = 0;  // recent alerts kept in memory for every receiver
  uint64_t window_bytes = 0;
};
const config::OptionTable<DeliveryOptions>& DeliveryOptionTable();

// One entry of "receivers": its name and kind, then the kind's options.
struct ReceiverSettings {
  std::string name;
  std::string type;
  int max_per_minute = 0;         // deliveries a minute at most, evenly spaced; 0: no limit
  ConfiguredReceiver configured;  // empty when the type is unknown
};
const config::OptionTable<ReceiverSettings>& ReceiverOptionTable();

// "match" of a route: each list holds names or `*` globs; an empty list
// matches anything.
struct RouteMatch {
  std::vector<std::string> brand;
  std::vector<std::string> rule;
  std::vector<std::string> severity;
  std::vector<std::string> channel;
};
const config::OptionTable<RouteMatch>& RouteMatchOptionTable();

// One entry of "routes".
struct RouteSettings {
  RouteMatch match;  // all empty when the route has no "match"
  std::vector<std::string> receivers;
  bool continue_matching = false;
  Duration group_wait{};
  Duration group_interval{};
  Duration repeat_interval{};             // 0: open trend alerts are sent once
  int repeat_max = 12;                    // reminders of one open alert at most
  std::optional<QuietHours> quiet_hours;  // absent: alerts go out at any hour
};
const config::OptionTable<RouteSettings>& RouteOptionTable();

// The whole validated config. A value type; thread-compatible.
struct NotifyConfig {
  std::vector<std::string> include;
  SubscribeOptions subscribe;
  std::string state_dir;
  std::string runtime_dir;
  std::string log_level;
  DeliveryOptions delivery;
  std::vector<ReceiverSettings> receivers;
  std::vector<RouteSettings> routes;

  config::Redactor redactor;
  std::vector<std::string> files;

  const ReceiverSettings* FindReceiver(std::string_view name) const;
};

// The table of the whole config; "receivers" accepts the kinds in `kinds`.
// REQUIRES: `kinds` outlives the table.
config::OptionTable<NotifyConfig> NotifyConfigTable(const std::vector<ReceiverKind>& kinds);

// Loads and validates the config at `path`: every error is collected as
// "file:line:col: option.path: message" (unknown and duplicate receiver
// names, routes naming no known receiver, bad globs...).
// Errors: InvalidArgument whose message is all the error lines; NotFound
// when the file is missing.
Result<NotifyConfig> LoadNotifyConfig(const std::string& path, const config::EnvLookup& env,
                                      const std::vector<ReceiverKind>& kinds);

// The config with every option at its default and no receiver: what runs
// without a config file.
NotifyConfig DefaultNotifyConfig(const std::vector<ReceiverKind>& kinds);

// The effective config (defaults filled in, secrets redacted) as pretty JSON.
std::string DumpNotifyConfig(const NotifyConfig& config, const std::vector<ReceiverKind>& kinds);

// The Markdown reference of the config (docs/notify.md's generated part).
std::string NotifyConfigDocs(const std::vector<ReceiverKind>& kinds);

// The same reference as the man page brandmon-notify.json(5), in groff
// (docs/man/brandmon-notify.json.5).
std::string NotifyConfigMan(const std::vector<ReceiverKind>& kinds);

// Where state and sockets live, from the config, else systemd's
// $STATE_DIRECTORY / $RUNTIME_DIRECTORY, else $XDG_STATE_HOME/brandmon-notify
// (~/.local/state/brandmon-notify) and $XDG_RUNTIME_DIR/brandmon-notify
// (/tmp/brandmon-notify-$UID).
struct NotifyPaths {
  std::string state_dir;
  std::string runtime_dir;
  std::string control_endpoint() const { return "ipc://" + runtime_dir + "/control.sock"; }
  std::string state_file() const { return state_dir + "/notify.db"; }
};
NotifyPaths ResolveNotifyPaths(const NotifyConfig& config, const config::EnvLookup& env);

// The endpoints to subscribe to: the configured ones, else a default
// brandmond's ipc sockets when they exist (in $XDG_RUNTIME_DIR/brandmon or
// /run/brandmon), else tcp://127.0.0.1:5556 and :5557.
struct Endpoints {
  std::string stream;
  std::string catchup;
};
Endpoints ResolveEndpoints(const SubscribeOptions& options, const config::EnvLookup& env);

}  // namespace brandmon::notify
