#include "daemon/notify/quiet_hours.h"

#include <gtest/gtest.h>

#include "daemon/base/time_parse.h"
#include "daemon/base/units.h"
#include "daemon/notify/notify_config.h"
#include "tests/daemon/notify/fake_receiver.h"
#include "tests/support/test_util.h"

namespace brandmon::notify {
namespace {

WallTime At(const char* rfc3339) {
  auto t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t) << rfc3339;
  return t ? *t : WallTime{};
}

QuietHours Make(std::string from, std::string to, std::string zone, std::vector<std::string> through = {}) {
  auto q = QuietHours::Make({std::move(from), std::move(to), std::move(zone), std::move(through)});
  EXPECT_TRUE(q.ok()) << q.status().message();
  return std::move(*q);
}

// The end of the quiet hours at `t`, as RFC 3339 UTC, or "-" outside them.
std::string Until(const QuietHours& q, const char* t) {
  auto until = q.HeldUntil(At(t));
  return until ? FormatRfc3339(*until) : "-";
}

TEST(ParseTimeOfDayTest, TakesHoursAndMinutesOfA24HourClockOnly) {
  struct Case {
    const char* text;
    std::optional<int> minutes;
  } cases[] = {
      {"00:00", 0},
      {"07:00", 420},
      {"22:30", 1350},
      {"23:59", 1439},
      {"24:00", std::nullopt},
      {"12:60", std::nullopt},
      {"7:00", std::nullopt},
      {"07:0", std::nullopt},
      {"0700", std::nullopt},
      {"07-00", std::nullopt},
      {"", std::nullopt},
      {"ab:cd", std::nullopt},
      {"07:00 ", std::nullopt},
      {"-1:00", std::nullopt},
      {"07:00:00", std::nullopt},
      {"\xef\xbc\x90"
       "7:00",
       std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(ParseTimeOfDay(c.text), c.minutes) << c.text;
}

TEST(QuietHoursTest, APeriodOverMidnightEndsAtTheNextTo) {
  QuietHours q = Make("22:00", "07:00", "UTC");
  EXPECT_EQ(Until(q, "2026-01-10T21:59:59Z"), "-");
  EXPECT_EQ(Until(q, "2026-01-10T22:00:00Z"), "2026-01-11T07:00:00Z");
  EXPECT_EQ(Until(q, "2026-01-10T23:59:00Z"), "2026-01-11T07:00:00Z");
  EXPECT_EQ(Until(q, "2026-01-11T03:00:00Z"), "2026-01-11T07:00:00Z");
  EXPECT_EQ(Until(q, "2026-01-11T06:59:59Z"), "2026-01-11T07:00:00Z");
  EXPECT_EQ(Until(q, "2026-01-11T07:00:00Z"), "-");
  EXPECT_EQ(Until(q, "2026-01-11T12:00:00Z"), "-");
}

TEST(QuietHoursTest, APeriodWithinADay) {
  QuietHours q = Make("12:00", "13:30", "UTC");
  EXPECT_EQ(Until(q, "2026-01-10T11:59:00Z"), "-");
  EXPECT_EQ(Until(q, "2026-01-10T12:00:00Z"), "2026-01-10T13:30:00Z");
  EXPECT_EQ(Until(q, "2026-01-10T13:29:59Z"), "2026-01-10T13:30:00Z");
  EXPECT_EQ(Until(q, "2026-01-10T13:30:00Z"), "-");
  EXPECT_EQ(Until(q, "2026-01-10T23:00:00Z"), "-");
}

TEST(QuietHoursTest, LocalTimeOfTheZone) {
  QuietHours q = Make("22:00", "07:00", "Asia/Kolkata");  // UTC+5:30, no DST
  EXPECT_EQ(Until(q, "2026-01-10T16:29:00Z"), "-");
  EXPECT_EQ(Until(q, "2026-01-10T16:30:00Z"), "2026-01-11T01:30:00Z");
  EXPECT_EQ(Until(q, "2026-01-11T01:30:00Z"), "-");
}

TEST(QuietHoursTest, SpringForwardMakesTheNightAnHourShorter) {
  // Europe/Berlin, 2026-03-29: 02:00 CET becomes 03:00 CEST.
  QuietHours q = Make("22:00", "07:00", "Europe/Berlin");
  EXPECT_EQ(Until(q, "2026-03-28T20:59:00Z"), "-");                     // 21:59 CET
  EXPECT_EQ(Until(q, "2026-03-28T21:00:00Z"), "2026-03-29T05:00:00Z");  // 22:00 CET to 07:00 CEST
  EXPECT_EQ(Until(q, "2026-03-29T00:59:00Z"), "2026-03-29T05:00:00Z");  // 01:59 CET
  EXPECT_EQ(Until(q, "2026-03-29T01:00:00Z"), "2026-03-29T05:00:00Z");  // 03:00 CEST
  EXPECT_EQ(Until(q, "2026-03-29T04:59:59Z"), "2026-03-29T05:00:00Z");
  EXPECT_EQ(Until(q, "2026-03-29T05:00:00Z"), "-");
  // The next night is in summer time.
  EXPECT_EQ(Until(q, "2026-03-29T20:00:00Z"), "2026-03-30T05:00:00Z");
}

TEST(QuietHoursTest, FallBackMakesTheNightAnHourLonger) {
  // Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET.
  QuietHours q = Make("22:00", "07:00", "Europe/Berlin");
  EXPECT_EQ(Until(q, "2026-10-24T20:00:00Z"), "2026-10-25T06:00:00Z");  // 22:00 CEST to 07:00 CET
  EXPECT_EQ(Until(q, "2026-10-25T00:30:00Z"), "2026-10-25T06:00:00Z");  // 02:30 CEST
  EXPECT_EQ(Until(q, "2026-10-25T01:30:00Z"), "2026-10-25T06:00:00Z");  // 02:30 CET, again
  EXPECT_EQ(Until(q, "2026-10-25T05:59:59Z"), "2026-10-25T06:00:00Z");
  EXPECT_EQ(Until(q, "2026-10-25T06:00:00Z"), "-");
}

TEST(QuietHoursTest, AnEndTheClocksSkipOrRepeat) {
  // Ends at 02:30, which 2026-03-29 skips (the next valid time, 03:00 CEST)
  // and 2026-10-25 shows twice (the first time, 02:30 CEST).
  QuietHours q = Make("01:00", "02:30", "Europe/Berlin");
  EXPECT_EQ(Until(q, "2026-03-29T00:10:00Z"), "2026-03-29T01:00:00Z");
  EXPECT_EQ(Until(q, "2026-03-29T01:00:00Z"), "-");
  EXPECT_EQ(Until(q, "2026-10-24T23:10:00Z"), "2026-10-25T00:30:00Z");
  EXPECT_EQ(Until(q, "2026-10-25T00:30:00Z"), "-");
  // 02:10 CET, in the repeated hour: quiet again until the clocks show
  // 02:30 once more.
  EXPECT_EQ(Until(q, "2026-10-25T00:45:00Z"), "-");  // 02:45 CEST
  EXPECT_EQ(Until(q, "2026-10-25T01:10:00Z"), "2026-10-25T01:30:00Z");
  EXPECT_EQ(Until(q, "2026-10-25T01:30:00Z"), "-");
}

TEST(QuietHoursTest, BreakThroughSeverities) {
  QuietHours q = Make("22:00", "07:00", "UTC", {"critical"});
  EXPECT_TRUE(q.BreaksThrough(Severity::kCritical));
  EXPECT_FALSE(q.BreaksThrough(Severity::kWarning));
  EXPECT_FALSE(Make("22:00", "07:00", "UTC").BreaksThrough(Severity::kCritical));
}

TEST(QuietHoursTest, MakeNamesTheValueAtFault) {
  struct Case {
    QuietHoursOptions options;
    const char* error;
  } cases[] = {
      {{"25:00", "07:00", "UTC", {}}, "from: expected a time of day HH:MM, got \"25:00\""},
      {{"22:00", "7am", "UTC", {}}, "to: expected a time of day HH:MM, got \"7am\""},
      {{"22:00", "22:00", "UTC", {}}, "to: must differ from from (\"22:00\")"},
      {{"22:00", "07:00", "Mars/Olympus", {}}, "time_zone: unknown time zone \"Mars/Olympus\""},
      {{"22:00", "07:00", "Europe/Berln", {}}, "(did you mean 'Europe/Berlin'?)"},
      {{"22:00", "07:00", "Etc/Unknown", {}}, "time_zone: unknown time zone"},
      {{"22:00", "07:00", "UTC", {"fatal"}}, "break_through: unknown severity \"fatal\""},
  };
  for (const auto& c : cases) {
    auto q = QuietHours::Make(c.options);
    ASSERT_FALSE(q.ok()) << c.error;
    EXPECT_EQ(q.status().code(), Status::Code::kInvalidArgument);
    EXPECT_NE(q.status().message().find(c.error), std::string::npos) << q.status().message();
  }
}

class QuietHoursConfigTest : public ::testing::Test {
 protected:
  Result<NotifyConfig> Load(const std::string& route) {
    std::string json = R"({"receivers": [{"name": "a", "type": "fake", "target": "x"}],
  "routes": [)" + route +
                       "]}";
    return LoadNotifyConfig(dir_.Write("notify.json", json), config::ProcessEnv(), testing::FakeKinds());
  }
  std::string Errors(const std::string& route) {
    auto c = Load(route);
    EXPECT_FALSE(c.ok()) << route;
    return c.ok() ? "" : c.status().message();
  }
  brandmon::testing::TempDir dir_;
};

TEST_F(QuietHoursConfigTest, ARouteHoldsItsAlertsInItsQuietHours) {
  auto c = Load(R"({"receivers": ["a"], "quiet_hours": {"from": "22:00", "to": "07:00",
    "time_zone": "Europe/Berlin", "break_through": ["critical"]}}, {"receivers": ["a"]})");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE(c->routes[0].quiet_hours);
  EXPECT_EQ(c->routes[0].quiet_hours->options().time_zone, "Europe/Berlin");
  EXPECT_TRUE(c->routes[0].quiet_hours->BreaksThrough(Severity::kCritical));
  EXPECT_FALSE(c->routes[1].quiet_hours);
  std::string dump = DumpNotifyConfig(*c, testing::FakeKinds());
  EXPECT_NE(dump.find(R"("time_zone": "Europe/Berlin")"), std::string::npos) << dump;
  EXPECT_NE(dump.find(R"("quiet_hours": null)"), std::string::npos) << dump;
}

TEST_F(QuietHoursConfigTest, ErrorsNameTheFilePositionAndTheBadValue) {
  std::string file = dir_.path().string() + "/notify.json";
  // Line 2 holds the routes; "7" starts at column 74.
  std::string errors =
      Errors(R"({"receivers": ["a"], "quiet_hours": {"from": "22:00", "to": "7", "time_zone": "UTC"}})");
  EXPECT_NE(errors.find(file + ":2:74: routes[0].quiet_hours.to: expected a time of day HH:MM, got \"7\""),
            std::string::npos)
      << errors;
  errors =
      Errors(R"({"receivers": ["a"], "quiet_hours": {"from": "22:00", "to": "07:00", "time_zone": "Europe/Berln"}})");
  EXPECT_NE(errors.find("routes[0].quiet_hours.time_zone: unknown time zone \"Europe/Berln\" (did you mean "
                        "'Europe/Berlin'?)"),
            std::string::npos)
      << errors;
  errors =
      Errors(R"({"receivers": ["a"], "quiet_hours": {"from": "22:00", "to": "07:00", "break_through": "critical"}})");
  EXPECT_NE(errors.find("routes[0].quiet_hours.break_through: expected an array of strings"), std::string::npos)
      << errors;
  errors = Errors(R"({"receivers": ["a"], "quiet_hours": {"from": "22:00", "till": "07:00"}})");
  EXPECT_NE(errors.find("routes[0].quiet_hours: missing required option 'to'"), std::string::npos) << errors;
  EXPECT_NE(errors.find("routes[0].quiet_hours.till: unknown option 'till'"), std::string::npos) << errors;
  errors = Errors(R"({"receivers": ["a"], "quiet_hours": "22:00-07:00"})");
  EXPECT_NE(errors.find("routes[0].quiet_hours: expected an object"), std::string::npos) << errors;
  errors = Errors(R"({"receivers": ["a"], "quiet_hours": {"from": 22, "to": "07:00"}})");
  EXPECT_NE(errors.find("routes[0].quiet_hours.from: expected a string, got 22"), std::string::npos) << errors;
}

TEST_F(QuietHoursConfigTest, HostileValuesAreRejectedNotTrusted) {
  std::string long_zone(100000, 'A');
  std::string errors = Errors(R"({"receivers": ["a"], "quiet_hours": {"from": "22:00", "to": "07:00", "time_zone": ")" +
                              long_zone + R"("}})");
  EXPECT_NE(errors.find("unknown time zone"), std::string::npos) << errors.substr(0, 300);
  for (const char* zone : {"../../etc/passwd", "/etc/localtime", "Europe/Berlin\\u0000x", "%s%s%n", "GMT+99:99"}) {
    errors =
        Errors(std::string(R"({"receivers": ["a"], "quiet_hours": {"from": "22:00", "to": "07:00", "time_zone": ")") +
               zone + R"("}})");
    EXPECT_NE(errors.find("unknown time zone"), std::string::npos) << zone << ": " << errors;
  }
}

}  // namespace
}  // namespace brandmon::notify
