#pragma once

#include <string>
#include <string_view>

#include "daemon/base/status.h"
#include "daemon/config/value.h"

namespace brandmon::config {

// Parses config JSON: comments (// and /* */) and trailing commas allowed,
// nesting capped at 64 levels. Every value remembers its file:line:col.
// Errors: InvalidArgument "file:line:col: <what is wrong>".
Result<ConfigValue> ParseConfigText(std::string_view text, const std::string& file_name);

// Reads and parses a file (at most 16 MiB). Errors name the path.
Result<ConfigValue> ParseConfigFile(const std::string& path);

}  // namespace brandmon::config
