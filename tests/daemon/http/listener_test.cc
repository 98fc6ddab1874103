#include "daemon/http/listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <zlib.h>

#include "daemon/http/gzip.h"

namespace brandmon::http {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class FakeEndpoints final : public Endpoints {
 public:
  Reply Metrics() override { return {200, "text/plain", metrics_page}; }
  Reply Health() override { return {healthy.load() ? 200 : 503, "application/json", R"({"status":"ok"})"}; }
  Reply Ready() override { return {200, "application/json", R"({"status":"ready"})"}; }
  std::atomic<bool> healthy{true};
  std::string metrics_page = "brandmon_up 1\n";
};

// `gz` inflated, or "(not gzip)".
std::string Gunzip(const std::string& gz) {
  z_stream z{};
  if (inflateInit2(&z, 16 + 15) != Z_OK) return "(not gzip)";
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&z, Z_FINISH);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "(not gzip)";
}

// A raw client socket, for what httplib's client will not send.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawClient() { close(fd_); }
  bool connected() const { return connected_; }
  bool Send(const std::string& data) {
    return send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == ssize_t(data.size());
  }
  // What arrives until the server closes or `timeout` passes.
  std::string ReadAll(milliseconds timeout) {
    std::string out;
    auto deadline = steady_clock::now() + timeout;
    while (steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class ListenerTest : public ::testing::Test {
 protected:
  // httplib's client writes a cut-off upload without MSG_NOSIGNAL.
  void SetUp() override { signal(SIGPIPE, SIG_IGN); }
  void StartWith(settings::HttpOptions options) {
    options.listen = "127.0.0.1:0";
    listener_ = std::make_unique<Listener>(options, endpoints_);
    ASSERT_TRUE(listener_->Start(threads_).ok());
    std::string endpoint = listener_->endpoint();
    port_ = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  }
  void Start() { StartWith(settings::DefaultHttpOptions()); }
  httplib::Client Client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(std::chrono::seconds(10));
    return c;
  }
  int Get(const std::string& path, const httplib::Headers& headers = {}) {
    auto res = Client().Get(path.c_str(), headers);
    return res ? res->status : -1;
  }

  FakeEndpoints endpoints_;
  ThreadSet threads_;
  std::unique_ptr<Listener> listener_;
  int port_ = 0;
};

TEST_F(ListenerTest, RoutesTheThreeEndpointsAndRefusesTheRest) {
  Start();
  auto res = Client().Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "brandmon_up 1\n");
  EXPECT_EQ(Get("/healthz"), 200);
  EXPECT_EQ(Get("/readyz"), 200);
  endpoints_.healthy = false;
  EXPECT_EQ(Get("/healthz"), 503);
  EXPECT_EQ(Get("/"), 404);
  EXPECT_EQ(Get("/metrics/x"), 404);
  auto post = Client().Post("/metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(post->get_header_value("Allow"), "GET, HEAD");
  auto head = Client().Head("/metrics");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  ListenerCounters c = listener_->counters();
  EXPECT_EQ(c.responses[200], 4u);
  EXPECT_EQ(c.responses[404], 2u);
  EXPECT_EQ(c.responses[405], 1u);
}

TEST_F(ListenerTest, AClientThatTakesGzipGetsThePageCompressedOnce) {
  std::string page;
  for (int i = 0; i < 2000; ++i) page += "brandmon_source_polls_total{source=\"s" + std::to_string(i) + "\"} 3\n";
  endpoints_.metrics_page = page;
  Start();
  httplib::Client c = Client();
  c.set_decompress(false);
  auto gz = c.Get("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(gz);
  EXPECT_EQ(gz->status, 200);
  EXPECT_EQ(gz->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(gz->get_header_value_count("Content-Encoding"), 1u);
  EXPECT_EQ(gz->get_header_value("Content-Type"), "text/plain");
  EXPECT_LT(gz->body.size(), page.size() / 4);
  EXPECT_EQ(Gunzip(gz->body), page);
  // Refused, or not asked for: the page as it is.
  for (const char* accept : {"gzip;q=0", "br;q=0, identity", ""}) {
    auto plain = c.Get("/metrics", {{"Accept-Encoding", accept}});
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->has_header("Content-Encoding")) << accept;
    EXPECT_EQ(plain->body, page) << accept;
  }
  // A small answer is not worth it.
  auto health = c.Get("/healthz", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(health);
  EXPECT_FALSE(health->has_header("Content-Encoding"));
  auto head = c.Head("/metrics", {{"Accept-Encoding", "gzip"}});
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
}

TEST(GzipTest, AcceptEncodingIsReadAsRfc9110SaysWhateverItHolds) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(AcceptsGzip(" x-gzip "));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzipx, deflate"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip(";;;,,,q=1"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=abc"));
  EXPECT_FALSE(AcceptsGzip(std::string(100000, ',')));
  EXPECT_TRUE(Compressible("text/plain; version=0.0.4; charset=utf-8"));
  EXPECT_TRUE(Compressible("application/json"));
  EXPECT_FALSE(Compressible("image/png"));
  std::string body(100000, 'a');
  auto gz = GzipFast(body);
  ASSERT_TRUE(gz);
  EXPECT_EQ(Gunzip(*gz), body);
  EXPECT_EQ(Gunzip(*GzipFast("")), "");
}

TEST_F(ListenerTest, TokenIsRequiredEverywhereButHealthz) {
  settings::HttpOptions o = settings::DefaultHttpOptions();
  o.token = "s3cret-token";
  StartWith(o);
  auto res = Client().Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer realm=\"brandmond\"");
  EXPECT_EQ(res->body.find("s3cret"), std::string::npos);
  EXPECT_EQ(Get("/metrics", {{"Authorization", "Bearer s3cret-tokem"}}), 401);
  EXPECT_EQ(Get("/metrics", {{"Authorization", "Bearer s3cret-token-longer"}}), 401);
  EXPECT_EQ(Get("/metrics", {{"Authorization", "s3cret-token"}}), 401);
  EXPECT_EQ(Get("/readyz"), 401);
  EXPECT_EQ(Get("/metrics", {{"Authorization", "Bearer s3cret-token"}}), 200);
  EXPECT_EQ(Get("/readyz", {{"Authorization", "Bearer s3cret-token"}}), 200);
  EXPECT_EQ(Get("/healthz"), 200);
}

TEST_F(ListenerTest, BodyOverTheLimitIs413AndNeverRead) {
  Start();
  RawClient raw(port_);
  ASSERT_TRUE(raw.connected());
  raw.Send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n" + std::string(65536, 'x'));
  std::string reply = raw.ReadAll(milliseconds(5000));
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
  // A client that sends all 10 MB anyway is answered or cut, never read.
  auto res = Client().Post("/healthz", std::string(10 << 20, 'x'), "application/octet-stream");
  if (res) {
    EXPECT_EQ(res->status, 413);
  }
  EXPECT_EQ(Get("/healthz"), 200);
}

TEST_F(ListenerTest, HugeHeadersAre400AndTheListenerGoesOn) {
  Start();
  RawClient raw(port_);
  ASSERT_TRUE(raw.connected());
  std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100; ++i) request += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
  raw.Send(request + "\r\n");
  std::string reply = raw.ReadAll(milliseconds(5000));
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_EQ(Get("/healthz"), 200);
}

TEST_F(ListenerTest, SlowClientIsCutAtTheReadTimeoutWhileOthersAreServed) {
  settings::HttpOptions o = settings::DefaultHttpOptions();
  o.read_timeout = milliseconds(600);
  StartWith(o);
  RawClient slow(port_);
  ASSERT_TRUE(slow.connected());
  auto started = steady_clock::now();
  slow.Send("GET /healthz HTTP/1.1\r\n");
  std::string reply;
  // One header line every 100 ms: each read is quick, the request never ends.
  while (steady_clock::now() - started < std::chrono::seconds(5)) {
    if (!slow.Send("X-Drip: 1\r\n")) break;
    EXPECT_EQ(Get("/healthz"), 200);
    reply += slow.ReadAll(milliseconds(100));
    if (!reply.empty()) break;
  }
  auto took = steady_clock::now() - started;
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_F(ListenerTest, ConnectionsBeyondTheLimitGet503AtOnce) {
  settings::HttpOptions o = settings::DefaultHttpOptions();
  o.threads = 1;
  o.max_connections = 2;
  o.read_timeout = std::chrono::seconds(1);
  StartWith(o);
  // Two silent clients: one served (waiting for its request), one queued.
  RawClient a(port_), b(port_);
  ASSERT_TRUE(a.connected() && b.connected());
  std::this_thread::sleep_for(milliseconds(200));
  RawClient c(port_);
  ASSERT_TRUE(c.connected());
  c.Send("GET /healthz HTTP/1.1\r\n\r\n");
  std::string reply = c.ReadAll(milliseconds(1000));
  EXPECT_EQ(reply.rfind("HTTP/1.1 503", 0), 0u) << reply;
  EXPECT_EQ(listener_->counters().refused_busy, 1u);
  // Once the silent ones time out, requests are served again.
  a.ReadAll(milliseconds(5000));
  b.ReadAll(milliseconds(5000));
  EXPECT_EQ(Get("/healthz"), 200);
}

TEST_F(ListenerTest, StopJoinsEveryThreadItStarted) {
  settings::HttpOptions o = settings::DefaultHttpOptions();
  o.threads = 3;
  o.read_timeout = std::chrono::seconds(1);
  StartWith(o);
  EXPECT_EQ(threads_.Running(), (std::vector<std::string>{"http-worker", "http-worker", "http-worker", "http"}));
  RawClient idle(port_);  // a request in progress does not keep Stop() waiting past the timeout
  EXPECT_EQ(Get("/healthz"), 200);
  listener_->Stop();
  EXPECT_TRUE(threads_.Running().empty());
  EXPECT_EQ(Get("/healthz"), -1);
  listener_->Stop();
}

TEST_F(ListenerTest, AnAddressInUseIsUnavailableAndNamed) {
  Start();
  settings::HttpOptions o = settings::DefaultHttpOptions();
  o.listen = "127.0.0.1:" + std::to_string(port_);
  Listener second(o, endpoints_);
  ThreadSet threads;
  Status s = second.Start(threads);
  EXPECT_EQ(s.code(), Status::Code::kUnavailable);
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(port_)), std::string::npos) << s.message();
  EXPECT_TRUE(threads.Running().empty());
}

}  // namespace
}  // namespace brandmon::http
