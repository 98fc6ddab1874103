#include "daemon/notify/http_post.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/daemon/fetch/http_test_server.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::notify {
namespace {

using brandmon::testing::HttpTestServer;
using namespace std::chrono_literals;

HttpPostOptions Fast() {
  HttpPostOptions o;
  o.connect_timeout = 2s;
  o.timeout = 2s;
  return o;
}

TEST(DisplayUrlTest, ShowsSchemeHostAndPortOnly) {
  struct Case {
    const char* url;
    const char* shown;
  } cases[] = {
      {"https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com/…"},
      {"https://user:pass@example.com:8443/hook?token=abc", "https://example.com:8443/…"},
      {"http://127.0.0.1:9093", "http://127.0.0.1:9093"},
      {"http://127.0.0.1:9093/", "http://127.0.0.1:9093"},
      {"http://[::1]:8080/x", "http://[::1]:8080/…"},
      {"HTTPS://Example.COM/a", "https://example.com/…"},
      {"not a url", "<unreadable url>"},
  };
  for (const auto& c : cases) EXPECT_EQ(DisplayUrl(c.url), c.shown) << c.url;
}

TEST(FirstLineTest, KeepsOneSafeBoundedLine) {
  EXPECT_EQ(FirstLine("invalid_payload\nmore"), "invalid_payload");
  EXPECT_EQ(FirstLine("  padded \r\nx"), "padded");
  EXPECT_EQ(FirstLine("bell\x07 and esc\x1b[31m"), "bell\xEF\xBF\xBD and esc\xEF\xBF\xBD[31m");
  std::string long_line(300, 'a');
  long_line += "\xC3\xA9";
  EXPECT_EQ(FirstLine(long_line, 10), "aaaaaaaaaa…");
  EXPECT_EQ(FirstLine(std::string(9, 'a') + "\xC3\xA9", 10), "aaaaaaaaa…");  // never half a character
}

TEST(ClassifyResponseTest, SortsStatusesIntoDeliveredRetryAndPermanent) {
  struct Case {
    int status;
    Outcome::Kind kind;
  } cases[] = {
      {200, Outcome::Kind::kDelivered}, {202, Outcome::Kind::kDelivered}, {204, Outcome::Kind::kDelivered},
      {408, Outcome::Kind::kRetry},     {429, Outcome::Kind::kRetry},     {500, Outcome::Kind::kRetry},
      {503, Outcome::Kind::kRetry},     {400, Outcome::Kind::kPermanent}, {401, Outcome::Kind::kPermanent},
      {404, Outcome::Kind::kPermanent}, {410, Outcome::Kind::kPermanent}, {304, Outcome::Kind::kPermanent},
  };
  WallTime now = FromUnixMillis(1767261600000);
  for (const auto& c : cases) {
    HttpResponse r;
    r.status = c.status;
    r.body = "answer line\nsecond";
    Outcome o = ClassifyResponse(r, now, std::chrono::hours(1));
    EXPECT_EQ(o.kind, c.kind) << c.status;
    EXPECT_EQ(o.http_status, c.status);
    EXPECT_EQ(o.detail, "HTTP " + std::to_string(c.status) + ": answer line");
  }
}

TEST(ClassifyResponseTest, ReadsRetryAfterAsSecondsOrDateAndCapsIt) {
  WallTime now = FromUnixMillis(1767261600000);  // Thu, 01 Jan 2026 10:00:00 GMT
  HttpResponse r;
  r.status = 429;
  r.headers = {{"retry-after", "120"}};
  EXPECT_EQ(ClassifyResponse(r, now, 1h).retry_after, Duration(120s));
  r.headers = {{"retry-after", "Thu, 01 Jan 2026 10:01:30 GMT"}};
  EXPECT_EQ(ClassifyResponse(r, now, 1h).retry_after, Duration(90s));
  r.headers = {{"retry-after", "999999"}};
  EXPECT_EQ(ClassifyResponse(r, now, 1h).retry_after, Duration(1h));
  r.headers = {{"retry-after", "soon"}};
  EXPECT_FALSE(ClassifyResponse(r, now, 1h).retry_after.has_value());
}

TEST(HttpPosterTest, PostsBodyAndHeadersAndReusesTheConnection) {
  HttpTestServer server;
  std::atomic<int> posts{0};
  std::string seen_body, seen_type, seen_custom;
  server.server().Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    ++posts;
    seen_body = req.body;
    seen_type = req.get_header_value("Content-Type");
    seen_custom = req.get_header_value("X-Custom");
    res.set_content("ok", "text/plain");
  });
  HttpPoster poster(Fast());
  Headers headers = {{"Content-Type", "application/json"}, {"X-Custom", "1"}};
  for (int i = 0; i < 3; ++i) {
    Outcome o = poster.Post(server.Url("/hook"), headers, "{\"n\":" + std::to_string(i) + "}");
    EXPECT_EQ(o.kind, Outcome::Kind::kDelivered);
    EXPECT_EQ(o.http_status, 200);
    EXPECT_EQ(o.detail, "HTTP 200: ok");
  }
  EXPECT_EQ(posts.load(), 3);
  EXPECT_EQ(seen_body, "{\"n\":2}");
  EXPECT_EQ(seen_type, "application/json");
  EXPECT_EQ(seen_custom, "1");
}

TEST(HttpPosterTest, ServerErrorsAndThrottlingAreRetriedWithTheirWait) {
  HttpTestServer server;
  server.server().Post("/500", [](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("database down\nstack trace", "text/plain");
  });
  server.server().Post("/429", [](const httplib::Request&, httplib::Response& res) {
    res.status = 429;
    res.set_header("Retry-After", "7");
    res.set_content("slow down", "text/plain");
  });
  server.server().Post("/408", [](const httplib::Request&, httplib::Response& res) { res.status = 408; });
  HttpPoster poster(Fast());
  Outcome o = poster.Post(server.Url("/500"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.http_status, 500);
  EXPECT_EQ(o.detail, "HTTP 500: database down");
  o = poster.Post(server.Url("/429"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.retry_after, Duration(7s));
  EXPECT_EQ(o.detail, "HTTP 429: slow down");
  EXPECT_EQ(poster.Post(server.Url("/408"), {}, "x").kind, Outcome::Kind::kRetry);
}

TEST(HttpPosterTest, ClientErrorIsPermanentWithTheFirstLineOfTheAnswer) {
  HttpTestServer server;
  server.server().Post("/hook", [](const httplib::Request&, httplib::Response& res) {
    res.status = 400;
    res.set_content("invalid_payload\nsee docs", "text/plain");
  });
  HttpPoster poster(Fast());
  Outcome o = poster.Post(server.Url("/hook"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.http_status, 400);
  EXPECT_EQ(o.detail, "HTTP 400: invalid_payload");
}

TEST(HttpPosterTest, SlowAnswerTimesOutAsRetry) {
  HttpTestServer server;
  server.server().Post("/slow", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [&](size_t, httplib::DataSink& sink) {
      for (int i = 0; i < 300 && !server.stopping(); ++i) {
        sink.write(".", 1);
        std::this_thread::sleep_for(10ms);
      }
      sink.done();
      return true;
    });
  });
  HttpPostOptions o = Fast();
  o.timeout = 500ms;
  HttpPoster poster(o);
  auto start = std::chrono::steady_clock::now();
  Outcome out = poster.Post(server.Url("/slow"), {}, "x");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(out.kind, Outcome::Kind::kRetry);
  EXPECT_NE(out.detail.find("timed out"), std::string::npos) << out.detail;
  EXPECT_LT(took, 2500ms);
}

TEST(HttpPosterTest, ConnectionRefusedIsRetryAndNeverShowsThePath) {
  int port = 0;
  {
    HttpTestServer gone;  // its port is free once it is gone
    port = gone.port();
  }
  HttpPoster poster(Fast());
  std::string url = "http://user:pw@127.0.0.1:" + std::to_string(port) + "/services/T0/B0/TOPSECRET?k=v";
  Outcome o = poster.Post(url, {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.http_status, 0);
  EXPECT_EQ(o.detail.find("TOPSECRET"), std::string::npos) << o.detail;
  EXPECT_EQ(o.detail.find("pw"), std::string::npos) << o.detail;
  EXPECT_EQ(o.detail.rfind("http://127.0.0.1:" + std::to_string(port) + "/…", 0), 0u) << o.detail;
}

TEST(HttpPosterTest, RedirectToAnotherHostIsNotFollowed) {
  HttpTestServer elsewhere;
  std::atomic<int> reached{0};
  elsewhere.server().Post("/steal", [&](const httplib::Request&, httplib::Response&) { ++reached; });
  HttpTestServer server;
  server.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 307;
    res.set_header("Location", "http://localhost:" + std::to_string(elsewhere.port()) + "/steal?token=x");
  });
  HttpPoster poster(Fast());
  Outcome o = poster.Post(server.Url("/hook"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.http_status, 307);
  EXPECT_EQ(o.detail, "HTTP 307: redirect to http://localhost not followed (only the same host is)");
  EXPECT_EQ(reached.load(), 0);
}

TEST(HttpPosterTest, RedirectOnTheSameHostIsFollowedWithTheBody) {
  HttpTestServer server;
  std::string moved_body;
  server.server().Post("/old", [](const httplib::Request&, httplib::Response& res) {
    res.status = 308;
    res.set_header("Location", "/new");
  });
  server.server().Post("/new", [&](const httplib::Request& req, httplib::Response& res) {
    moved_body = req.body;
    res.status = 202;
  });
  server.server().Post("/loop", [](const httplib::Request&, httplib::Response& res) {
    res.status = 302;
    res.set_header("Location", "/loop");
  });
  HttpPoster poster(Fast());
  Outcome o = poster.Post(server.Url("/old"), {}, "payload");
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered);
  EXPECT_EQ(o.http_status, 202);
  EXPECT_EQ(moved_body, "payload");
  o = poster.Post(server.Url("/loop"), {}, "payload");
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.detail, "HTTP 302: too many redirects");
}

TEST(HttpPosterTest, LongAnswerIsCappedAndStillClassifiedByItsStatus) {
  HttpTestServer server;
  server.server().Post("/big", [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
    res.set_content(std::string(4 * 1024 * 1024, 'z'), "text/plain");
  });
  HttpPostOptions options = Fast();
  options.max_response = 1024;
  HttpPoster poster(options);
  Outcome o = poster.Post(server.Url("/big"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered);
  EXPECT_EQ(poster.last_response().body.size(), 1024u);
  EXPECT_LT(o.detail.size(), 260u);
}

TEST(HttpPosterTest, StopInterruptsATransferAndLaterPosts) {
  HttpTestServer server;
  server.server().Post("/hang", [&](const httplib::Request&, httplib::Response& res) {
    for (int i = 0; i < 1000 && !server.stopping(); ++i) std::this_thread::sleep_for(10ms);
    res.status = 200;
  });
  HttpPostOptions options = Fast();
  options.timeout = 30s;
  HttpPoster poster(options);
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    poster.Stop();
  });
  Outcome o = poster.Post(server.Url("/hang"), {}, "x");
  stopper.join();
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.detail, "stopped");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(poster.Post(server.Url("/hang"), {}, "x").kind, Outcome::Kind::kRetry);
}

// An HTTPS server on 127.0.0.1 with a self-signed certificate (made by the
// openssl tool), serving on its own thread.
class TlsServer {
 public:
  TlsServer() : cert_((dir_.path() / "cert.pem").string()) {
    std::string key = (dir_.path() / "key.pem").string(), out, err;
    ok_ = brandmon::testing::RunCommand(
              {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
               "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert_},
              &out, &err) == 0;
    server_ = std::make_unique<httplib::SSLServer>(cert_.c_str(), key.c_str());
    ok_ = ok_ && server_->is_valid();
    if (!ok_) return;
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    for (int i = 0; i < 500 && !server_->is_running(); ++i) std::this_thread::sleep_for(2ms);
  }
  ~TlsServer() {
    if (thread_.joinable()) {
      server_->stop();
      thread_.join();
    }
  }
  bool ok() const { return ok_; }
  httplib::Server& server() { return *server_; }
  const std::string& cert() const { return cert_; }
  std::string Url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  brandmon::testing::TempDir dir_;
  std::string cert_;
  bool ok_ = false;
  int port_ = 0;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
};

TEST(HttpPosterTest, VerifiesTheServersCertificate) {
  TlsServer tls;
  ASSERT_TRUE(tls.ok()) << "cannot set up the TLS server";
  std::atomic<int> posts{0};
  tls.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    ++posts;
    res.status = 204;
  });
  HttpPoster untrusting(Fast());
  Outcome o = untrusting.Post(tls.Url("/hook"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_NE(o.detail.find("certificate"), std::string::npos) << o.detail;
  EXPECT_EQ(posts.load(), 0);
  HttpPostOptions options = Fast();
  options.ca_file = tls.cert();
  HttpPoster trusting(options);
  o = trusting.Post(tls.Url("/hook"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  EXPECT_EQ(posts.load(), 1);
}

TEST(HttpPosterTest, NeverFollowsARedirectFromHttpsToHttpButUpgradesToHttps) {
  TlsServer tls;
  ASSERT_TRUE(tls.ok()) << "cannot set up the TLS server";
  HttpTestServer plain;
  std::atomic<int> plain_posts{0}, tls_posts{0};
  plain.server().Post("/hook", [&](const httplib::Request&, httplib::Response&) { ++plain_posts; });
  plain.server().Post("/upgrade", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 308;
    res.set_header("Location", tls.Url("/hook"));
  });
  tls.server().Post("/downgrade", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 307;
    res.set_header("Location", plain.Url("/hook?token=T"));
  });
  tls.server().Post("/hook", [&](const httplib::Request&, httplib::Response& res) {
    ++tls_posts;
    res.status = 200;
  });
  HttpPostOptions options = Fast();
  options.ca_file = tls.cert();
  HttpPoster poster(options);
  Outcome o = poster.Post(tls.Url("/downgrade"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.detail, "HTTP 307: redirect to http://127.0.0.1 not followed (only the same host is)");
  EXPECT_EQ(plain_posts.load(), 0);
  o = poster.Post(plain.Url("/upgrade"), {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  EXPECT_EQ(tls_posts.load(), 1);
}

TEST(HttpPosterTest, RefusesSchemesOtherThanHttp) {
  HttpPoster poster(Fast());
  Outcome o = poster.Post("file:///etc/passwd", {}, "x");
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
}

}  // namespace
}  // namespace brandmon::notify
