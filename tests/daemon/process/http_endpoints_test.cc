#include "daemon/process/http_endpoints.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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
  for (double compound : {-0.9, -0.1, 0.0, 0.6, 1.0}) {
    s.pipeline.compound_by_brand["acme"].Observe(kCompoundBounds, compound);
  }
  s.pipeline.batch_seconds.Observe(kStageSecondsBounds, 0.004);
  s.pipeline.commit_seconds.Observe(kStageSecondsBounds, 3.0);
  s.pipeline.batches_to_score = 1;
  scheduler::SourceHealth h;
  h.name = "feed \"a\"\n";
  h.type = "feed";
  h.counters.polls = 3;
  h.counters.failures[0] = 1;
  h.counters.responses_by_class = {2, 1, 0, 1};
  for (double seconds : {0.02, 0.3, 0.3, 75.0}) h.counters.fetch_seconds.Observe(kFetchSecondsBounds, seconds);
  s.sources.push_back(h);
  scheduler::SourceHealth exec;  // a poll plugin: no HTTP series
  exec.name = "script";
  exec.type = "exec";
  s.sources.push_back(exec);
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

TEST(MetricsTextTest, SourceSeriesCarryTheirCountsAndTheInfoSeriesTheirPlugin) {
  std::string page = MetricsText(Full());
  const std::string feed = "source=\"feed \\\"a\\\"\\n\"";
  EXPECT_NE(page.find("brandmon_source_info{" + feed + ",plugin=\"feed\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("brandmon_source_info{source=\"script\",plugin=\"exec\"} 1\n"), std::string::npos);
  // The plugin is on the info series alone.
  EXPECT_EQ(page.find("plugin=", page.find("brandmon_source_polls_total")), std::string::npos);
  EXPECT_NE(page.find("brandmon_source_polls_total{" + feed + "} 3\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_source_poll_errors_total{" + feed + ",kind=\"transient\"} 1\n"), std::string::npos);
  // A kind or a class that never happened has no series yet.
  EXPECT_EQ(page.find("brandmon_source_poll_errors_total{" + feed + ",kind=\"config\"}"), std::string::npos);
  EXPECT_NE(page.find("brandmon_source_http_responses_total{" + feed + ",class=\"5xx\"} 1\n"), std::string::npos);
  EXPECT_EQ(page.find("brandmon_source_http_responses_total{" + feed + ",class=\"4xx\"}"), std::string::npos);
  EXPECT_NE(page.find("brandmon_source_fetch_duration_seconds_bucket{" + feed + ",le=\"0.5\"} 3\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_source_fetch_duration_seconds_count{" + feed + "} 4\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_source_polls_total{source=\"script\"} 0\n"), std::string::npos);
  EXPECT_EQ(page.find("source=\"script\",class="), std::string::npos) << "no HTTP series for exec";
  EXPECT_EQ(page.find("brandmon_source_fetch_duration_seconds_count{source=\"script\""), std::string::npos);
}

TEST(MetricsTextTest, PipelineTimesAndSentimentAreHistograms) {
  std::string page = MetricsText(Full());
  EXPECT_NE(page.find("brandmon_mention_sentiment_bucket{brand=\"acme\",le=\"-0.75\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("brandmon_mention_sentiment_bucket{brand=\"acme\",le=\"0\"} 3\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_mention_sentiment_bucket{brand=\"acme\",le=\"1\"} 5\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_mention_sentiment_sum{brand=\"acme\"} 0.6\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_pipeline_batch_duration_seconds_bucket{le=\"0.005\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_store_commit_duration_seconds_bucket{le=\"2.5\"} 0\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_store_commit_duration_seconds_count 1\n"), std::string::npos);
  EXPECT_NE(page.find("brandmon_pipeline_queued_batches{stage=\"score\"} 1\n"), std::string::npos);
}

// A sample line: its name, its labels but `le`, `le`, its value.
struct SampleLine {
  std::string name, labels, le;
  double value = 0;
};

std::vector<SampleLine> Samples(const std::string& page) {
  std::vector<SampleLine> out;
  std::istringstream in(page);
  std::regex le_label(R"(,?le="([^"]*)\")");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    SampleLine s;
    size_t space = line.rfind(' ');
    size_t brace = line.find('{');
    s.name = line.substr(0, std::min(brace, space));
    if (brace < space) s.labels = line.substr(brace + 1, line.rfind('}', space) - brace - 1);
    std::smatch m;
    if (std::regex_search(s.labels, m, le_label)) {
      s.le = m[1];
      s.labels = m.prefix().str() + m.suffix().str();
    }
    s.value = std::stod(line.substr(space + 1));
    out.push_back(s);
  }
  return out;
}

// Every histogram of the page: bounds increasing, counts cumulative and never
// falling, the +Inf bucket equal to _count, a _sum.
TEST(MetricsTextTest, HistogramsAreCumulativeWithCountAndSum) {
  std::string page = MetricsText(Full());
  std::set<std::string> histograms;
  std::regex type_line(R"(^# TYPE (\S+) histogram$)", std::regex::multiline);
  for (auto it = std::sregex_iterator(page.begin(), page.end(), type_line); it != std::sregex_iterator(); ++it) {
    histograms.insert((*it)[1]);
  }
  ASSERT_FALSE(histograms.empty());
  std::map<std::string, std::vector<std::pair<double, double>>> buckets;  // family{labels} -> (le, count)
  std::map<std::string, double> counts, sums;
  for (const SampleLine& s : Samples(page)) {
    for (const std::string& family : histograms) {
      std::string key = family + "{" + s.labels + "}";
      if (s.name == family + "_bucket") {
        buckets[key].emplace_back(s.le == "+Inf" ? HUGE_VAL : std::stod(s.le), s.value);
      } else if (s.name == family + "_count") {
        counts[key] = s.value;
      } else if (s.name == family + "_sum") {
        sums[key] = s.value;
      }
    }
  }
  ASSERT_FALSE(buckets.empty());
  for (const auto& [key, series] : buckets) {
    for (size_t i = 1; i < series.size(); ++i) {
      EXPECT_LT(series[i - 1].first, series[i].first) << key;
      EXPECT_LE(series[i - 1].second, series[i].second) << key;
    }
    EXPECT_EQ(series.back().first, HUGE_VAL) << key;
    ASSERT_TRUE(counts.count(key)) << key;
    EXPECT_EQ(series.back().second, counts[key]) << key;
    EXPECT_TRUE(sums.count(key)) << key;
  }
}

// The family a sample name belongs to: a histogram's _bucket, _sum and
// _count samples belong to it.
std::string FamilyOf(const std::string& name, const std::set<std::string>& served) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      std::string base = name.substr(0, name.size() - s.size());
      if (served.count(base)) return base;
    }
  }
  return name;
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
      std::string family = FamilyOf(it->str(), served);
      used.insert(family);
      EXPECT_TRUE(served.count(family)) << it->str() << " in `" << e << "` is not served by /metrics";
    }
  }
  // The dashboard covers the business and the health families alike.
  for (const char* needed : {"brandmon_mentions_total", "brandmon_alerts_total", "brandmon_source_consecutive_failures",
                             "brandmon_pipeline_queued_polls", "brandmon_store_size_bytes",
                             "brandmon_mention_sentiment", "brandmon_source_fetch_duration_seconds",
                             "brandmon_source_poll_errors_total", "brandmon_pipeline_batch_duration_seconds"}) {
    EXPECT_TRUE(used.count(needed)) << needed;
  }
  // Imported through its datasource input, as docs/metrics.md says.
  ASSERT_TRUE(doc.HasMember("__inputs") && doc["__inputs"].IsArray() && doc["__inputs"].Size() == 1);
  EXPECT_STREQ(doc["__inputs"][0]["pluginId"].GetString(), "prometheus");
}

}  // namespace
}  // namespace brandmon::process
