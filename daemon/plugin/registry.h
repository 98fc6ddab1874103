#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "daemon/config/options.h"
#include "daemon/plugin/plugin.h"
#include "daemon/plugin/preset.h"

namespace brandmon::plugin {

// One source's validated plugin options: makes plugin instances and dumps the
// options for the effective config, leaving out the keys in `written` (the
// options every source has, which a plugin may also read: a feed preset's
// `channel`), so that the source object names each key once.
struct ConfiguredPlugin {
  std::function<std::unique_ptr<Plugin>()> make;
  std::function<void(config::JsonWriter&, const config::Redactor*, const std::set<std::string>& written)> dump_members;
  // HTTP plugins: where the source's transfers may go.
  AddressRules address_rules;
};

// The options every HTTP source has besides its plugin's own: `deny_private`
// (default true when the source names a preset, else false) and
// `allow_private`.
const config::OptionTable<AddressRules>& AddressRuleTable();

// A source type users can name in `sources[].type`.
struct PluginInfo {
  enum class Kind { kHttp, kPoll };
  std::string name;
  std::string description;
  Kind kind = Kind::kHttp;
  std::vector<config::OptionInfo> options;
  // Fills the plugin's options from a source object, reporting errors to
  // `ctx`. Unknown keys are checked by the caller over the union of the
  // source options every source has and `options`.
  std::function<ConfiguredPlugin(const config::ConfigValue& source, const std::string& path, config::ApplyContext& ctx)>
      configure;
};

// The set of known plugins. Filled once by RegisterBuiltinPlugins() before
// any thread starts, read-only after.
class Registry {
 public:
  void Register(PluginInfo info);
  const PluginInfo* Find(std::string_view name) const;
  const std::vector<PluginInfo>& all() const { return plugins_; }

 private:
  std::vector<PluginInfo> plugins_;
};

// Both defined in the generated plugins_generated.cc (library brandmon_plugins).
// The process-wide registry, filled with every plugin built in on first use.
const Registry& BuiltinRegistry();
void RegisterBuiltinPlugins(Registry& registry);

// What a plugin adds to reading its options from the table.
template <typename Options>
struct PluginConfig {
  // A source may name a `preset` of this plugin's type (see preset.h); these
  // objects are merged member by member with the source's.
  bool presets = false;
  std::vector<std::string_view> preset_merged_objects;
  // Checks across options (and values derived from the source), run on the
  // source merged with its preset once the options applied without error.
  std::function<void(Options& options, const config::ConfigValue& source, const config::ConfigValue& merged,
                     const std::string& path, config::ApplyContext& ctx)>
      finish;
};

// Reads `deny_private` and `allow_private` from a source merged with its
// preset (`source` is the source as written: naming a preset turns
// deny_private on unless the source or the preset sets it).
AddressRules ApplyAddressRules(const config::ConfigValue& source, const config::ConfigValue& merged,
                               const std::string& path, config::ApplyContext& ctx);

// Builds a PluginInfo for a plugin class P constructed from Options.
template <typename Options, typename P>
PluginInfo MakePluginInfo(std::string name, std::string description, PluginInfo::Kind kind,
                          const config::OptionTable<Options>& (*table)(), PluginConfig<Options> extra = {}) {
  PluginInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.kind = kind;
  info.options = config::Infos(table());
  if (kind == PluginInfo::Kind::kHttp) {
    for (auto& o : config::Infos(AddressRuleTable())) info.options.push_back(std::move(o));
  }
  info.configure = [table, extra, kind, type = info.name](const config::ConfigValue& source, const std::string& path,
                                                          config::ApplyContext& ctx) {
    size_t errors_before = ctx.diag.errors().size();
    std::vector<config::OptionInfo> preset_keys = config::Infos(table());
    if (kind == PluginInfo::Kind::kHttp) {
      for (auto& o : config::Infos(AddressRuleTable())) preset_keys.push_back(std::move(o));
    }
    config::ConfigValue merged =
        extra.presets ? ApplyPreset(source, path, {type, preset_keys, extra.preset_merged_objects}, ctx) : source;
    auto options = std::make_shared<Options>();
    config::ApplyOptions(table(), merged, path, ctx, *options);
    AddressRules rules;
    if (kind == PluginInfo::Kind::kHttp) rules = ApplyAddressRules(source, merged, path, ctx);
    // Without its preset a source lacks most options: one error is enough.
    if (extra.finish && merged.is_object() && ctx.diag.errors().size() == errors_before) {
      extra.finish(*options, source, merged, path, ctx);
    }
    ConfiguredPlugin out;
    out.make = [options]() -> std::unique_ptr<Plugin> { return std::make_unique<P>(*options); };
    out.dump_members = [options, table, kind, rules](config::JsonWriter& w, const config::Redactor* r,
                                                     const std::set<std::string>& written) {
      for (const auto& spec : table()) {
        if (written.count(spec.info.key) == 0) spec.dump(*options, w, r);
      }
      if (kind == PluginInfo::Kind::kHttp) config::DumpMembers(AddressRuleTable(), rules, w, r);
    };
    out.address_rules = rules;
    return out;
  };
  return info;
}

}  // namespace brandmon::plugin
