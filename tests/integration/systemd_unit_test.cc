// The unit files (brandmond's and brandmon-notify's) pass systemd's own checks: verify, and an offline security
// review scoring at most 2.0 (lower is better).

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

std::string TestUnitPath(const std::string& unit = "brandmond") {
  return std::string(BRANDMON_BINARY_DIR) + "/systemd/test/" + unit + ".service";
}

bool HaveSystemdAnalyze() { return std::filesystem::exists("/usr/bin/systemd-analyze"); }

class SystemdUnitTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SystemdUnitTest, Verifies) {
  if (!HaveSystemdAnalyze()) GTEST_SKIP() << "systemd-analyze not installed";
  std::string out, err;
  // verify also looks up the man pages of Documentation=: the build's.
  int rc = RunCommand({"/usr/bin/systemd-analyze", "verify", TestUnitPath(GetParam())}, &out, &err,
                      {{"MANPATH", std::string(BRANDMON_BINARY_DIR) + "/man"}});
  EXPECT_EQ(rc, 0) << out << err;
}

TEST_P(SystemdUnitTest, SecurityExposureAtMostTwo) {
  if (!HaveSystemdAnalyze()) GTEST_SKIP() << "systemd-analyze not installed";
  std::string out, err;
  int rc =
      RunCommand({"/usr/bin/systemd-analyze", "security", "--offline=yes", "--threshold=20", TestUnitPath(GetParam())},
                 &out, &err, {{"SYSTEMD_COLORS", "0"}});
  std::smatch m;
  std::string all = out + err;
  ASSERT_TRUE(std::regex_search(all, m, std::regex("Overall exposure level for [^:]+: ([0-9.]+)"))) << all;
  double exposure = std::stod(m[1]);
  RecordProperty("exposure", m[1]);
  EXPECT_LE(exposure, 2.0) << all;
  EXPECT_EQ(rc, 0) << all;
}

INSTANTIATE_TEST_SUITE_P(Units, SystemdUnitTest, ::testing::Values("brandmond", "brandmon-notify"),
                         [](const auto& info) { return info.param == "brandmond" ? "Daemon" : "Notify"; });

TEST(SystemdUnitSettingsTest, NotifyHasTheLifecycleSettings) {
  std::string unit = ReadFile(TestUnitPath("brandmon-notify"));
  for (const char* line :
       {"Type=notify", "WatchdogSec=", "Restart=on-failure", "RestartPreventExitStatus=3",
        "ExecReload=/bin/kill -HUP $MAINPID", "DynamicUser=yes", "StateDirectory=brandmon-notify",
        "ConfigurationDirectory=brandmon", "RuntimeDirectory=brandmon-notify", "brandmon-notify --config"}) {
    EXPECT_NE(unit.find(line), std::string::npos) << line;
  }
}

TEST(SystemdUnitSettingsTest, HasTheLifecycleSettings) {
  std::string unit = ReadFile(TestUnitPath());
  for (const char* line : {"Type=notify", "WatchdogSec=", "Restart=on-failure", "RestartPreventExitStatus=3",
                           "ExecReload=", "brandmonctl reload", "DynamicUser=yes", "StateDirectory=brandmon",
                           "ConfigurationDirectory=brandmon", "RuntimeDirectory=brandmon"}) {
    EXPECT_NE(unit.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace brandmon::testing
