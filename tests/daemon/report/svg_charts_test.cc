#include "daemon/report/svg_charts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "tests/daemon/report/xml_check_testlib.h"

namespace brandmon::report {
namespace {

using testing::FindNonFinite;
using testing::NonFiniteAttributes;
using testing::ParseXml;
using testing::XmlDoc;
using testing::XPathCount;
using testing::XPathValues;

constexpr int64_t kHour = 3600000;
constexpr int64_t kT0 = 1796083200000;  // 2026-12-01T00:00:00Z
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

BrandSeries Series(int buckets) {
  BrandSeries s;
  s.brand = "Acme";
  for (int i = 0; i < buckets; ++i) {
    Bucket b;
    b.start_ms = kT0 + i * kHour;
    b.negative = i;
    b.neutral = 2 * i + 1;
    b.positive = 10 - i;
    b.mean_compound = (i % 3 - 1) * 0.4;
    s.buckets.push_back(b);
    s.total += b.negative + b.neutral + b.positive;
  }
  return s;
}

const TimeRange kRange{kT0, kT0 + 24 * kHour, kHour};

// Parses `svg` strictly and checks what every chart must be: an accessible
// image with a viewBox, no script, and only finite numbers.
XmlDoc Checked(const std::string& svg) {
  std::string error;
  XmlDoc doc = ParseXml(svg, &error);
  EXPECT_NE(doc, nullptr) << error << "\n" << svg;
  if (doc == nullptr) return doc;
  EXPECT_EQ(XPathValues(doc.get(), "/s:svg/@role"), std::vector<std::string>{"img"});
  std::vector<std::string> label = XPathValues(doc.get(), "/s:svg/@aria-label");
  EXPECT_EQ(label.size(), 1u);
  if (!label.empty()) {
    EXPECT_FALSE(label[0].empty());
  }
  EXPECT_EQ(XPathValues(doc.get(), "/s:svg/s:title[1]"), label);
  EXPECT_EQ(XPathCount(doc.get(), "/s:svg/@viewBox"), 1u);
  EXPECT_EQ(XPathCount(doc.get(), "//s:script | //s:foreignObject | //@*[starts-with(name(), 'on')]"), 0u);
  EXPECT_EQ(NonFiniteAttributes(doc.get()), std::vector<std::string>{});
  EXPECT_EQ(FindNonFinite(svg), "");
  return doc;
}

// Relative luminance of "#RRGGBB" (WCAG), what a greyscale print keeps.
double Luminance(const std::string& hex) {
  auto channel = [&](int i) {
    double c = std::stoi(hex.substr(1 + 2 * i, 2), nullptr, 16) / 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

// ---- Volume ----------------------------------------------------------------

TEST(VolumeChartTest, OneStackPerBucketCarryingItsCounts) {
  BrandSeries s = Series(6);
  XmlDoc doc = Checked(VolumeChart(s, kRange));
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathCount(doc.get(), "//s:g[@data-start-ms]"), 6u);
  for (std::string sentiment : {"negative", "neutral", "positive"}) {
    std::vector<std::string> values =
        XPathValues(doc.get(), "//s:rect[@data-sentiment='" + sentiment + "']/@data-value");
    ASSERT_EQ(values.size(), 6u) << sentiment;
    for (int i = 0; i < 6; ++i) {
      const Bucket& b = s.buckets[i];
      int64_t want = sentiment == "negative" ? b.negative : sentiment == "neutral" ? b.neutral : b.positive;
      EXPECT_EQ(values[i], std::to_string(want)) << sentiment << " " << i;
    }
  }
  // Every bucket says when it starts and what it holds when hovered.
  std::vector<std::string> tips = XPathValues(doc.get(), "//s:g[@data-start-ms]/s:title");
  ASSERT_EQ(tips.size(), 6u);
  EXPECT_EQ(tips[0], "2026-12-01 00:00 UTC: 11 mentions, 0 negative, 1 neutral, 10 positive");
}

TEST(VolumeChartTest, TallerBucketsDrawTallerStacks) {
  BrandSeries s;
  s.buckets = {{kT0, 1, 1, 1, 0, 0}, {kT0 + kHour, 10, 10, 10, 0, 0}};
  XmlDoc doc = Checked(VolumeChart(s, kRange));
  ASSERT_NE(doc, nullptr);
  std::vector<std::string> heights = XPathValues(doc.get(), "//s:rect[@data-sentiment='neutral']/@height");
  ASSERT_EQ(heights.size(), 2u);
  EXPECT_NEAR(std::stod(heights[1]), 10 * std::stod(heights[0]), 1.0);
}

std::vector<std::string> Ticks(const BrandSeries& s, const TimeRange& range) {
  XmlDoc doc = Checked(VolumeChart(s, range));
  if (doc == nullptr) return {};
  return XPathValues(doc.get(), "//s:g[@class='x-axis']/s:text");
}

TEST(VolumeChartTest, TimeAxisIsLabelledInUtcAtRoundTimes) {
  // A day in hours: midnight names the day, the other ticks the time.
  EXPECT_EQ(Ticks(Series(24), kRange), (std::vector<std::string>{"Dec 1", "06:00", "12:00", "18:00", "Dec 2"}));
  // Half a day from 03:00: no midnight in view, so the first tick has the day.
  EXPECT_EQ(Ticks(Series(0), TimeRange{kT0 + 3 * kHour, kT0 + 15 * kHour, kHour}),
            (std::vector<std::string>{"Dec 1 03:00", "06:00", "09:00", "12:00", "15:00"}));
  // A week in days, a year in quarters.
  EXPECT_EQ(Ticks(Series(0), TimeRange{kT0, kT0 + 7 * 24 * kHour, 24 * kHour}),
            (std::vector<std::string>{"Dec 1", "Dec 3", "Dec 5", "Dec 7"}));
  std::vector<std::string> year = Ticks(Series(0), TimeRange{kT0, kT0 + 365 * 24 * kHour, 7 * 24 * kHour});
  ASSERT_FALSE(year.empty());
  EXPECT_EQ(year[0].size(), 10u) << year[0];  // 2027-01-..
  EXPECT_LE(year.size(), 5u);
  XmlDoc doc = Checked(VolumeChart(Series(3), kRange));
  ASSERT_NE(doc, nullptr);
  EXPECT_NE(XPathValues(doc.get(), "/s:svg/s:text[1]")[0].find("UTC"), std::string::npos);
}

TEST(VolumeChartTest, NoBucketsSaysSo) {
  BrandSeries empty;
  empty.brand = "Acme";
  for (TimeRange range : {kRange, TimeRange{}, TimeRange{kT0, kT0 - 5, -1}}) {
    std::string svg = VolumeChart(empty, range);
    XmlDoc doc = Checked(svg);
    ASSERT_NE(doc, nullptr);
    EXPECT_EQ(XPathCount(doc.get(), "//s:rect[@data-sentiment]"), 0u);
    EXPECT_NE(svg.find("No mentions in this range"), std::string::npos);
  }
}

TEST(VolumeChartTest, OneBucketWithoutStepOrRangeStillDraws) {
  BrandSeries s = Series(1);
  XmlDoc doc = Checked(VolumeChart(s, TimeRange{}));
  ASSERT_NE(doc, nullptr);
  std::vector<std::string> widths = XPathValues(doc.get(), "//s:rect[@data-sentiment='positive']/@width");
  ASSERT_EQ(widths.size(), 1u);
  EXPECT_GT(std::stod(widths[0]), 1.0);
}

TEST(VolumeChartTest, UnscoredMentionsStackOnTopOnlyForABrandThatHasThem) {
  BrandSeries without = Series(4);
  XmlDoc plain = Checked(VolumeChart(without, kRange));
  ASSERT_NE(plain, nullptr);
  EXPECT_EQ(XPathCount(plain.get(), "//s:rect[@data-sentiment='unscored']"), 0u);
  BrandSeries with = Series(4);
  with.buckets[2].unscored = 7;
  std::string svg = VolumeChart(with, kRange);
  XmlDoc doc = Checked(svg);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathValues(doc.get(), "//s:rect[@data-sentiment='unscored']/@data-value"),
            (std::vector<std::string>{"0", "0", "7", "0"}));
  // The bucket's total counts them; the label says what they are.
  EXPECT_EQ(XPathValues(doc.get(), "//s:g[@data-start-ms='" + std::to_string(kT0 + 2 * kHour) + "']/@data-total"),
            std::vector<std::string>{std::to_string(2 + 5 + 8 + 7)});
  EXPECT_NE(svg.find("7 unscored (no lexicon for their language)"), std::string::npos);
}

TEST(VolumeChartTest, HugeNegativeAndNanInputsStayFinite) {
  BrandSeries s;
  s.brand = "Huge";
  s.buckets = {{kT0, 1000000000000, 0, 1000000000000, kNaN, kInf},
               {kT0 + kHour, -5, -1, std::numeric_limits<int64_t>::max(), -kInf, kNaN},
               {-kHour, 3, 3, 3, 0.5, 0},
               {std::numeric_limits<int64_t>::max(), 1, 1, 1, 0, 0}};
  std::string svg = VolumeChart(s, TimeRange{kT0, kT0 + 2 * kHour, kHour});
  XmlDoc doc = Checked(svg);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathCount(doc.get(), "//s:g[@data-start-ms]"), 4u);
  // In time order: the bucket before 1970 is drawn at 1970, first.
  std::vector<std::string> negative = XPathValues(doc.get(), "//s:rect[@data-sentiment='negative']/@data-value");
  EXPECT_EQ(negative, (std::vector<std::string>{"3", "1000000000000", "0", "1"}));
  for (const std::string& h : XPathValues(doc.get(), "//s:rect/@height")) EXPECT_GE(std::stod(h), 0) << h;
}

TEST(VolumeChartTest, SentimentsDifferInGreyscaleAndAreNotRedAgainstGreen) {
  XmlDoc doc = Checked(VolumeChart(Series(2), kRange));
  ASSERT_NE(doc, nullptr);
  std::vector<double> lum;
  for (std::string sentiment : {"negative", "neutral", "positive"}) {
    std::vector<std::string> fills = XPathValues(doc.get(), "//s:rect[@data-sentiment='" + sentiment + "']/@fill");
    ASSERT_FALSE(fills.empty());
    lum.push_back(Luminance(fills[0]));
    // Green (G well above R and B) never carries meaning.
    int r = std::stoi(fills[0].substr(1, 2), nullptr, 16);
    int g = std::stoi(fills[0].substr(3, 2), nullptr, 16);
    int b = std::stoi(fills[0].substr(5, 2), nullptr, 16);
    EXPECT_FALSE(g > r + 40 && g > b + 40) << sentiment << " " << fills[0];
  }
  EXPECT_GT(std::fabs(lum[0] - lum[1]), 0.1);
  EXPECT_GT(std::fabs(lum[1] - lum[2]), 0.1);
  EXPECT_GT(std::fabs(lum[0] - lum[2]), 0.1);
}

// ---- Sentiment -------------------------------------------------------------

TEST(SentimentChartTest, APointPerBucketWithMentionsAndABarPerBucket) {
  BrandSeries s = Series(5);
  s.buckets[2].negative = s.buckets[2].neutral = s.buckets[2].positive = 0;
  XmlDoc doc = Checked(SentimentChart(s, kRange));
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathValues(doc.get(), "//s:circle/@data-compound"),
            (std::vector<std::string>{"-0.400", "0.000", "-0.400", "0.000"}));
  std::vector<std::string> pct = XPathValues(doc.get(), "//s:rect/@data-pct-negative");
  ASSERT_EQ(pct.size(), 5u);
  EXPECT_EQ(pct[1], "7.7");  // 1 negative, 3 neutral, 9 positive
  EXPECT_EQ(pct[2], "0.0");
  // The line breaks over the empty bucket: two pieces.
  std::vector<std::string> path = XPathValues(doc.get(), "//s:path/@d");
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(std::count(path[0].begin(), path[0].end(), 'M'), 2);
}

TEST(SentimentChartTest, TheLineBreaksOverMissingBuckets) {
  BrandSeries s = Series(6);
  s.buckets.erase(s.buckets.begin() + 3);
  XmlDoc doc = Checked(SentimentChart(s, kRange));
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathCount(doc.get(), "//s:circle"), 5u);
  std::vector<std::string> path = XPathValues(doc.get(), "//s:path/@d");
  ASSERT_EQ(path.size(), 1u);
  EXPECT_EQ(std::count(path[0].begin(), path[0].end(), 'M'), 2);
  EXPECT_EQ(std::count(path[0].begin(), path[0].end(), 'L'), 3);
}

TEST(SentimentChartTest, HigherScoresSitHigherAndOutOfRangeScoresAreClamped) {
  BrandSeries s;
  s.buckets = {{kT0, 0, 1, 0, -1, 0},
               {kT0 + kHour, 0, 1, 0, 0, 0},
               {kT0 + 2 * kHour, 0, 1, 0, 7, 0},
               {kT0 + 3 * kHour, 0, 1, 0, kNaN, 0}};
  XmlDoc doc = Checked(SentimentChart(s, kRange));
  ASSERT_NE(doc, nullptr);
  std::vector<std::string> cy = XPathValues(doc.get(), "//s:circle/@cy");
  ASSERT_EQ(cy.size(), 4u);
  EXPECT_GT(std::stod(cy[0]), std::stod(cy[1]));  // SVG's y grows downwards
  EXPECT_GT(std::stod(cy[1]), std::stod(cy[2]));
  EXPECT_EQ(XPathValues(doc.get(), "//s:circle/@data-compound")[2], "1.000");
  EXPECT_EQ(cy[3], cy[1]);
}

TEST(SentimentChartTest, EmptyAndOneBucket) {
  BrandSeries empty;
  XmlDoc a = Checked(SentimentChart(empty, TimeRange{}));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(XPathCount(a.get(), "//s:circle"), 0u);
  EXPECT_EQ(XPathCount(a.get(), "//s:path"), 0u);
  XmlDoc b = Checked(SentimentChart(Series(1), TimeRange{kT0, kT0, 0}));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(XPathCount(b.get(), "//s:circle"), 1u);
}

// ---- Bars ------------------------------------------------------------------

TEST(ShareOfVoiceChartTest, OneBarPerBrandWithItsShare) {
  std::vector<BrandSeries> series(3);
  series[0].brand = "Acme";
  series[0].total = 300;
  series[1].brand = "Globex";
  series[1].total = 100;
  series[2].brand = "Initech";
  series[2].total = -7;
  XmlDoc doc = Checked(ShareOfVoiceChart(series));
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathValues(doc.get(), "//s:rect/@data-brand"), (std::vector<std::string>{"Acme", "Globex", "Initech"}));
  EXPECT_EQ(XPathValues(doc.get(), "//s:rect/@data-share"), (std::vector<std::string>{"75.0", "25.0", "0.0"}));
  std::vector<std::string> widths = XPathValues(doc.get(), "//s:rect/@width");
  EXPECT_NEAR(std::stod(widths[0]), 3 * std::stod(widths[1]), 0.2);
  EXPECT_EQ(widths[2], "0.0");
}

TEST(ShareOfVoiceChartTest, NoMentionsAtAllAndHugeCounts) {
  std::vector<BrandSeries> series(2);
  XmlDoc zero = Checked(ShareOfVoiceChart(series));
  ASSERT_NE(zero, nullptr);
  EXPECT_EQ(XPathValues(zero.get(), "//s:rect/@data-share"), (std::vector<std::string>{"0.0", "0.0"}));
  series[0].total = 1000000000000;
  series[1].total = 3000000000000;
  std::string svg = ShareOfVoiceChart(series);
  XmlDoc huge = Checked(svg);
  ASSERT_NE(huge, nullptr);
  EXPECT_EQ(XPathValues(huge.get(), "//s:rect/@data-mentions")[1], "3000000000000");
  EXPECT_NE(svg.find(">3T (75%)<"), std::string::npos);
  EXPECT_EQ(XPathCount(Checked(ShareOfVoiceChart({})).get(), "//s:rect"), 0u);
}

TEST(BarListChartTest, CapsTheRowsAndSaysHowManyAreLeft) {
  std::vector<Count> counts;
  for (int i = 0; i < 15; ++i) counts.push_back({"channel" + std::to_string(i), 100 - i});
  std::string svg = BarListChart("Channels", counts, 12);
  XmlDoc doc = Checked(svg);
  ASSERT_NE(doc, nullptr);
  EXPECT_EQ(XPathCount(doc.get(), "//s:rect[@data-key]"), 12u);
  EXPECT_EQ(XPathValues(doc.get(), "//s:rect/@data-mentions")[0], "100");
  EXPECT_NE(svg.find("and 3 more"), std::string::npos);
}

// ---- Hostile text ----------------------------------------------------------

TEST(ChartTextTest, MarkupInNamesStaysText) {
  const std::string hostile = "<script>alert(1)</script>]]></svg><img src=x onerror=alert(1)>\xE2\x80\xAE\"'&";
  BrandSeries s = Series(2);
  s.brand = hostile;
  std::vector<Count> counts = {{hostile, 5}};
  for (const std::string& svg :
       {VolumeChart(s, kRange), SentimentChart(s, kRange), ShareOfVoiceChart({s}), BarListChart(hostile, counts)}) {
    XmlDoc doc = Checked(svg);
    ASSERT_NE(doc, nullptr);
    EXPECT_EQ(XPathCount(doc.get(), "//s:img | //*[local-name()='script'] | //*[local-name()='img']"), 0u);
    EXPECT_EQ(svg.find("\xE2\x80\xAE"), std::string::npos) << "bidi override kept";
    std::string label = XPathValues(doc.get(), "/s:svg/@aria-label")[0];
    EXPECT_NE(label.find("<script>alert(1)</script>]]></svg>"), std::string::npos) << label;
  }
}

}  // namespace
}  // namespace brandmon::report
