#include "daemon/base/units.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "daemon/base/time_parse.h"

namespace brandmon {
namespace {

TEST(UnitsTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("90s"), Duration(90'000));
  EXPECT_EQ(ParseDuration("5m"), Duration(300'000));
  EXPECT_EQ(ParseDuration("1h30m"), Duration(5'400'000));
  EXPECT_EQ(ParseDuration("250ms"), Duration(250));
  EXPECT_EQ(ParseDuration("2d"), Duration(172'800'000));
  for (const char* bad : {"", "5", "fast", "5 m", "-5m", "5M", "m5", "99999999999999999999s"}) {
    EXPECT_FALSE(ParseDuration(bad).has_value()) << bad;
  }
}

TEST(UnitsTest, FormatsDurationsRoundTrip) {
  for (const char* text : {"90s", "5m", "1h30m", "250ms", "2d", "1d2h3m4s"}) {
    EXPECT_EQ(FormatDuration(*ParseDuration(text)), text == std::string("90s") ? "1m30s" : text);
  }
}

TEST(UnitsTest, ParsesSizes) {
  EXPECT_EQ(ParseSize("10MiB"), 10u << 20);
  EXPECT_EQ(ParseSize("512"), 512u);
  EXPECT_EQ(ParseSize("1GiB"), 1u << 30);
  EXPECT_EQ(ParseSize("10MB"), 10'000'000u);
  for (const char* bad : {"", "MiB", "10 MiB", "10XB", "-1", "99999999999GiB"}) {
    EXPECT_FALSE(ParseSize(bad).has_value()) << bad;
  }
  EXPECT_EQ(FormatSize(10u << 20), "10MiB");
  EXPECT_EQ(FormatSize(1000), "1000");
}

// Found by fuzz_mention: a year WallTime (nanoseconds) cannot hold overflowed.
TEST(TimeParseTest, YearsBeyondWallTimeAreRejected) {
  for (const char* bad : {"8779-11-25T11:30:00Z", "2262-04-12T00:00:00Z", "1677-01-01T00:00:00Z", "9999-12-31"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2261-12-31T23:59:59Z")), "2261-12-31T23:59:59Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("1678-01-01T00:00:00Z")), "1678-01-01T00:00:00Z");
  EXPECT_FALSE(DaysFromCivil(3000, 1, 1).has_value());
}

// The formatter an export calls per row against the C library's gmtime
// over four centuries of times, leap days, day ends and milliseconds.
TEST(TimeFormatTest, AppendRfc3339WritesWhatGmtimeSays) {
  std::mt19937_64 rng(3);
  std::vector<int64_t> times = {0, -1, 951'782'400'000, 951'868'799'999, 4'107'542'400'000, -2'208'988'800'001};
  for (int i = 0; i < 20000; ++i) {
    times.push_back(static_cast<int64_t>(rng() % 18'000'000'000'000ULL) - 9'000'000'000'000);
  }
  for (int64_t ms : times) {
    int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    std::time_t tt = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char want[64];
    int frac = static_cast<int>(ms - secs * 1000);
    int n = std::snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                          tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (frac != 0) n += std::snprintf(want + n, sizeof want - static_cast<size_t>(n), ".%03d", frac);
    std::snprintf(want + n, sizeof want - static_cast<size_t>(n), "Z");
    std::string got = "x";
    AppendRfc3339(got, FromUnixMillis(ms));
    ASSERT_EQ(got, "x" + std::string(want)) << ms;
    EXPECT_EQ(FormatRfc3339(FromUnixMillis(ms)), want);
  }
}

TEST(TimeParseTest, ParsesRfc3339Variants) {
  auto t = ParseRfc3339("2026-01-02T03:04:05Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339(*t), "2026-01-02T03:04:05Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-01-02T03:04:05.250+02:00")), "2026-01-02T01:04:05.250Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-01-02 03:04:05")), "2026-01-02T03:04:05Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2026-01-02")), "2026-01-02T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("2025-12-31T23:30:00-0100")), "2026-01-01T00:30:00Z");
  for (const char* bad : {"", "2026-02-30T00:00:00Z", "2026-13-01", "yesterday", "2026-01-02T25:00:00Z",
                          "2026-01-02T03:04:05Zjunk", "2026-01-02T03"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace brandmon
