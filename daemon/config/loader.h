#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/config/diagnostics.h"
#include "daemon/config/value.h"

namespace brandmon::config {

// Looks up an environment variable; swapped out by tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();

// The config tree after includes and substitutions, with the files it came
// from (for reload diagnostics) and the secrets to hide when printing.
struct LoadedTree {
  ConfigValue root;
  std::vector<std::string> files;
  Redactor redactor;
};

// Reads `path`, merges the files its top-level "include" globs name (relative
// to its folder; arrays such as "sources" and "brands" are appended, objects
// merged, a scalar set twice is an error), and replaces ${env:NAME},
// ${file:PATH} and ${credential:NAME} in strings ("$${" is a literal "${").
// Objects with "enabled": false are not substituted, so a disabled source
// needs no secret. Every problem is added to `diag`; the tree is returned
// whenever the main file parsed at all.
// Errors: NotFound/InvalidArgument when the main file is unreadable or not JSON.
Result<LoadedTree> LoadConfigTree(const std::string& path, const EnvLookup& env, Diagnostics& diag);

}  // namespace brandmon::config
