#include "daemon/report/render.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>

#include "tests/daemon/report/xml_check_testlib.h"
#include "tests/support/test_util.h"

// Golden files: tests/daemon/report/golden/report.{html,md,json} are what the
// three renderers make of Fixture(). After a deliberate change, regenerate
// them with
//   UPDATE_GOLDEN=1 build/tests/test_report --gtest_filter='ReportGoldenTest.*'
// (from the source root) and review the diff like code.

namespace brandmon::report {
namespace {

using testing::FindNonFinite;
using testing::NonFiniteAttributes;
using testing::ParseHtml;
using testing::ParseXml;
using testing::SvgElements;
using testing::XmlDoc;
using testing::XPathCount;
using testing::XPathValues;

constexpr int64_t kDay = 86400000;
constexpr int64_t kT0 = 1796083200000;  // 2026-12-01T00:00:00Z

BrandSeries Brand(const std::string& name, int scale, int tilt) {
  BrandSeries s;
  s.brand = name;
  double compound_sum = 0;
  int64_t negative = 0;
  for (int i = 0; i < 7; ++i) {
    Bucket b{kT0 + i * kDay,  scale * (i % 3) + tilt * i, scale * (4 + i),
             scale * (7 - i), 0.3 - 0.07 * tilt * i,      1500.0 * scale * i};
    s.buckets.push_back(b);
    int64_t n = b.negative + b.neutral + b.positive;
    s.total += n;
    negative += b.negative;
    compound_sum += b.mean_compound * static_cast<double>(n);
    s.reach += b.reach;
  }
  s.mean_compound = compound_sum / static_cast<double>(s.total);
  s.pct_negative = 100.0 * static_cast<double>(negative) / static_cast<double>(s.total);
  return s;
}

ReportData Fixture() {
  ReportData d;
  d.brands = {"Acme", "Globex"};
  d.since_ms = kT0;
  d.until_ms = kT0 + 7 * kDay;
  d.step_ms = kDay;
  d.generated_ms = kT0 + 7 * kDay + 5 * 60000;
  d.series = {Brand("Acme", 3, 1), Brand("Globex", 1, 0)};
  d.channels = {{"rss", 120}, {"reddit", 48}, {"hackernews", 20}, {"mastodon", 7}};
  d.languages = {{"en", 150}, {"de", 30}, {"fr", 15}};
  d.top = {
      {"Acme", "rss", "en", "negative", "https://news.example.com/acme-recall?id=1&src=feed", "Jane Doe",
       "Acme recalls 10,000 rockets", "The recall covers rockets sold since May.", kT0 + 2 * kDay + 3600000, -0.62,
       250000},
      {"Globex", "reddit", "en", "positive", "https://www.reddit.com/r/globex/comments/abc/", "u/hank",
       "Globex support *really* helped", "Fast and friendly | would buy again.", kT0 + 4 * kDay, 0.71, 12000},
      {"Acme", "mastodon", "de", "neutral", "mailto:press@acme.example", "", "", "Acme_Produkte im Test: 3 < 4",
       kT0 + 5 * kDay, 0.02, 900},
  };
  d.alerts = {{42, kT0 + 2 * kDay + 7200000, "Acme", "negative_spike", "critical",
               "Negative share 38% (baseline 9%) | 41 mentions"},
              {41, kT0 + kDay, "Globex", "volume_spike", "warning", "Volume x3 over the 7-day mean"}};
  d.emerging_terms = {"recall", "rocket", "refund", "support_team"};
  d.sources = {{"hn", 0, kT0 + 7 * kDay - 60000, "", 0},
               {"reviews", 3, kT0 + 6 * kDay, "HTTP 503 from reviews.example", kT0 + 7 * kDay - 120000},
               {"new-feed", 0, 0, "", 0}};
  return d;
}

// The fixture with remote text written by an attacker in every field.
ReportData Hostile() {
  const std::string kScript = "<script>alert(1)</script>";
  const std::string kImg = "<img src=x onerror=alert(1)>";
  const std::string kBreakout = "]]></svg></title><script>alert(2)</script>";
  const std::string kBidi = "evil\xE2\x80\xAEtxt.exe\xE2\x81\xA6";
  ReportData d = Fixture();
  d.brands[0] = d.series[0].brand = kScript + kBidi;
  d.series[1].brand = kBreakout;
  d.channels[0].key = kImg;
  d.languages[0].key = "`code` | *b* _i_ [x](javascript:alert(3))";
  d.top[0].title = kBreakout + kImg;
  d.top[0].text = kScript + " <a href=\"javascript:alert(4)\">click</a>";
  d.top[0].url = "javascript:alert(5)";
  d.top[1].url = "JaVaScRiPt:alert(6)";
  d.top[1].author = "\" onmouseover=\"alert(7)";
  d.top[2].url = "https://ok.example/a\" onclick=\"alert(8)";
  d.alerts[0].summary = kScript + " | injected | column";
  d.emerging_terms.push_back(kImg + kBidi);
  d.sources[1].name = kImg;
  d.sources[1].last_error = kScript + " | `x` " + kBidi;
  return d;
}

size_t Buckets(const ReportData& d) {
  size_t n = 0;
  for (const BrandSeries& s : d.series) n += s.buckets.size();
  return n;
}

// ---- Golden files ----------------------------------------------------------

void CompareGolden(const std::string& name, const std::string& got) {
  std::string path = brandmon::testing::FixturePath("daemon/report/golden/" + name);
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << got;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in.good()) << path << " is missing; run with UPDATE_GOLDEN=1";
  std::string want = brandmon::testing::ReadFile(path);
  if (got == want) return;
  // Name the first line that differs rather than print both documents.
  std::istringstream got_lines(got), want_lines(want);
  std::string g, w;
  for (int line = 1;; ++line) {
    bool more_got = static_cast<bool>(std::getline(got_lines, g));
    bool more_want = static_cast<bool>(std::getline(want_lines, w));
    if (g != w || more_got != more_want) {
      ADD_FAILURE() << path << ":" << line << " differs (UPDATE_GOLDEN=1 regenerates it)\n  got:  " << g.substr(0, 300)
                    << "\n  want: " << w.substr(0, 300);
      return;
    }
  }
}

TEST(ReportGoldenTest, Html) { CompareGolden("report.html", RenderHtml(Fixture())); }
TEST(ReportGoldenTest, Markdown) { CompareGolden("report.md", RenderMarkdown(Fixture())); }
TEST(ReportGoldenTest, Json) { CompareGolden("report.json", RenderJson(Fixture())); }

// ---- HTML ------------------------------------------------------------------

// What every rendered page must be, whatever the data: no script, no
// event handler, no external resource, only http(s) links, well-formed
// charts with finite numbers.
void CheckPage(const std::string& html) {
  XmlDoc doc = ParseHtml(html);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathCount(doc.get(), "//script | //iframe | //object | //embed | //img | //link | //base | //form"), 0u);
  EXPECT_EQ(XPathValues(doc.get(), "//@*[starts-with(translate(name(), 'ON', 'on'), 'on')]"),
            std::vector<std::string>{});
  EXPECT_EQ(XPathCount(doc.get(), "//@src"), 0u);
  for (const std::string& href : XPathValues(doc.get(), "//@href")) {
    EXPECT_TRUE(href.rfind("https://", 0) == 0 || href.rfind("http://", 0) == 0) << href;
    EXPECT_EQ(href.find('"'), std::string::npos) << href;
  }
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(FindNonFinite(html), "");
  EXPECT_EQ(html.find("\xE2\x80\xAE"), std::string::npos) << "bidi override kept";
  for (const std::string& svg : SvgElements(html)) {
    std::string error;
    XmlDoc chart = ParseXml(svg, &error);
    ASSERT_NE(chart, nullptr) << error << "\n" << svg;
    EXPECT_EQ(NonFiniteAttributes(chart.get()), std::vector<std::string>{});
  }
}

TEST(RenderHtmlTest, OneSelfContainedPageWithEverySection) {
  ReportData d = Fixture();
  std::string html = RenderHtml(d);
  CheckPage(html);
  XmlDoc doc = ParseHtml(html);
  ASSERT_NE(doc, nullptr);
  std::vector<std::string> headings = XPathValues(doc.get(), "//h2");
  EXPECT_EQ(headings,
            (std::vector<std::string>{"Share of voice", "Acme", "Globex", "Channels and languages",
                                      "Top mentions by reach", "Latest alerts", "Emerging terms", "Sources"}));
  EXPECT_EQ(XPathValues(doc.get(), "//div[@class='kpi']/text()"),
            (std::vector<std::string>{"Mentions", "Negative", "Mean sentiment", "Reach"}));
  EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_NE(html.find("All times are in UTC"), std::string::npos);
  EXPECT_EQ(XPathCount(doc.get(), "//li[@class]|//ol[@class='top']/li"), 3u);
  EXPECT_EQ(XPathCount(doc.get(), "//section[@id='alerts']//tbody/tr"), 2u);
  // Failing sources first.
  EXPECT_EQ(XPathValues(doc.get(), "//section[@id='sources']//tbody/tr/td[1]"),
            (std::vector<std::string>{"reviews", "hn", "new-feed"}));
  EXPECT_EQ(XPathValues(doc.get(), "//ul[@class='terms']/li"), d.emerging_terms);
}

TEST(RenderHtmlTest, KpiTilesAddUpTheBrands) {
  std::string html = RenderHtml(Fixture());
  XmlDoc doc = ParseHtml(html);
  ASSERT_NE(doc, nullptr);
  Kpis k = Summarize(Fixture());
  int64_t total = 0;
  for (const BrandSeries& s : Fixture().series) total += s.total;
  EXPECT_EQ(k.mentions, static_cast<double>(total));
  std::vector<std::string> tiles = XPathValues(doc.get(), "//div[@class='kpi']/b");
  ASSERT_EQ(tiles.size(), 4u);
  EXPECT_EQ(tiles[0], std::to_string(total));
  EXPECT_EQ(tiles[1].back(), '%');
}

TEST(RenderHtmlTest, HugeCountsFitTheirTile) {
  ReportData d = Fixture();
  d.series[0].total = 1000000000000;
  d.series[1].total = 500000000000;
  XmlDoc doc = ParseHtml(RenderHtml(d));
  ASSERT_NE(doc, nullptr);
  std::vector<std::string> tiles = XPathValues(doc.get(), "//div[@class='kpi']/b");
  ASSERT_EQ(tiles.size(), 4u);
  EXPECT_EQ(tiles[0], "1.5T");
}

TEST(RenderHtmlTest, ChartsHoldOnePointPerBucket) {
  ReportData d = Fixture();
  std::string html = RenderHtml(d);
  size_t volume_points = 0, trend_points = 0, brands = 0, keys = 0;
  for (const std::string& svg : SvgElements(html)) {
    XmlDoc chart = ParseXml(svg);
    ASSERT_NE(chart, nullptr);
    volume_points += XPathCount(chart.get(), "//s:rect[@data-sentiment='negative']");
    trend_points += XPathCount(chart.get(), "//s:rect[@data-pct-negative]");
    brands += XPathCount(chart.get(), "//s:rect[@data-brand]");
    keys += XPathCount(chart.get(), "//s:rect[@data-key]");
  }
  EXPECT_EQ(volume_points, Buckets(d));
  EXPECT_EQ(trend_points, Buckets(d));
  EXPECT_EQ(brands, d.series.size());
  EXPECT_EQ(keys, d.channels.size() + d.languages.size());
}

TEST(RenderHtmlTest, OnlyWebUrlsBecomeLinksAndOthersShowAsText) {
  std::string html = RenderHtml(Fixture());
  XmlDoc doc = ParseHtml(html);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathValues(doc.get(), "//a/@href"),
            (std::vector<std::string>{"https://news.example.com/acme-recall?id=1&src=feed",
                                      "https://www.reddit.com/r/globex/comments/abc/"}));
  EXPECT_NE(html.find("mailto:press@acme.example"), std::string::npos);
}

TEST(RenderHtmlTest, HostileTextShowsAsText) {
  ReportData d = Hostile();
  std::string html = RenderHtml(d);
  CheckPage(html);
  XmlDoc doc = ParseHtml(html);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathCount(doc.get(), "//a"), 0u) << "javascript: URLs and a URL with a quote are not links";
  // The markup is there, as text a reader sees.
  std::vector<std::string> texts = XPathValues(doc.get(), "//p[@class='text']");
  ASSERT_FALSE(texts.empty());
  EXPECT_EQ(texts[0].rfind("<script>alert(1)</script> <a href=\"javascript:alert(4)\">", 0), 0u) << texts[0];
  EXPECT_NE(html.find("javascript:alert(5)"), std::string::npos);
  EXPECT_EQ(XPathValues(doc.get(), "//h2")[1], "<script>alert(1)</script>evil\xEF\xBF\xBDtxt.exe\xEF\xBF\xBD");
  EXPECT_EQ(XPathValues(doc.get(), "//section[@id='sources']//tbody/tr[1]/td[1]"),
            std::vector<std::string>{"<img src=x onerror=alert(1)>"});
  // Each chart still holds one point per bucket.
  size_t points = 0;
  for (const std::string& svg : SvgElements(html)) {
    XmlDoc chart = ParseXml(svg);
    ASSERT_NE(chart, nullptr);
    points += XPathCount(chart.get(), "//s:rect[@data-sentiment='positive']");
  }
  EXPECT_EQ(points, Buckets(d));
}

TEST(RenderHtmlTest, EmptyAndBrokenDataStillRender) {
  ReportData empty;
  CheckPage(RenderHtml(empty));
  ReportData broken = Fixture();
  broken.series[0].mean_compound = std::numeric_limits<double>::quiet_NaN();
  broken.series[0].pct_negative = std::numeric_limits<double>::infinity();
  broken.series[0].reach = -1;
  broken.series[1].total = -5;
  broken.series[1].buckets[0].negative = 1000000000000;
  broken.top[0].compound = std::numeric_limits<double>::quiet_NaN();
  broken.top[0].reach = std::numeric_limits<double>::infinity();
  broken.since_ms = broken.until_ms = -1;
  broken.step_ms = 0;
  CheckPage(RenderHtml(broken));
  Kpis k = Summarize(broken);
  EXPECT_TRUE(std::isfinite(k.mean_compound) && std::isfinite(k.pct_negative) && std::isfinite(k.reach));
}

// ---- Markdown --------------------------------------------------------------

// The links of a Markdown text: [text](destination).
std::vector<std::string> MarkdownLinks(const std::string& md) {
  static const std::regex kLink(R"((^|[^\\])\]\(([^)\s]*)\))");
  std::vector<std::string> out;
  for (std::sregex_iterator it(md.begin(), md.end(), kLink), end; it != end; ++it) out.push_back((*it)[2]);
  return out;
}

// The number of cell separators in a table row: '|' not escaped.
int Pipes(const std::string& line) {
  int n = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
    } else if (line[i] == '|') {
      ++n;
    }
  }
  return n;
}

TEST(RenderMarkdownTest, TablesKeepTheirColumnsAndOnlyWebUrlsAreLinks) {
  std::string md = RenderMarkdown(Fixture());
  EXPECT_EQ(MarkdownLinks(md), (std::vector<std::string>{"https://news.example.com/acme-recall?id=1&src=feed",
                                                         "https://www.reddit.com/r/globex/comments/abc/"}));
  EXPECT_NE(md.find("Globex support \\*really\\* helped"), std::string::npos);
  EXPECT_NE(md.find("Acme\\_Produkte im Test: 3 &lt; 4"), std::string::npos);
  EXPECT_NE(md.find("| 2026-12-03 02:00 UTC | Acme | negative\\_spike | critical | Negative share 38% (baseline "
                    "9%) \\| 41 mentions |"),
            std::string::npos);
  EXPECT_NE(md.find("All times are in UTC."), std::string::npos);
}

TEST(RenderMarkdownTest, HostileTextShowsAsText) {
  std::string md = RenderMarkdown(Hostile());
  EXPECT_EQ(MarkdownLinks(md), (std::vector<std::string>{}));
  EXPECT_EQ(md.find('<'), std::string::npos);
  // The only '>' left start the quoted excerpts.
  size_t quotes = 0;
  for (size_t at = md.find("\n   > "); at != std::string::npos; at = md.find("\n   > ", at + 1)) ++quotes;
  EXPECT_EQ(quotes, 2u);
  EXPECT_EQ(static_cast<size_t>(std::count(md.begin(), md.end(), '>')), quotes);
  EXPECT_EQ(md.find("\xE2\x80\xAE"), std::string::npos);
  EXPECT_NE(md.find("\\`code\\` \\| \\*b\\* \\_i\\_ \\[x\\](javascript:alert(3))"), std::string::npos);
  // Every table row has as many cells as its header.
  std::istringstream lines(md);
  std::string line;
  int columns = -1;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '|') {
      columns = -1;
      continue;
    }
    if (columns < 0) columns = Pipes(line);
    EXPECT_EQ(Pipes(line), columns) << line;
  }
}

// ---- JSON ------------------------------------------------------------------

TEST(RenderJsonTest, HoldsTheWholeReport) {
  ReportData d = Fixture();
  rapidjson::Document doc;
  doc.Parse(RenderJson(d).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(doc["brands"].Size(), 2u);
  EXPECT_STREQ(doc["since"].GetString(), "2026-12-01T00:00:00Z");
  EXPECT_EQ(doc["since_ms"].GetInt64(), kT0);
  ASSERT_EQ(doc["series"].Size(), 2u);
  EXPECT_EQ(doc["series"][0]["buckets"].Size(), 7u);
  EXPECT_EQ(doc["series"][0]["total"].GetInt64(), d.series[0].total);
  EXPECT_EQ(doc["series"][0]["buckets"][6]["negative"].GetInt64(), d.series[0].buckets[6].negative);
  EXPECT_EQ(doc["channels"].Size(), 4u);
  EXPECT_EQ(doc["top"][2]["url"].GetString(), d.top[2].url);
  EXPECT_EQ(doc["alerts"][0]["seq"].GetUint64(), 42u);
  EXPECT_EQ(doc["emerging_terms"].Size(), 4u);
  ASSERT_EQ(doc["sources"].Size(), 3u);
  EXPECT_EQ(doc["sources"][1]["failures"].GetInt64(), 3);
  EXPECT_STREQ(doc["sources"][1]["last_error_at"].GetString(), "2026-12-07T23:58:00Z");
  EXPECT_TRUE(doc["sources"][2]["last_success"].IsNull()) << "never is null, not 1970";
}

TEST(RenderJsonTest, HostileAndBrokenValuesStayValidJson) {
  ReportData d = Hostile();
  d.series[0].mean_compound = std::numeric_limits<double>::quiet_NaN();
  d.top[0].reach = -std::numeric_limits<double>::infinity();
  d.top[1].text = "bad utf-8 \xC3\x28 here";
  std::string json = RenderJson(d);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError()) << json;
  EXPECT_TRUE(doc["series"][0]["mean_compound"].IsNull());
  EXPECT_TRUE(doc["top"][0]["reach"].IsNull());
  EXPECT_STREQ(doc["top"][0]["url"].GetString(), "javascript:alert(5)");
  EXPECT_STREQ(doc["top"][1]["text"].GetString(), "bad utf-8 \xEF\xBF\xBD( here");
  EXPECT_EQ(json.find("\xE2\x80\xAE"), std::string::npos);
}

}  // namespace
}  // namespace brandmon::report
