#include "daemon/http/listener.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/base/errno_text.h"
#include "daemon/http/assets.h"
#include "daemon/http/gzip.h"

namespace brandmon::http {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// Set on the accepting thread while it answers a connection no worker can
// take (httplib's task queue only hands it an opaque job).
thread_local bool t_refuse = false;
// Set on a worker once the request was routed and counted: the logger then
// counts only what httplib answered itself (400, 414...), so that a count
// is made before the client can see the response.
thread_local bool t_counted = false;

int MillisUntil(SteadyTime deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// The socket of one connection as httplib reads and writes it: the whole
// request must arrive before one deadline and within a byte budget (httplib
// bounds each header line but neither their number nor the time between
// bytes), and each write must find room within the write timeout.
class BoundedStream final : public httplib::Stream {
 public:
  BoundedStream(int fd, SteadyTime read_deadline, std::chrono::milliseconds write_timeout, uint64_t read_budget)
      : fd_(fd), read_deadline_(read_deadline), write_timeout_(write_timeout), read_budget_(read_budget) {}

  bool is_readable() const override { return Wait(POLLIN, 0); }
  bool is_writable() const override { return Wait(POLLOUT, 0); }

  ssize_t read(char* ptr, size_t size) override {
    if (read_budget_ == 0) return -1;
    size = std::min<uint64_t>(size, read_budget_);
    if (!Wait(POLLIN, MillisUntil(read_deadline_))) return -1;
    ssize_t n = recv(fd_, ptr, size, MSG_DONTWAIT);
    if (n > 0) read_budget_ -= static_cast<uint64_t>(n);
    return n;
  }

  ssize_t write(const char* ptr, size_t size) override {
    wrote_ = true;
    if (!Wait(POLLOUT, static_cast<int>(write_timeout_.count()))) return -1;
    return send(fd_, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { Address(false, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { Address(true, ip, port); }
  socket_t socket() const override { return fd_; }

  // The request did not fit in its byte budget and nothing was answered:
  // httplib gives up on a request line it cannot read whole without a word.
  bool CutUnanswered() const { return read_budget_ == 0 && !wrote_; }

 private:
  bool Wait(short events, int timeout_ms) const {
    pollfd p{fd_, events, 0};
    int n;
    do {
      n = poll(&p, 1, timeout_ms);
    } while (n < 0 && errno == EINTR);
    return n > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
  }

  void Address(bool local, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int rc = local ? getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len)
                   : getpeername(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    if (rc != 0) return;
    char buf[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
      inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
      port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
      inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
      port = ntohs(a->sin6_port);
    }
    ip = buf;
  }

  int fd_;
  SteadyTime read_deadline_;
  std::chrono::milliseconds write_timeout_;
  uint64_t read_budget_;
  bool wrote_ = false;
};

// Compares without an early exit, so that the time taken does not tell how
// much of a guessed token was right.
bool SameSecret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % std::max<size_t>(1, b.size())]);
  return diff == 0 && !b.empty();
}

// The body of a reply, compressed here at libdeflate's fastest level when the
// client takes gzip (gzip.h). Every body goes through a content provider of
// known length, which httplib sends as it is: it compresses `res.body`
// itself, at its default level, whenever Accept-Encoding merely contains
// "gzip" (even "gzip;q=0").
void SetBody(const httplib::Request& req, std::string body, const std::string& content_type, httplib::Response& res) {
  constexpr size_t kWorthCompressing = 1024;
  if (body.size() >= kWorthCompressing && Compressible(content_type) &&
      AcceptsGzip(req.get_header_value("Accept-Encoding"))) {
    if (std::optional<std::string> gz = GzipFast(body)) {
      body = std::move(*gz);
      res.set_header("Content-Encoding", "gzip");
      res.set_header("Vary", "Accept-Encoding");
    }
  }
  if (body.empty()) {
    res.set_content(body, content_type);
    return;
  }
  size_t length = body.size();
  res.set_content_provider(length, content_type,
                           [body = std::move(body)](size_t offset, size_t size, httplib::DataSink& sink) {
                             return sink.write(body.data() + offset, std::min(size, body.size() - offset));
                           });
}

Reply Error(int status, std::string_view message) {
  return {status, "application/json", std::string(R"({"error":")") + std::string(message) + "\"}\n"};
}

}  // namespace

// Workers started through the ThreadSet, taking connections from a queue
// bounded so that served plus waiting never exceeds max_connections.
// Thread-safe.
class Listener::Pool {
 public:
  explicit Pool(size_t capacity) : capacity_(capacity) {}

  void Start(ThreadSet& threads, int64_t n) {
    for (int64_t i = 0; i < n; ++i) ids_.push_back(threads.Start("http-worker", [this] { Work(); }));
  }

  // False when max_connections are served or waiting already.
  bool TryEnqueue(std::function<void()>& job) {
    {
      MutexLock lock(mu_);
      if (stopping_ || jobs_.size() + active_ >= capacity_) return false;
      jobs_.push_back(std::move(job));
    }
    ready_.notify_one();
    return true;
  }

  // Serves what is queued, then joins the workers.
  void Stop(ThreadSet& threads) {
    {
      MutexLock lock(mu_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (ThreadSet::Id id : ids_) threads.Join(id);
    ids_.clear();
  }

 private:
  void Work() {
    MutexLock lock(mu_);
    while (true) {
      lock.Wait(ready_, [this] {
        mu_.AssertHeld();
        return stopping_ || !jobs_.empty();
      });
      if (jobs_.empty()) return;
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      ++active_;
      lock.Unlock();
      job();
      lock.Lock();
      --active_;
    }
  }

  const size_t capacity_;
  std::vector<ThreadSet::Id> ids_;  // owner only
  Mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  size_t active_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
};

// What httplib's accept loop hands each connection to: the pool, or, when
// it is full, the accepting thread itself, which answers 503 at once.
class Listener::Queue final : public httplib::TaskQueue {
 public:
  explicit Queue(Listener& listener) : listener_(listener) {}
  void enqueue(std::function<void()> fn) override {
    if (listener_.pool_->TryEnqueue(fn)) return;
    t_refuse = true;
    fn();
    t_refuse = false;
  }
  // The pool outlives the accept loop: the listener stops it after.
  void shutdown() override {}

 private:
  Listener& listener_;
};

// httplib's server with a connection handler of our own: one request per
// connection through a BoundedStream, or the 503 of a refused one.
class Listener::Server final : public httplib::Server {
 public:
  explicit Server(Listener& listener) : listener_(listener) {}

 private:
  bool process_and_close_socket(socket_t sock) override {
    if (t_refuse) {
      Refuse(sock);
    } else {
      const settings::HttpOptions& o = listener_.options_;
      auto read_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(o.read_timeout);
      auto write_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(o.write_timeout);
      BoundedStream stream(sock, std::chrono::steady_clock::now() + read_timeout, write_timeout, o.max_header_bytes);
      bool closed = false;
      t_counted = false;
      process_request(stream, /*close_connection=*/true, closed, nullptr);
      if (stream.CutUnanswered()) RequestLineTooLong(stream);
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
  }

  // A request line longer than max_header_bytes (a huge query string):
  // 414, as httplib answers a long line that fits the budget.
  void RequestLineTooLong(BoundedStream& stream) {
    static const std::string kBody = "{\"error\":\"request line too long\"}\n";
    static const std::string kReply =
        "HTTP/1.1 414 URI Too Long\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(kBody.size()) + "\r\nConnection: close\r\n\r\n" + kBody;
    (void)stream.write(kReply.data(), kReply.size());
    listener_.Count(414);
  }

  void Refuse(socket_t sock) {
    static const std::string kBody = "{\"error\":\"too many connections, try again\"}\n";
    static const std::string kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: " +
        std::to_string(kBody.size()) + "\r\nConnection: close\r\nRetry-After: 1\r\n\r\n" + kBody;
    // Never blocks the accepting thread: what does not fit is lost.
    (void)send(sock, kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    MutexLock lock(listener_.mu_);
    ++listener_.counters_.refused_busy;
    ++listener_.counters_.responses[503];
  }

  Listener& listener_;
};

Listener::Listener(settings::HttpOptions options, Endpoints& endpoints)
    : options_(std::move(options)), endpoints_(endpoints) {}

Listener::~Listener() { Stop(); }

Status Listener::Start(ThreadSet& threads) {
  std::string why;
  std::optional<settings::ListenAddress> address = settings::ParseListenAddress(options_.listen, why);
  if (!address) return Status::InvalidArgument("http.listen \"" + options_.listen + "\" " + why);
  server_ = std::make_unique<Server>(*this);
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_read_timeout(options_.read_timeout);
  server_->set_write_timeout(options_.write_timeout);
  server_->set_keep_alive_max_count(1);
  // httplib's default adds SO_REUSEPORT, which would let a second daemon
  // share the port (and half the scrapes) instead of failing to bind.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    uint64_t length = std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
    Reply reply = Route(req.method, req.path, req.params, req.get_header_value("Authorization"), length);
    res.status = reply.status;
    if (reply.status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"brandmond\"");
    if (reply.status == 405) res.set_header("Allow", "GET, HEAD");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (req.path == "/" || req.path.starts_with("/assets/")) {
      // The page and its files: nothing but the daemon's own files runs.
      res.set_header("Content-Security-Policy", std::string(kDashboardPolicy));
      res.set_header("Referrer-Policy", "no-referrer");
      res.set_header("Cache-Control", "no-cache");
    }
    if (!reply.attachment.empty()) {
      res.set_header("Content-Disposition", "attachment; filename=\"" + reply.attachment + "\"");
    }
    if (reply.stream) {
      res.set_chunked_content_provider(
          reply.content_type, [stream = std::move(reply.stream)](size_t, httplib::DataSink& sink) {
            bool whole = stream([&](std::string_view piece) { return sink.write(piece.data(), piece.size()); });
            if (whole) sink.done();
            return whole;
          });
    } else {
      SetBody(req, std::move(reply.body), reply.content_type, res);
    }
    Count(reply.status);
    t_counted = true;
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->set_logger([this](const httplib::Request&, const httplib::Response& res) {
    if (!t_counted) Count(res.status);
  });
  // httplib deletes the queue when its accept loop ends.
  server_->new_task_queue = [this] { return std::make_unique<Queue>(*this).release(); };
  int port = address->port;
  if (port == 0) {
    port = server_->bind_to_any_port(address->host);
  } else if (!server_->bind_to_port(address->host, port)) {
    port = -1;
  }
  std::string shown = address->host.find(':') != std::string::npos ? "[" + address->host + "]" : address->host;
  if (port <= 0) {
    server_.reset();
    return Status::Unavailable("http.listen: cannot bind " + options_.listen + ": " + ErrnoText(errno));
  }
  endpoint_ = shown + ":" + std::to_string(port);
  threads_ = &threads;
  pool_ = std::make_unique<Pool>(static_cast<size_t>(options_.max_connections));
  pool_->Start(threads, options_.threads);
  accept_done_ = false;
  accept_thread_ = threads.Start("http", [this] {
    server_->listen_after_bind();
    accept_done_ = true;
  });
  return Status::Ok();
}

void Listener::Stop() {
  if (threads_ == nullptr) return;
  // httplib's stop() does nothing until its accept loop runs (is_running()):
  // a stop right after Start() would leave the loop running for good.
  while (!server_->is_running() && !accept_done_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!accept_done_) server_->stop();
  threads_->Join(accept_thread_);
  pool_->Stop(*threads_);
  threads_ = nullptr;
}

std::string Listener::endpoint() const { return endpoint_; }

ListenerCounters Listener::counters() const {
  MutexLock lock(mu_);
  return counters_;
}

void Listener::Count(int status) {
  MutexLock lock(mu_);
  ++counters_.responses[status];
}

Reply Endpoints::ReadApi(std::string_view, const query::Params&) { return Error(404, "not found: no API here"); }
Reply Endpoints::Dashboard(const query::Params&) { return Error(404, "not found: no dashboard here"); }

Reply Listener::Route(const std::string& method, const std::string& path, const query::Params& params,
                      const std::string& authorization, uint64_t content_length) {
  if (content_length > options_.max_body_bytes) return Error(413, "request body too large");
  bool metrics = path == "/metrics", health = path == "/healthz", ready = path == "/readyz";
  bool api = path.starts_with("/api/v1/"), dashboard = path == "/", asset = path.starts_with("/assets/");
  if (!metrics && !health && !ready && !api && !dashboard && !asset) {
    return Error(404,
                 "not found: the endpoints are / (the dashboard), /metrics, /healthz, /readyz and /api/v1/ "
                 "(docs/api.md)");
  }
  if (method != "GET" && method != "HEAD") return Error(405, "method not allowed: use GET");
  if (!health && !options_.token.empty()) {
    static constexpr std::string_view kBearer = "Bearer ";
    if (!authorization.starts_with(kBearer) || !SameSecret(authorization.substr(kBearer.size()), options_.token)) {
      return Error(401, "a valid bearer token is required");
    }
  }
  if (api) return endpoints_.ReadApi(path, params);
  if (dashboard) return endpoints_.Dashboard(params);
  if (asset) {
    std::optional<Asset> file = FindAsset(path);
    if (!file) return Error(404, "not found: no such file of the dashboard");
    return {200, std::string(file->content_type), std::string(file->body)};
  }
  if (metrics) return endpoints_.Metrics();
  return health ? endpoints_.Health() : endpoints_.Ready();
}

}  // namespace brandmon::http
