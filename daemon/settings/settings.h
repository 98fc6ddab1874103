#pragma once

#include <map>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/config/loader.h"
#include "daemon/config/options.h"
#include "daemon/fetch/fetch_options.h"
#include "daemon/plugin/mention_limits.h"
#include "daemon/plugin/registry.h"
#include "daemon/publish/publish_options.h"
#include "daemon/rules/rules_options.h"
#include "daemon/sentiment/options.h"
#include "daemon/settings/http_options.h"
#include "daemon/store/store_options.h"

namespace brandmon::settings {

// Options of the daemon process itself (top-level "daemon" object).
struct DaemonOptions {
  std::string state_dir;
  std::string runtime_dir;
  std::string log_level;
  Duration shutdown_timeout{};
  Duration status_interval{};
};
const config::OptionTable<DaemonOptions>& DaemonOptionTable();

// One entry of "sources": the options every source has, plus its plugin's.
struct SourceSettings {
  std::string name;
  std::string type;
  bool enabled = true;
  Duration interval{};
  std::string channel;
  std::string kind;      // "" or a ChannelKindName()
  std::string reply_to;  // the account whose posts' replies the source reads
  std::string lang;
  plugin::ConfiguredPlugin plugin;  // empty when the type is unknown
  // The global "limits", applied to every mention of this source.
  MentionLimits limits;
  // The effective config of this source as JSON, with the limits; equal
  // fingerprints mean a reload leaves the source untouched.
  std::string fingerprint;
};
const config::OptionTable<SourceSettings>& SourceOptionTable();

// One entry of "brands".
struct BrandSettings {
  std::string name;
  std::string query;
  std::vector<std::string> handles;
  std::vector<std::string> hashtags;
  std::string lang;
  bool publish_mentions = false;
  bool diacritic_insensitive = true;
  std::map<std::string, double> lexicon;
  // The brand's "rules" object as written; LoadSettings applies it over the
  // global "rules" into `rules`.
  std::optional<config::ConfigValue> rules_overrides;
  rules::RulesOptions rules;
};
const config::OptionTable<BrandSettings>& BrandOptionTable();

// The whole validated config. A value type; thread-compatible.
struct Settings {
  std::vector<std::string> include;  // consumed by the loader; kept for docs
  DaemonOptions daemon;
  fetch::FetchOptions fetch;
  MentionLimits limits;
  store::StoreOptions store;
  sentiment::SentimentOptions sentiment;
  rules::RulesOptions rules;  // defaults for every brand
  publish::PublishOptions publish;
  HttpOptions http;
  std::vector<SourceSettings> sources;
  std::vector<BrandSettings> brands;

  config::Redactor redactor;
  std::vector<std::string> files;  // the files the config was read from
};
// The table of the whole config; "sources" accepts the plugins of `registry`.
config::OptionTable<Settings> SettingsTable(const plugin::Registry& registry);

// Loads and validates the config at `path`: every error is collected, each as
// "file:line:col: option.path: message".
// Errors: InvalidArgument whose message is all the error lines.
Result<Settings> LoadSettings(const std::string& path, const config::EnvLookup& env, const plugin::Registry& registry);

// The effective config (defaults filled in, secrets redacted) as pretty JSON.
// REQUIRES: `settings` was loaded with `registry`.
std::string DumpSettings(const Settings& settings, const plugin::Registry& registry);

// The options a reload cannot apply (marked config::RestartOnly) whose values
// differ between `running`, the config the daemon started with, and
// `loaded`, a config read since; a reload applies every other change. Values
// are shown redacted, each by its own config's redactor. REQUIRES: both were
// loaded with `registry`.
std::vector<config::OptionChange> RestartOnlyChanges(const Settings& running, const Settings& loaded,
                                                     const plugin::Registry& registry);

}  // namespace brandmon::settings
