#pragma once

#include <string>

#include "daemon/plugin/registry.h"

namespace brandmon::settings {

// The Markdown config reference (docs/config.md), generated from the option
// tables of the settings and of every plugin in `registry`.
std::string GenerateConfigDocs(const plugin::Registry& registry);

}  // namespace brandmon::settings
