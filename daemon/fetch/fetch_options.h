#pragma once

#include <cstdint>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/config/options.h"

namespace brandmon::fetch {

// Limits and identity of every HTTP transfer (top-level "fetch" object).
// A plain value type; thread-compatible.
struct FetchOptions {
  int64_t max_connections = 64;  // open connections, all hosts together
  int64_t max_per_host = 2;      // politeness: connections to one host
  // How long a transfer holds one of its host's max_per_host slots; a slower
  // one runs on outside them, up to twice max_per_host per host in all.
  Duration slot_time{std::chrono::seconds(5)};
  Duration connect_timeout{std::chrono::seconds(10)};
  Duration timeout{std::chrono::seconds(60)};
  Duration low_speed_time{std::chrono::seconds(30)};
  int64_t low_speed_limit = 16;          // bytes/s below which low_speed_time aborts
  uint64_t max_body = 10 * 1024 * 1024;  // decoded body bytes
  int64_t max_redirects = 5;
  std::string ca_file;     // empty: the system's CA store
  std::string user_agent;  // empty: "brandmon/<version>"
};

const config::OptionTable<FetchOptions>& FetchOptionTable();

// "brandmon/<version>": the User-Agent sent when FetchOptions::user_agent
// is empty.
std::string DefaultUserAgent();

}  // namespace brandmon::fetch
