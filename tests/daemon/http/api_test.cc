#include "daemon/http/api.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "daemon/http/listener.h"
#include "tests/daemon/query/query_fixture.h"

namespace brandmon::http {
namespace {

using testing::QueryFixture;

class ApiEndpoints final : public Endpoints {
 public:
  explicit ApiEndpoints(Api& api) : api_(api) {}
  Reply Metrics() override { return {200, "text/plain", ""}; }
  Reply Health() override { return {200, "application/json", "{}"}; }
  Reply Ready() override { return {200, "application/json", "{}"}; }
  Reply ReadApi(std::string_view path, const query::Params& params) override { return api_.Handle(path, params); }

 private:
  http::Api& api_;
};

// What the server sends back to `request`, written on a raw socket a piece
// at a time while reading: a server that answers before the end of a huge
// request must not be stuck behind a blocking send.
std::string RawExchange(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    size_t sent = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      bool sending = sent < request.size() && out.empty();
      pollfd p{fd, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0};
      if (poll(&p, 1, 50) <= 0) continue;
      if (p.revents & POLLIN) {
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
      } else if (sending && (p.revents & POLLOUT)) {
        ssize_t n = send(fd, request.data() + sent, std::min<size_t>(65536, request.size() - sent),
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN) break;
        if (n > 0) sent += static_cast<size_t>(n);
      } else if (p.revents & (POLLHUP | POLLERR)) {
        break;
      }
    }
  }
  close(fd);
  return out;
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    clock_.SetNow(FromUnixMillis(QueryFixture::Hour(4)));
    settings::HttpOptions options = settings::DefaultHttpOptions();
    options.listen = "127.0.0.1:0";
    options.token = "secret";
    listener_ = std::make_unique<Listener>(options, endpoints_);
    ASSERT_TRUE(listener_->Start(threads_).ok());
    std::string endpoint = listener_->endpoint();
    port_ = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  }
  void TearDown() override { listener_->Stop(); }

  // GETs `target` with the token; the status and the body parsed as JSON.
  int Get(const std::string& target, rapidjson::Document* body = nullptr) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(std::chrono::seconds(10));
    auto res = c.Get(target.c_str(), {{"Authorization", "Bearer secret"}});
    if (!res) return -1;
    if (body != nullptr) {
      body->Parse(res->body.c_str());
      EXPECT_FALSE(body->HasParseError()) << target << ": " << res->body;
      EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    }
    return res->status;
  }
  std::string ErrorOf(const std::string& target, int expected_status = 400) {
    rapidjson::Document body;
    EXPECT_EQ(Get(target, &body), expected_status) << target;
    if (!body.IsObject() || !body.HasMember("error") || !body["error"].IsString()) return "";
    return body["error"].GetString();
  }

  QueryFixture fixture_;
  FakeClock clock_;
  Api api_{fixture_.path(), clock_};
  ApiEndpoints endpoints_{api_};
  ThreadSet threads_;
  std::unique_ptr<Listener> listener_;
  int port_ = 0;
};

TEST_F(ApiTest, SeriesHoldsTheStoredFiguresWithEmptyBucketsAsZeros) {
  rapidjson::Document body;
  ASSERT_EQ(Get("/api/v1/series?brand=acme&since=2026-01-01T00:00:00Z&until=2026-01-01T06:00:00Z&step=1h", &body), 200);
  EXPECT_STREQ(body["start"].GetString(), "2026-01-01T00:00:00Z");
  EXPECT_STREQ(body["step"].GetString(), "1h");
  const auto& series = body["series"];
  ASSERT_EQ(series.Size(), 1u);
  EXPECT_STREQ(series[0]["brand"].GetString(), "acme");
  const auto& buckets = series[0]["buckets"];
  ASSERT_EQ(buckets.Size(), 6u);
  EXPECT_EQ(buckets[0]["mentions"].GetInt64(), 2);
  EXPECT_NEAR(buckets[0]["mean_score"].GetDouble(), -0.1, 1e-9);
  EXPECT_NEAR(buckets[0]["negative_pct"].GetDouble(), 50, 1e-9);
  EXPECT_NEAR(buckets[0]["reach"].GetDouble(), 110, 1e-9);
  EXPECT_STREQ(buckets[5]["start"].GetString(), "2026-01-01T05:00:00Z");
  EXPECT_EQ(buckets[5]["mentions"].GetInt64(), 0);
}

TEST_F(ApiTest, BreakdownByBrandIsShareOfVoice) {
  rapidjson::Document body;
  ASSERT_EQ(Get("/api/v1/breakdown?by=brand", &body), 200);
  const auto& rows = body["rows"];
  ASSERT_EQ(rows.Size(), 2u);
  EXPECT_STREQ(rows[0]["brand"].GetString(), "acme");
  EXPECT_EQ(rows[0]["mentions"].GetInt64(), 5);
  EXPECT_NEAR(rows[1]["share_pct"].GetDouble(), 100.0 / 6, 1e-9);
}

TEST_F(ApiTest, MentionsPageThroughTheCursorAndSearchText) {
  std::vector<std::string> titles;
  std::string target = "/api/v1/mentions?limit=4";
  for (int i = 0; i < 5 && !target.empty(); ++i) {
    rapidjson::Document body;
    ASSERT_EQ(Get(target, &body), 200);
    for (const auto& m : body["mentions"].GetArray()) titles.push_back(m["title"].GetString());
    target = body["next_cursor"].IsString()
                 ? "/api/v1/mentions?limit=4&cursor=" + std::string(body["next_cursor"].GetString())
                 : "";
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"+1 acme", "=cmd|' /C calc'!A0", "Globex wins", "Acme au café",
                                              "Acme praise", "Acme outage"}));
  rapidjson::Document found;
  ASSERT_EQ(Get("/api/v1/mentions?q=caf%C3%A9%20creme", &found), 200);
  ASSERT_EQ(found["mentions"].Size(), 1u);
  const auto& m = found["mentions"][0];
  EXPECT_STREQ(m["author"].GetString(), "Chloé");
  EXPECT_STREQ(m["lang"].GetString(), "fr");
  EXPECT_STREQ(m["stored_at"].GetString(), "2026-01-01T01:00:00Z");
  EXPECT_STREQ(m["sentiment"]["label"].GetString(), "neutral");
  rapidjson::Document top;
  ASSERT_EQ(Get("/api/v1/mentions?sort=reach&limit=1", &top), 200);
  EXPECT_STREQ(top["mentions"][0]["title"].GetString(), "Globex wins");
  EXPECT_EQ(top["mentions"][0]["reach"].GetDouble(), 1000);
}

TEST_F(ApiTest, HostileValuesAreOnlyData) {
  for (const char* target : {"/api/v1/mentions?brand=acme%27%20OR%20%271%27%3D%271",
                             "/api/v1/mentions?brand=acme%22%3B%20DROP%20TABLE%20mentions%3B%20--",
                             "/api/v1/mentions?q=%22%29%20OR%201%3D1%3B%20--", "/api/v1/mentions?q=NEAR%28",
                             "/api/v1/series?brand=%27%3B--&channel=%3B"}) {
    rapidjson::Document body;
    ASSERT_EQ(Get(target, &body), 200) << target;
  }
  rapidjson::Document all;
  ASSERT_EQ(Get("/api/v1/mentions?limit=100", &all), 200);
  EXPECT_EQ(all["mentions"].Size(), 6u);
}

TEST_F(ApiTest, BadParametersAre400NamingTheParameter) {
  EXPECT_EQ(ErrorOf("/api/v1/mentions?limit=-1").rfind("limit:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/mentions?limit=100000000000000000000").rfind("limit:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/series?since=not-a-date").rfind("since: not a time", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/series?since=2026-02-01&until=2026-01-01").rfind("since: is after until", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/series?since=3000d&step=1h").rfind("step: too many buckets", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/series?step=45m").rfind("step:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/series?split=brand").rfind("split:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/breakdown").rfind("by: required", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/mentions?cursor=%27%20OR%201%3D1").rfind("cursor:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/mentions?label=%22angry%22"),
            "label: unknown label '\"angry\"' (positive, neutral, negative, unscored)");
  EXPECT_EQ(ErrorOf("/api/v1/alerts?q=x").rfind("unknown parameter 'q'", 0), 0u);
  EXPECT_NE(ErrorOf("/api/v1/nope", 404).find("/api/v1/series"), std::string::npos);
}

TEST_F(ApiTest, AHugeQueryStringIsRefusedAndTheListenerGoesOn) {
  std::string request = "GET /api/v1/mentions?q=" + std::string(10 << 20, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string reply = RawExchange(port_, request);
  EXPECT_EQ(reply.rfind("HTTP/1.1 414", 0), 0u) << reply.substr(0, 200);
  EXPECT_EQ(listener_->counters().responses[414], 1u);
  EXPECT_EQ(Get("/api/v1/sources"), 200);
}

TEST_F(ApiTest, TheTokenIsRequired) {
  httplib::Client c("127.0.0.1", port_);
  auto res = c.Get("/api/v1/sources");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(ApiTest, AlertsAndSources) {
  rapidjson::Document alerts;
  ASSERT_EQ(Get("/api/v1/alerts?brand=acme", &alerts), 200);
  ASSERT_EQ(alerts["alerts"].Size(), 2u);
  EXPECT_STREQ(alerts["alerts"][0]["alert"]["rule"].GetString(), "volume_spike");
  EXPECT_STREQ(alerts["alerts"][0]["ts"].GetString(), "2026-01-01T03:01:00Z");
  EXPECT_STREQ(alerts["alerts"][1]["topic"].GetString(), "alert.acme.negative_mention");
  rapidjson::Document sources;
  ASSERT_EQ(Get("/api/v1/sources", &sources), 200);
  ASSERT_EQ(sources["sources"].Size(), 2u);
  EXPECT_STREQ(sources["sources"][1]["source"].GetString(), "rss-feed");
  EXPECT_EQ(sources["sources"][1]["failures"].GetInt64(), 2);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The export holds what `brandmonctl export` writes for the same filter:
// its golden files are the contract.
TEST_F(ApiTest, ExportStreamsTheRowsOfBrandmonctlExport) {
  const std::string golden = std::string(BRANDMON_SOURCE_DIR) + "/tests/daemon/cli/export/";
  httplib::Client c("127.0.0.1", port_);
  auto csv = c.Get("/api/v1/export?since=2026-01-01&until=2026-01-02", {{"Authorization", "Bearer secret"}});
  ASSERT_TRUE(csv);
  ASSERT_EQ(csv->status, 200) << csv->body;
  EXPECT_EQ(csv->body, ReadFile(golden + "all.csv"));
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv; charset=utf-8; header=present");
  EXPECT_EQ(csv->get_header_value("Content-Disposition"), "attachment; filename=\"mentions.csv\"");
  EXPECT_EQ(csv->get_header_value("Transfer-Encoding"), "chunked");
  auto jsonl =
      c.Get("/api/v1/export?since=2026-01-01&until=2026-01-02&format=jsonl", {{"Authorization", "Bearer secret"}});
  ASSERT_TRUE(jsonl);
  EXPECT_EQ(jsonl->body, ReadFile(golden + "all.jsonl"));
}

TEST_F(ApiTest, ExportTakesTheFilterALimitAndABom) {
  httplib::Client c("127.0.0.1", port_);
  auto res = c.Get("/api/v1/export?brand=globex&bom=1", {{"Authorization", "Bearer secret"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->body.rfind("\xEF\xBB\xBFstored_at,published,brand,", 0), 0u) << res->body;
  EXPECT_EQ(std::count(res->body.begin(), res->body.end(), '\n'), 2) << res->body;  // header and one row
  EXPECT_NE(res->body.find(",globex,"), std::string::npos);
  // The newest rows first, cut after `limit`.
  auto all = c.Get("/api/v1/export", {{"Authorization", "Bearer secret"}});
  auto two = c.Get("/api/v1/export?limit=2", {{"Authorization", "Bearer secret"}});
  auto three = c.Get("/api/v1/export?limit=3", {{"Authorization", "Bearer secret"}});
  ASSERT_TRUE(all && two && three);
  EXPECT_LT(two->body.size(), three->body.size());
  EXPECT_LT(three->body.size(), all->body.size());
  EXPECT_EQ(all->body.rfind(two->body, 0), 0u);
  EXPECT_EQ(three->body.rfind(two->body, 0), 0u);
}

TEST_F(ApiTest, ExportBadParametersAre400BeforeAnyRow) {
  EXPECT_EQ(ErrorOf("/api/v1/export?format=xlsx"), "format: must be csv or jsonl");
  EXPECT_EQ(ErrorOf("/api/v1/export?format=csv&format=jsonl").rfind("format:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/export?bom=yes"), "bom: must be 0 or 1");
  EXPECT_EQ(ErrorOf("/api/v1/export?limit=0").rfind("limit:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/export?limit=-5").rfind("limit:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/export?limit=1000001").rfind("limit:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/export?cursor=00").rfind("unknown parameter 'cursor'", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/export?since=2026-13-45").rfind("since:", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/export?sort=reach").rfind("unknown parameter 'sort'", 0), 0u);
  EXPECT_EQ(ErrorOf("/api/v1/export?min_reach=-1").rfind("min_reach:", 0), 0u);
  // Hostile values are data: no row matches them, the header still comes.
  httplib::Client c("127.0.0.1", port_);
  for (const char* target : {"/api/v1/export?brand=acme%27%3B%20DROP%20TABLE%20mentions%3B%20--",
                             "/api/v1/export?q=%22%29%20OR%201%3D1%3B%20--", "/api/v1/export?q=NEAR%28"}) {
    auto res = c.Get(target, {{"Authorization", "Bearer secret"}});
    ASSERT_TRUE(res) << target;
    EXPECT_EQ(res->status, 200) << target;
    EXPECT_EQ(res->body.rfind("stored_at,", 0), 0u) << target;
  }
  auto unauthorized = c.Get("/api/v1/export");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);
  EXPECT_EQ(unauthorized->body.find("stored_at"), std::string::npos);
}

TEST(ApiNoDatabaseTest, IsUnavailableNamingThePath) {
  FakeClock clock;
  Api api("/nonexistent/brandmon.db", clock);
  Reply reply = api.Handle("/api/v1/sources", {});
  EXPECT_EQ(reply.status, 503);
  EXPECT_NE(reply.body.find("/nonexistent/brandmon.db"), std::string::npos) << reply.body;
}

}  // namespace
}  // namespace brandmon::http
