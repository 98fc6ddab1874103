#include "daemon/http/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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

struct ValueCase {
  double value;
  std::string text;
};

class FormatValueTest : public ::testing::TestWithParam<ValueCase> {};

TEST_P(FormatValueTest, WritesWhatPrometheusParses) { EXPECT_EQ(FormatValue(GetParam().value), GetParam().text); }

INSTANTIATE_TEST_SUITE_P(Values, FormatValueTest,
                         ::testing::Values(ValueCase{0, "0"}, ValueCase{42, "42"}, ValueCase{-3, "-3"},
                                           ValueCase{18446744073709.0, "18446744073709"}, ValueCase{0.5, "0.5"},
                                           ValueCase{1796614608.398, "1796614608.398"},
                                           ValueCase{std::numeric_limits<double>::infinity(), "+Inf"},
                                           ValueCase{-std::numeric_limits<double>::infinity(), "-Inf"},
                                           ValueCase{std::nan(""), "NaN"}));

}  // namespace
}  // namespace brandmon::http
