#include "daemon/fetch/fetcher.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>

#include "tests/daemon/fetch/http_test_server.h"
#include "tests/support/test_util.h"

namespace brandmon::fetch {
namespace {

using namespace std::chrono_literals;
using testing::HttpTestServer;

FetchRequest Get(const std::string& url) {
  FetchRequest r;
  r.http.url = url;
  return r;
}

class FetcherTest : public ::testing::Test {
 protected:
  FetchOptions options_;
  HttpTestServer server_;
};

TEST_F(FetcherTest, SendsValidatorsAndGets304WithETag) {
  server_.server().Get("/feed", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("ETag", "\"v1\"");
    if (req.get_header_value("If-None-Match") == "\"v1\"") {
      res.status = 304;
      return;
    }
    res.set_content("<rss/>", "application/rss+xml");
  });
  FetchResult first = FetchOnce(options_, Get(server_.Url("/feed")));
  ASSERT_TRUE(first.status.ok()) << first.status.message();
  EXPECT_EQ(first.response.status, 200);
  EXPECT_EQ(first.response.body, "<rss/>");
  ASSERT_NE(first.response.Header("etag"), nullptr);
  FetchRequest again = Get(server_.Url("/feed"));
  again.etag = *first.response.Header("etag");
  FetchResult second = FetchOnce(options_, again);
  EXPECT_EQ(second.response.status, 304);
  EXPECT_TRUE(second.response.body.empty());
}

TEST_F(FetcherTest, SendsIfModifiedSince) {
  const std::string stamp = "Wed, 21 Oct 2015 07:28:00 GMT";
  server_.server().Get("/feed", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Last-Modified", stamp);
    if (req.get_header_value("If-Modified-Since") == stamp) {
      res.status = 304;
      return;
    }
    res.set_content("<rss/>", "application/rss+xml");
  });
  FetchRequest r = Get(server_.Url("/feed"));
  r.last_modified = stamp;
  EXPECT_EQ(FetchOnce(options_, r).response.status, 304);
  EXPECT_EQ(FetchOnce(options_, Get(server_.Url("/feed"))).response.status, 200);
}

TEST_F(FetcherTest, FollowsRedirectChainsAndStopsLoops) {
  server_.server().Get(R"(/hop/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
    int n = std::stoi(req.matches[1]);
    if (n == 0) {
      res.set_content("arrived", "text/plain");
    } else {
      res.set_redirect("/hop/" + std::to_string(n - 1));
    }
  });
  server_.server().Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
  FetchResult ok = FetchOnce(options_, Get(server_.Url("/hop/5")));
  ASSERT_TRUE(ok.status.ok()) << ok.status.message();
  EXPECT_EQ(ok.response.body, "arrived");
  EXPECT_EQ(ok.response.url, server_.Url("/hop/0"));
  FetchResult too_many = FetchOnce(options_, Get(server_.Url("/hop/6")));
  EXPECT_EQ(too_many.status.code(), Status::Code::kUnavailable);
  FetchResult loop = FetchOnce(options_, Get(server_.Url("/loop?token=hunter2")));
  EXPECT_EQ(loop.status.code(), Status::Code::kUnavailable);
  EXPECT_NE(loop.status.message().find("too many redirects (more than 5)"), std::string::npos) << loop.status.message();
  EXPECT_EQ(loop.status.message().find("hunter2"), std::string::npos) << "query strings may hold tokens";
}

TEST_F(FetcherTest, AbortsAStalledTransfer) {
  const auto& stopping = server_.stopping();
  server_.server().Get("/drip", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/xml", [&](size_t, httplib::DataSink& sink) {
      for (int i = 0; i < 100 && !stopping; ++i) std::this_thread::sleep_for(10ms);
      return !stopping && sink.write("<", 1);
    });
  });
  options_.low_speed_time = 1s;
  options_.low_speed_limit = 100;
  auto start = std::chrono::steady_clock::now();
  FetchResult r = FetchOnce(options_, Get(server_.Url("/drip")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(r.status.code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status.message().find("stalled"), std::string::npos) << r.status.message();
}

TEST_F(FetcherTest, TotalTimeoutAbortsASlowServer) {
  const auto& stopping = server_.stopping();
  server_.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 300 && !stopping; ++i) std::this_thread::sleep_for(10ms);
    res.set_content("late", "text/plain");
  });
  options_.timeout = 1s;
  FetchResult r = FetchOnce(options_, Get(server_.Url("/slow")));
  EXPECT_EQ(r.status.code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status.message().find("timed out fetching " + server_.Url("/slow")), std::string::npos)
      << r.status.message();
}

TEST_F(FetcherTest, EndlessBodyHitsTheSizeCap) {
  const auto& stopping = server_.stopping();
  server_.server().Get("/endless", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("application/json", [&](size_t, httplib::DataSink& sink) {
      std::string chunk(16 * 1024, 'x');
      return !stopping && sink.write(chunk.data(), chunk.size());
    });
  });
  options_.max_body = 256 * 1024;
  FetchResult r = FetchOnce(options_, Get(server_.Url("/endless")));
  EXPECT_EQ(r.status.code(), Status::Code::kCorrupt);
  EXPECT_NE(r.status.message().find("larger than 256KiB"), std::string::npos) << r.status.message();
  EXPECT_TRUE(r.response.body.empty());
}

TEST_F(FetcherTest, DeclaredOversizeBodyIsRefusedBeforeDownload) {
  server_.server().Get("/big", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(300 * 1024, 'y'), "application/octet-stream");
  });
  options_.max_body = 256 * 1024;
  EXPECT_EQ(FetchOnce(options_, Get(server_.Url("/big"))).status.code(), Status::Code::kCorrupt);
}

TEST_F(FetcherTest, DecodesGzipAndSendsIdentityAndHeaders) {
  std::string seen_agent, seen_custom, seen_encoding;
  std::string text(20000, 'a');
  server_.server().Get("/gz", [&](const httplib::Request& req, httplib::Response& res) {
    seen_agent = req.get_header_value("User-Agent");
    seen_custom = req.get_header_value("X-Api-Key");
    seen_encoding = req.get_header_value("Accept-Encoding");
    res.set_header("Content-Encoding", "gzip");
    res.set_content(testing::Gzip(text), "application/octet-stream");
  });
  FetchRequest r = Get(server_.Url("/gz"));
  r.http.headers.emplace_back("X-Api-Key", "k");
  FetchResult out = FetchOnce(options_, r);
  ASSERT_TRUE(out.status.ok()) << out.status.message();
  EXPECT_EQ(out.response.body, text);
  EXPECT_EQ(seen_agent, DefaultUserAgent());
  EXPECT_EQ(seen_agent.rfind("brandmon/", 0), 0u);
  EXPECT_EQ(seen_custom, "k");
  EXPECT_NE(seen_encoding.find("gzip"), std::string::npos);
  EXPECT_NE(seen_encoding.find("deflate"), std::string::npos);
}

TEST_F(FetcherTest, PostsAJsonBody) {
  std::string body, type;
  server_.server().Post("/q", [&](const httplib::Request& req, httplib::Response& res) {
    body = req.body;
    type = req.get_header_value("Content-Type");
    res.set_content("{}", "application/json");
  });
  FetchRequest r = Get(server_.Url("/q"));
  r.http.method = "POST";
  r.http.body = R"({"query":"acme"})";
  r.http.headers.emplace_back("Content-Type", "application/json");
  ASSERT_TRUE(FetchOnce(options_, r).status.ok());
  EXPECT_EQ(body, R"({"query":"acme"})");
  EXPECT_EQ(type, "application/json");
}

TEST_F(FetcherTest, TraceRecordsTheExchange) {
  server_.server().Get("/t",
                       [](const httplib::Request&, httplib::Response& res) { res.set_content("x", "text/plain"); });
  FetchRequest r = Get(server_.Url("/t"));
  r.trace = true;
  FetchResult out = FetchOnce(options_, r);
  EXPECT_NE(out.trace.find("> GET /t HTTP/1.1"), std::string::npos) << out.trace;
  EXPECT_NE(out.trace.find("< HTTP/1.1 200 OK"), std::string::npos) << out.trace;
}

TEST_F(FetcherTest, RefusedConnectionIsUnavailableAndNamesTheUrl) {
  int port;
  {
    HttpTestServer gone;
    port = gone.port();
  }
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/x?key=secret";
  FetchResult r = FetchOnce(options_, Get(url));
  EXPECT_EQ(r.status.code(), Status::Code::kUnavailable);
  EXPECT_NE(r.status.message().find("http://127.0.0.1:" + std::to_string(port) + "/x"), std::string::npos);
  EXPECT_EQ(r.status.message().find("secret"), std::string::npos);
}

TEST_F(FetcherTest, OnlyHttpAndHttpsUrls) {
  FetchResult r = FetchOnce(options_, Get("file:///etc/passwd"));
  EXPECT_EQ(r.status.code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(r.response.body.empty());
}

TEST_F(FetcherTest, ManyTransfersRespectThePerHostCap) {
  std::mutex mu;
  std::condition_variable changed;
  int active = 0, peak = 0;
  server_.server().Get(R"(/slot/(\d+))", [&](const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu);
    peak = std::max(peak, ++active);
    changed.notify_all();
    // Each transfer stays until a second one runs beside it (or 2 s pass:
    // the last one may have nobody left), so that a busy machine cannot
    // hide a second slot, and then 50 ms more, so that a third would show.
    changed.wait_for(lock, 2s, [&] { return active >= 2; });
    changed.wait_for(lock, 50ms, [] { return false; });
    --active;
    changed.notify_all();
    res.set_content(req.matches[1].str(), "text/plain");
  });
  auto fetcher = Fetcher::Create(options_);
  ASSERT_TRUE(fetcher.ok());
  std::vector<std::string> bodies;
  for (int i = 0; i < 8; ++i) {
    (*fetcher)->Submit(Get(server_.Url("/slot/" + std::to_string(i))),
                       [&](FetchResult r) { bodies.push_back(r.response.body); });
  }
  auto until = std::chrono::steady_clock::now() + 20s;
  while ((*fetcher)->Perform(100ms) > 0 && std::chrono::steady_clock::now() < until) {
  }
  ASSERT_EQ(bodies.size(), 8u);
  // The first two run side by side: either may finish first.
  EXPECT_EQ((std::set<std::string>{bodies[0], bodies[1]}), (std::set<std::string>{"0", "1"}))
      << "one host's transfers start in submission order";
  EXPECT_EQ(peak, 2) << "default max_per_host is 2";
}

TEST_F(FetcherTest, ASlowPathDoesNotHoldUpTheHostsOtherTransfers) {
  std::atomic<bool> fast_served{false};
  std::atomic<int> slow_running{0}, slow_running_at_fast{-1}, active{0}, peak{0};
  const auto& stopping = server_.stopping();
  server_.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    peak = std::max(peak.load(), ++active);
    ++slow_running;
    // Answers once the fast path was served, or after 10 s when it never is.
    for (int i = 0; i < 1000 && !fast_served && !stopping; ++i) std::this_thread::sleep_for(10ms);
    --slow_running;
    --active;
    res.set_content("slow", "text/plain");
  });
  server_.server().Get("/fast", [&](const httplib::Request&, httplib::Response& res) {
    peak = std::max(peak.load(), ++active);
    slow_running_at_fast = slow_running.load();
    fast_served = true;
    --active;
    res.set_content("fast", "text/plain");
  });
  options_.slot_time = 200ms;
  auto fetcher = Fetcher::Create(options_);
  ASSERT_TRUE(fetcher.ok());
  std::vector<std::string> bodies;
  for (const char* path : {"/slow", "/slow", "/slow", "/fast"}) {
    (*fetcher)->Submit(Get(server_.Url(path)), [&](FetchResult r) { bodies.push_back(r.response.body); });
  }
  auto start = std::chrono::steady_clock::now();
  while ((*fetcher)->Perform(100ms) > 0 && std::chrono::steady_clock::now() - start < 20s) {
  }
  ASSERT_EQ(bodies.size(), 4u);
  EXPECT_GE(slow_running_at_fast, 2) << "the fast path got a slot while the slow ones ran";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_LE(peak, 4) << "never more than twice max_per_host to one host";
}

TEST_F(FetcherTest, AHostAtTwiceItsCapWaitsWithoutSpinning) {
  const auto& stopping = server_.stopping();
  std::atomic<bool> release{false};
  server_.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 1000 && !release && !stopping; ++i) std::this_thread::sleep_for(10ms);
    res.set_content("slow", "text/plain");
  });
  options_.max_per_host = 1;
  options_.slot_time = 100ms;
  auto fetcher = Fetcher::Create(options_);
  ASSERT_TRUE(fetcher.ok());
  int done = 0;
  for (int i = 0; i < 3; ++i) (*fetcher)->Submit(Get(server_.Url("/slow")), [&](FetchResult) { ++done; });
  // Two run (twice the cap of one) past their slot_time; the third waits.
  int loops = 0;
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 800ms) {
    (*fetcher)->Perform(100ms);
    ++loops;
  }
  EXPECT_LT(loops, 40) << "a slot freed long ago is no reason to wake";
  release = true;
  while (done < 3 && std::chrono::steady_clock::now() - start < 20s) (*fetcher)->Perform(100ms);
  EXPECT_EQ(done, 3);
}

// A second server that records what reached it.
class LandingServer {
 public:
  LandingServer() {
    server_.server().Get("/land", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++hits_;
      api_key_ += req.get_header_value("X-Api-Key");
      res.set_content("landed", "text/plain");
    });
  }
  int hits() {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }
  std::string api_key() {
    std::lock_guard<std::mutex> lock(mu_);
    return api_key_;
  }
  std::string Url(const std::string& host) const {
    return "http://" + host + ":" + std::to_string(server_.port()) + "/land";
  }

 private:
  HttpTestServer server_;
  std::mutex mu_;
  int hits_ = 0;
  std::string api_key_;
};

TEST_F(FetcherTest, CrossOriginRedirectDoesNotCarryAnApiKeyAway) {
  LandingServer other;
  server_.server().Get(
      "/start", [&](const httplib::Request&, httplib::Response& res) { res.set_redirect(other.Url("127.0.0.1")); });
  FetchRequest keyed = Get(server_.Url("/start?key=s3cret"));
  keyed.http.headers.emplace_back("X-Api-Key", "s3cret");
  keyed.rules.allow_private = true;  // both servers are on loopback: only the origin rule is at work
  FetchResult r = FetchOnce(options_, keyed);
  EXPECT_EQ(r.status.code(), Status::Code::kInvalidArgument) << r.status.message();
  EXPECT_EQ(r.status.message(), "redirect to " + other.Url("127.0.0.1") +
                                    " refused: the source sends credentials, which stay on http://127.0.0.1:" +
                                    std::to_string(server_.port()));
  EXPECT_EQ(other.hits(), 0) << "the request never reached the other origin";
  EXPECT_EQ(other.api_key(), "");
  EXPECT_TRUE(r.response.body.empty());

  // Marked by the plugin (a token in the URL, a header of any name): the same.
  FetchRequest marked = Get(server_.Url("/start"));
  marked.http.credentials = true;
  marked.rules.allow_private = true;
  EXPECT_EQ(FetchOnce(options_, marked).status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(other.hits(), 0);

  // Without credentials the redirect is followed.
  FetchRequest plain = Get(server_.Url("/start"));
  plain.rules.allow_private = true;
  FetchResult followed = FetchOnce(options_, plain);
  ASSERT_TRUE(followed.status.ok()) << followed.status.message();
  EXPECT_EQ(followed.response.body, "landed");
  EXPECT_EQ(other.hits(), 1);
}

TEST_F(FetcherTest, SameOriginRedirectKeepsTheApiKey) {
  std::string seen;
  server_.server().Get("/old", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/new"); });
  server_.server().Get("/new", [&](const httplib::Request& req, httplib::Response& res) {
    seen = req.get_header_value("X-Api-Key");
    res.set_content("ok", "text/plain");
  });
  FetchRequest keyed = Get(server_.Url("/old"));
  keyed.http.headers.emplace_back("X-Api-Key", "k");
  FetchResult r = FetchOnce(options_, keyed);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(seen, "k");
}

TEST_F(FetcherTest, RedirectToAnotherHostsPrivateAddressNeedsAllowPrivate) {
  LandingServer other;
  server_.server().Get("/meta", [](const httplib::Request&, httplib::Response& res) {
    res.set_redirect("http://169.254.169.254/latest/meta-data/iam/");
  });
  server_.server().Get(
      "/local", [&](const httplib::Request&, httplib::Response& res) { res.set_redirect(other.Url("localhost")); });
  auto start = std::chrono::steady_clock::now();
  FetchResult meta = FetchOnce(options_, Get(server_.Url("/meta")));
  EXPECT_EQ(meta.status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(meta.status.message(),
            "redirect to http://169.254.169.254/latest/meta-data/iam/ refused: it reaches 169.254.169.254 (cloud "
            "metadata) (allow_private permits it)");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "refused before connecting, not timed out";

  // "localhost" is another host than 127.0.0.1: the address it resolves to decides.
  FetchResult local = FetchOnce(options_, Get(server_.Url("/local")));
  EXPECT_EQ(local.status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(local.status.message().rfind("redirect to " + other.Url("localhost") + " refused: it reaches ", 0), 0u)
      << local.status.message();
  EXPECT_NE(local.status.message().find(" (loopback)"), std::string::npos) << "127.0.0.1 or ::1";
  EXPECT_EQ(other.hits(), 0);

  FetchRequest allowed = Get(server_.Url("/local"));
  allowed.rules.allow_private = true;
  FetchResult followed = FetchOnce(options_, allowed);
  ASSERT_TRUE(followed.status.ok()) << followed.status.message();
  EXPECT_EQ(followed.response.body, "landed");
}

TEST_F(FetcherTest, DenyPrivateChecksTheAddressConnectedTo) {
  int hits = 0;
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.set_content("<rss/>", "application/rss+xml");
  });
  FetchRequest denied = Get(server_.Url("/feed"));
  denied.rules.deny_private = true;
  FetchResult r = FetchOnce(options_, denied);
  EXPECT_EQ(r.status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(r.status.message(), server_.Url("/feed") + " reaches 127.0.0.1 (loopback), refused by deny_private");
  // A name is judged by what it resolves to, at connect time.
  FetchRequest by_name = Get("http://localhost:" + std::to_string(server_.port()) + "/feed");
  by_name.rules.deny_private = true;
  EXPECT_EQ(FetchOnce(options_, by_name).status.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(hits, 0);
  // Without deny_private a local feed works.
  FetchResult plain = FetchOnce(options_, Get(server_.Url("/feed")));
  ASSERT_TRUE(plain.status.ok()) << plain.status.message();
  EXPECT_EQ(hits, 1);
}

TEST_F(FetcherTest, AReusedConnectionIsCheckedToo) {
  std::atomic<int> hits{0};
  server_.server().Get("/feed", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.set_content("<rss/>", "application/rss+xml");
  });
  auto fetcher = Fetcher::Create(options_);
  ASSERT_TRUE(fetcher.ok());
  std::vector<FetchResult> results;
  (*fetcher)->Submit(Get(server_.Url("/feed")), [&](FetchResult r) { results.push_back(std::move(r)); });
  while (results.empty()) (*fetcher)->Perform(100ms);
  // The kept-alive connection to 127.0.0.1 is not opened again for this one.
  FetchRequest denied = Get(server_.Url("/feed"));
  denied.rules.deny_private = true;
  (*fetcher)->Submit(denied, [&](FetchResult r) { results.push_back(std::move(r)); });
  while (results.size() < 2) (*fetcher)->Perform(100ms);
  EXPECT_TRUE(results[0].status.ok());
  EXPECT_EQ(results[1].status.code(), Status::Code::kInvalidArgument) << results[1].status.message();
  EXPECT_EQ(hits, 1);
}

// A TLS listener on 127.0.0.1 that answers every request with a redirect to
// `location`, with a self-signed certificate for 127.0.0.1 (made by the
// openssl tool) that the fetcher is told to trust.
class TlsRedirector {
 public:
  explicit TlsRedirector(std::string location) : location_(std::move(location)) {
    cert_ = (dir_.path() / "cert.pem").string();
    std::string key = (dir_.path() / "key.pem").string();
    std::string cmd =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext "
        "subjectAltName=IP:127.0.0.1 -keyout " +
        key + " -out " + cert_ + " >/dev/null 2>&1";
    ok_ = std::system(cmd.c_str()) == 0;
    ctx_ = SSL_CTX_new(TLS_server_method());
    ok_ = ok_ && ctx_ != nullptr && SSL_CTX_use_certificate_chain_file(ctx_, cert_.c_str()) == 1 &&
          SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) == 1;
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ok_ = ok_ && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && listen(fd_, 8) == 0 &&
          getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    port_ = ntohs(addr.sin_port);
    if (ok_) thread_ = std::thread([this] { Serve(); });
  }
  ~TlsRedirector() {
    shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    close(fd_);
    SSL_CTX_free(ctx_);
  }
  bool ok() const { return ok_; }
  const std::string& cert() const { return cert_; }
  std::string Url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  void Serve() {
    while (true) {
      int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) return;
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, conn);
      if (SSL_accept(ssl) == 1) {
        std::string request;
        char buf[4096];
        int n;
        while (request.find("\r\n\r\n") == std::string::npos && (n = SSL_read(ssl, buf, sizeof buf)) > 0) {
          request.append(buf, static_cast<size_t>(n));
        }
        std::string reply =
            "HTTP/1.1 302 Found\r\nLocation: " + location_ + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        SSL_write(ssl, reply.data(), static_cast<int>(reply.size()));
        SSL_shutdown(ssl);
      }
      SSL_free(ssl);
      close(conn);
    }
  }

  std::string location_;
  testing::TempDir dir_;
  std::string cert_;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  int port_ = 0;
  bool ok_ = false;
  std::thread thread_;
};

TEST_F(FetcherTest, NeverFollowsARedirectFromHttpsToHttp) {
  LandingServer plain;
  TlsRedirector tls(plain.Url("127.0.0.1") + "?token=s3cret");
  ASSERT_TRUE(tls.ok()) << "cannot set up the TLS listener";
  options_.ca_file = tls.cert();
  FetchRequest r = Get(tls.Url("/feed"));
  r.rules.allow_private = true;  // only the scheme rule is at work
  FetchResult out = FetchOnce(options_, r);
  EXPECT_EQ(out.status.code(), Status::Code::kInvalidArgument) << out.status.message();
  EXPECT_EQ(out.status.message(), "redirect to " + plain.Url("127.0.0.1") + " refused: it leaves https for http");
  EXPECT_EQ(plain.hits(), 0);
}

}  // namespace
}  // namespace brandmon::fetch
