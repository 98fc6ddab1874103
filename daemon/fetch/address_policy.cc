#include "daemon/fetch/address_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <memory>
#include <optional>

#include "daemon/fetch/http_headers.h"

namespace brandmon::fetch {

namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStrDeleter {
  void operator()(char* p) const { curl_free(p); }
};

struct Origin {
  std::string scheme;
  std::string host;
  std::string port;
  bool user_info = false;
  bool operator==(const Origin& o) const { return scheme == o.scheme && host == o.host && port == o.port; }
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Parsed by libcurl's own URL parser, so that the rules see the URL as the
// transfer does (IPv6 literals, default ports, odd spellings).
std::optional<Origin> ParseOrigin(std::string_view url) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u) return std::nullopt;
  std::string text(url);
  if (curl_url_set(u.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) return std::nullopt;
  auto part = [&](CURLUPart which, unsigned flags) -> std::optional<std::string> {
    char* raw = nullptr;
    if (curl_url_get(u.get(), which, &raw, flags) != CURLUE_OK || raw == nullptr) return std::nullopt;
    std::unique_ptr<char, CurlStrDeleter> owned(raw);
    return std::string(raw);
  };
  Origin o;
  auto scheme = part(CURLUPART_SCHEME, 0);
  auto host = part(CURLUPART_HOST, 0);
  auto port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host) return std::nullopt;
  o.scheme = Lower(*scheme);
  o.host = Lower(*host);
  if (o.host.size() >= 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
  // A zone id ("fe80::1%eth0") does not change what the address is.
  if (size_t zone = o.host.find('%'); zone != std::string::npos && o.host.find(':') != std::string::npos) {
    o.host.resize(zone);
  }
  while (!o.host.empty() && o.host.back() == '.') o.host.pop_back();  // "example.com." is example.com
  o.port = port.value_or("");
  o.user_info = part(CURLUPART_USER, 0).has_value() || part(CURLUPART_PASSWORD, 0).has_value();
  return o;
}

std::string_view Ipv4Kind(uint32_t a) {
  auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (a == 0xA9FEA9FE || a == 0xA9FEAA02 || a == 0x646464C8) return "cloud metadata";  // 169.254.169.254,
  // 169.254.170.2 (ECS), 100.100.100.200 (Alibaba)
  if (in(0x00000000, 8)) return "unspecified";
  if (in(0x7F000000, 8)) return "loopback";
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return "private (RFC 1918)";
  if (in(0x64400000, 10)) return "shared (CGNAT)";
  if (in(0xA9FE0000, 16)) return "link-local";
  if (in(0xC0000000, 24) || in(0xC6120000, 15)) return "reserved";  // IETF assignments, benchmarking
  if (in(0xE0000000, 4)) return "multicast";
  if (in(0xF0000000, 4)) return "reserved";  // with the broadcast address
  return "";
}

std::string_view Ipv6Kind(const std::array<uint8_t, 16>& b) {
  auto zero = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      if (b[i] != 0) return false;
    }
    return true;
  };
  auto v4 = [&]() { return uint32_t{b[12]} << 24 | uint32_t{b[13]} << 16 | uint32_t{b[14]} << 8 | uint32_t{b[15]}; };
  if (zero(0, 16)) return "unspecified";
  if (zero(0, 15) && b[15] == 1) return "loopback";
  if (zero(0, 10) && b[10] == 0xff && b[11] == 0xff) return Ipv4Kind(v4());  // ::ffff:a.b.c.d
  if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(4, 12)) return Ipv4Kind(v4());  // NAT64
  if (zero(0, 12)) return "reserved";  // the deprecated ::a.b.c.d
  static constexpr std::array<uint8_t, 16> kAwsMetadata = {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0,    0,
                                                           0,    0,    0,    0,    0, 0, 0x02, 0x54};
  if (b == kAwsMetadata) return "cloud metadata";  // fd00:ec2::254
  if ((b[0] & 0xfe) == 0xfc) return "unique-local";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "site-local";
  if (b[0] == 0xff) return "multicast";
  return "";
}

Status Refused(std::string_view hop_url, const std::string& why) {
  return Status::InvalidArgument("redirect to " + LoggableUrl(hop_url) + " refused: " + why);
}

}  // namespace

std::string_view PrivateAddressKind(std::string_view ip) {
  std::string text(ip);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (size_t zone = text.find('%'); zone != std::string::npos) text.resize(zone);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return Ipv4Kind(ntohl(v4.s_addr));
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) return Ipv6Kind(v6);
  return "unreadable";
}

Status CheckRedirect(std::string_view first_url, std::string_view hop_url, const TransferPolicy& policy) {
  if (first_url == hop_url) return Status::Ok();
  auto first = ParseOrigin(first_url);
  auto hop = ParseOrigin(hop_url);
  if (!first || !hop) return Refused(hop_url, "the url cannot be read");
  if (first->scheme == "https" && hop->scheme != "https") return Refused(hop_url, "it leaves https for http");
  if (policy.credentials && !(*first == *hop)) {
    return Refused(hop_url, "the source sends credentials, which stay on " + first->scheme + "://" +
                                (first->host.find(':') != std::string::npos ? "[" + first->host + "]" : first->host) +
                                ":" + first->port);
  }
  return Status::Ok();
}

Status CheckAddress(std::string_view first_url, std::string_view hop_url, std::string_view ip,
                    const TransferPolicy& policy) {
  if (policy.rules.allow_private) return Status::Ok();
  std::string_view kind = PrivateAddressKind(ip);
  if (kind.empty()) return Status::Ok();
  std::string what = std::string(ip) + " (" + std::string(kind) + ")";
  bool same_host = first_url == hop_url || UrlHost(first_url) == UrlHost(hop_url);
  if (!same_host) return Refused(hop_url, "it reaches " + what + " (allow_private permits it)");
  if (policy.rules.deny_private) {
    return Status::InvalidArgument(LoggableUrl(hop_url) + " reaches " + what + ", refused by deny_private");
  }
  return Status::Ok();
}

const char* RedirectProtocols(std::string_view url) {
  auto origin = ParseOrigin(url);
  return origin && origin->scheme == "https" ? "https" : "http,https";
}

std::string UrlHost(std::string_view url) {
  auto origin = ParseOrigin(url);
  return origin ? origin->host : "";
}

bool HasUserInfo(std::string_view url) {
  auto origin = ParseOrigin(url);
  return origin && origin->user_info;
}

}  // namespace brandmon::fetch
