#pragma once

#include <string>
#include <vector>

namespace brandmon::engine {

// brandmond's whole command line: parses flags, loads the config, runs the
// daemon (or --check-config / --once) and returns the exit code.
int DaemonMain(const std::vector<std::string>& args);

}  // namespace brandmon::engine
