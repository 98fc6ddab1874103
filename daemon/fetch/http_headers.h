#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/http_message.h"

namespace brandmon::fetch {

// What a response's caching and rate-limit headers ask of the scheduler. All
// functions are pure and thread-safe.

// Retry-After as delta-seconds ("120") or an HTTP date, relative to `now`;
// nullopt when absent or unreadable. A date in the past gives zero.
std::optional<Duration> RetryAfter(const HttpResponse& response, WallTime now);

// Cache-Control max-age (s-maxage is for shared caches and ignored); nullopt
// when absent, and zero for no-cache / no-store.
std::optional<Duration> MaxAge(const HttpResponse& response);

// When the response says the rate limit is used up (X-RateLimit-Remaining,
// x-rate-limit-remaining or RateLimit-Remaining equal to 0), the time until
// the matching reset header: epoch seconds (X, GitHub) or delta seconds
// (the IETF RateLimit-Reset), told apart by size. nullopt otherwise.
std::optional<Duration> RateLimitWait(const HttpResponse& response, WallTime now);

// The URL as it may appear in logs and errors: scheme, host, port and path,
// without user info, query string or fragment, which may carry tokens.
std::string LoggableUrl(std::string_view url);

// True for header names whose values are credentials (Authorization,
// Cookie, *-Token, *-Key, ...): never printed.
bool IsSecretHeader(std::string_view name);

}  // namespace brandmon::fetch
