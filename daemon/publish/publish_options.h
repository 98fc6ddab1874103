#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/config/options.h"

namespace brandmon::publish {

// Options of the alert publisher (top-level "publish" object). An ipc://
// endpoint with a relative path ("ipc://alerts.sock") lives in the daemon's
// runtime directory; see ResolveEndpoint.
struct PublishOptions {
  std::vector<std::string> endpoints;          // PUB endpoints
  std::vector<std::string> catchup_endpoints;  // ROUTER endpoints of the catch-up service; [] disables it
  int64_t sndhwm = 0;                          // messages queued per subscriber before it is "slow"
  int64_t queue_capacity = 0;                  // alerts handed over by the pipeline, not yet sent
  int64_t backlog = 0;                         // messages held back while a subscriber is slow
  Duration heartbeat_interval{};
  std::string curve_secret_key;                  // Z85; empty: no CURVE
  std::vector<std::string> allowed_client_keys;  // Z85 public keys admitted by the ZAP handler
  std::string zap_domain;
  bool allow_plaintext_tcp = false;
  int64_t catchup_max_entries = 0;   // most entries one catch-up reply carries
  uint64_t catchup_max_request = 0;  // bytes; bigger requests are refused by libzmq
  int64_t catchup_max_sessions = 0;  // catch-up replies in progress at once; more are refused ("busy")
  uint64_t catchup_max_queued = 0;   // bytes of one client's reply held in the daemon, not yet sent
  Duration catchup_stall_timeout{};  // a client that takes nothing for this long is disconnected
};
const config::OptionTable<PublishOptions>& PublishOptionTable();

// PublishOptions at their defaults.
PublishOptions DefaultPublishOptions();

// One cross-option error: the key at fault and the message.
struct OptionError {
  std::string key;
  std::string message;
};

// The checks a single option cannot make: endpoint syntax (see
// CheckEndpoint), an endpoint listed twice, Z85 keys, CURVE without admitted
// clients, plaintext TCP on a non-loopback address without
// allow_plaintext_tcp. Empty when the options are valid.
std::vector<OptionError> CheckPublishOptions(const PublishOptions& options);

// Why libzmq could not bind `endpoint`, or "" when it can: "ipc://PATH" with
// a non-empty path that fits a unix socket address, or "tcp://HOST:PORT" with
// PORT 1..65535 or "*" (any free port) and HOST "*", an IPv4 address, an IPv6
// address in brackets or a network interface of this machine (libzmq does
// not resolve host names when binding).
std::string CheckEndpoint(std::string_view endpoint);

// "ipc://NAME" with a relative NAME becomes "ipc://<runtime_dir>/NAME"; any
// other endpoint is returned as is.
std::string ResolveEndpoint(std::string_view endpoint, std::string_view runtime_dir);

// Whether a tcp:// endpoint binds only to a loopback address (127.0.0.0/8,
// ::1, localhost, lo).
bool IsLoopbackTcp(std::string_view endpoint);

// The "publish" entry of a parent table: PublishOptionTable plus
// CheckPublishOptions, whose errors point at the offending option.
template <typename T>
config::OptionSpec<T> PublishSection(std::string key, PublishOptions T::*field, std::string doc) {
  config::OptionSpec<T> spec = config::Obj<T>(std::move(key), field, &PublishOptionTable, std::move(doc));
  auto apply = spec.apply;
  spec.apply = [apply, field](T& out, const config::ConfigValue* v, const std::string& path,
                              config::ApplyContext& ctx) {
    apply(out, v, path, ctx);
    if (v == nullptr || !v->is_object()) return;
    for (const auto& e : CheckPublishOptions(out.*field)) {
      const config::ConfigValue* at = v->Find(e.key);
      ctx.diag.Error(at != nullptr ? at->pos() : v->pos(), config::JoinPath(path, e.key), e.message);
    }
  };
  return spec;
}

}  // namespace brandmon::publish
