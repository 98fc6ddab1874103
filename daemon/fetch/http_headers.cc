#include "daemon/fetch/http_headers.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "daemon/base/time_parse.h"

namespace brandmon::fetch {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  s = Trim(s);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// IMF-fixdate, the one form servers send today: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<WallTime> ParseHttpDate(std::string_view s) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  s = Trim(s);
  size_t comma = s.find(',');
  if (comma != std::string_view::npos) s = Trim(s.substr(comma + 1));
  if (s.size() < 20) return std::nullopt;
  auto day = ParseInt(s.substr(0, 2));
  std::string mon = Lower(s.substr(3, 3));
  auto year = ParseInt(s.substr(7, 4));
  auto hh = ParseInt(s.substr(12, 2)), mm = ParseInt(s.substr(15, 2)), ss = ParseInt(s.substr(18, 2));
  int month = 0;
  for (int i = 0; i < 12; ++i) {
    if (kMonths[i] == mon) month = i + 1;
  }
  if (!day || !year || !hh || !mm || !ss || month == 0) return std::nullopt;
  auto days = DaysFromCivil(static_cast<int>(*year), month, static_cast<int>(*day));
  if (!days || *hh > 23 || *mm > 59 || *ss > 60) return std::nullopt;
  return WallTime(std::chrono::seconds(*days * 86400 + *hh * 3600 + *mm * 60 + *ss));
}

const std::string* FirstHeader(const HttpResponse& r, std::initializer_list<std::string_view> names) {
  for (auto n : names) {
    if (const std::string* v = r.Header(n)) return v;
  }
  return nullptr;
}

}  // namespace

std::optional<Duration> RetryAfter(const HttpResponse& response, WallTime now) {
  const std::string* v = response.Header("retry-after");
  if (v == nullptr) return std::nullopt;
  if (auto secs = ParseInt(*v)) {
    if (*secs < 0) return std::nullopt;
    return std::chrono::seconds(std::min<int64_t>(*secs, 365LL * 86400));
  }
  if (auto at = ParseHttpDate(*v)) {
    return std::max<Duration>(Duration(0), std::chrono::duration_cast<Duration>(*at - now));
  }
  return std::nullopt;
}

std::optional<Duration> MaxAge(const HttpResponse& response) {
  std::optional<Duration> out;
  for (const auto& [name, value] : response.headers) {
    if (name != "cache-control") continue;
    std::string lower = Lower(value);
    size_t start = 0;
    while (start <= lower.size()) {
      size_t end = lower.find(',', start);
      if (end == std::string::npos) end = lower.size();
      std::string_view directive = Trim(std::string_view(lower).substr(start, end - start));
      if (directive == "no-cache" || directive == "no-store") return Duration(0);
      if (directive.substr(0, 8) == "max-age=") {
        std::string_view num = directive.substr(8);
        if (!num.empty() && num.front() == '"' && num.back() == '"' && num.size() >= 2)
          num = num.substr(1, num.size() - 2);
        if (auto secs = ParseInt(num); secs && *secs >= 0) out = std::chrono::seconds(*secs);
      }
      start = end + 1;
    }
  }
  return out;
}

std::optional<Duration> RateLimitWait(const HttpResponse& response, WallTime now) {
  const std::string* remaining =
      FirstHeader(response, {"x-ratelimit-remaining", "x-rate-limit-remaining", "ratelimit-remaining"});
  if (remaining == nullptr) return std::nullopt;
  auto left = ParseInt(*remaining);
  if (!left || *left > 0) return std::nullopt;
  const std::string* reset = FirstHeader(response, {"x-ratelimit-reset", "x-rate-limit-reset", "ratelimit-reset"});
  if (reset == nullptr) return std::nullopt;
  auto value = ParseInt(*reset);
  if (!value || *value < 0) return std::nullopt;
  // Epoch seconds are > 10^9; a delta of that size would be 30 years.
  if (*value > 1000000000) {
    auto at = WallTime(std::chrono::seconds(*value));
    return std::max<Duration>(Duration(0), std::chrono::duration_cast<Duration>(at - now));
  }
  return std::chrono::seconds(*value);
}

std::string LoggableUrl(std::string_view url) {
  size_t cut = url.find_first_of("?#");
  if (cut != std::string_view::npos) url = url.substr(0, cut);
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  size_t host_start = scheme + 3;
  size_t path = url.find('/', host_start);
  std::string_view authority = url.substr(host_start, path == std::string_view::npos ? url.npos : path - host_start);
  size_t at = authority.rfind('@');
  std::string out(url.substr(0, host_start));
  out += at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (path != std::string_view::npos) out += url.substr(path);
  return out;
}

bool IsSecretHeader(std::string_view name) {
  std::string n = Lower(name);
  if (n == "authorization" || n == "proxy-authorization" || n == "cookie" || n == "set-cookie") return true;
  for (std::string_view part : {"token", "key", "secret", "auth", "signature", "password"}) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace brandmon::fetch
