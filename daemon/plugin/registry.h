#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/config/options.h"
#include "daemon/plugin/plugin.h"

namespace brandmon::plugin {

// One source's validated plugin options: makes plugin instances and dumps the
// options for the effective config.
struct ConfiguredPlugin {
  std::function<std::unique_ptr<Plugin>()> make;
  std::function<void(config::JsonWriter&, const config::Redactor*)> dump_members;
};

// A source type users can name in `sources[].type`.
struct PluginInfo {
  enum class Kind { kHttp, kPoll };
  std::string name;
  std::string description;
  Kind kind = Kind::kHttp;
  std::vector<config::OptionInfo> options;
  // Fills the plugin's options from a source object, reporting errors to
  // `ctx`. Unknown keys are checked by the caller over the union of the
  // engine's source options and `options`.
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

// Builds a PluginInfo for a plugin class P constructed from Options.
template <typename Options, typename P>
PluginInfo MakePluginInfo(std::string name, std::string description, PluginInfo::Kind kind,
                          const config::OptionTable<Options>& (*table)()) {
  PluginInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.kind = kind;
  info.options = config::Infos(table());
  info.configure = [table](const config::ConfigValue& source, const std::string& path, config::ApplyContext& ctx) {
    auto options = std::make_shared<Options>();
    config::ApplyOptions(table(), source, path, ctx, *options);
    ConfiguredPlugin out;
    out.make = [options]() -> std::unique_ptr<Plugin> { return std::make_unique<P>(*options); };
    out.dump_members = [options, table](config::JsonWriter& w, const config::Redactor* r) {
      config::DumpMembers(table(), *options, w, r);
    };
    return out;
  };
  return info;
}

}  // namespace brandmon::plugin
