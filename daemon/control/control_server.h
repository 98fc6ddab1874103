#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"

namespace brandmon::control {

// Answers one request body (JSON) with a reply body (JSON).
using Handler = std::function<std::string(std::string_view request)>;

// The largest request the control socket accepts; bigger ones are dropped by
// libzmq before they reach the handler.
inline constexpr int64_t kMaxRequestBytes = 1 << 20;

// The daemon's control endpoint: a ZeroMQ ROUTER socket on ipc:// whose file
// is chmod-ed to the service user and group. Owned by the main thread.
class ControlServer {
 public:
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Binds `endpoint` (ipc://PATH or tcp://...) and, for ipc, sets the socket
  // file's mode. A stale socket file from a dead daemon is replaced; one a
  // process still listens on is left alone. The destructor removes the file
  // only while it is still the one bound here.
  // Errors: Unavailable naming the endpoint (and "in use by another process").
  static Result<std::unique_ptr<ControlServer>> Bind(const std::string& endpoint, mode_t ipc_mode = 0660);

  // Waits up to `timeout` for a request or for `wake_fd` (>= 0) to become
  // readable, then answers every pending request with `handler`. Malformed
  // envelopes get an error reply; nothing here throws. Returns true when
  // `wake_fd` is readable.
  bool Poll(Duration timeout, int wake_fd, const Handler& handler);

  const std::string& endpoint() const { return endpoint_; }

 private:
  struct Impl;
  explicit ControlServer(std::unique_ptr<Impl> impl, std::string endpoint);
  std::unique_ptr<Impl> impl_;
  std::string endpoint_;
};

}  // namespace brandmon::control
