#include "daemon/process/http_endpoints.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace brandmon::process {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(BRANDMON_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A snapshot with one of everything, so that every family has a sample.
MetricsSnapshot Full() {
  MetricsSnapshot s;
  s.now = FromUnixMillis(1'767'225'600'000);
  s.started_at = s.now - std::chrono::hours(1);
  s.ready = true;
  s.pipeline.mentions_by_label[{"acme", "rss", "negative"}] = 3;
  s.pipeline.alerts_by_rule[{"acme", "negative_mention", "warning"}] = 1;
  scheduler::SourceHealth h;
  h.name = "feed \"a\"\n";
  s.sources.push_back(h);
  s.listener = http::ListenerCounters{{{200, 4}}, 0};
  s.database_bytes = 4096;
  return s;
}

// The families the page declares ("# TYPE name type").
std::set<std::string> Families(const std::string& page) {
  std::set<std::string> out;
  std::istringstream in(page);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# TYPE ", 0) == 0) out.insert(line.substr(7, line.find(' ', 7) - 7));
  }
  return out;
}

// The metric names of docs/metrics.md's tables (`brandmon_...` in the first column).
std::set<std::string> Documented() {
  std::set<std::string> out;
  std::istringstream in(ReadSource("docs/metrics.md"));
  std::regex first_cell(R"(^\| `(brandmon_[a-z0-9_]+)` \|)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, first_cell)) out.insert(m[1]);
  }
  return out;
}

TEST(MetricsTextTest, ServesEveryDocumentedMetricAndNoOther) {
  std::set<std::string> served = Families(MetricsText(Full()));
  std::set<std::string> documented = Documented();
  ASSERT_GT(documented.size(), 30u);
  for (const std::string& name : served) EXPECT_TRUE(documented.count(name)) << name << " is not in docs/metrics.md";
  for (const std::string& name : documented) EXPECT_TRUE(served.count(name)) << name << " is documented, not served";
}

TEST(MetricsTextTest, LabelValuesAreEscaped) {
  std::string page = MetricsText(Full());
  EXPECT_NE(page.find("brandmon_source_active{source=\"feed \\\"a\\\"\\n\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("brandmon_store_size_bytes 4096\n"), std::string::npos);
}

// Every string of `v` under the key "expr", at any depth.
void Expressions(const rapidjson::Value& v, std::vector<std::string>& out) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (std::string(m.name.GetString()) == "expr" && m.value.IsString()) out.push_back(m.value.GetString());
      Expressions(m.value, out);
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) Expressions(e, out);
  }
}

// docs/grafana/brandmon.json reads only series /metrics serves, so that a
// renamed metric cannot leave a panel silently empty.
TEST(GrafanaDashboardTest, EveryExpressionReadsServedMetrics) {
  rapidjson::Document doc;
  doc.Parse(ReadSource("docs/grafana/brandmon.json").c_str());
  ASSERT_FALSE(doc.HasParseError());
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("panels") && doc["panels"].IsArray());
  std::vector<std::string> expressions;
  Expressions(doc, expressions);
  ASSERT_GE(expressions.size(), 20u);
  std::set<std::string> served = Families(MetricsText(Full()));
  std::set<std::string> used;
  std::regex name(R"(brandmon_[a-z0-9_]+)");
  for (const std::string& e : expressions) {
    for (auto it = std::sregex_iterator(e.begin(), e.end(), name); it != std::sregex_iterator(); ++it) {
      used.insert(it->str());
      EXPECT_TRUE(served.count(it->str())) << it->str() << " in `" << e << "` is not served by /metrics";
    }
  }
  // The dashboard covers the business and the health families alike.
  for (const char* needed : {"brandmon_mentions_total", "brandmon_alerts_total", "brandmon_source_consecutive_failures",
                             "brandmon_pipeline_queued_polls", "brandmon_store_size_bytes"}) {
    EXPECT_TRUE(used.count(needed)) << needed;
  }
  // Imported through its datasource input, as docs/metrics.md says.
  ASSERT_TRUE(doc.HasMember("__inputs") && doc["__inputs"].IsArray() && doc["__inputs"].Size() == 1);
  EXPECT_STREQ(doc["__inputs"][0]["pluginId"].GetString(), "prometheus");
}

}  // namespace
}  // namespace brandmon::process
