#pragma once

// The HTTP transport of the receivers: one POST at a time over a libcurl easy
// handle kept for the life of a receiver (so its connection is reused), and
// the classification of what came back into an Outcome.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/http_message.h"
#include "daemon/notify/receiver.h"

namespace brandmon::notify {

// What every HTTP receiver can set.
struct HttpPostOptions {
  Duration connect_timeout = std::chrono::seconds(5);
  Duration timeout = std::chrono::seconds(10);  // the whole attempt, redirects included
  // Bytes of a response body kept; a longer body ends the transfer, which is
  // still classified by its status.
  size_t max_response = 64 * 1024;
  // A Retry-After longer than this is taken as this.
  Duration max_retry_after = std::chrono::hours(1);
  // Same-host redirects followed (re-posting the body).
  int max_redirects = 3;
  // PEM file of the CAs trusted instead of the system's; "" for the system's.
  std::string ca_file;
};

// The URL as it may appear in a detail or a log line: scheme, host and port
// only, "https://hooks.slack.com/…" (the path and query of a webhook URL are
// its token; user info is a password). "<unreadable url>" when it does not
// parse.
std::string DisplayUrl(std::string_view url);

// The scheme of `url` ("https"), lowercase, or "" when libcurl cannot parse
// it or it names no host.
std::string UrlScheme(std::string_view url);

// The first line of `body`, valid UTF-8, cut at `max` bytes on a character
// boundary ("…" appended when cut), unsafe characters replaced (ReplaceUnsafe): safe to show
// in a detail or a log line.
std::string FirstLine(std::string_view body, size_t max = 200);

// The outcome of a complete HTTP answer (no redirect): 2xx delivered; 408,
// 429 and 5xx retried after the Retry-After it names (capped at
// `max_retry_after`); any other status permanent. The detail is "HTTP
// <status>: <first line of the body>".
Outcome ClassifyResponse(const HttpResponse& response, WallTime now, Duration max_retry_after);

// Posts bodies to one receiver's URLs. TLS peers are always verified; only
// http and https are spoken; a redirect is followed only to the same scheme,
// host and port (or from http to https on the same host): any other one is a
// permanent outcome naming the target's host. Owned by the receiver's worker
// thread (thread-compatible), except Stop().
class HttpPoster {
 public:
  explicit HttpPoster(HttpPostOptions options);
  ~HttpPoster();
  HttpPoster(const HttpPoster&) = delete;
  HttpPoster& operator=(const HttpPoster&) = delete;

  // POSTs `body` to `url` with `headers` (Content-Type among them) and
  // classifies the answer. A delivered outcome's detail is the first line of
  // the answer. Never throws; the detail never holds the URL's path, query or
  // user info.
  Outcome Post(const std::string& url, const Headers& headers, const std::string& body);

  // The last complete answer of Post() (status, headers lowercase, body up to
  // max_response), for callers that read more than the outcome.
  const HttpResponse& last_response() const { return last_; }

  // Thread-safe. Interrupts a transfer in progress (within about a second),
  // which returns kRetry; every later Post() returns kRetry at once.
  void Stop() { stopped_.store(true); }

 private:
  struct Easy;
  Outcome PostOnce(const std::string& url, const Headers& headers, const std::string& body, MonoTime deadline,
                   std::string* redirect);

  HttpPostOptions options_;
  std::unique_ptr<Easy> easy_;
  HttpResponse last_;
  std::atomic<bool> stopped_{false};
};

}  // namespace brandmon::notify
