#pragma once

#include <optional>
#include <string>

#include "daemon/base/clock.h"
#include "daemon/base/http_message.h"
#include "daemon/base/sink.h"
#include "daemon/base/status.h"
#include "daemon/fetch/fetcher.h"
#include "daemon/plugin/plugin.h"

namespace brandmon::scheduler {

// The validators of an HTTP source, kept across polls and restarts: sent with
// the first page, so that an unchanged document costs a 304.
struct Validators {
  std::string etag;
  std::string last_modified;
};

// One poll of an HTTP source, page by page: which requests to send, and what
// each response means: the mentions it holds (parsed into the sink), the
// validators to keep, how long the server asks to be left alone, and the
// class of a failure. The scheduler (so the daemon and --once) and
// `brandmonctl fetch` run every HTTP poll through it, so they agree on each
// outcome. Sending the requests is the caller's: this class does no I/O.
// Thread-compatible.
//
// Rules: page 0 carries the validators; further pages follow while the
// plugin's NextRequest() returns one, up to kMaxPages; a 304 ends the poll as
// a success; an exhausted rate limit or a Retry-After ends the pagination;
// the validators are replaced only by a page 0 that parsed (a broken document
// must be fetched again in full, not answered by a 304).
class HttpPoll {
 public:
  // Pages fetched per poll at most, whatever the plugin asks.
  static constexpr int kMaxPages = 20;
  // The longest a server may push the next poll back.
  static constexpr Duration kMaxHold = std::chrono::hours(24);

  // REQUIRES: `plugin`, `state`, `sink` and `clock` outlive the poll; the
  // plugin was started.
  HttpPoll(plugin::HttpPlugin& plugin, plugin::SourceState& state, Validators validators, AddressRules rules,
           Sink& sink, const Clock& clock);

  // The request for the next page, or nullopt when the poll is over.
  // Errors: the plugin's (InvalidArgument when its options cannot form a
  // request); the poll is then over with that status.
  Result<std::optional<fetch::FetchRequest>> NextRequest();

  // Takes the outcome of the request NextRequest() returned last.
  // REQUIRES: NextRequest() returned a request that has no result yet.
  void OnResult(const fetch::FetchResult& result);

  // The outcome so far: OK, or the failure and its class: Unavailable for
  // what a later poll may not meet (a transfer error, 5xx, 408, 429),
  // InvalidArgument for what only the config can fix (any other 4xx), or the
  // plugin's error (Corrupt for a body it cannot use).
  const Status& status() const { return status_; }
  // The server's minimum delay before the next poll (Retry-After, the reset
  // of an exhausted rate limit, Cache-Control max-age), at most kMaxHold.
  std::optional<Duration> hold() const { return hold_; }
  const Validators& validators() const { return validators_; }
  // Responses handled so far.
  int pages() const { return pages_; }

 private:
  void Finish(Status status);
  void Hold(Duration wait);

  plugin::HttpPlugin& plugin_;
  plugin::SourceState& state_;
  Validators validators_;
  AddressRules rules_;
  Sink& sink_;
  const Clock& clock_;
  int pages_ = 0;
  bool awaiting_ = false;  // a request was handed out and has no result yet
  bool more_ = true;       // the last response allows a further page
  bool done_ = false;
  Status status_;
  std::optional<Duration> hold_;
};

// "http 429 from URL (retry after 30s)": how a failed HTTP status reads in
// the log, the status and `brandmonctl fetch`.
std::string DescribeHttpError(const HttpResponse& response, const std::string& url, std::optional<Duration> wait);

}  // namespace brandmon::scheduler
