#pragma once

// What an HTTP source asks to fetch and what came back: the vocabulary shared
// by the plugins (which build requests and parse responses), the fetcher
// (which performs them) and the poll scheduler.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brandmon {

using Headers = std::vector<std::pair<std::string, std::string>>;

// What an HTTP plugin asks the scheduler to fetch.
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  // Set by the plugin when the request carries credentials (a configured
  // header, a token in the URL or the body): its redirects are then followed
  // on the same origin only. The fetcher also counts credential-named headers
  // (Authorization, *-Key, *-Token...) and user info in the URL.
  bool credentials = false;
};

// Which addresses an HTTP source may reach: the options `deny_private` and
// `allow_private` every HTTP source has (see plugin::AddressRuleTable() and
// docs/plugins.md, "Redirects and private addresses"). Private addresses are
// loopback, link-local (cloud metadata), RFC 1918, CGNAT, unique-local and
// the like.
struct AddressRules {
  // The source's own URL must not reach a private address either.
  bool deny_private = false;
  // No address is refused: redirects may lead to private addresses.
  bool allow_private = false;
};

// What the scheduler fetched. Header names are lowercase.
struct HttpResponse {
  int status = 0;
  std::string url;  // after redirects
  Headers headers;
  std::string body;

  // The first header named `name` (lowercase), or nullptr.
  const std::string* Header(std::string_view name) const;
  // The charset parameter of Content-Type, lowercase, or "".
  std::string Charset() const;
};

}  // namespace brandmon
