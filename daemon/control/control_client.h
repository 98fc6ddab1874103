#pragma once

// The client side of the control socket, as brandmonctl uses it.

#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"

namespace brandmon::control {

// Who is behind a control socket and who asks: the names the errors give.
struct ControlPeer {
  std::string daemon = "brandmond";                                            // the program that serves the socket
  std::string client = "brandmonctl";                                          // the command the operator ran
  std::string hint = "give brandmonctl the daemon's --config, or --endpoint";  // how to point it elsewhere
};

// Whether a client can reach the control socket file at `path`. Errors:
// Unavailable saying which case it is and what to do: no socket there (the
// daemon is not running, or uses another runtime directory), a socket nobody
// listens on, permission denied (naming the owner, group and mode that
// decide), or another error.
Status CheckSocketReachable(const std::string& path, const ControlPeer& peer = {});

// Sends one request to a control endpoint and waits up to `timeout` for the
// reply. Errors: Unavailable as CheckSocketReachable says for an ipc socket,
// or when the daemon does not answer in time (naming the endpoint and the
// timeout).
Result<std::string> CallControl(const std::string& endpoint, const std::string& request, Duration timeout,
                                const ControlPeer& peer = {});

}  // namespace brandmon::control
