// Kills a real brandmond with SIGKILL 50 times while file sources keep
// growing, restarting it each time, then checks the state database: every
// item stored exactly once, alert seqs contiguous, no dedupe key twice, every
// negative mention with its alert. The harness is tests/crash/crash_harness.py;
// docs/testing.md shows the long run.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/support/process.h"

namespace brandmon::testing {
namespace {

TEST(CrashConsistencyTest, FiftySigkillsLoseAndRepeatNothing) {
  std::string out, err;
  int rc = RunCommand({"/usr/bin/env", "python3", "tests/crash/crash_harness.py", "--brandmond",
                       BinaryPath("brandmond"), "--seed", "20240607", "--iterations", "50", "--max-kill-ms", "700"},
                      &out, &err, {}, std::chrono::seconds(240));
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_NE(out.find("50 SIGKILLs survived"), std::string::npos) << out << err;
  std::printf("%s", out.c_str());
}

}  // namespace
}  // namespace brandmon::testing
