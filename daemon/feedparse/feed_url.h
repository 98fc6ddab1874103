#pragma once

#include <string>
#include <string_view>

namespace brandmon::feedparse {

// Resolves `ref` against `base` (RFC 3986). Surrounding whitespace is
// trimmed; an absolute `ref` or an empty/unusable `base` leaves `ref` as it
// is. Thread-safe.
std::string ResolveUrl(std::string_view base, std::string_view ref);

// The target of a known redirector link (Google Alerts' "google.com/url?...&url=X"),
// percent-decoded; other URLs are returned unchanged. Thread-safe.
std::string UnwrapRedirect(std::string_view url);

// `s` percent-encoded for a URL's path or query: every byte but ASCII letters,
// digits and "-_.~" becomes %XX. Thread-safe.
std::string PercentEncode(std::string_view s);

// The host of an absolute http(s) URL as written (no port or user), or "".
std::string_view UrlHost(std::string_view url);

}  // namespace brandmon::feedparse
