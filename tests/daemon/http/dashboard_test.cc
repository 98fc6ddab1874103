#include "daemon/http/dashboard.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sqlite3.h>

#include <chrono>
#include <string>

#include "daemon/http/api.h"
#include "daemon/http/assets.h"
#include "daemon/http/listener.h"
#include "tests/daemon/query/query_fixture.h"
#include "tests/daemon/report/xml_check_testlib.h"

namespace brandmon::http {
namespace {

using report::testing::ParseHtml;
using report::testing::XmlDoc;
using report::testing::XPathCount;
using report::testing::XPathValues;
using testing::QueryFixture;

constexpr char kPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

class DashboardEndpoints final : public Endpoints {
 public:
  explicit DashboardEndpoints(Api& api) : api_(api) {}
  Reply Metrics() override { return {200, "text/plain", ""}; }
  Reply Health() override { return {200, "application/json", "{}"}; }
  Reply Ready() override { return {200, "application/json", "{}"}; }
  Reply ReadApi(std::string_view path, const query::Params& params) override { return api_.Handle(path, params); }
  Reply Dashboard(const query::Params& params) override { return api_.Dashboard(params); }

 private:
  Api& api_;
};

// The dashboard through a real listener, on the query tests' fixed database
// (with its hostile mention and emerging terms), at 04:05 on its day.
class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    signal(SIGPIPE, SIG_IGN);
    fixture_.AddReportRows();
    clock_.SetNow(FromUnixMillis(QueryFixture::Hour(4) + 5 * 60'000));
    settings::HttpOptions options = settings::DefaultHttpOptions();
    options.listen = "127.0.0.1:0";
    options.token = "secret";
    listener_ = std::make_unique<Listener>(options, endpoints_);
    ASSERT_TRUE(listener_->Start(threads_).ok());
    std::string endpoint = listener_->endpoint();
    port_ = std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
  }
  void TearDown() override { listener_->Stop(); }

  httplib::Result Get(const std::string& target, bool token = true) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(std::chrono::seconds(20));
    httplib::Headers headers;
    if (token) headers.emplace("Authorization", "Bearer secret");
    return c.Get(target.c_str(), headers);
  }
  // The page at `target`, parsed; fails the test unless it is a 200 page.
  XmlDoc Page(const std::string& target, std::string* html = nullptr) {
    auto res = Get(target);
    EXPECT_TRUE(res) << target;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, 200) << target << "\n" << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
    if (html != nullptr) *html = res->body;
    return ParseHtml(res->body);
  }
  int64_t Count(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(fixture_.path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    int64_t n = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
  }

  QueryFixture fixture_;
  FakeClock clock_;
  Api api_{fixture_.path(), clock_};
  DashboardEndpoints endpoints_{api_};
  ThreadSet threads_;
  std::unique_ptr<Listener> listener_;
  int port_ = 0;
};

TEST_F(DashboardTest, ThePageAndItsFilesCarryAStrictPolicy) {
  for (const std::string target : {"/", "/assets/dashboard.js", "/assets/dashboard.css", "/assets/icon.svg"}) {
    auto res = Get(target);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << target;
    EXPECT_EQ(res->get_header_value("Content-Security-Policy"), kPolicy) << target;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer");
  }
  EXPECT_EQ(Get("/assets/dashboard.js")->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/assets/dashboard.css")->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(Get("/assets/other.js")->status, 404);
  EXPECT_EQ(Get("/assets/../api/v1/sources")->status, 404);
}

TEST_F(DashboardTest, TheTokenGuardsThePageAndItsFiles) {
  EXPECT_EQ(Get("/", false)->status, 401);
  EXPECT_EQ(Get("/assets/dashboard.js", false)->status, 401);
  EXPECT_EQ(Get("/", true)->status, 200);
}

TEST_F(DashboardTest, NothingInlineRunsOrStyles) {
  std::string html;
  XmlDoc doc = Page("/?range=24h", &html);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathValues(doc.get(), "//script/@src"), std::vector<std::string>{"/assets/dashboard.js"});
  EXPECT_EQ(XPathValues(doc.get(), "//script[normalize-space(.) != '']"), std::vector<std::string>{});
  EXPECT_EQ(XPathCount(doc.get(), "//style | //@style"), 0u);
  EXPECT_EQ(XPathValues(doc.get(), "//link[@rel='stylesheet']/@href"),
            std::vector<std::string>{"/assets/dashboard.css"});
  EXPECT_EQ(XPathValues(doc.get(), "//@*[starts-with(translate(name(), 'ON', 'on'), 'on')]"),
            std::vector<std::string>{});
  EXPECT_EQ(XPathCount(doc.get(), "//img | //iframe | //object | //embed | //base"), 0u);
}

TEST_F(DashboardTest, TheNumbersAreTheDatabases) {
  XmlDoc doc = Page("/?range=24h&brand=acme,globex");
  ASSERT_NE(doc, nullptr);
  std::vector<std::string> tiles = XPathValues(doc.get(), "//div[@class='kpi']/b");
  ASSERT_EQ(tiles.size(), 4u);
  EXPECT_EQ(tiles[0], std::to_string(Count("SELECT count(*) FROM mentions")));
  for (const std::string brand : {"acme", "globex"}) {
    std::string in_db = std::to_string(Count("SELECT count(*) FROM mentions WHERE brand = '" + brand + "'"));
    EXPECT_EQ(XPathValues(doc.get(), "//*[local-name()='rect'][@data-brand='" + brand + "']/@data-mentions"),
              std::vector<std::string>{in_db});
  }
  // One point per hour (the automatic step of 24 hours) from 04:00 the day
  // before to the hour under way at 04:05, per brand.
  EXPECT_EQ(XPathCount(doc.get(), "//*[local-name()='g'][@data-total]"), 2u * 25);
  size_t sum = 0;
  for (const std::string& v : XPathValues(doc.get(), "//*[local-name()='g'][@data-total]/@data-total")) {
    sum += std::stoul(v);
  }
  EXPECT_EQ(static_cast<int64_t>(sum), Count("SELECT count(*) FROM mentions"));
  EXPECT_EQ(XPathCount(doc.get(), "//section[@id='alerts']//tbody/tr"),
            static_cast<size_t>(Count("SELECT count(*) FROM alerts")));
  EXPECT_EQ(XPathValues(doc.get(), "//section[@id='terms']//li"), (std::vector<std::string>{"outage", "refund"}));
  EXPECT_EQ(XPathValues(doc.get(), "//body/@data-brands"), std::vector<std::string>{R"(["acme","globex"])"});
}

TEST_F(DashboardTest, HostileTextIsText) {
  std::string html;
  XmlDoc doc = Page("/?range=24h&q=acme", &html);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathCount(doc.get(), "//script"), 1u);
  for (const std::string& href : XPathValues(doc.get(), "//@href")) {
    EXPECT_EQ(href.find("javascript"), std::string::npos) << href;
  }
  EXPECT_EQ(XPathValues(doc.get(), "//section[@id='top']//li[1]/div[@class='title']"),
            std::vector<std::string>{"<script>alert('title')</script> acme"});
  std::vector<std::string> results = XPathValues(doc.get(), "//ol[@class='results']/li/div[@class='title']");
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(results[0], "<script>alert('title')</script> acme");
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(&#39;text&#39;)&gt;"), std::string::npos);
}

TEST_F(DashboardTest, HostileParametersAreValuesNotMarkupOrSql) {
  std::string brand = "x\"><script>alert(1)</script>'; DROP TABLE mentions; --";
  std::string html;
  XmlDoc doc = Page("/?range=24h&brand=" +
                        std::string("x%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E'%3B%20DROP%20TABLE%20"
                                    "mentions%3B%20--") +
                        "&q=%22%20OR%201%3D1%20--%20*",
                    &html);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathCount(doc.get(), "//script"), 1u);
  EXPECT_EQ(XPathValues(doc.get(), "//form[@class='pick']//input[@name='brand'][@checked]/@value"),
            std::vector<std::string>{brand});
  EXPECT_EQ(XPathValues(doc.get(), "//ol[@class='results']/li"), std::vector<std::string>{});
  EXPECT_EQ(XPathValues(doc.get(), "//div[@id='results']/p"),
            std::vector<std::string>{"No mentions found matching “\" OR 1=1 -- *”."});
  EXPECT_EQ(Count("SELECT count(*) FROM mentions"), 7) << "the table is still there";
}

TEST_F(DashboardTest, SearchWorksWithoutScriptAndLinksTheExport) {
  XmlDoc doc = Page("/?range=24h&brand=acme&q=caf%C3%A9");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathValues(doc.get(), "//ol[@class='results']/li/div[@class='title']"),
            std::vector<std::string>{"Acme au café"});
  EXPECT_EQ(
      XPathValues(doc.get(), "//a[@id='export']/@href"),
      std::vector<std::string>{"/api/v1/mentions?brand=acme&since=2025-12-31T04%3A00%3A00Z&q=caf%C3%A9&limit=1000"});
  EXPECT_EQ(XPathValues(doc.get(), "//code[@id='export-command']"),
            std::vector<std::string>{"brandmonctl export --brand acme --since 2025-12-31T04:00:00Z --q 'café' "
                                     "--format csv --output mentions.csv"});
  // The export link answers with the same mention.
  auto res = Get("/api/v1/mentions?brand=acme&since=2026-01-01T00%3A00%3A00Z&q=caf%C3%A9&limit=1000");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->body.find("Acme au caf"), std::string::npos);
  // So does the CSV download, with the filter of the command beside it.
  EXPECT_EQ(XPathValues(doc.get(), "//a[@id='export-csv']/@href"),
            std::vector<std::string>{"/api/v1/export?brand=acme&since=2025-12-31T04%3A00%3A00Z&q=caf%C3%A9"});
  auto csv = Get("/api/v1/export?brand=acme&since=2025-12-31T04%3A00%3A00Z&q=caf%C3%A9");
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body.rfind("stored_at,published,brand,", 0), 0u) << csv->body;
  EXPECT_NE(csv->body.find(",acme,"), std::string::npos) << csv->body;
  EXPECT_NE(csv->body.find("Acme au café"), std::string::npos) << csv->body;
}

TEST_F(DashboardTest, TheFormsKeepWhatWasChosen) {
  XmlDoc doc = Page("/?range=custom&since=2026-01-01&until=2026-01-01&brand=globex");
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathValues(doc.get(), "//form[@class='pick']//input[@name='brand']/@value"),
            (std::vector<std::string>{"acme", "globex"}));
  EXPECT_EQ(XPathValues(doc.get(), "//form[@class='pick']//input[@name='brand'][@checked]/@value"),
            std::vector<std::string>{"globex"});
  EXPECT_EQ(XPathValues(doc.get(), "//input[@name='range'][@checked]/@value"), std::vector<std::string>{"custom"});
  EXPECT_EQ(XPathValues(doc.get(), "//form[@class='pick']//input[@name='since']/@value"),
            std::vector<std::string>{"2026-01-01"});
  // The whole day in 24 hourly buckets; a custom range does not update live.
  EXPECT_EQ(XPathCount(doc.get(), "//*[local-name()='g'][@data-total]"), 24u);
  EXPECT_EQ(XPathValues(doc.get(), "//body/@data-until"), std::vector<std::string>{"2026-01-02T00:00:00Z"});
  EXPECT_EQ(XPathValues(doc.get(), "//form[@id='search-form']/input[@type='hidden']/@name"),
            (std::vector<std::string>{"brand", "range", "since", "until"}));
}

TEST_F(DashboardTest, BadParametersGetAPageNamingThem) {
  struct Case {
    std::string target;
    std::string message;
  };
  const Case cases[] = {
      {"/?range=week", "range: must be 24h, 7d, 30d or custom, got 'week'"},
      {"/?range=custom", "since: required with range=custom"},
      {"/?range=custom&since=yesterday", "since: not a time: 'yesterday'"},
      {"/?range=custom&since=2026-01-02&until=2026-01-01T00:00:00Z", "since: is after until"},
      {"/?colour=red", "unknown parameter 'colour'"},
      {"/?range=24h&range=7d", "range: given more than once"},
      {"/?q=" + std::string(1001, 'x'), "q: longer than 1000 bytes"},
      {"/?brand=%3Cscript%3E&range=%3Cscript%3Ealert(1)%3C/script%3E", "range: must be 24h, 7d, 30d or custom"},
  };
  for (const Case& c : cases) {
    auto res = Get(c.target);
    ASSERT_TRUE(res) << c.target;
    EXPECT_EQ(res->status, 400) << c.target;
    XmlDoc doc = ParseHtml(res->body);
    ASSERT_NE(doc, nullptr);
    std::vector<std::string> error = XPathValues(doc.get(), "//p[@class='error']");
    ASSERT_EQ(error.size(), 1u) << res->body;
    EXPECT_EQ(error[0].rfind(c.message, 0), 0u) << error[0];
    EXPECT_EQ(XPathCount(doc.get(), "//script[not(@src)]"), 0u);
    EXPECT_EQ(res->get_header_value("Content-Security-Policy"), kPolicy);
  }
}

TEST_F(DashboardTest, WithoutADatabaseThePageSaysSo) {
  Api api(":memory:", clock_);
  Reply r = api.Dashboard({});
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("keeps its state in memory"), std::string::npos);
}

TEST(DashboardAssetsTest, TheScriptSetsRemoteTextAsTextOnly) {
  auto js = FindAsset("/assets/dashboard.js");
  ASSERT_TRUE(js);
  for (const char* sink : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("}) {
    EXPECT_EQ(js->body.find(sink), std::string_view::npos) << sink;
  }
  auto css = FindAsset("/assets/dashboard.css");
  ASSERT_TRUE(css);
  EXPECT_NE(css->body.find("@media print"), std::string_view::npos) << "the report's sheet is in it";
  EXPECT_FALSE(FindAsset("/assets/"));
}

}  // namespace
}  // namespace brandmon::http
