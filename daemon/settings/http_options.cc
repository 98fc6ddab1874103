#include "daemon/settings/http_options.h"

#include <arpa/inet.h>

namespace brandmon::settings {

const config::OptionTable<HttpOptions>& HttpOptionTable() {
  using H = HttpOptions;
  static const config::OptionTable<H> table = {
      config::Str<H>("listen", "127.0.0.1:9464", &H::listen,
                     "Address of /metrics, /healthz and /readyz as HOST:PORT: an IPv4 address or an IPv6 address "
                     "in brackets ([::1]:9464), port 0 for any free one (the log names it). An address that is not "
                     "loopback needs a token. Empty: no listener."),
      config::Secret<H>("token", &H::token,
                        "Bearer token every endpoint but /healthz requires (Authorization: Bearer TOKEN), usually "
                        "\"${credential:NAME}\". Empty: no authentication, allowed on a loopback address only."),
      config::Int<H>("threads", 2, {1, 32}, &H::threads, "Threads serving requests."),
      config::Int<H>("max_connections", 16, {1, 1024}, &H::max_connections,
                     "Connections served or waiting for a thread at once; one more is answered 503 and closed."),
      config::Size<H>("max_header_bytes", "16KiB", {"1KiB", "1MiB"}, &H::max_header_bytes,
                      "Largest request line and headers; a bigger request is answered 400 and closed."),
      config::Size<H>("max_body_bytes", "4KiB", {"0", "1MiB"}, &H::max_body_bytes,
                      "Largest request body (the endpoints take none); a bigger one is answered 413."),
      config::Dur<H>("read_timeout", "5s", {"100ms", "5m"}, &H::read_timeout,
                     "Time a client has to send its whole request; a slower one is cut off."),
      config::Dur<H>("write_timeout", "5s", {"100ms", "5m"}, &H::write_timeout,
                     "Time a client has to take each part of the response."),
      config::Dur<H>("stall_after", "1m", {"5s", "1h"}, &H::stall_after,
                     "/healthz answers 503 when the engine (the scheduler, which waits for the pipeline when its "
                     "queue is full) made no progress for this long."),
  };
  return table;
}

HttpOptions DefaultHttpOptions() {
  HttpOptions out;
  config::ApplyDefaults(HttpOptionTable(), out);
  return out;
}

std::optional<ListenAddress> ParseListenAddress(std::string_view listen, std::string& why) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || (listen.starts_with('[') && colon < listen.find(']'))) {
    why = "has no port (HOST:PORT, e.g. 127.0.0.1:9464)";
    return std::nullopt;
  }
  std::string_view port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos ||
      std::stoi(std::string(port)) > 65535) {
    why = "port \"" + std::string(port) + "\" must be between 0 and 65535";
    return std::nullopt;
  }
  ListenAddress out;
  out.port = std::stoi(std::string(port));
  std::string host(listen.substr(0, colon));
  in_addr v4{};
  in6_addr v6{};
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']' &&
      inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6) == 1) {
    out.host = host.substr(1, host.size() - 2);
    out.loopback = IN6_IS_ADDR_LOOPBACK(&v6);
    return out;
  }
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    out.host = host;
    out.loopback = (ntohl(v4.s_addr) >> 24) == 127;
    return out;
  }
  why = inet_pton(AF_INET6, host.c_str(), &v6) == 1
            ? "an IPv6 address goes in brackets, e.g. [::1]:9464"
            : "host \"" + host + "\" is not an IP address (a host name cannot be bound: write its address)";
  return std::nullopt;
}

namespace detail {

std::pair<std::string, std::string> CheckHttpOptions(const HttpOptions& options) {
  if (options.listen.empty()) return {};
  std::string why;
  std::optional<ListenAddress> address = ParseListenAddress(options.listen, why);
  if (!address) return {"listen", "\"" + options.listen + "\" " + why};
  if (!address->loopback && options.token.empty()) {
    return {"listen", "\"" + options.listen + "\" is not a loopback address: set token to require one"};
  }
  return {};
}

}  // namespace detail

}  // namespace brandmon::settings
