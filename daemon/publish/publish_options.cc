#include "daemon/publish/publish_options.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/un.h>
#include <zmq.h>

#include <cstring>
#include <set>

namespace brandmon::publish {
namespace {

using P = PublishOptions;

// A string list whose default is not empty: StrList, with `defaults` used when
// the option is absent.
config::OptionSpec<P> ListWithDefault(std::string key, std::vector<std::string> defaults,
                                      std::vector<std::string> P::*field, std::string doc) {
  config::OptionSpec<P> spec = config::StrList<P>(std::move(key), field, std::move(doc));
  std::string text = "[";
  for (const auto& d : defaults) text += (text.size() > 1 ? ", \"" : "\"") + d + "\"";
  spec.info.default_text = text + "]";
  auto apply = spec.apply;
  spec.apply = [apply, defaults, field](P& out, const config::ConfigValue* v, const std::string& path,
                                        config::ApplyContext& ctx) {
    apply(out, v, path, ctx);
    if (v == nullptr) out.*field = defaults;
  };
  return spec;
}

bool IsZ85Key(const std::string& key) {
  if (key.size() != 40) return false;
  uint8_t raw[32];
  return zmq_z85_decode(raw, key.c_str()) != nullptr;
}

std::string CheckPort(std::string_view port) {
  const std::string expected =
      "port \"" + std::string(port) + "\" must be between 1 and 65535 (or * for any free port)";
  if (port == "*") return "";
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
    return expected;
  }
  int n = std::stoi(std::string(port));
  return n >= 1 && n <= 65535 ? "" : expected;
}

std::string CheckTcpHost(std::string_view host) {
  std::string h(host);
  if (h == "*") return "";
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') {
    in6_addr addr6{};
    if (inet_pton(AF_INET6, h.substr(1, h.size() - 2).c_str(), &addr6) == 1) return "";
    return "host " + h + " is not an IPv6 address";
  }
  in_addr addr{};
  if (inet_pton(AF_INET, h.c_str(), &addr) == 1) return "";
  in6_addr addr6{};
  if (inet_pton(AF_INET6, h.c_str(), &addr6) == 1) return "an IPv6 address goes in brackets, e.g. tcp://[::1]:5556";
  if (!h.empty() && h.size() < IF_NAMESIZE && if_nametoindex(h.c_str()) != 0) return "";
  return "host \"" + h +
         "\" is not *, an IP address or a network interface of this machine (a host name cannot be bound: "
         "write its address, e.g. tcp://127.0.0.1:5556)";
}

void CheckEndpoints(const std::vector<std::string>& endpoints, const char* key, bool curve, bool allow_plaintext,
                    std::vector<OptionError>& out) {
  for (const auto& e : endpoints) {
    if (std::string why = CheckEndpoint(e); !why.empty()) {
      out.push_back({key, "endpoint \"" + e + "\": " + why});
    } else if (e.starts_with("tcp://") && !curve && !allow_plaintext && !IsLoopbackTcp(e)) {
      out.push_back({key, "endpoint \"" + e +
                              "\" is not loopback: set curve_secret_key (and allowed_client_keys), or "
                              "allow_plaintext_tcp to publish unencrypted"});
    }
  }
}

// An endpoint listed twice (in one list or both) cannot be bound twice.
void CheckDuplicates(const PublishOptions& options, std::vector<OptionError>& out) {
  std::set<std::string> seen;
  for (const auto* list : {&options.endpoints, &options.catchup_endpoints}) {
    const char* key = list == &options.endpoints ? "endpoints" : "catchup_endpoints";
    for (const auto& e : *list) {
      if (e.ends_with(":*")) continue;  // every "*" port is a different free port
      if (!seen.insert(e).second) out.push_back({key, "endpoint \"" + e + "\" is listed twice"});
    }
  }
}

}  // namespace

const config::OptionTable<PublishOptions>& PublishOptionTable() {
  static const config::OptionTable<P> table = {
      ListWithDefault("endpoints", {"ipc://alerts.sock", "tcp://127.0.0.1:5556"}, &P::endpoints,
                      "PUB endpoints alerts are published on (multipart [topic, json]). A relative ipc:// path "
                      "lives in the daemon's runtime_dir. tcp://HOST:PORT takes a port of 1 to 65535 (or * for any "
                      "free one) and a host that is *, an IP address ([::1] for IPv6) or a network interface; host "
                      "names cannot be bound. A tcp:// address that is not loopback needs CURVE "
                      "(curve_secret_key) or allow_plaintext_tcp."),
      ListWithDefault("catchup_endpoints", {"ipc://catchup.sock", "tcp://127.0.0.1:5557"}, &P::catchup_endpoints,
                      "ROUTER endpoints answering catch-up requests from the journal; [] disables catch-up. The "
                      "same rules as endpoints apply; a loopback tcp:// endpoint without CURVE lets every local user "
                      "read the whole journal: list only the ipc:// endpoint to keep it to the service's user and "
                      "group."),
      config::Int<P>("sndhwm", 10000, {10, 10000000}, &P::sndhwm,
                     "Messages queued for one subscriber before it counts as slow."),
      config::Int<P>("queue_capacity", 100000, {100, 10000000}, &P::queue_capacity,
                     "Alerts the pipeline may hand over before the publisher thread sends them; beyond it they "
                     "are dropped (counted, and still available through catch-up)."),
      config::Int<P>("backlog", 10000, {0, 10000000}, &P::backlog,
                     "Messages held back while a subscriber is at its sndhwm; beyond it the oldest are dropped "
                     "(counted as dropped_slow_subscriber)."),
      config::Dur<P>("heartbeat_interval", "5s", {"100ms", "1h"}, &P::heartbeat_interval,
                     "A heartbeat carrying the last seq goes out after this long without a message."),
      config::Secret<P>("curve_secret_key", &P::curve_secret_key,
                        "Z85 CURVE secret key of the server (40 characters, from `brandmonctl keygen`), usually "
                        "\"${credential:NAME}\" or \"${file:PATH}\". When set, tcp:// endpoints require CURVE and "
                        "admit only allowed_client_keys; ipc:// endpoints rely on their file permissions."),
      config::StrList<P>("allowed_client_keys", &P::allowed_client_keys,
                         "Z85 CURVE public keys of the subscribers admitted when curve_secret_key is set."),
      config::Str<P>("zap_domain", "brandmon", &P::zap_domain,
                     "ZAP domain of the CURVE sockets (must not be empty: an empty one disables authentication)."),
      config::Bool<P>("allow_plaintext_tcp", false, &P::allow_plaintext_tcp,
                      "Allow unencrypted tcp:// endpoints on non-loopback addresses."),
      config::Int<P>("catchup_max_entries", 100000, {1, 10000000}, &P::catchup_max_entries,
                     "Most journal entries one catch-up reply carries; a client asks again from the last seq."),
      config::Size<P>("catchup_max_request", "4KiB", {"256", "1MiB"}, &P::catchup_max_request,
                      "Largest catch-up request accepted; bigger ones are refused."),
      config::Int<P>("catchup_max_sessions", 16, {1, 1024}, &P::catchup_max_sessions,
                     "Catch-up replies served at once (a reply counts until its client has taken all of it); a "
                     "request beyond them is answered with a \"busy\" error."),
      config::Size<P>("catchup_max_queued", "1MiB", {"64KiB", "256MiB"}, &P::catchup_max_queued,
                      "Bytes of one client's catch-up reply the daemon holds while the client has not read them; "
                      "at the limit the reply waits for the client."),
      config::Dur<P>("catchup_stall_timeout", "10s", {"1s", "1h"}, &P::catchup_stall_timeout,
                     "A catch-up client that takes nothing of its reply for this long is disconnected and what "
                     "was held for it is freed."),
  };
  return table;
}

PublishOptions DefaultPublishOptions() {
  PublishOptions out;
  config::ApplyDefaults(PublishOptionTable(), out);
  return out;
}

std::string CheckEndpoint(std::string_view endpoint) {
  if (!endpoint.starts_with("ipc://") && !endpoint.starts_with("tcp://")) return "must start with ipc:// or tcp://";
  std::string_view rest = endpoint.substr(6);
  if (rest.empty()) return "has no address";
  if (endpoint.starts_with("ipc://")) {
    // A relative path grows by the runtime directory; that is checked at bind.
    if (rest.size() >= sizeof(sockaddr_un::sun_path)) {
      return "the path is longer than " + std::to_string(sizeof(sockaddr_un::sun_path) - 1) +
             " bytes, the limit of a unix socket";
    }
    return "";
  }
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || (rest.front() == '[' && colon < rest.find(']'))) {
    return "has no port (tcp://HOST:PORT)";
  }
  if (std::string why = CheckPort(rest.substr(colon + 1)); !why.empty()) return why;
  return CheckTcpHost(rest.substr(0, colon));
}

std::vector<OptionError> CheckPublishOptions(const PublishOptions& options) {
  std::vector<OptionError> out;
  bool curve = !options.curve_secret_key.empty();
  CheckEndpoints(options.endpoints, "endpoints", curve, options.allow_plaintext_tcp, out);
  CheckEndpoints(options.catchup_endpoints, "catchup_endpoints", curve, options.allow_plaintext_tcp, out);
  CheckDuplicates(options, out);
  if (options.endpoints.empty()) out.push_back({"endpoints", "at least one endpoint is needed"});
  if (curve && !IsZ85Key(options.curve_secret_key)) {
    // The value is a secret: never echo it.
    out.push_back({"curve_secret_key", "must be a 40-character Z85 key (see brandmonctl keygen)"});
  }
  for (const auto& k : options.allowed_client_keys) {
    if (!IsZ85Key(k)) out.push_back({"allowed_client_keys", "\"" + k + "\" is not a 40-character Z85 public key"});
  }
  if (curve && options.allowed_client_keys.empty()) {
    out.push_back({"allowed_client_keys", "curve_secret_key is set but no client key is allowed"});
  }
  if (curve && options.zap_domain.empty()) {
    out.push_back({"zap_domain", "must not be empty when curve_secret_key is set (it would disable authentication)"});
  }
  return out;
}

std::string ResolveEndpoint(std::string_view endpoint, std::string_view runtime_dir) {
  std::string e(endpoint);
  if (!endpoint.starts_with("ipc://")) return e;
  std::string_view path = endpoint.substr(6);
  if (path.empty() || path[0] == '/' || path[0] == '@') return e;
  std::string dir(runtime_dir);
  if (!dir.empty() && dir.back() != '/') dir += '/';
  return "ipc://" + dir + std::string(path);
}

bool IsLoopbackTcp(std::string_view endpoint) {
  if (!endpoint.starts_with("tcp://")) return false;
  std::string_view rest = endpoint.substr(6);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string host(rest.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost" || host == "lo" || host == "::1") return true;
  in_addr addr{};
  if (inet_pton(AF_INET, host.c_str(), &addr) != 1) return false;
  return (ntohl(addr.s_addr) >> 24) == 127;
}

}  // namespace brandmon::publish
