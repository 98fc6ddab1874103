// `cmake --install` lays out what a packager expects and never replaces a
// config an operator edited.

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

namespace fs = std::filesystem;

int Install(const TempDir& dest, std::string* out) {
  std::string err;
  int rc = RunCommand({"/usr/bin/cmake", "--install", BRANDMON_BINARY_DIR, "--prefix", "/usr"}, out, &err,
                      {{"DESTDIR", dest.path().string()}}, std::chrono::seconds(120));
  *out += err;
  return rc;
}

// The units go to <prefix>/lib/systemd/system, or to /lib/systemd/system in
// a build configured as the Debian package is (-DBRANDMON_SYSTEMD_UNIT_DIR).
fs::path UnitDir(const fs::path& root) {
  return fs::exists(root / "lib/systemd/system/brandmond.service") ? root / "lib/systemd/system"
                                                                   : root / "usr/lib/systemd/system";
}

TEST(InstallTest, PutsEverythingInPlaceAndKeepsAnEditedConfig) {
  TempDir dest;
  std::string out;
  ASSERT_EQ(Install(dest, &out), 0) << out;
  const fs::path root = dest.path();
  for (const char* p :
       {"usr/bin/brandmond", "usr/bin/brandmonctl", "etc/brandmon/brandmon.json", "usr/bin/brandmon-notify",
        "etc/brandmon/notify.json", "usr/share/brandmon/demo.json", "usr/share/brandmon/demo/social.jsonl",
        "usr/share/bash-completion/completions/brandmonctl", "usr/share/zsh/vendor-completions/_brandmonctl"}) {
    EXPECT_TRUE(fs::exists(root / p)) << p << "\n" << out;
  }
  for (const char* unit : {"brandmond.service", "brandmon-notify.service"}) {
    EXPECT_TRUE(fs::exists(UnitDir(root) / unit)) << unit << "\n" << out;
  }
  std::string unit = ReadFile((UnitDir(root) / "brandmond.service").string());
  EXPECT_NE(unit.find("ExecStart=/usr/bin/brandmond"), std::string::npos) << unit;

  // An operator edits the config; a second install keeps it.
  std::string edited = "{\"brands\": [{\"name\": \"mine\"}]}\n";
  dest.Write("etc/brandmon/brandmon.json", edited);
  ASSERT_EQ(Install(dest, &out), 0) << out;
  EXPECT_EQ(ReadFile((root / "etc/brandmon/brandmon.json").string()), edited);
}

}  // namespace
}  // namespace brandmon::testing
