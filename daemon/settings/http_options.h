#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/base/clock.h"
#include "daemon/config/options.h"

namespace brandmon::settings {

// Options of the daemon's HTTP listener (top-level "http" object): the
// address of /metrics, /healthz and /readyz, the bearer token, and the
// bounds that keep a hostile client from hurting the daemon.
struct HttpOptions {
  std::string listen;  // "HOST:PORT"; empty: no listener
  std::string token;   // empty: no authentication (loopback only)
  int64_t threads = 0;
  int64_t max_connections = 0;  // served and waiting at once; more are refused (503)
  uint64_t max_header_bytes = 0;
  uint64_t max_body_bytes = 0;
  Duration read_timeout{};   // for the whole request, headers and body
  Duration write_timeout{};  // for each write of the response
  Duration stall_after{};    // /healthz fails when the engine made no progress this long
};
const config::OptionTable<HttpOptions>& HttpOptionTable();

// HttpOptions at their defaults.
HttpOptions DefaultHttpOptions();

// A "HOST:PORT" the listener can bind: HOST an IPv4 address or an IPv6
// address in brackets, PORT 0 (any free port) to 65535.
struct ListenAddress {
  std::string host;  // without brackets
  int port = 0;
  bool loopback = false;  // 127.0.0.0/8 or ::1
};

// Parses `listen`; on failure returns nullopt and sets `why`.
std::optional<ListenAddress> ParseListenAddress(std::string_view listen, std::string& why);

namespace detail {
// The cross-option error of `options` as (key, message); key empty when none.
std::pair<std::string, std::string> CheckHttpOptions(const HttpOptions& options);
}  // namespace detail

// The "http" entry of a parent table: HttpOptionTable plus the checks a
// single option cannot make (listen syntax; a non-loopback address needs a
// token), whose errors point at the offending option.
template <typename T>
config::OptionSpec<T> HttpSection(std::string key, HttpOptions T::*field, std::string doc) {
  config::OptionSpec<T> spec = config::Obj<T>(std::move(key), field, &HttpOptionTable, std::move(doc));
  auto apply = spec.apply;
  spec.apply = [apply, field](T& out, const config::ConfigValue* v, const std::string& path,
                              config::ApplyContext& ctx) {
    apply(out, v, path, ctx);
    if (v == nullptr || !v->is_object()) return;
    auto [bad_key, message] = detail::CheckHttpOptions(out.*field);
    if (bad_key.empty()) return;
    const config::ConfigValue* at = v->Find(bad_key);
    ctx.diag.Error(at != nullptr ? at->pos() : v->pos(), config::JoinPath(path, bad_key), message);
  };
  return spec;
}

}  // namespace brandmon::settings
