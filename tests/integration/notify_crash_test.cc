// brandmon-notify's delivery guarantee against real programs: 1,000 alerts
// streamed by a real brandmond to a webhook while brandmon-notify is killed
// with SIGKILL 20 times and brandmond is restarted twice. Every seq reaches
// the webhook; a seq is delivered again only when the webhook accepted it
// and the kill came before the cursor was saved (counted and printed). The
// harness is tests/crash/notify_crash_harness.py (docs/testing.md).

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/support/process.h"

namespace brandmon::testing {
namespace {

TEST(NotifyCrashTest, TwentySigkillsLoseNothingAndRepeatOnlyWhatWasNotSaved) {
  std::string out, err;
  int rc = RunCommand({"/usr/bin/env", "python3", "tests/crash/notify_crash_harness.py", "--brandmond",
                       BinaryPath("brandmond"), "--notify", BinaryPath("brandmon-notify"), "--seed", "20260329",
                       "--alerts", "1000", "--kills", "20", "--daemon-restarts", "2"},
                      &out, &err, {}, std::chrono::seconds(90));
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_NE(out.find("20 SIGKILLs of brandmon-notify, 2 restarts of brandmond"), std::string::npos) << out << err;
  EXPECT_NE(out.find("every seq delivered"), std::string::npos) << out << err;
  std::printf("%s", out.c_str());
}

}  // namespace
}  // namespace brandmon::testing
