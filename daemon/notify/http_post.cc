#include "daemon/notify/http_post.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

#include "daemon/base/safe_text.h"
#include "daemon/base/units.h"
#include "daemon/fetch/http_headers.h"

namespace brandmon::notify {

namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlSlist = std::unique_ptr<curl_slist, SlistDeleter>;

struct UrlParts {
  std::string scheme;
  std::string host;  // lowercase; IPv6 in brackets
  std::string port;  // explicit, else the scheme's default
  bool explicit_port = false;
  bool bare = true;  // no path beyond "/", no query
};

std::optional<std::string> Part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(u, part, &value, flags) != CURLUE_OK || value == nullptr) return std::nullopt;
  std::string out(value);
  curl_free(value);
  return out;
}

std::optional<UrlParts> ParseUrl(std::string_view url) {
  std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, std::string(url).c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return std::nullopt;
  }
  UrlParts parts;
  auto scheme = Part(u.get(), CURLUPART_SCHEME);
  auto host = Part(u.get(), CURLUPART_HOST);
  if (!scheme || !host) return std::nullopt;
  parts.scheme = *scheme;
  parts.host = *host;
  for (char& c : parts.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto port = Part(u.get(), CURLUPART_PORT);
  parts.explicit_port = port.has_value();
  parts.port = port ? *port : Part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or("");
  auto path = Part(u.get(), CURLUPART_PATH);
  parts.bare = (!path || *path == "/") && !Part(u.get(), CURLUPART_QUERY);
  return parts;
}

// Where a redirect may lead: the same origin, or the same host upgraded
// from http to https. Never to http from https, never to another host.
bool RedirectAllowed(const UrlParts& from, const UrlParts& to) {
  if (from.host != to.host) return false;
  if (from.scheme == to.scheme) return from.port == to.port;
  return from.scheme == "http" && to.scheme == "https";
}

// The bytes of one exchange, filled by libcurl's callbacks.
struct Exchange {
  HttpResponse* response;
  size_t max_body;
  bool too_large = false;
  const std::atomic<bool>* stopped;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t len = size * n;
  std::string& body = x->response->body;
  if (body.size() + len > x->max_body) {
    body.append(data, x->max_body - body.size());
    x->too_large = true;
    return 0;  // ends the transfer (CURLE_WRITE_ERROR); the status is kept
  }
  body.append(data, len);
  return len;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t len = size * n;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (line.substr(0, 5) == "HTTP/") {
    x->response->headers.clear();  // a 100 Continue came first
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || x->response->headers.size() >= 200) return len;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  x->response->headers.emplace_back(std::move(name), std::string(value.substr(0, 8192)));
  return len;
}

// Called about once a second, and whenever data moves: the way Stop()
// reaches a transfer that waits on a silent server.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Exchange*>(user)->stopped->load() ? 1 : 0;
}

// libcurl's message for a failed transfer, unless it quotes a part of the
// URL that is not shown (curl's messages name hosts, but that is not its
// contract).
std::string TransferError(CURLcode code, const char* errbuf, std::string_view url) {
  std::string message = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
  size_t authority = url.find("://");
  std::string_view rest = authority == std::string_view::npos ? url : url.substr(authority + 3);
  size_t at = rest.find('@');
  size_t slash = rest.find_first_of("/?#");
  bool leaks = (at != std::string_view::npos && (slash == std::string_view::npos || at < slash)) ||
               (slash != std::string_view::npos && rest.size() - slash > 1 &&
                message.find(rest.substr(slash)) != std::string::npos);
  if (leaks) message = curl_easy_strerror(code);
  return ReplaceUnsafe(message);
}

struct PostSpec {
  const std::string& url;
  const std::string& ca_file;
  curl_slist* headers;
  const std::string& body;
  Duration connect_timeout;
  Duration timeout;
};

// Everything a post sets on the (reset) handle: TLS verified, http and https
// only, no redirect followed by libcurl (Post() decides), interruptible.
void SetPostOptions(CURL* e, const PostSpec& spec, Exchange& x, char* errbuf) {
  curl_easy_setopt(e, CURLOPT_URL, spec.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!spec.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, spec.ca_file.c_str());
  curl_easy_setopt(e, CURLOPT_USERAGENT, "brandmon-notify/" BRANDMON_VERSION);
  curl_easy_setopt(e, CURLOPT_POST, 1L);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, spec.body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(spec.body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, spec.headers);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(spec.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout.count()));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, &x);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
}

void GlobalInit() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)ok;
}

}  // namespace

std::string DisplayUrl(std::string_view url) {
  auto parts = ParseUrl(url);
  if (!parts) return "<unreadable url>";
  std::string out = parts->scheme + "://" + parts->host;
  if (parts->explicit_port) out += ":" + parts->port;
  if (!parts->bare) out += "/…";
  return out;
}

std::string UrlScheme(std::string_view url) {
  auto parts = ParseUrl(url);
  if (!parts || parts->host.empty()) return "";
  std::string scheme = parts->scheme;
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme;
}

std::string FirstLine(std::string_view body, size_t max) {
  size_t end = body.find_first_of("\r\n");
  std::string line = ReplaceUnsafe(body.substr(0, end));
  size_t start = line.find_first_not_of(" \t");
  line.erase(0, start == std::string::npos ? line.size() : start);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
  if (line.size() > max) {
    line.resize(Utf8PrefixLength(line, max));
    line += "…";
  }
  return line;
}

Outcome ClassifyResponse(const HttpResponse& response, WallTime now, Duration max_retry_after) {
  int status = response.status;
  std::string detail = "HTTP " + std::to_string(status);
  if (std::string line = FirstLine(response.body); !line.empty()) detail += ": " + line;
  if (status >= 200 && status < 300) return {Outcome::Kind::kDelivered, status, std::move(detail), std::nullopt};
  if (status == 408 || status == 429 || status >= 500) {
    std::optional<Duration> after = fetch::RetryAfter(response, now);
    if (after) after = std::min(*after, max_retry_after);
    return Outcome::Retry(std::move(detail), status, after);
  }
  return Outcome::Permanent(std::move(detail), status);
}

struct HttpPoster::Easy {
  CURL* handle = nullptr;
  ~Easy() {
    if (handle != nullptr) curl_easy_cleanup(handle);
  }
};

HttpPoster::HttpPoster(HttpPostOptions options) : options_(std::move(options)), easy_(std::make_unique<Easy>()) {
  GlobalInit();
  easy_->handle = curl_easy_init();
}

HttpPoster::~HttpPoster() = default;

Outcome HttpPoster::Post(const std::string& url, const Headers& headers, const std::string& body) {
  MonoTime deadline = std::chrono::steady_clock::now() + options_.timeout;
  auto origin = ParseUrl(url);
  if (!origin || (origin->scheme != "http" && origin->scheme != "https")) {
    return Outcome::Permanent("not an http or https url: " + DisplayUrl(url));
  }
  std::string target = url;
  for (int hop = 0;; ++hop) {
    std::string redirect;
    Outcome outcome = PostOnce(target, headers, body, deadline, &redirect);
    if (redirect.empty()) return outcome;
    int status = last_.status;
    std::string head = "HTTP " + std::to_string(status) + ": ";
    // 303 See Other: the post was handled, its result is elsewhere.
    if (status == 303) return {Outcome::Kind::kDelivered, status, head + "see other", std::nullopt};
    auto to = ParseUrl(redirect);
    if (!to || !RedirectAllowed(*origin, *to)) {
      std::string where = to ? to->scheme + "://" + to->host : std::string("an unreadable url");
      head += "redirect to " + where;
      return Outcome::Permanent(head + " not followed (only the same host is)", status);
    }
    if (hop >= options_.max_redirects) return Outcome::Permanent(head + "too many redirects", status);
    target = std::move(redirect);
    origin = to;
  }
}

Outcome HttpPoster::PostOnce(const std::string& url, const Headers& headers, const std::string& body, MonoTime deadline,
                             std::string* redirect) {
  last_ = HttpResponse{};
  CURL* e = easy_->handle;
  auto left = std::chrono::duration_cast<Duration>(deadline - std::chrono::steady_clock::now());
  if (stopped_.load()) return Outcome::Retry("stopped");
  if (e == nullptr) return Outcome::Retry("cannot make a libcurl handle");
  if (left <= Duration(0)) return Outcome::Retry("timed out after " + FormatDuration(options_.timeout));
  // Keeps the connection cache: the next post to the same host reuses it.
  curl_easy_reset(e);
  CurlSlist list;
  auto add = [&list](const std::string& line) {
    if (curl_slist* grown = curl_slist_append(list.get(), line.c_str())) {
      (void)list.release();
      list.reset(grown);
    }
  };
  for (const auto& [name, value] : headers) add(std::string(name).append(": ").append(value));
  add("Expect:");  // no 100-continue round trip for large bodies
  Exchange x{&last_, options_.max_response, false, &stopped_};
  char errbuf[CURL_ERROR_SIZE] = {};
  SetPostOptions(e, {url, options_.ca_file, list.get(), body, std::min(options_.connect_timeout, left), left}, x,
                 errbuf);
  CURLcode code = curl_easy_perform(e);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  last_.status = static_cast<int>(status);
  last_.url = url;
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, nullptr);
  if (code == CURLE_ABORTED_BY_CALLBACK) return Outcome::Retry("stopped");
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return Outcome::Retry(DisplayUrl(url) + ": timed out after " + FormatDuration(options_.timeout), last_.status);
  }
  if (code != CURLE_OK && !(x.too_large && status > 0)) {
    return Outcome::Retry(DisplayUrl(url) + ": " + TransferError(code, errbuf, url), last_.status);
  }
  if (status >= 300 && status < 400) {
    char* location = nullptr;
    curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &location);
    if (location != nullptr && *location != '\0') {
      *redirect = location;
      return Outcome::Permanent("redirect", last_.status);
    }
    return Outcome::Permanent("HTTP " + std::to_string(status) + " without a Location", last_.status);
  }
  return ClassifyResponse(last_, SystemClock::Instance().Now(), options_.max_retry_after);
}

}  // namespace brandmon::notify
