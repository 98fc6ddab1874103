#pragma once

#include <string>
#include <string_view>

#include "daemon/base/http_message.h"
#include "daemon/base/status.h"

namespace brandmon::fetch {

// Where a transfer may go: the redirect and private-address rules of
// docs/plugins.md ("Redirects and private addresses"). The fetcher applies
// them to every hop of a transfer, on the address libcurl actually connects
// to, so that neither a redirect nor DNS rebinding can lead around them. All
// functions are pure and thread-safe.

// What one transfer allows.
struct TransferPolicy {
  // The request carries credentials: redirects stay on its origin.
  bool credentials = false;
  AddressRules rules;
};

// The kind of a numeric IPv4 or IPv6 address when it is not a public one:
// "loopback", "link-local", "cloud metadata", "private (RFC 1918)",
// "shared (CGNAT)", "unique-local", "site-local", "unspecified", "multicast",
// "reserved" ("unreadable" for what is no address). "" for a public address.
// IPv4-mapped and NAT64 IPv6 addresses are judged by their IPv4 part.
std::string_view PrivateAddressKind(std::string_view ip);

// Whether a request to `hop_url` may be sent in a transfer that started at
// `first_url` (equal for the first request): never from https to http, and
// only to the first URL's origin (scheme, host, port) when the request
// carries credentials. Errors: InvalidArgument naming the target without its
// query string or user info.
Status CheckRedirect(std::string_view first_url, std::string_view hop_url, const TransferPolicy& policy);

// Whether the transfer may connect to the numeric address `ip` for
// `hop_url`: a private address is refused on a redirect to another host, and
// for every request when the source sets deny_private, unless it sets
// allow_private. Errors: InvalidArgument naming the URL and the address.
Status CheckAddress(std::string_view first_url, std::string_view hop_url, std::string_view ip,
                    const TransferPolicy& policy);

// The protocols libcurl may follow a redirect to from `url`
// (CURLOPT_REDIR_PROTOCOLS_STR): "https" from https, else "http,https".
const char* RedirectProtocols(std::string_view url);

// The host of `url` (lowercase, IPv6 literals without brackets); "" when the
// URL cannot be read.
std::string UrlHost(std::string_view url);

// True when `url` carries a user name or password.
bool HasUserInfo(std::string_view url);

}  // namespace brandmon::fetch
