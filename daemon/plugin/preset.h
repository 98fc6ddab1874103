#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/options.h"

namespace brandmon::plugin {

// Reads presets/<name>.json from $BRANDMON_DATA_DIR, the installed data
// folder, then the checkout's conf/presets; a name with a '/' is a path.
// Returns the file's path, or "" when not found. Thread-safe.
std::string FindPreset(const std::string& name);

// The names FindPreset finds (files <name>.json in those folders), sorted,
// each once. Thread-safe.
std::vector<std::string> PresetNames();

// What a plugin accepts in its presets.
struct PresetRules {
  std::string_view type;                         // the plugin's name: a preset's "type" must match
  std::vector<config::OptionInfo> options;       // the keys a preset may set
  std::vector<std::string_view> merged_objects;  // objects merged member by member
};

// When `source` names a `preset`, returns the preset's members under the
// source's: the source wins, except that the objects in
// `rules.merged_objects` are merged member by member. Errors (unknown or
// unreadable preset, a preset for another type, unknown keys in it) are
// reported to `ctx` at their position. Without a preset returns `source`.
config::ConfigValue ApplyPreset(const config::ConfigValue& source, const std::string& path, const PresetRules& rules,
                                config::ApplyContext& ctx);

}  // namespace brandmon::plugin
