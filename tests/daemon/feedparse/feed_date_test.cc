#include "daemon/feedparse/feed_date.h"

#include <gtest/gtest.h>

#include "daemon/base/units.h"

namespace brandmon::feedparse {
namespace {

struct DateCase {
  const char* input;
  const char* expected;  // RFC 3339 UTC, or nullptr for "not a date"
};

class FeedDateTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(FeedDateTest, NormalizesToUtc) {
  const DateCase& c = GetParam();
  auto t = ParseFeedDate(c.input);
  if (c.expected == nullptr) {
    EXPECT_FALSE(t.has_value()) << c.input << " -> " << FormatRfc3339(*t);
  } else {
    ASSERT_TRUE(t.has_value()) << c.input;
    EXPECT_EQ(FormatRfc3339(*t), c.expected) << c.input;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Wild, FeedDateTest,
    ::testing::Values(
        DateCase{"Mon, 02 Jan 2006 15:04:05 -0700", "2006-01-02T22:04:05Z"},
        DateCase{"Mon, 02 Jan 2006 15:04:05 GMT", "2006-01-02T15:04:05Z"},
        DateCase{"02 Jan 2006 15:04:05 +0000", "2006-01-02T15:04:05Z"},  // no weekday
        DateCase{"Mon, 2 Jan 06 15:04:05 EST", "2006-01-02T20:04:05Z"},  // two-digit year
        DateCase{"Thu, 01 Jan 70 00:00:00 GMT", "1970-01-01T00:00:00Z"},
        DateCase{"Mon, 02 Jan 2006 15:04 PDT", "2006-01-02T22:04:00Z"},  // no seconds
        DateCase{"Mon, 02 Jan 2006 15:04:05", "2006-01-02T15:04:05Z"},   // no zone
        DateCase{"Monday, 02 January 2006 15:04:05 +05:30", "2006-01-02T09:34:05Z"},
        DateCase{"mon, 02 jan 2006 15:04:05 ut", "2006-01-02T15:04:05Z"},
        DateCase{"Mon, 02 Jan 2006 15:04:05 Z", "2006-01-02T15:04:05Z"},
        DateCase{"Sat, 31 Dec 2005 23:30:00 -0100", "2006-01-01T00:30:00Z"},
        DateCase{"Tue, 10 Jun 2003 04:00:00 GMT+2", "2003-06-10T02:00:00Z"},
        DateCase{"2 Jan 2006", "2006-01-02T00:00:00Z"}, DateCase{"Jan 02 2006 15:04:05 GMT", "2006-01-02T15:04:05Z"},
        DateCase{"2006-01-02T15:04:05Z", "2006-01-02T15:04:05Z"},
        DateCase{"2006-01-02T15:04:05.123+01:00", "2006-01-02T14:04:05.123Z"},
        DateCase{"2006-01-02T15:04:05+0100", "2006-01-02T14:04:05Z"},
        DateCase{"2006-01-02T15:04Z", "2006-01-02T15:04:00Z"}, DateCase{"20060102T150405Z", "2006-01-02T15:04:05Z"},
        DateCase{"2006-01-02", "2006-01-02T00:00:00Z"}, DateCase{"  2006-01-02T15:04:05Z\n", "2006-01-02T15:04:05Z"},
        DateCase{"", nullptr}, DateCase{"yesterday", nullptr},
        DateCase{"Mon, 31 Feb 2006 10:00:00 GMT", nullptr},  // no such day
        DateCase{"Mon, 02 Foo 2006 10:00:00 GMT", nullptr}, DateCase{"Mon, 02 Jan 2006 25:00:00 GMT", nullptr},
        DateCase{"Mon, 02 Jan 2006 10:00:00 XYZ", nullptr}, DateCase{"2006-13-02T00:00:00Z", nullptr}));

}  // namespace
}  // namespace brandmon::feedparse
