#include "daemon/fetch/fetch_options.h"

namespace brandmon::fetch {

const config::OptionTable<FetchOptions>& FetchOptionTable() {
  using F = FetchOptions;
  static const config::OptionTable<F> table = {
      config::Int<F>("max_connections", 64, {1, 10000}, &F::max_connections,
                     "Open HTTP connections for all sources together."),
      config::Int<F>("max_per_host", 2, {1, 64}, &F::max_per_host,
                     "Transfers to one host at a time (politeness); others wait their turn."),
      config::Dur<F>("slot_time", "5s", {"100ms", "30m"}, &F::slot_time,
                     "How long a transfer holds one of its host's max_per_host slots. A slower one runs on "
                     "outside them, so that one slow path does not hold up the host's other sources; a host never "
                     "has more than twice max_per_host transfers at once."),
      config::Dur<F>("connect_timeout", "10s", {"1s", "5m"}, &F::connect_timeout,
                     "Time allowed to connect (DNS, TCP and TLS)."),
      config::Dur<F>("timeout", "60s", {"1s", "30m"}, &F::timeout,
                     "Time allowed for a whole transfer, redirects included."),
      config::Dur<F>("low_speed_time", "30s", {"1s", "30m"}, &F::low_speed_time,
                     "A transfer slower than low_speed_limit for this long is aborted."),
      config::Int<F>("low_speed_limit", 16, {1, 1 << 30}, &F::low_speed_limit,
                     "Bytes per second below which a transfer counts as stalled."),
      config::Size<F>("max_body", "10MiB", {"1KiB", "1GiB"}, &F::max_body,
                      "Largest response body (after decompression); a larger one aborts the transfer."),
      config::Int<F>("max_redirects", 5, {0, 20}, &F::max_redirects, "Redirects followed per request."),
      config::Path<F>("ca_file", "", &F::ca_file,
                      "PEM file of CA certificates to trust instead of the system's. TLS verification "
                      "cannot be turned off."),
      config::Str<F>("user_agent", "", &F::user_agent, "User-Agent header. Empty: brandmon/<version>."),
  };
  return table;
}

std::string DefaultUserAgent() { return std::string("brandmon/") + BRANDMON_VERSION; }

}  // namespace brandmon::fetch
