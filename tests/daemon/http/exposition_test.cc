#include "daemon/http/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "daemon/base/histogram.h"

namespace brandmon::http {
namespace {

TEST(ExpositionTest, FamiliesHaveHelpAndTypeBeforeTheirSamples) {
  Exposition out;
  out.Family("brandmon_mentions_total", "counter", "Mentions stored.");
  out.Sample("brandmon_mentions_total", {{"brand", "acme"}, {"label", "negative"}}, 3);
  out.Single("brandmon_store_failing", "gauge", "1 while failing.", 0);
  EXPECT_EQ(out.text(),
            "# HELP brandmon_mentions_total Mentions stored.\n"
            "# TYPE brandmon_mentions_total counter\n"
            "brandmon_mentions_total{brand=\"acme\",label=\"negative\"} 3\n"
            "# HELP brandmon_store_failing 1 while failing.\n"
            "# TYPE brandmon_store_failing gauge\n"
            "brandmon_store_failing 0\n");
}

TEST(ExpositionTest, LabelValuesAndHelpAreEscaped) {
  Exposition out;
  out.Family("m", "gauge", "a \\ b\nc");
  out.Sample("m", {{"brand", "say \"hi\"\\\n"}}, 1);
  EXPECT_EQ(out.text(), "# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{brand=\"say \\\"hi\\\"\\\\\\n\"} 1\n");
  EXPECT_EQ(EscapeLabelValue("plain ünïcode"), "plain ünïcode");
}

TEST(ExpositionTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  Exposition out;
  out.Family("brandmon_fetch_seconds", "histogram", "Fetch time.");
  const double bounds[] = {0.1, 1};
  const uint64_t counts[] = {2, 0, 3};
  out.Histogram("brandmon_fetch_seconds", {{"source", "a\"b"}}, bounds, counts, 7.25);
  EXPECT_EQ(out.text(),
            "# HELP brandmon_fetch_seconds Fetch time.\n"
            "# TYPE brandmon_fetch_seconds histogram\n"
            "brandmon_fetch_seconds_bucket{source=\"a\\\"b\",le=\"0.1\"} 2\n"
            "brandmon_fetch_seconds_bucket{source=\"a\\\"b\",le=\"1\"} 2\n"
            "brandmon_fetch_seconds_bucket{source=\"a\\\"b\",le=\"+Inf\"} 5\n"
            "brandmon_fetch_seconds_sum{source=\"a\\\"b\"} 7.25\n"
            "brandmon_fetch_seconds_count{source=\"a\\\"b\"} 5\n");
}

TEST(ExpositionTest, UnlabelledHistogramHasOnlyLe) {
  Exposition out;
  const double bounds[] = {-0.5};
  const uint64_t counts[] = {1, 1};
  out.Histogram("h", {}, bounds, counts, 0);
  EXPECT_EQ(out.text(), "h_bucket{le=\"-0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 0\nh_count 2\n");
}

TEST(HistogramTest, ObserveCountsEachValueInTheFirstBucketThatHoldsIt) {
  CompoundHistogram h;
  for (double v : {-1.0, -0.75, -0.74, 0.0, 1.0}) h.Observe(kCompoundBounds, v);
  EXPECT_EQ(h.counts[0], 2u);  // -1 and -0.75 (le is inclusive)
  EXPECT_EQ(h.counts[1], 1u);
  EXPECT_EQ(h.counts[3], 1u);  // 0
  EXPECT_EQ(h.counts[7], 1u);  // 1
  EXPECT_EQ(h.counts[8], 0u);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_DOUBLE_EQ(h.sum, -1.49);
}

struct ValueCase {
  double value;
  std::string text;
};

class FormatValueTest : public ::testing::TestWithParam<ValueCase> {};

TEST_P(FormatValueTest, WritesWhatPrometheusParses) { EXPECT_EQ(FormatValue(GetParam().value), GetParam().text); }

INSTANTIATE_TEST_SUITE_P(Values, FormatValueTest,
                         ::testing::Values(ValueCase{0, "0"}, ValueCase{42, "42"}, ValueCase{-3, "-3"},
                                           ValueCase{18446744073709.0, "18446744073709"}, ValueCase{0.5, "0.5"},
                                           ValueCase{0.1, "0.1"}, ValueCase{1796614608.398, "1796614608.398"},
                                           ValueCase{std::numeric_limits<double>::infinity(), "+Inf"},
                                           ValueCase{-std::numeric_limits<double>::infinity(), "-Inf"},
                                           ValueCase{std::nan(""), "NaN"}));

}  // namespace
}  // namespace brandmon::http
