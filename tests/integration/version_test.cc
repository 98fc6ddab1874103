// `--version` of every program: the release and the git revision the build
// came from (cmake/BrandmonVersion.cmake).

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

namespace fs = std::filesystem;

std::string RunOk(const std::vector<std::string>& argv, const std::string& cwd = "") {
  std::string out, err;
  std::vector<std::string> cmd = argv;
  if (!cwd.empty()) cmd.insert(cmd.begin(), {"/usr/bin/env", "-C", cwd});
  int rc = RunCommand(cmd, &out, &err);
  EXPECT_EQ(rc, 0) << argv[0] << ": " << err;
  return out;
}

// What the build writes for a source tree at `dir` with release 9.8.7: the
// string BuildVersion() returns.
std::string Describe(const fs::path& dir, const fs::path& output) {
  RunOk({"/usr/bin/cmake", "-DSOURCE_DIR=" + dir.string(), "-DRELEASE=9.8.7", "-DOUTPUT=" + output.string(), "-P",
         std::string(BRANDMON_SOURCE_DIR) + "/cmake/BrandmonVersion.cmake"});
  std::smatch m;
  std::string code = ReadFile(output.string());
  static const std::regex kReturn(R"re(return "([^"]*)";)re");
  EXPECT_TRUE(std::regex_search(code, m, kReturn)) << code;
  return m.size() > 1 ? m[1].str() : "";
}

TEST(VersionTest, EveryProgramPrintsTheReleaseAndTheSameRevision) {
  const std::regex format(R"((\S+) (\d+\.\d+\.\d+)( \(g[0-9a-f]{7,}(, dirty)?\))?\n)");
  std::string revision;
  for (const char* program : {"brandmond", "brandmonctl", "brandmon-notify"}) {
    std::string out = RunOk({BinaryPath(program), "--version"});
    std::smatch m;
    ASSERT_TRUE(std::regex_match(out, m, format)) << out;
    EXPECT_EQ(m[1].str(), program);
    EXPECT_EQ(m[2].str(), BRANDMON_RELEASE) << "the release is CMake's project VERSION";
    if (revision.empty()) revision = m[3].str();
    EXPECT_EQ(m[3].str(), revision) << program;
  }
}

TEST(VersionTest, DescribesTheCommitAndUncommittedChanges) {
  if (RunCommand({"/usr/bin/git", "--version"}, nullptr, nullptr) != 0) GTEST_SKIP() << "no git";
  TempDir tree, build;
  fs::path out = build.path() / "version.cc";
  tree.Write("a.txt", "one\n");
  EXPECT_EQ(Describe(tree.path(), out), "9.8.7") << "not a git checkout: the release alone";

  const std::string dir = tree.path().string();
  RunOk({"/usr/bin/git", "init", "-q"}, dir);
  RunOk({"/usr/bin/git", "add", "a.txt"}, dir);
  RunOk({"/usr/bin/git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "one"}, dir);
  std::string commit = RunOk({"/usr/bin/git", "rev-parse", "--short=7", "HEAD"}, dir);
  commit.pop_back();
  EXPECT_EQ(Describe(tree.path(), out), "9.8.7 (g" + commit + ")");

  tree.Write("a.txt", "two\n");
  EXPECT_EQ(Describe(tree.path(), out), "9.8.7 (g" + commit + ", dirty)");

  // A source archive unpacked inside some other repository is not that
  // repository's revision.
  tree.Write("unpacked/CMakeLists.txt", "");
  EXPECT_EQ(Describe(tree.path() / "unpacked", out), "9.8.7");
}

TEST(VersionTest, AnUnchangedRevisionLeavesTheGeneratedSourceAlone) {
  // Rewriting it would rebuild and relink the programs at every build.
  TempDir tree, build;
  fs::path out = build.path() / "version.cc";
  Describe(tree.path(), out);
  auto written = fs::last_write_time(out);
  fs::last_write_time(out, written - std::chrono::hours(1));
  Describe(tree.path(), out);
  EXPECT_EQ(fs::last_write_time(out), written - std::chrono::hours(1));
}

}  // namespace
}  // namespace brandmon::testing
