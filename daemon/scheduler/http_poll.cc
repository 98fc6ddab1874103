#include "daemon/scheduler/http_poll.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "daemon/base/units.h"
#include "daemon/fetch/http_headers.h"

namespace brandmon::scheduler {

std::string DescribeHttpError(const HttpResponse& response, const std::string& url, std::optional<Duration> wait) {
  std::string msg = "http " + std::to_string(response.status) + " from " + url;
  if (response.status == 401 || response.status == 403) msg += " (check the source's token and permissions)";
  if (wait) msg += " (retry after " + FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(*wait)) + ")";
  return msg;
}

HttpPoll::HttpPoll(plugin::HttpPlugin& plugin, plugin::SourceState& state, Validators validators, AddressRules rules,
                   Sink& sink, const Clock& clock)
    : plugin_(plugin), state_(state), validators_(std::move(validators)), rules_(rules), sink_(sink), clock_(clock) {}

void HttpPoll::Finish(Status status) {
  done_ = true;
  status_ = std::move(status);
}

void HttpPoll::Hold(Duration wait) { hold_ = std::min(std::max(hold_.value_or(Duration(0)), wait), kMaxHold); }

Result<std::optional<fetch::FetchRequest>> HttpPoll::NextRequest() {
  assert(!awaiting_);
  if (!done_ && (!more_ || pages_ >= kMaxPages)) Finish(Status::Ok());
  if (done_) return std::optional<fetch::FetchRequest>();
  auto request = plugin_.NextRequest(state_, pages_);
  if (!request.ok()) {
    Finish(request.status());
    return request.status();
  }
  if (!request->has_value()) {
    Finish(Status::Ok());
    return std::optional<fetch::FetchRequest>();
  }
  fetch::FetchRequest fr;
  fr.http = std::move(**request);
  fr.rules = rules_;
  if (pages_ == 0) {
    fr.etag = validators_.etag;
    fr.last_modified = validators_.last_modified;
  }
  awaiting_ = true;
  return std::optional<fetch::FetchRequest>(std::move(fr));
}

void HttpPoll::OnResult(const fetch::FetchResult& result) {
  assert(awaiting_);
  awaiting_ = false;
  int page = pages_++;
  if (!result.status.ok()) return Finish(result.status);
  const HttpResponse& response = result.response;
  WallTime now = clock_.Now();
  std::optional<Duration> wait = fetch::RetryAfter(response, now);
  if (auto limited = fetch::RateLimitWait(response, now)) wait = std::max(wait.value_or(Duration(0)), *limited);
  // The error names what is held, not what was asked.
  if (wait) wait = std::min(*wait, kMaxHold);
  if (wait) Hold(*wait);
  bool ok_status = response.status >= 200 && response.status < 300;
  if (ok_status || response.status == 304) {
    if (auto age = fetch::MaxAge(response)) Hold(*age);
  }
  if (response.status == 304) return Finish(Status::Ok());
  if (!ok_status) {
    std::string message = DescribeHttpError(response, fetch::LoggableUrl(response.url), wait);
    bool config_error =
        response.status >= 400 && response.status < 500 && response.status != 408 && response.status != 429;
    return Finish(config_error ? Status::InvalidArgument(message) : Status::Unavailable(message));
  }
  Status parsed = plugin_.Parse(response, sink_, state_);
  if (!parsed.ok()) return Finish(parsed);
  if (page == 0) {
    const std::string* etag = response.Header("etag");
    const std::string* modified = response.Header("last-modified");
    validators_.etag = etag ? *etag : "";
    validators_.last_modified = modified ? *modified : "";
  }
  // An exhausted rate limit ends the pagination until its reset.
  if (wait) more_ = false;
}

}  // namespace brandmon::scheduler
