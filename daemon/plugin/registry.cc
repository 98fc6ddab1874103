#include "daemon/plugin/registry.h"

#include <cassert>

namespace brandmon::plugin {

void Registry::Register(PluginInfo info) {
  assert(Find(info.name) == nullptr && "plugin registered twice");
  plugins_.push_back(std::move(info));
}

const config::OptionTable<AddressRules>& AddressRuleTable() {
  using A = AddressRules;
  static const config::OptionTable<A> table = {
      config::Bool<A>("deny_private", false, &A::deny_private,
                      "Refuse to connect when the source's own URL resolves to a private address (loopback, "
                      "link-local and cloud metadata, RFC 1918, CGNAT, unique-local). Default: true for a source "
                      "that names a preset, false otherwise, so that local feeds keep working."),
      config::Bool<A>("allow_private", false, &A::allow_private,
                      "Let redirects to another host reach private addresses (refused by default), and lift "
                      "deny_private."),
  };
  return table;
}

AddressRules ApplyAddressRules(const config::ConfigValue& source, const config::ConfigValue& merged,
                               const std::string& path, config::ApplyContext& ctx) {
  AddressRules rules;
  if (!merged.is_object()) return rules;  // the plugin's own table reports it
  config::ApplyOptions(AddressRuleTable(), merged, path, ctx, rules);
  const config::ConfigValue* preset = source.is_object() ? source.Find("preset") : nullptr;
  bool named_preset = preset != nullptr && preset->is_string() && !preset->as_string().empty();
  if (named_preset && merged.Find("deny_private") == nullptr) rules.deny_private = true;
  const config::ConfigValue* deny = merged.Find("deny_private");
  if (rules.allow_private && deny != nullptr && deny->is_bool() && deny->as_bool()) {
    ctx.diag.Error(deny->pos(), config::JoinPath(path, "deny_private"),
                   "contradicts allow_private: true (set only one of them)");
  }
  // allow_private lifts the preset's default.
  if (rules.allow_private) rules.deny_private = false;
  return rules;
}

const PluginInfo* Registry::Find(std::string_view name) const {
  for (const auto& p : plugins_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace brandmon::plugin
