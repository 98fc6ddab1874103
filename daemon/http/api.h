#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/config/diagnostics.h"
#include "daemon/http/listener.h"
#include "daemon/query/filter.h"
#include "daemon/query/reader.h"

namespace brandmon::http {

// The read API, GET /api/v1/{series,breakdown,mentions,alerts,sources}
// (docs/api.md): the query parameters become a query::Filter, the answer
// JSON. Bad parameters are answered 400 with {"error": "..."} naming the
// parameter. Each worker thread reads through a read-only connection of its
// own to the state database, opened on its first request and kept, never
// the writer's. Thread-safe: called on the listener's workers.
class Api {
 public:
  // REQUIRES: `clock` outlives the API. `database` is the state database's
  // path; ":memory:" (a daemon without a file) answers 503. `redactor` hides
  // the config's secrets in the sources' last errors.
  Api(std::string database, const Clock& clock, config::Redactor redactor = {});

  // `path` starts with "/api/v1/".
  Reply Handle(std::string_view path, const query::Params& params);
  // GET / (dashboard.h), on the same connection as the API's requests.
  Reply Dashboard(const query::Params& params);

 private:
  // The calling thread's reader, opened on first use. The pointer stays
  // valid for the API's life, and only the calling thread uses it.
  Result<query::Reader*> ReaderOfThisThread();

  const std::string database_;
  const Clock& clock_;
  const config::Redactor redactor_;
  Mutex mu_;
  std::map<std::thread::id, std::unique_ptr<query::Reader>> readers_ GUARDED_BY(mu_);
};

}  // namespace brandmon::http
