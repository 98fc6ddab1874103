#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/publish/messages.h"

namespace brandmon::publish {

// CURVE credentials of a client; all empty for plaintext (ipc or loopback).
struct ClientKeys {
  std::string server_public_key;  // Z85
  std::string public_key;         // Z85
  std::string secret_key;         // Z85
  bool enabled() const { return !server_public_key.empty(); }
};

// One multipart [topic, json] message.
struct Message {
  std::string topic;
  std::string payload;
};

// The client side of docs/alerts.md: a SUB socket on the alert stream and
// catch-up requests to the ROUTER service. libzmq reconnects both by itself
// when the daemon restarts. Owned by one thread (thread-compatible).
class Subscriber {
 public:
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Connects to `endpoint` subscribed to each of `topics` (prefixes).
  // `catchup_endpoint` may be empty (CatchUp then fails).
  // Errors: InvalidArgument for a malformed endpoint or key.
  static Result<std::unique_ptr<Subscriber>> Connect(const std::string& endpoint, const std::string& catchup_endpoint,
                                                     const std::vector<std::string>& topics, const ClientKeys& keys);

  // Waits up to `timeout` for one message; nullopt when none came.
  // Errors: Unavailable when the socket fails.
  Result<std::optional<Message>> Receive(Duration timeout);

  // Asks the catch-up service for `request` and hands each entry, in seq
  // order, to `on_entry`. Returns the end marker. `timeout` bounds the wait
  // for each reply message. Errors: Unavailable when nothing answers in time,
  // InvalidArgument with the server's error message, Corrupt for a malformed
  // reply.
  Result<CatchupEnd> CatchUp(const CatchupRequest& request, const std::function<void(Message&&)>& on_entry,
                             Duration timeout);

 private:
  struct Impl;
  explicit Subscriber(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brandmon::publish
