#include "daemon/query/filter.h"

#include <gtest/gtest.h>

#include "daemon/base/time_parse.h"

namespace brandmon::query {
namespace {

const WallTime kNow = *ParseRfc3339("2026-03-10T12:00:00Z");

int64_t Ms(const char* rfc3339) { return ToUnixMillis(*ParseRfc3339(rfc3339)); }

// The message of the error `params` give, "" when they are accepted.
std::string ErrorOf(const Params& params) {
  auto f = ParseFilter(params, kNow);
  if (!f.ok()) return f.status().message();
  auto step = ParseStep(params, *f);
  if (!step.ok()) return step.status().message();
  auto page = ParsePage(params);
  if (!page.ok()) return page.status().message();
  return "";
}

TEST(FilterTest, DefaultsAreTheLastSevenDays) {
  auto f = ParseFilter({}, kNow);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->until_ms, ToUnixMillis(kNow));
  EXPECT_EQ(f->since_ms, Ms("2026-03-03T12:00:00Z"));
  EXPECT_TRUE(f->brands.empty());
}

TEST(FilterTest, ListsSplitOnCommasAndRepeat) {
  auto f = ParseFilter({{"brand", "acme, globex"}, {"brand", "initech,acme"}, {"label", "negative"}}, kNow);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->brands, (std::vector<std::string>{"acme", "globex", "initech"}));
  EXPECT_EQ(f->labels, std::vector<std::string>{"negative"});
}

TEST(FilterTest, TimesAreRfc3339DatesOrDurationsBack) {
  auto f = ParseFilter({{"since", "2026-03-01"}, {"until", "2026-03-02T06:00:00+02:00"}}, kNow);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->since_ms, Ms("2026-03-01T00:00:00Z"));
  EXPECT_EQ(f->until_ms, Ms("2026-03-02T04:00:00Z"));
  auto rel = ParseFilter({{"since", "36h"}, {"until", "12h"}}, kNow);
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->since_ms, Ms("2026-03-09T00:00:00Z"));
  EXPECT_EQ(rel->until_ms, Ms("2026-03-10T00:00:00Z"));
}

TEST(FilterTest, EachErrorNamesItsParameter) {
  struct Case {
    Params params;
    std::string expected;  // a part of the message
  };
  const Case cases[] = {
      {{{"since", "yesterday"}}, "since: not a time: 'yesterday'"},
      {{{"until", "2026-02-30"}}, "until: not a time"},
      {{{"since", "2026-03-05"}, {"until", "2026-03-04"}}, "since: is after until"},
      {{{"label", "angry"}}, "label: unknown label 'angry'"},
      {{{"label", "negative' OR 1=1"}}, "label: unknown label"},
      {{{"min_reach", "-1"}}, "min_reach: must be a number >= 0"},
      {{{"min_reach", "nan"}}, "min_reach"},
      {{{"step", "30m"}}, "step: must be a whole number of hours"},
      {{{"step", "90m"}}, "step: must be a whole number of hours"},
      {{{"step", "0h"}}, "step"},
      {{{"since", "401d"}, {"step", "1h"}}, "step: too many buckets"},
      {{{"limit", "-5"}}, "limit: must be an integer between 1 and 1000, got '-5'"},
      {{{"limit", "0"}}, "limit: must be an integer between 1 and 1000"},
      {{{"limit", "99999999999999999999"}}, "limit: must be an integer between 1 and 1000"},
      {{{"limit", "10; DROP TABLE mentions"}}, "limit: must be an integer"},
      {{{"since", "1d"}, {"since", "2d"}}, "since: given more than once"},
      {{{"q", std::string(2000, 'a')}}, "q: longer than 1000 bytes"},
  };
  for (const Case& c : cases) {
    std::string error = ErrorOf(c.params);
    EXPECT_NE(error.find(c.expected), std::string::npos) << "expected '" << c.expected << "', got '" << error << "'";
  }
}

TEST(FilterTest, FourHundredDaysOfHoursIsTheMost) {
  EXPECT_EQ(ErrorOf({{"since", "400d"}, {"step", "1h"}}), "");
  EXPECT_EQ(ErrorOf({{"since", "4000d"}, {"step", "1d"}}), "");
}

TEST(FilterTest, AHugeValueIsShortenedInTheMessage) {
  std::string error = ErrorOf({{"since", std::string(100000, 'x')}});
  EXPECT_LT(error.size(), 400u);
}

TEST(FilterTest, UnknownParametersAreNamed) {
  Status s = CheckKnown({{"brand", "acme"}, {"brnad", "x"}}, {"brand", "since"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown parameter 'brnad' (known: brand, since)"), std::string::npos) << s.message();
  EXPECT_TRUE(CheckKnown({{"brand", "acme"}}, {"brand"}).ok());
}

TEST(FilterTest, DimensionsByName) {
  EXPECT_EQ(ParseDimension("label"), Dimension::kLabel);
  EXPECT_EQ(ParseDimension(""), Dimension::kNone);
  EXPECT_EQ(ParseDimension("brand; --"), std::nullopt);
  EXPECT_EQ(DimensionName(Dimension::kChannel), "channel");
}

}  // namespace
}  // namespace brandmon::query
