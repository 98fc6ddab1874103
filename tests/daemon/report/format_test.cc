#include "daemon/report/format.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace brandmon::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(EscapeXmlTest, MarkupAndQuotesBecomeReferences) {
  EXPECT_EQ(EscapeXml("<a href=\"x\" title='y'>Tom & Jerry</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
  EXPECT_EQ(EscapeXml("]]></svg>"), "]]&gt;&lt;/svg&gt;");
  EXPECT_EQ(EscapeXml("Ünïcödé 日本"), "Ünïcödé 日本");
}

TEST(CleanTextTest, ControlsBidiAndInvalidBytesAreReplaced) {
  EXPECT_EQ(CleanText("a\xE2\x80\xAEgnp.exe"), "a\xEF\xBF\xBDgnp.exe");  // U+202E
  EXPECT_EQ(CleanText("a\xE2\x81\xA6"
                      "b"),
            "a\xEF\xBF\xBD"
            "b");  // U+2066
  EXPECT_EQ(CleanText("line\nbreak"), "line break");
  EXPECT_EQ(CleanText("bell\x07"), "bell\xEF\xBF\xBD");
  EXPECT_EQ(CleanText("bad \xC3\x28"), "bad \xEF\xBF\xBD(");
  EXPECT_EQ(CleanText("non\xEF\xBF\xBF"
                      "char"),
            "non\xEF\xBF\xBD"
            "char");  // U+FFFF, not allowed in XML
}

TEST(ShortenTest, CutsOnCodePointsWithAnEllipsis) {
  EXPECT_EQ(Shorten("short", 10), "short");
  EXPECT_EQ(Shorten("exactly10!", 10), "exactly10!");
  EXPECT_EQ(Shorten("日本語のテキスト", 3), "日本語…");
  EXPECT_EQ(Shorten("", 3), "");
}

// An unscored mention (a language without a lexicon) shows no score: its
// compound is that of a neutral text, not a reading of it.
TEST(FormatLabelTest, ScoredLabelsCarryTheirScoreUnscoredOnesNone) {
  EXPECT_EQ(FormatLabel("negative", -0.625), "negative (-0.62)");
  EXPECT_EQ(FormatLabel("positive", 0.4), "positive (+0.40)");
  EXPECT_EQ(FormatLabel("neutral", -0.0001), "neutral (0.00)");
  EXPECT_EQ(FormatLabel("positive", 7), "positive (+1.00)");
  EXPECT_EQ(FormatLabel("unscored", 0), "unscored");
}

TEST(IsWebUrlTest, OnlyAbsoluteHttpAndHttps) {
  const struct {
    const char* url;
    bool web;
  } kCases[] = {
      {"https://example.com/a?b=c&d=e#f", true},
      {"http://example.com", true},
      {"HTTPS://EXAMPLE.COM/", true},
      {"javascript:alert(1)", false},
      {"JavaScript:alert(1)", false},
      {" https://example.com", false},
      {"https://example.com/a b", false},
      {"https://example.com/\"onmouseover=x", false},
      {"https://example.com/<script>", false},
      {"data:text/html,<script>alert(1)</script>", false},
      {"mailto:a@example.com", false},
      {"//example.com/x", false},
      {"https://", false},
      {"https:///path", false},
      {"https:example.com", false},
      {"ftp://example.com", false},
      {"", false},
  };
  for (const auto& c : kCases) EXPECT_EQ(IsWebUrl(c.url), c.web) << c.url;
}

TEST(FormatNumberTest, NeverNanInfOrMinusZero) {
  EXPECT_EQ(FormatFixed(kNaN, 2), "0.00");
  EXPECT_EQ(FormatFixed(kInf, 1), "0.0");
  EXPECT_EQ(FormatFixed(-0.0001, 2), "0.00");
  EXPECT_EQ(FormatFixed(-0.25, 2), "-0.25");
  EXPECT_EQ(FormatFixed(1e300, 0).find_first_not_of("0123456789"), std::string::npos);
  EXPECT_EQ(NonNegative(-3), 0);
  EXPECT_EQ(NonNegative(kNaN), 0);
  EXPECT_EQ(NonNegative(kInf), 0);
  EXPECT_EQ(NonNegative(2.5), 2.5);
  EXPECT_EQ(Clamp(kNaN, -1, 1), -1);
  EXPECT_EQ(Clamp(7, -1, 1), 1);
}

TEST(FormatNumberTest, CountsAndShortCounts) {
  EXPECT_EQ(FormatCount(0), "0");
  EXPECT_EQ(FormatCount(999), "999");
  EXPECT_EQ(FormatCount(1234567), "1,234,567");
  EXPECT_EQ(FormatCount(-1234), "-1,234");
  EXPECT_EQ(FormatCount(1e12), "1,000,000,000,000");
  const struct {
    double v;
    const char* text;
  } kShort[] = {{0, "0"},       {7, "7"},       {2.5, "2.5"},  {0.25, "0.25"}, {950, "950"},     {1200, "1.2k"},
                {12345, "12k"}, {999999, "1M"}, {35e6, "35M"}, {1e12, "1T"},   {-4500, "-4.5k"}, {kNaN, "0"}};
  for (const auto& c : kShort) EXPECT_EQ(FormatShort(c.v), c.text) << c.v;
}

TEST(FormatUtcTest, EveryStyleInUtc) {
  const int64_t t = 1796095353000;  // 2026-12-01T03:22:33Z
  EXPECT_EQ(FormatUtc(t, UtcStyle::kRfc3339), "2026-12-01T03:22:33Z");
  EXPECT_EQ(FormatUtc(t, UtcStyle::kDateTime), "2026-12-01 03:22 UTC");
  EXPECT_EQ(FormatUtc(t, UtcStyle::kDate), "2026-12-01");
  EXPECT_EQ(FormatUtc(t, UtcStyle::kDayHour), "Dec 1 03:22");
  EXPECT_EQ(FormatUtc(t, UtcStyle::kDay), "Dec 1");
  EXPECT_EQ(FormatUtc(-5, UtcStyle::kRfc3339), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatUtc(std::numeric_limits<int64_t>::max(), UtcStyle::kDate), "9999-12-31");
}

TEST(FormatStepTest, NamesCommonBuckets) {
  EXPECT_EQ(FormatStep(3600000), "hour");
  EXPECT_EQ(FormatStep(86400000), "day");
  EXPECT_EQ(FormatStep(7 * 86400000LL), "week");
  EXPECT_EQ(FormatStep(6 * 3600000), "6h");
  EXPECT_EQ(FormatStep(15 * 60000), "15m");
}

}  // namespace
}  // namespace brandmon::report
