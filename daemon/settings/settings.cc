#include "daemon/settings/settings.h"

#include <set>

#include "daemon/match/query.h"

namespace brandmon::settings {

using config::ApplyContext;
using config::ConfigValue;
using config::OptionTable;

const OptionTable<DaemonOptions>& DaemonOptionTable() {
  using D = DaemonOptions;
  static const OptionTable<D> table = {
      config::RestartOnly(config::Path<D>("state_dir", "", &D::state_dir,
                                          "Where the SQLite state lives. Empty: $STATE_DIRECTORY (systemd), else "
                                          "$XDG_STATE_HOME/brandmon, else ~/.local/state/brandmon.")),
      config::RestartOnly(config::Path<D>("runtime_dir", "", &D::runtime_dir,
                                          "Where the ipc sockets live. Empty: $RUNTIME_DIRECTORY (systemd), else "
                                          "$XDG_RUNTIME_DIR/brandmon, else /tmp/brandmon-$UID.")),
      config::Enum<D>("log_level", "info", {"trace", "debug", "info", "warn", "error"}, &D::log_level,
                      "Least severe log level written; --log-level overrides it."),
      config::Dur<D>("shutdown_timeout", "10s", {"1s", "5m"}, &D::shutdown_timeout,
                     "On SIGTERM, how long in-flight work may take before it is aborted."),
      config::Dur<D>("status_interval", "10s", {"1s", "1h"}, &D::status_interval,
                     "How often the systemd STATUS= line is refreshed."),
  };
  return table;
}

namespace {

std::vector<std::string> KindChoices() {
  std::vector<std::string> choices = {""};
  choices.insert(choices.end(), ChannelKindNames().begin(), ChannelKindNames().end());
  return choices;
}

}  // namespace

const OptionTable<SourceSettings>& SourceOptionTable() {
  using S = SourceSettings;
  static const OptionTable<S> table = {
      config::Str<S>("name", config::kRequired, &S::name,
                     "Unique name of the source: letters, digits, '_', '-' and '.'."),
      config::Str<S>("type", config::kRequired, &S::type, "The plugin that reads it (see `brandmonctl plugins`)."),
      config::Bool<S>("enabled", true, &S::enabled,
                      "A disabled source is validated but never polled and needs no secrets."),
      config::Dur<S>("interval", "5m", {"1s", "7d"}, &S::interval, "Time between polls (jittered by up to 10%)."),
      config::Str<S>("channel", "", &S::channel,
                     "Channel name put on its mentions (reddit, youtube...). Empty: the plugin's default."),
      config::Enum<S>("kind", "", KindChoices(), &S::kind,
                      "Kind of channel of every mention: social (posts and comments), review, forum, news, blog or "
                      "video. The rules read it: a post in a social, review or forum kind may be addressed to a "
                      "brand, an article or a video addresses its readers. Empty: the plugin's (a preset's "
                      "default_kind, a feed's news, blog, video or forum, a JSON Lines item's own \"kind\"), else "
                      "the kind of the channel's name (x, mastodon, bluesky, facebook...: social; appstore, "
                      "trustpilot...: review; reddit, hackernews, forum: forum; rss, google_alerts: news; youtube: "
                      "video), else social."),
      config::Str<S>("reply_to", "", &S::reply_to,
                     "The account whose posts this source reads the replies and comments to, e.g. \"@acme\" for "
                     "the comments on a brand's own posts: its mentions are addressed to the brand with that "
                     "handle, and belong to it even when they do not name it. Empty: as each mention says."),
      config::Str<S>("lang", "", &S::lang,
                     "Pin the language of every mention (BCP 47 code). Empty: detect per mention."),
  };
  return table;
}

namespace {

// A brand's "rules": only the keys given override the global "rules"; the
// merge happens in LoadSettings, once both are known.
config::OptionSpec<BrandSettings> BrandRulesOption() {
  config::OptionSpec<BrandSettings> spec;
  spec.info = {"rules", config::OptionType::kObject,
               false,   "",
               "",      "Overrides of the global \"rules\" for this brand; only the keys given change.",
               {},      [] { return config::Infos(rules::RulesOptionTable()); }};
  spec.apply = [](BrandSettings& out, const ConfigValue* v, const std::string&, ApplyContext&) {
    out.rules_overrides.reset();
    if (v != nullptr) out.rules_overrides = *v;
  };
  spec.dump = [](const BrandSettings& in, config::JsonWriter& w, const config::Redactor* r) {
    w.Key("rules");
    config::DumpTable(rules::RulesOptionTable(), in.rules, w, r);
  };
  return spec;
}

}  // namespace

const OptionTable<BrandSettings>& BrandOptionTable() {
  using B = BrandSettings;
  static const OptionTable<B> table = {
      config::Str<B>("name", config::kRequired, &B::name,
                     "Unique brand name, used in alert topics: letters, digits, '_' and '-' (no '.', which "
                     "separates the parts of a topic)."),
      config::Str<B>("query", "", &B::query,
                     "Boolean query that finds the brand's mentions. Empty: the name, handles and hashtags."),
      config::StrList<B>("handles", &B::handles, "The brand's own handles, e.g. [\"@acme\"]."),
      config::StrList<B>("hashtags", &B::hashtags, "The brand's own hashtags, e.g. [\"#acme\"]."),
      config::Str<B>("lang", "", &B::lang, "Pin the language of this brand's mentions. Empty: detect."),
      config::Bool<B>("publish_mentions", false, &B::publish_mentions,
                      "Also publish every matched mention on topic mention.<brand>."),
      config::Bool<B>("diacritic_insensitive", true, &B::diacritic_insensitive,
                      "Match the query's terms with or without diacritics alike (\"nestle\" finds \"Nestlé\", "
                      "\"café\" finds \"CAFE\"). false: a term matches only as written, accents included."),
      config::NumMap<B>("lexicon", {-4, 4}, &B::lexicon,
                        "Sentiment overrides for this brand, word to valence (-4..4), e.g. {\"sick\": 2}."),
      BrandRulesOption(),
  };
  return table;
}

namespace {

// Source names: letters, digits, '_', '-' and '.'. Brand names are part of
// alert topics ("alert.<brand>.<rule>"), where '.' separates the parts, so a
// brand "acme.eu" would reach every subscriber of "alert.acme.": no dot there.
bool ValidName(const std::string& s, bool allow_dot) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              (allow_dot && c == '.');
    if (!ok) return false;
  }
  return true;
}

constexpr char kSourceNameRule[] = "must be 1-64 letters, digits, '_', '-' or '.', got ";
constexpr char kBrandNameRule[] =
    "must be 1-64 letters, digits, '_' or '-' (no '.': it separates the parts of an alert topic), got ";

std::vector<std::string_view> PluginNames(const plugin::Registry& registry) {
  std::vector<std::string_view> names;
  for (const auto& p : registry.all()) names.push_back(p.name);
  return names;
}

// Applies one element of "sources": common options, then the plugin's.
void ApplySource(const ConfigValue& obj, const std::string& path, ApplyContext& ctx, const plugin::Registry& registry,
                 SourceSettings& out) {
  const plugin::PluginInfo* info = nullptr;
  if (const ConfigValue* type = obj.is_object() ? obj.Find("type") : nullptr; type && type->is_string()) {
    info = registry.Find(type->as_string());
    if (info == nullptr) {
      std::string msg = "unknown source type " + config::Describe(*type);
      // A suggestion would tell how close a substituted secret is to a name.
      std::string hint = type->substituted() ? "" : config::ClosestKey(type->as_string(), PluginNames(registry));
      if (!hint.empty()) {
        msg += " (did you mean '" + hint + "'?)";
      } else {
        msg += "; known types:";
        for (auto n : PluginNames(registry)) msg += " " + std::string(n);
      }
      ctx.diag.Error(type->pos(), config::JoinPath(path, "type"), msg);
    }
  }
  if (obj.is_object() && (info != nullptr || obj.Find("type") == nullptr)) {
    std::vector<config::OptionInfo> known = config::Infos(SourceOptionTable());
    if (info != nullptr) known.insert(known.end(), info->options.begin(), info->options.end());
    config::CheckKeys(obj, path, known, ctx);
  }
  config::ApplyOptions(SourceOptionTable(), obj, path, ctx, out);
  if (!out.name.empty() && !ValidName(out.name, /*allow_dot=*/true)) {
    const ConfigValue* name = obj.Find("name");
    ctx.diag.Error(name->pos(), config::JoinPath(path, "name"), kSourceNameRule + config::Describe(*name));
  }
  if (info != nullptr) out.plugin = info->configure(obj, path, ctx);
}

void DumpSource(const SourceSettings& s, config::JsonWriter& w, const config::Redactor* r) {
  static const std::set<std::string> common = [] {
    std::set<std::string> keys;
    for (const auto& spec : SourceOptionTable()) keys.insert(spec.info.key);
    return keys;
  }();
  w.StartObject();
  config::DumpMembers(SourceOptionTable(), s, w, r);
  if (s.plugin.dump_members) s.plugin.dump_members(w, r, common);
  w.EndObject();
}

config::OptionSpec<Settings> SourcesOption(const plugin::Registry* registry) {
  config::OptionSpec<Settings> spec;
  spec.info = {
      "sources", config::OptionType::kObjectList,
      false,     "[]",
      "",        "The channels to poll. Each has the options below plus those of its plugin (`brandmonctl plugins`).",
      {},        [] { return config::Infos(SourceOptionTable()); }};
  spec.apply = [registry](Settings& out, const ConfigValue* v, const std::string& path, ApplyContext& ctx) {
    out.sources.clear();
    if (v == nullptr) return;
    if (!v->is_array()) {
      ctx.diag.Error(v->pos(), path, "expected an array of objects, got " + config::Describe(*v));
      return;
    }
    std::set<std::string> names;
    for (size_t i = 0; i < v->items().size(); ++i) {
      SourceSettings s;
      std::string item_path = config::JoinIndex(path, i);
      ApplySource(v->items()[i], item_path, ctx, *registry, s);
      if (!s.name.empty() && !names.insert(s.name).second) {
        ctx.diag.Error(v->items()[i].pos(), item_path,
                       "duplicate source name " + config::Describe(*v->items()[i].Find("name")));
      }
      out.sources.push_back(std::move(s));
    }
  };
  spec.dump = [](const Settings& in, config::JsonWriter& w, const config::Redactor* r) {
    w.Key("sources");
    w.StartArray();
    for (const auto& s : in.sources) DumpSource(s, w, r);
    w.EndArray();
  };
  return spec;
}

OptionTable<Settings> MakeSettingsTable(const plugin::Registry* registry) {
  using S = Settings;
  return {
      config::StrList<S>("include", &S::include,
                         "Globs of further config files merged into this one (relative to its folder), "
                         "e.g. [\"conf.d/*.json\"]. Their \"sources\" and \"brands\" are appended."),
      config::Obj<S>("daemon", &S::daemon, &DaemonOptionTable, "The daemon process."),
      // The engine builds its fetcher once, at start.
      config::RestartOnly(
          config::Obj<S>("fetch", &S::fetch, &fetch::FetchOptionTable, "Limits of every HTTP transfer.")),
      config::Obj<S>("limits", &S::limits, &plugin::MentionLimitsOptionTable,
                     "Most bytes each field of a mention keeps; a longer field is cut at a UTF-8 boundary and "
                     "named in the mention's \"truncated\" (docs/alerts.md)."),
      // The store is opened once, at start; the pipeline takes what it
      // reads itself from a reload (marked in the store's table).
      config::RestartOnly(
          config::Obj<S>("store", &S::store, &store::StoreOptionTable, "The SQLite state: durability and retention.")),
      // The analyzer loads its lexicons once, at start.
      config::RestartOnly(config::Obj<S>("sentiment", &S::sentiment, &sentiment::SentimentOptionTable,
                                         "Sentiment scoring: languages, lexicon files and overrides.")),
      config::Obj<S>("rules", &S::rules, &rules::RulesOptionTable,
                     "Alert rules and their defaults for every brand; a brand's own \"rules\" override them."),
      // The publisher binds its sockets once, at start.
      config::RestartOnly(
          publish::PublishSection<S>("publish", &S::publish, "Alert publishing over ZeroMQ (docs/alerts.md).")),
      // The listener binds once, at start.
      config::RestartOnly(HttpSection<S>("http", &S::http,
                                         "The HTTP listener: Prometheus /metrics, /healthz and /readyz "
                                         "(docs/metrics.md).")),
      SourcesOption(registry),
      config::ObjList<S>("brands", &S::brands, &BrandOptionTable, "The brands to watch."),
  };
}

// A query that does not parse. The parser's message starts with the
// line:col inside the query and may quote part of it; for a substituted
// query only the placeholder is shown.
void ReportQueryError(const ConfigValue& query, const std::string& path, const std::string& msg, ApplyContext& ctx) {
  if (query.substituted()) {
    ctx.diag.Error(query.pos(), path,
                   "the query in " + query.Placeholder() + " does not parse (try it with brandmonctl match --query)");
    return;
  }
  size_t colon = msg.find(": ");
  std::string where = colon == std::string::npos ? "" : ":" + msg.substr(0, colon);
  std::string what = colon == std::string::npos ? msg : msg.substr(colon + 2);
  ctx.diag.Error(query.pos(), path + where, what);
}

// Per-brand checks that need the whole config: the query compiles, and the
// brand's rule overrides apply over the global rules.
void ValidateBrands(const ConfigValue& root, Settings& settings, ApplyContext& ctx) {
  const ConfigValue* brands = root.Find("brands");
  if (brands == nullptr || !brands->is_array()) return;
  for (size_t i = 0; i < settings.brands.size() && i < brands->items().size(); ++i) {
    BrandSettings& b = settings.brands[i];
    const ConfigValue& item = brands->items()[i];
    std::string bpath = config::JoinIndex("brands", i);
    b.rules = settings.rules;
    if (b.rules_overrides) rules::ApplyRulesOverrides(*b.rules_overrides, bpath + ".rules", ctx, b.rules);
    if (b.query.empty() || !item.is_object()) continue;
    auto parsed = match::ParseQuery(b.query);
    if (!parsed.ok()) ReportQueryError(*item.Find("query"), bpath + ".query", parsed.status().message(), ctx);
  }
}

}  // namespace

OptionTable<Settings> SettingsTable(const plugin::Registry& registry) { return MakeSettingsTable(&registry); }

Result<Settings> LoadSettings(const std::string& path, const config::EnvLookup& env, const plugin::Registry& registry) {
  config::Diagnostics diag;
  auto tree = config::LoadConfigTree(path, env, diag);
  if (!tree.ok()) return tree.status();
  Settings settings;
  settings.redactor = tree->redactor;
  settings.files = tree->files;
  ApplyContext ctx{diag, &settings.redactor};
  OptionTable<Settings> table = MakeSettingsTable(&registry);
  config::ApplyTable(table, tree->root, "", ctx, settings);

  std::set<std::string> brand_names;
  const ConfigValue* brands = tree->root.Find("brands");
  for (size_t i = 0; i < settings.brands.size() && brands != nullptr; ++i) {
    const auto& b = settings.brands[i];
    std::string bpath = config::JoinIndex("brands", i);
    if (b.name.empty()) continue;
    const ConfigValue& item = brands->items()[i];
    const ConfigValue& name = *item.Find("name");
    if (!ValidName(b.name, /*allow_dot=*/false)) {
      ctx.diag.Error(name.pos(), bpath + ".name", kBrandNameRule + config::Describe(name));
    }
    if (!brand_names.insert(b.name).second)
      ctx.diag.Error(item.pos(), bpath, "duplicate brand name " + config::Describe(name));
  }
  ValidateBrands(tree->root, settings, ctx);
  if (!diag.ok()) return Status::InvalidArgument(diag.Joined());
  rapidjson::StringBuffer limits_buf;
  config::JsonWriter limits_writer(limits_buf);
  config::DumpTable(plugin::MentionLimitsOptionTable(), settings.limits, limits_writer, nullptr);
  for (auto& s : settings.sources) {
    s.limits = settings.limits;
    rapidjson::StringBuffer buf;
    config::JsonWriter pretty(buf);
    // A new token is a change a reload must apply, though it prints alike.
    pretty.RevealSecrets();
    DumpSource(s, pretty, nullptr);
    s.fingerprint = std::string(buf.GetString()) + limits_buf.GetString();
  }
  return settings;
}

std::string DumpSettings(const Settings& settings, const plugin::Registry& registry) {
  rapidjson::StringBuffer buf;
  config::JsonWriter w(buf);
  w.SetIndent(' ', 2);
  w.RedactPaths(&settings.redactor);
  OptionTable<Settings> table = MakeSettingsTable(&registry);
  config::DumpTable(table, settings, w, &settings.redactor);
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::vector<config::OptionChange> RestartOnlyChanges(const Settings& running, const Settings& loaded,
                                                     const plugin::Registry& registry) {
  return config::RestartOnlyChanges(SettingsTable(registry), running, running.redactor, loaded, loaded.redactor);
}

}  // namespace brandmon::settings
