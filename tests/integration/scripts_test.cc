// The README's test command on a fresh machine: scripts/test.sh installs the
// packages (clang-format among them) before it first runs a tool from them.

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

// Writes an executable script `name` in `dir` that appends "<name> <args>" to $STEP_LOG.
void Stub(const TempDir& dir, const std::string& name, const std::string& extra = "") {
  std::string path = dir.Write(name, "#!/bin/sh\necho \"" + std::filesystem::path(name).filename().string() +
                                         " $*\" >> \"$STEP_LOG\"\n" + extra);
  chmod(path.c_str(), 0755);
}

TEST(ScriptsTest, TestShInstallsThePackagesBeforeItFormatsOrBuilds) {
  // A copy of scripts/test.sh in a tree whose setup.sh, clang-format and
  // ctest only record that they ran; no git repository, so the files to
  // check come from find.
  TempDir tree;
  std::filesystem::create_directories(tree.path() / "scripts");
  std::string script = (tree.path() / "scripts" / "test.sh").string();
  std::filesystem::copy_file(std::string(BRANDMON_SOURCE_DIR) + "/scripts/test.sh", script);
  for (const char* dir : {"daemon", "plugins", "tests", "bench"}) tree.Write(std::string(dir) + "/x.cc", "");
  Stub(tree, "scripts/setup.sh");
  TempDir bin;
  Stub(bin, "clang-format");
  Stub(bin, "ctest");
  Stub(bin, "git", "exit 128\n");
  std::string log = (tree.path() / "steps.log").string();
  std::string out, err;
  int rc = RunCommand({"/bin/bash", script, "--quick"}, &out, &err,
                      {{"PATH", bin.path().string() + ":/usr/bin:/bin"}, {"STEP_LOG", log}});
  ASSERT_EQ(rc, 0) << out << err;
  std::string steps = ReadFile(log);
  size_t packages = steps.find("setup.sh --packages-only\n");
  size_t format = steps.find("clang-format --dry-run");
  size_t build = steps.find("setup.sh build ");
  ASSERT_NE(packages, std::string::npos) << steps;
  ASSERT_NE(format, std::string::npos) << steps;
  ASSERT_NE(build, std::string::npos) << steps;
  EXPECT_LT(packages, format) << steps;
  EXPECT_LT(format, build) << steps;
}

TEST(ScriptsTest, SetupPackagesOnlyInstallsAndBuildsNothing) {
  TempDir tree;
  std::filesystem::create_directories(tree.path() / "scripts");
  std::string script = (tree.path() / "scripts" / "setup.sh").string();
  std::filesystem::copy_file(std::string(BRANDMON_SOURCE_DIR) + "/scripts/setup.sh", script);
  Stub(tree, "scripts/install-packages.sh");
  TempDir bin;
  Stub(bin, "cmake");
  std::string log = (tree.path() / "steps.log").string();
  std::string out, err;
  ASSERT_EQ(RunCommand({"/bin/bash", script, "--packages-only"}, &out, &err,
                       {{"PATH", bin.path().string() + ":/usr/bin:/bin"}, {"STEP_LOG", log}}),
            0)
      << out << err;
  std::string steps = ReadFile(log);
  EXPECT_EQ(steps.rfind("install-packages.sh ", 0), 0u) << steps;
  EXPECT_NE(steps.find(" clang-format "), std::string::npos) << steps;
  EXPECT_EQ(steps.find("\ncmake"), std::string::npos) << steps;

  // Without the flag it installs, then configures and builds.
  std::filesystem::remove(log);
  ASSERT_EQ(RunCommand({"/bin/bash", script, "build-x"}, &out, &err,
                       {{"PATH", bin.path().string() + ":/usr/bin:/bin"}, {"STEP_LOG", log}}),
            0)
      << out << err;
  steps = ReadFile(log);
  EXPECT_EQ(steps.rfind("install-packages.sh ", 0), 0u) << steps;
  EXPECT_NE(steps.find("cmake -S . -B build-x"), std::string::npos) << steps;
  EXPECT_NE(steps.find("cmake --build build-x"), std::string::npos) << steps;
}

TEST(ScriptsTest, SetupForTheProgramsInstallsAndBuildsOnlyWhatTheyNeed) {
  TempDir tree;
  std::filesystem::create_directories(tree.path() / "scripts");
  std::string script = (tree.path() / "scripts" / "setup.sh").string();
  std::filesystem::copy_file(std::string(BRANDMON_SOURCE_DIR) + "/scripts/setup.sh", script);
  Stub(tree, "scripts/install-packages.sh");
  TempDir bin;
  Stub(bin, "cmake");
  std::string log = (tree.path() / "steps.log").string();
  std::string out, err;
  ASSERT_EQ(RunCommand({"/bin/bash", script, "--programs", "build-x"}, &out, &err,
                       {{"PATH", bin.path().string() + ":/usr/bin:/bin"}, {"STEP_LOG", log}}),
            0)
      << out << err;
  std::string steps = ReadFile(log);
  std::string packages = steps.substr(0, steps.find('\n'));
  EXPECT_EQ(packages.rfind("install-packages.sh ", 0), 0u) << steps;
  for (const char* needed : {" libcurl4-openssl-dev", " libzmq3-dev", " libsqlite3-dev", " cmake", " python3"}) {
    EXPECT_NE((packages + " ").find(std::string(needed) + " "), std::string::npos) << needed << "\n" << packages;
  }
  for (const char* unneeded : {"libgtest-dev", "libgmock-dev", "libbenchmark-dev", "clang-format", "prometheus",
                               "lintian", "python3-feedparser"}) {
    EXPECT_EQ(packages.find(unneeded), std::string::npos) << unneeded << "\n" << packages;
  }
  EXPECT_NE(steps.find("cmake -S . -B build-x -G Ninja -DBRANDMON_WERROR=ON -DBRANDMON_TESTS=OFF -DBRANDMON_BENCH=OFF "
                       "-DBRANDMON_UNITY_BUILD=ON"),
            std::string::npos)
      << steps;
  EXPECT_NE(steps.find("cmake --build build-x --target brandmon-notify brandmond brandmonctl\n"), std::string::npos)
      << steps;
  // Each step is announced.
  EXPECT_NE(out.find("== packages"), std::string::npos) << out;
  EXPECT_NE(out.find("== build brandmond, brandmonctl, brandmon-notify"), std::string::npos) << out;
}

TEST(ScriptsTest, DemoSetsUpOnlyThePrograms) {
  TempDir tree;
  std::filesystem::create_directories(tree.path() / "scripts");
  std::string script = (tree.path() / "scripts" / "demo.sh").string();
  std::filesystem::copy_file(std::string(BRANDMON_SOURCE_DIR) + "/scripts/demo.sh", script);
  // A set-up that fails once it has recorded its arguments stops the demo there.
  Stub(tree, "scripts/setup.sh", "exit 1\n");
  std::string log = (tree.path() / "steps.log").string();
  std::string out, err;
  EXPECT_NE(RunCommand({"/bin/bash", script}, &out, &err, {{"STEP_LOG", log}}), 0);
  EXPECT_EQ(ReadFile(log), "setup.sh --programs build\n");
}

}  // namespace
}  // namespace brandmon::testing
