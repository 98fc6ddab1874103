#pragma once

#include <string>

#include "daemon/base/status.h"
#include "daemon/config/loader.h"

namespace brandmon::settings {

struct DaemonOptions;

// Where the daemon keeps its state (SQLite) and its sockets.
struct Paths {
  std::string state_dir;
  std::string runtime_dir;
  std::string control_endpoint() const { return "ipc://" + runtime_dir + "/control.sock"; }
};

// Resolves each directory from the config when set, else systemd's
// $STATE_DIRECTORY / $RUNTIME_DIRECTORY, else the XDG defaults
// ($XDG_STATE_HOME/brandmon or ~/.local/state/brandmon; $XDG_RUNTIME_DIR/brandmon
// or /tmp/brandmon-<uid>).
Paths ResolvePaths(const DaemonOptions& options, const config::EnvLookup& env);

// Creates `dir` and its missing parents (mode 0700 when created): the state
// directory first, the runtime directory once the daemon owns the state.
// Errors: Unavailable naming the directory and the reason.
Status CreatePrivateDirectory(const std::string& dir);

}  // namespace brandmon::settings
