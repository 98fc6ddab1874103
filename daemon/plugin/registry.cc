#include "daemon/plugin/registry.h"

#include <cassert>

namespace brandmon::plugin {

void Registry::Register(PluginInfo info) {
  assert(Find(info.name) == nullptr && "plugin registered twice");
  plugins_.push_back(std::move(info));
}

const PluginInfo* Registry::Find(std::string_view name) const {
  for (const auto& p : plugins_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

}  // namespace brandmon::plugin
