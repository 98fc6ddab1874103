#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/base/mutex.h"
#include "daemon/base/status.h"
#include "daemon/base/thread_set.h"
#include "daemon/query/filter.h"
#include "daemon/settings/http_options.h"

namespace brandmon::http {

// Takes one piece of a streamed body; false when it cannot be sent (the
// client went away or stopped reading for write_timeout).
using ChunkWriter = std::function<bool(std::string_view piece)>;

// One response of an endpoint.
struct Reply {
  Reply() = default;
  Reply(int status_code, std::string type, std::string text)
      : status(status_code), content_type(std::move(type)), body(std::move(text)) {}

  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // When set, the body is not `body` but what `stream` writes, sent chunked
  // as it comes, so that a long answer needs no more memory than a piece:
  // called once, on the worker, after the headers are sent; returns false
  // when it stopped early (the response then ends without its last chunk,
  // which tells the client it is incomplete).
  std::function<bool(const ChunkWriter& write)> stream;
  // When not empty, the browser saves the body as this file
  // (Content-Disposition: attachment).
  std::string attachment;
};

// What the listener serves, implemented by the daemon process. Called on
// the listener's worker threads, several at once: thread-safe.
class Endpoints {
 public:
  virtual ~Endpoints() = default;
  virtual Reply Metrics() = 0;  // GET /metrics
  virtual Reply Health() = 0;   // GET /healthz
  virtual Reply Ready() = 0;    // GET /readyz
  // GET /api/v1/... (docs/api.md) with the URL's query parameters; `path`
  // starts with "/api/v1/". Without an API, 404.
  virtual Reply ReadApi(std::string_view path, const query::Params& params);
  // GET / (the dashboard, dashboard.h) with the URL's query parameters.
  // Without one, 404.
  virtual Reply Dashboard(const query::Params& params);
};

// What the listener counted since it started.
struct ListenerCounters {
  std::map<int, uint64_t> responses;  // by HTTP status, refused connections (503) included
  uint64_t refused_busy = 0;          // connections answered 503 at once: max_connections were busy
};

// The daemon's HTTP listener (cpp-httplib): GET or HEAD /metrics, /healthz,
// /readyz, /api/v1/..., the dashboard (/) and its files (/assets/..., under
// kDashboardPolicy); other paths 404, other methods 405. With a token, every path
// but /healthz needs "Authorization: Bearer TOKEN" (else 401). Each
// connection carries one request, which must arrive whole (headers at most
// max_header_bytes) within read_timeout, else it is answered 400 and
// closed; a declared body over max_body_bytes is answered 413. At most
// max_connections are served or wait for a worker; one more is answered 503
// and closed by the accepting thread.
//
// Threads, started in the ThreadSet given to Start() and joined by Stop():
// "http" accepts, `threads` × "http-worker" serve. Start() and Stop() are
// called by the owner; counters() and endpoint() are thread-safe.
class Listener {
 public:
  // REQUIRES: `options` passed settings::HttpSection's checks and `listen`
  // is not empty; `endpoints` outlives the listener.
  Listener(settings::HttpOptions options, Endpoints& endpoints);
  // Stops the listener if it runs.
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds the address and starts the threads.
  // Errors: Unavailable when the address cannot be bound (in use, not of
  // this machine), naming it.
  Status Start(ThreadSet& threads);
  // Closes the listening socket, lets the requests being served finish
  // (each is bounded by the timeouts) and joins the threads. Idempotent.
  void Stop();

  // "HOST:PORT" as bound (port 0 replaced by the chosen one); valid after
  // Start().
  std::string endpoint() const;
  ListenerCounters counters() const;

 private:
  class Server;
  class Pool;
  class Queue;
  friend class Server;
  friend class Queue;
  // Routes one request; `authorization` is its Authorization header.
  Reply Route(const std::string& method, const std::string& path, const query::Params& params,
              const std::string& authorization, uint64_t content_length);
  void Count(int status);

  const settings::HttpOptions options_;
  Endpoints& endpoints_;
  std::unique_ptr<Pool> pool_;
  std::unique_ptr<Server> server_;
  ThreadSet* threads_ = nullptr;
  ThreadSet::Id accept_thread_ = 0;
  std::atomic<bool> accept_done_{false};  // httplib's accept loop returned
  std::string endpoint_;

  mutable Mutex mu_;
  ListenerCounters counters_ GUARDED_BY(mu_);
};

}  // namespace brandmon::http
