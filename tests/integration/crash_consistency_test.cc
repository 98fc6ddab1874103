// Kills a real brandmond with SIGKILL 50 times while file sources keep
// growing, restarting it each time, then checks the state database: every
// item stored exactly once, alert seqs contiguous, no dedupe key twice, every
// negative mention with its alert; and a subscriber catching up from seq 0
// receives every journaled alert once, with its dedupe key. The harness is
// tests/crash/crash_harness.py; docs/testing.md shows the long run.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/support/process.h"

namespace brandmon::testing {
namespace {

// The first python3 with pyzmq (a pyenv python3 earlier on PATH may lack it).
std::string PythonWithZmq() {
  for (std::string py : {"/usr/bin/python3", "python3"}) {
    std::string out, err;
    if (RunCommand({"/usr/bin/env", py, "-c", "import zmq"}, &out, &err) == 0) return py;
  }
  return "";
}

TEST(CrashConsistencyTest, FiftySigkillsLoseAndRepeatNothing) {
  std::string python = PythonWithZmq();
  ASSERT_FALSE(python.empty()) << "the harness's catch-up check needs python3-zmq (scripts/setup.sh installs it)";
  std::string out, err;
  int rc = RunCommand({"/usr/bin/env", python, "tests/crash/crash_harness.py", "--brandmond", BinaryPath("brandmond"),
                       "--seed", "20240607", "--iterations", "50", "--max-kill-ms", "700"},
                      &out, &err, {}, std::chrono::seconds(240));
  EXPECT_EQ(rc, 0) << out << err;
  EXPECT_NE(out.find("50 SIGKILLs survived"), std::string::npos) << out << err;
  EXPECT_NE(out.find("caught up"), std::string::npos) << out << err;
  std::printf("%s", out.c_str());
}

}  // namespace
}  // namespace brandmon::testing
