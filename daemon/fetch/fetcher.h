#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/http_message.h"
#include "daemon/base/status.h"
#include "daemon/fetch/fetch_options.h"

namespace brandmon::fetch {

// One transfer to make.
struct FetchRequest {
  HttpRequest http;
  // Validators of the last good response: sent as If-None-Match and
  // If-Modified-Since so that an unchanged resource costs a 304.
  std::string etag;
  std::string last_modified;
  // Record the exchange (request and response header lines) in
  // FetchResult::trace. Header values are recorded as sent: redact before
  // printing.
  bool trace = false;
  // Where the transfer may go (the source's deny_private / allow_private);
  // see address_policy.h. Redirects of a request with credentials stay on
  // its origin; https is never left for http.
  AddressRules rules;
};

// The outcome of one transfer.
struct FetchResult {
  // OK when a response arrived, whatever its HTTP status. Unavailable for
  // transport failures (connect, TLS, timeout, stalled, too many redirects);
  // Corrupt when the body was larger than max_body; InvalidArgument when the
  // address policy refused a redirect or an address (not worth a retry
  // before the config changes). Messages name the URL without its query
  // string.
  Status status;
  HttpResponse response;  // status 0 when none arrived
  std::string trace;
  Duration elapsed{0};
};

using FetchCallback = std::function<void(FetchResult result)>;

// Makes HTTP transfers with one libcurl multi handle: many in flight at once,
// at most max_connections overall and max_per_host to one host (the others
// wait in FIFO order per host; a transfer running past slot_time frees its
// slot for the next, with at most twice max_per_host to one host in all),
// connections kept alive and reused, HTTP/2 when the server offers it,
// gzip/deflate/br/zstd accepted, TLS always verified, proxies from the usual
// environment variables. Every hop of every transfer is checked against the
// address policy of address_policy.h before its request is sent.
//
// Submit(), Wakeup() and Quit() are thread-safe. Run() and Perform() drive the
// transfers and must be called from one thread at a time (the engine's fetch
// thread, or the caller in --once and tests); callbacks run on that thread.
class Fetcher {
 public:
  // Errors: Internal when libcurl cannot be initialised.
  static Result<std::unique_ptr<Fetcher>> Create(const FetchOptions& options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Queues a transfer; `done` is called exactly once, from Run()/Perform(),
  // unless the fetcher is destroyed first.
  void Submit(FetchRequest request, FetchCallback done);

  // Drives transfers for at most `max_wait` (returning early after a
  // completion or a Wakeup()). Returns the number of transfers queued or in
  // flight afterwards.
  size_t Perform(Duration max_wait);

  // Drives transfers until Quit(); the body of the engine's fetch thread.
  void Run();
  void Quit();
  // Interrupts a Perform() waiting for sockets.
  void Wakeup();

  // Transfers queued or in flight. Thread-safe.
  size_t pending() const;

 private:
  struct Impl;
  explicit Fetcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Makes one transfer on the calling thread and waits for it (brandmonctl fetch).
FetchResult FetchOnce(const FetchOptions& options, FetchRequest request);

}  // namespace brandmon::fetch
