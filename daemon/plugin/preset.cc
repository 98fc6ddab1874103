#include "daemon/plugin/preset.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "daemon/config/json_reader.h"

namespace brandmon::plugin {

namespace {

// Where presets are looked up, in order: $BRANDMON_DATA_DIR/presets, the
// installed data folder's, the checkout's conf/presets.
std::vector<std::string> PresetDirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("BRANDMON_DATA_DIR"); env && *env) dirs.push_back(std::string(env) + "/presets");
  std::string builtin = BRANDMON_PRESET_DIRS;
  for (size_t start = 0; start <= builtin.size();) {
    size_t end = builtin.find(':', start);
    if (end == std::string::npos) end = builtin.size();
    dirs.push_back(builtin.substr(start, end - start));
    start = end + 1;
  }
  return dirs;
}

bool IsPresetName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

std::string FindPreset(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (name.find('/') != std::string::npos) return fs::is_regular_file(name, ec) ? name : "";
  if (!IsPresetName(name)) return "";
  for (const auto& d : PresetDirs()) {
    fs::path p = fs::path(d) / (name + ".json");
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return "";
}

std::vector<std::string> PresetNames() {
  namespace fs = std::filesystem;
  std::set<std::string> names;
  for (const auto& d : PresetDirs()) {
    std::error_code ec;
    for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
      std::string stem = it->path().stem().string();
      if (it->path().extension() == ".json" && IsPresetName(stem) && fs::is_regular_file(it->path(), ec)) {
        names.insert(stem);
      }
    }
  }
  return {names.begin(), names.end()};
}

namespace {

config::ConfigValue Merge(const config::ConfigValue& preset, const config::ConfigValue& source,
                          const std::vector<std::string_view>& merged_objects) {
  config::ConfigValue merged = source;
  auto& members = merged.mutable_members();
  for (const auto& pm : preset.members()) {
    if (pm.key == "type" || pm.key == "description") continue;
    auto it = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.key == pm.key; });
    if (it == members.end()) {
      members.push_back(pm);
      continue;
    }
    bool merge_members = std::find(merged_objects.begin(), merged_objects.end(), pm.key) != merged_objects.end();
    if (!merge_members || !pm.value.is_object() || !it->value.is_object()) continue;
    config::ConfigValue combined = pm.value;
    auto& cm = combined.mutable_members();
    for (const auto& sm : it->value.members()) {
      auto c = std::find_if(cm.begin(), cm.end(), [&](const auto& m) { return m.key == sm.key; });
      if (c == cm.end()) {
        cm.push_back(sm);
      } else {
        c->value = sm.value;
      }
    }
    it->value = std::move(combined);
  }
  return merged;
}

}  // namespace

config::ConfigValue ApplyPreset(const config::ConfigValue& source, const std::string& path, const PresetRules& rules,
                                config::ApplyContext& ctx) {
  const config::ConfigValue* preset = source.is_object() ? source.Find("preset") : nullptr;
  if (preset == nullptr || !preset->is_string() || preset->as_string().empty()) return source;
  const std::string& name = preset->as_string();
  const std::string key_path = config::JoinPath(path, "preset");
  std::string file = FindPreset(name);
  if (file.empty()) {
    ctx.diag.Error(
        preset->pos(), key_path,
        "unknown preset " + config::Describe(*preset) + " (see conf/presets/ or $BRANDMON_DATA_DIR/presets)");
    return source;
  }
  auto parsed = config::ParseConfigFile(file);
  if (!parsed.ok()) {
    ctx.diag.Error(preset->pos(), key_path, parsed.status().message());
    return source;
  }
  if (!parsed->is_object()) {
    ctx.diag.Error(parsed->pos(), "preset", "a preset must be a JSON object");
    return source;
  }
  if (const config::ConfigValue* type = parsed->Find("type");
      type && type->is_string() && type->as_string() != rules.type) {
    ctx.diag.Error(preset->pos(), key_path,
                   "preset " + config::Describe(*preset) + " is for \"" + type->as_string() +
                       "\" sources: set \"type\": \"" + type->as_string() + "\"");
    return source;
  }
  std::vector<config::OptionInfo> known = rules.options;
  known.push_back({"type", config::OptionType::kString, false, "", "", "", {}, {}});
  known.push_back({"description", config::OptionType::kString, false, "", "", "", {}, {}});
  config::CheckKeys(*parsed, "preset", known, ctx);
  return Merge(*parsed, source, rules.merged_objects);
}

}  // namespace brandmon::plugin
