#pragma once

#include <string>
#include <vector>

#include "daemon/plugin/registry.h"

namespace brandmon::process {

// brandmond's whole command line: parses flags, loads the config, runs the
// daemon (or --check-config / --once) and returns the exit code. `registry`
// holds the plugins a config may name (brandmond passes the built-in ones).
int DaemonMain(const std::vector<std::string>& args, const plugin::Registry& registry);

}  // namespace brandmon::process
