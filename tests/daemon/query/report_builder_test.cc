#include "daemon/query/report_builder.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/report/render.h"
#include "tests/daemon/query/query_fixture.h"
#include "tests/support/test_util.h"

// Golden files: tests/daemon/query/report/report.{html,md,json} are the
// report of the fixed database (QueryFixture with AddReportRows) for acme
// and globex from 2026-01-01T00:00Z to 04:00Z in hours. After a deliberate
// change, regenerate them with
//   UPDATE_GOLDEN=1 build/tests/test_query --gtest_filter='ReportBuilderTest.Golden*'
// (from the source root) and review the diff like code.

namespace brandmon::query {
namespace {

using testing::QueryFixture;

constexpr double kEps = 1e-9;
constexpr int64_t kMinuteMs = 60'000;

class ReportBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.AddReportRows();
    auto r = Reader::Open(fixture_.path());
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    reader_ = std::make_unique<Reader>(std::move(*r));
  }
  static Filter Range(std::vector<std::string> brands) {
    Filter f;
    f.brands = std::move(brands);
    f.since_ms = QueryFixture::Hour(0);
    f.until_ms = QueryFixture::Hour(4);
    return f;
  }
  report::ReportData Build(const Filter& f, Duration step = std::chrono::hours(1), const ReportLimits& limits = {}) {
    auto data = BuildReport(*reader_, f, step, FromUnixMillis(QueryFixture::Hour(4) + 5 * kMinuteMs), limits);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : report::ReportData{};
  }
  void ExpectGolden(const std::string& name, const std::string& got) {
    std::string path = testing::FixturePath("daemon/query/report/" + name);
    if (std::getenv("UPDATE_GOLDEN") != nullptr) {
      std::filesystem::create_directories(std::filesystem::path(path).parent_path());
      std::ofstream(path, std::ios::binary) << got;
      return;
    }
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing; run with UPDATE_GOLDEN=1";
    std::string want = testing::ReadFile(path);
    if (got == want) return;
    std::istringstream got_lines(got), want_lines(want);
    std::string g, w;
    for (int line = 1;; ++line) {
      bool more_got = static_cast<bool>(std::getline(got_lines, g));
      bool more_want = static_cast<bool>(std::getline(want_lines, w));
      if (g != w || more_got != more_want) {
        ADD_FAILURE() << path << ":" << line
                      << " differs (UPDATE_GOLDEN=1 regenerates it)\n  got:  " << g.substr(0, 300)
                      << "\n  want: " << w.substr(0, 300);
        return;
      }
    }
  }
  QueryFixture fixture_;
  std::unique_ptr<Reader> reader_;
};

TEST_F(ReportBuilderTest, GoldenHtml) {
  ExpectGolden("report.html", report::RenderHtml(Build(Range({"acme", "globex"}))));
}
TEST_F(ReportBuilderTest, GoldenMarkdown) {
  ExpectGolden("report.md", report::RenderMarkdown(Build(Range({"acme", "globex"}))));
}
TEST_F(ReportBuilderTest, GoldenJson) {
  ExpectGolden("report.json", report::RenderJson(Build(Range({"acme", "globex"}))));
}

TEST_F(ReportBuilderTest, BucketsHoldTheMentionsByLabelWithTheTargetedMean) {
  report::ReportData d = Build(Range({"acme", "globex"}));
  ASSERT_EQ(d.series.size(), 2u);
  const report::BrandSeries& acme = d.series[0];
  EXPECT_EQ(acme.brand, "acme");
  ASSERT_EQ(acme.buckets.size(), 4u);
  EXPECT_EQ(acme.buckets[0].start_ms, QueryFixture::Hour(0));
  EXPECT_EQ(acme.buckets[3].start_ms, QueryFixture::Hour(3));
  // 00:05 negative (target -0.7), 00:10 positive (0.5).
  EXPECT_EQ(acme.buckets[0].negative, 1);
  EXPECT_EQ(acme.buckets[0].positive, 1);
  EXPECT_EQ(acme.buckets[0].neutral, 0);
  EXPECT_NEAR(acme.buckets[0].mean_compound, (-0.7 + 0.5) / 2, kEps);
  EXPECT_NEAR(acme.buckets[0].reach, 110, kEps);
  EXPECT_EQ(acme.buckets[1].neutral, 1);
  // 03:15 (-0.9, reach 5) and the hostile 03:30 one (-0.4, reach 5000).
  EXPECT_EQ(acme.buckets[3].negative, 2);
  EXPECT_NEAR(acme.buckets[3].mean_compound, (-0.9 - 0.4) / 2, kEps);
  EXPECT_EQ(acme.total, 6);
  EXPECT_NEAR(acme.pct_negative, 100.0 * 4 / 6, kEps);
  EXPECT_NEAR(acme.mean_compound, (-0.7 + 0.5 + 0.0 - 0.3 - 0.9 - 0.4) / 6, kEps);
  EXPECT_NEAR(acme.reach, 100 + 10 + 50 + 5 + 5000, kEps);
  const report::BrandSeries& globex = d.series[1];
  EXPECT_EQ(globex.total, 1);
  EXPECT_EQ(globex.buckets[2].positive, 1);
}

TEST_F(ReportBuilderTest, ListsChannelsLanguagesTopMentionsAlertsTermsAndSources) {
  report::ReportData d = Build(Range({"acme", "globex"}), std::chrono::hours(1), {2, 2, 5});
  ASSERT_EQ(d.channels.size(), 3u);
  EXPECT_EQ(d.channels[0].key, "rss");
  EXPECT_EQ(d.channels[0].mentions, 4);
  EXPECT_EQ(d.languages[0].key, "en");
  EXPECT_EQ(d.languages[0].mentions, 6);
  ASSERT_EQ(d.top.size(), 2u);
  EXPECT_EQ(d.top[0].reach, 5000);
  EXPECT_EQ(d.top[0].url, "javascript:alert('url')");
  EXPECT_EQ(d.top[1].brand, "globex");
  EXPECT_EQ(d.top[1].published_ms, QueryFixture::Hour(2) - kMinuteMs);
  ASSERT_EQ(d.alerts.size(), 2u);
  EXPECT_EQ(d.alerts[0].rule, "emerging_terms");
  EXPECT_EQ(d.alerts[0].severity, "info");
  EXPECT_EQ(d.alerts[1].rule, "volume_spike");
  EXPECT_EQ(d.alerts[1].summary, "acme volume_spike");
  EXPECT_GT(d.alerts[0].seq, d.alerts[1].seq);
  EXPECT_EQ(d.emerging_terms, (std::vector<std::string>{"outage", "refund"}));
  ASSERT_EQ(d.sources.size(), 2u);
  EXPECT_EQ(d.sources[0].name, "reddit-feed");
  EXPECT_EQ(d.sources[0].failures, 0);
  EXPECT_EQ(d.sources[1].name, "rss-feed");
  EXPECT_EQ(d.sources[1].failures, 2);
  EXPECT_EQ(d.sources[1].last_error, "HTTP 503");
  EXPECT_EQ(d.sources[1].last_error_ms, 0) << "the fixture sets no time of the error";
}

TEST_F(ReportBuilderTest, ABrandFilterAppliesToEveryPart) {
  report::ReportData d = Build(Range({"globex"}));
  ASSERT_EQ(d.series.size(), 1u);
  ASSERT_EQ(d.channels.size(), 1u);
  EXPECT_EQ(d.channels[0].key, "rss");
  EXPECT_EQ(d.channels[0].mentions, 1);
  ASSERT_EQ(d.top.size(), 1u);
  EXPECT_EQ(d.top[0].brand, "globex");
  ASSERT_EQ(d.alerts.size(), 1u);
  EXPECT_EQ(d.alerts[0].brand, "globex");
  EXPECT_TRUE(d.emerging_terms.empty()) << "the terms are acme's";
}

TEST_F(ReportBuilderTest, WithoutBrandsTheBusiestAreShownUpToTheLimit) {
  report::ReportData d = Build(Range({}));
  EXPECT_EQ(d.brands, (std::vector<std::string>{"acme", "globex"}));
  d = Build(Range({}), std::chrono::hours(1), {10, 20, 1});
  EXPECT_EQ(d.brands, std::vector<std::string>{"acme"});
  ASSERT_EQ(d.series.size(), 1u);
}

TEST_F(ReportBuilderTest, SinceStartsAtABucketSoTheTotalsAreTheBucketsSums) {
  Filter f = Range({"acme"});
  f.since_ms = QueryFixture::Hour(1) + 30 * kMinuteMs;
  report::ReportData d = Build(f, std::chrono::hours(2));
  EXPECT_EQ(d.since_ms, QueryFixture::Hour(0));
  ASSERT_EQ(d.series[0].buckets.size(), 2u);
  EXPECT_EQ(d.series[0].buckets[0].negative + d.series[0].buckets[0].neutral + d.series[0].buckets[0].positive, 3);
  EXPECT_EQ(d.series[0].total, 6);
}

TEST_F(ReportBuilderTest, AnEmptyRangeIsAnEmptyReportNotAnError) {
  Filter f = Range({"acme"});
  f.since_ms = QueryFixture::Hour(-48);
  f.until_ms = QueryFixture::Hour(-24);
  report::ReportData d = Build(f);
  ASSERT_EQ(d.series.size(), 1u);
  EXPECT_EQ(d.series[0].buckets.size(), 24u);
  EXPECT_EQ(d.series[0].total, 0);
  EXPECT_TRUE(d.top.empty());
  EXPECT_TRUE(d.alerts.empty());
  EXPECT_FALSE(d.sources.empty()) << "the sources' health is not of a range";
}

TEST_F(ReportBuilderTest, ProgressNamesEachStep) {
  std::vector<std::string> steps;
  auto d = BuildReport(*reader_, Range({}), std::chrono::hours(1), FromUnixMillis(QueryFixture::Hour(4)), {},
                       [&](std::string_view step) { steps.emplace_back(step); });
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(steps, (std::vector<std::string>{"brands", "series", "channels and languages", "top mentions", "alerts",
                                             "sources"}));
}

TEST(AutoStepTest, KeepsChartsShortOverLongRanges) {
  auto step = [](int64_t hours) {
    Filter f;
    f.until_ms = hours * 3'600'000;
    return std::chrono::duration_cast<std::chrono::hours>(AutoStep(f)).count();
  };
  EXPECT_EQ(step(24), 1);
  EXPECT_EQ(step(48), 1);
  EXPECT_EQ(step(7 * 24), 6);
  EXPECT_EQ(step(30 * 24), 24);
  EXPECT_EQ(step(365 * 24), 7 * 24);
}

}  // namespace
}  // namespace brandmon::query
