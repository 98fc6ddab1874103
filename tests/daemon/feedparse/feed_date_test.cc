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
        DateCase{"2006-13-02T00:00:00Z", nullptr}));

// The forms feedparser reads (its tests/test_date_parsers.py), with the
// values it gives.
INSTANTIATE_TEST_SUITE_P(
    FeedparserForms, FeedDateTest,
    ::testing::Values(
        // A zone name no table knows reads as UTC instead of losing the date.
        DateCase{"Mon, 02 Jan 2006 10:00:00 XYZ", "2006-01-02T10:00:00Z"},
        DateCase{"Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z"},
        DateCase{"Wed, 19 Feb 2012 22:40:00 GMT-01:01", "2012-02-19T23:41:00Z"},
        DateCase{"Mon, 26 January 2004 16:31:00 AT", "2004-01-26T20:31:00Z"},
        DateCase{"Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z"},
        DateCase{"Mon, 26 January 2004 16:31:00 CT", "2004-01-26T22:31:00Z"},
        DateCase{"Mon, 26 January 2004 16:31:00 MT", "2004-01-26T23:31:00Z"},
        DateCase{"Mon, 26 January 2004 16:31:00 PT", "2004-01-27T00:31:00Z"},
        DateCase{"Thu, 30 Apr 2015 08:57:00 MET", "2015-04-30T07:57:00Z"},
        DateCase{"Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T20:48:21Z"},  // RFC 822 military, its signs
        DateCase{"Thu, 01 Jan 2004 19:48:21 Y", "2004-01-01T07:48:21Z"},
        DateCase{"Mon, 13 Feb, 2012 06:28:00 UTC", "2012-02-13T06:28:00Z"},
        DateCase{"Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z"},
        DateCase{"Fri,24 Nov 2023 18:28:36 -0000", "2023-11-24T18:28:36Z"},
        DateCase{"Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z"},  // asctime
        DateCase{"Sun Jul 15 01:16:00 +0000 2012", "2012-07-15T01:16:00Z"},
        DateCase{"Sun Jan 4 16:29:06 PST 2004", "2004-01-05T00:29:06Z"},   // date(1)
        DateCase{"Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"},  // Perforce
        DateCase{"2003-12", "2003-12-01T00:00:00Z"}, DateCase{"2003", "2003-01-01T00:00:00Z"},
        DateCase{"2003-335", "2003-12-01T00:00:00Z"}, DateCase{"03335", "2003-12-01T00:00:00Z"},
        DateCase{"2004-060", "2004-02-29T00:00:00Z"}, DateCase{"031231", "2003-12-31T00:00:00Z"},
        DateCase{"03-12-31", "2003-12-31T00:00:00Z"}, DateCase{"-03-12", "2003-12-01T00:00:00Z"},
        DateCase{"-0312", "2003-12-01T00:00:00Z"}, DateCase{"2003-012-31T10:14:55+00:00", "2003-12-31T10:14:55Z"},
        DateCase{"2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z"},
        DateCase{"2004-07-08 23:56:58.0", "2004-07-08T23:56:58Z"},
        DateCase{"2004-02-28T18:14:55-08:00", "2004-02-29T02:14:55Z"},
        DateCase{"Κυρ, 11 Ιούλ 2004 12:00:00 EST", "2004-07-11T17:00:00Z"},  // Greek
        DateCase{"2004-július-13T9:15-05:00", "2004-07-13T14:15:00Z"},       // Hungarian
        DateCase{"2004-május-3T19:15+01:00", "2004-05-03T18:15:00Z"},
        DateCase{"2004-05-25 오후 11:23:17", "2004-05-25T14:23:17Z"},  // Korean (Nate), p.m.
        DateCase{"2004-05-25 오전 12:03:00", "2004-05-24T15:03:00Z"},  // a.m.: 12 is midnight
        DateCase{"2004년 05월 28일  01:31:15", "2004-05-27T16:31:15Z"}));

// What is no date stays no date, however it is damaged.
INSTANTIATE_TEST_SUITE_P(
    NotDates, FeedDateTest,
    ::testing::Values(
        DateCase{"Sun, 16 Dec 2012 1:2:3:4 GMT", nullptr}, DateCase{"Sun, 16 zzz 2012 11:47:32 GMT", nullptr},
        DateCase{"Sun, Dec x 2012 11:47:32 GMT", nullptr}, DateCase{"Sun, 16 Dec zz 11:47:32 GMT", nullptr},
        DateCase{"Sun, 16 Dec 2012 11:47:32 +zz:00", nullptr}, DateCase{"Sun, 16 Dec 2012 11:47:32 +00:zz", nullptr},
        DateCase{"Sun, 99 Jun 2009 12:00:00 GMT", nullptr}, DateCase{"2003-12-31T25:14:55Z", nullptr},
        DateCase{"2003-12-31T10:61:55Z", nullptr}, DateCase{"2013-01-28T11:30:00-06:00Textra", nullptr},
        DateCase{"2013-xx-27", nullptr}, DateCase{"2013-01-28T09:xx:00Z", nullptr},
        DateCase{"2013-01-28T09:00:00+00:xx", nullptr}, DateCase{"2013-01-27-01", nullptr},
        DateCase{"2003-366", nullptr}, DateCase{"03-12", nullptr}, DateCase{"123", nullptr},
        DateCase{"123456789", nullptr}, DateCase{"-", nullptr}, DateCase{"--", nullptr}, DateCase{"-03", nullptr},
        DateCase{"2004-", nullptr},
        DateCase{"Thu, 01 Jan 0100 00:00:01 +0100", nullptr},  // before what a mention's time holds
        DateCase{"2004년", nullptr}, DateCase{"2004-05-25 오후", nullptr},
        DateCase{"2004-05-25 오후 13:00:00", nullptr}, DateCase{"Κυρ, 11 Ιούλ", nullptr},
        DateCase{"2004-július-T9:15", nullptr}, DateCase{"2004-\xc3-13T9:15-05:00", nullptr},
        DateCase{"\xce\x9a\xcf, 11 \xce 2004 12:00:00 EST", nullptr}));

}  // namespace
}  // namespace brandmon::feedparse
