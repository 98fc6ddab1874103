// The shell completions in completions/, generated from brandmonctl's command
// table: a stale copy fails here, and bash runs the committed script the way
// it completes a command line.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "daemon/cli/command.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using Names = std::set<std::string>;

std::string Generated(const std::string& shell) {
  std::istringstream in;
  std::ostringstream out, err;
  EXPECT_EQ(cli::RunCtl({"completion", shell}, in, out, err), 0) << err.str();
  return out.str();
}

std::string Script() { return std::string(BRANDMON_SOURCE_DIR) + "/completions/brandmonctl"; }

class CompletionTest : public ::testing::Test {
 protected:
  // What bash offers for `line` (words; the last one is being completed) with
  // the committed script, brandmonctl being the built one.
  Names Complete(const std::vector<std::string>& line) {
    std::vector<std::string> argv = {"/bin/bash",
                                     "--norc",
                                     "-c",
                                     "source \"$0\" || exit 9; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
                                     "_brandmonctl; printf '%s\\n' \"${COMPREPLY[@]}\"",
                                     Script(),
                                     BinaryPath("brandmonctl")};
    argv.insert(argv.end(), line.begin(), line.end());
    std::string out, err;
    int rc = RunCommand(argv, &out, &err, {{"BRANDMON_CONFIG", config_}});
    EXPECT_EQ(rc, 0) << err;
    EXPECT_EQ(err, "");
    Names names;
    std::istringstream lines(out);
    for (std::string l; std::getline(lines, l);) {
      if (!l.empty()) names.insert(l);
    }
    return names;
  }

  TempDir dir_;
  std::string config_ = std::string(BRANDMON_SOURCE_DIR) + "/conf/demo.json";
};

TEST(CompletionFilesTest, CommittedScriptsMatchTheCommandTable) {
  EXPECT_TRUE(Generated("bash") == ReadFile(Script()))
      << "completions/brandmonctl is stale: run `build/bin/brandmonctl completion bash --output "
         "completions/brandmonctl`";
  EXPECT_TRUE(Generated("zsh") == ReadFile(std::string(BRANDMON_SOURCE_DIR) + "/completions/_brandmonctl"))
      << "completions/_brandmonctl is stale: run `build/bin/brandmonctl completion zsh --output "
         "completions/_brandmonctl`";
}

TEST_F(CompletionTest, BashRegistersTheFunction) {
  std::string out, err;
  ASSERT_EQ(RunCommand({"/bin/bash", "--norc", "-c", "source \"$0\" && complete -p brandmonctl", Script()}, &out, &err),
            0)
      << err;
  EXPECT_EQ(out, "complete -F _brandmonctl brandmonctl\n");
}

TEST_F(CompletionTest, OffersEveryCommandOfTheTable) {
  Names want = {"--help", "--version"};
  for (const auto& c : cli::Commands()) want.insert(std::string(c.name));
  EXPECT_EQ(Complete({""}), want);
  EXPECT_EQ(Complete({"st"}), (Names{"status"}));
  EXPECT_EQ(Complete({"po"}), (Names{"poll-now"}));
}

TEST_F(CompletionTest, OffersACommandsOptionsAndLiteralValues) {
  EXPECT_EQ(Complete({"status", "--"}), (Names{"--json", "--config", "--endpoint", "--timeout", "--help"}));
  EXPECT_EQ(Complete({"fetch", "-"}), (Names{"--config", "-v", "--help"}));
  EXPECT_EQ(Complete({"parse", "--format", ""}), (Names{"auto", "rss", "atom", "rdf", "jsonfeed", "json"}));
  EXPECT_EQ(Complete({"export", "--format", "j"}), (Names{"jsonl"}));
  EXPECT_EQ(Complete({"status", "--timeout", ""}), Names{}) << "a duration: nothing to offer";
}

TEST_F(CompletionTest, OffersTheConfigsSourcesAndBrands) {
  // conf/demo.json, from $BRANDMON_CONFIG or from --config on the line.
  Names sources = {"appliance-news", "foro-hogar", "social"};
  EXPECT_EQ(Complete({"poll-now", ""}), sources);
  EXPECT_EQ(Complete({"fetch", "--config", config_, "so"}), (Names{"social"}));
  config_ = "/nonexistent/brandmon.json";
  EXPECT_EQ(Complete({"pause", ""}), Names{}) << "no config: no names, no error";
  EXPECT_EQ(Complete({"pause", "--config", std::string(BRANDMON_SOURCE_DIR) + "/conf/demo.json", ""}), sources);
  EXPECT_EQ(Complete({"export", "--config", std::string(BRANDMON_SOURCE_DIR) + "/conf/demo.json", "--brand", ""}),
            (Names{"acme", "globex"}));
}

TEST_F(CompletionTest, OffersPresetsAndFiles) {
  EXPECT_EQ(Complete({"parse", "--preset", "reddit"}), (Names{"reddit_search"}));
  dir_.Write("feed.xml", "");
  dir_.Write("feeds/a.xml", "");
  EXPECT_EQ(Complete({"parse", dir_.path().string() + "/fe"}),
            (Names{dir_.path().string() + "/feed.xml", dir_.path().string() + "/feeds"}));
  EXPECT_EQ(Complete({"score", "--data-dir", dir_.path().string() + "/"}), (Names{dir_.path().string() + "/feeds"}));
}

TEST_F(CompletionTest, NamesFromAHostileConfigAreNeverRun) {
  // A config is data: names that look like shell code are offered as text,
  // never expanded (as compgen -W would: ${IFS} keeps them one word), and a
  // name that is not one word is not offered.
  std::string marker = (dir_.path() / "ran").string();
  auto source = [](const std::string& name) {
    return R"js({"name": ")js" + name + R"js(", "type": "file", "path": "x"})js";
  };
  config_ = dir_.Write("evil.json", "{\"sources\": [" + source("$(touch${IFS}" + marker + ")") + ", " +
                                        source("`touch${IFS}" + marker + "`") + ", " + source("a b\\nc") + ", " +
                                        source("ok;${HOME}") + "]}");
  Names offered = Complete({"poll-now", ""});
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_EQ(offered.count("$(touch${IFS}" + marker + ")"), 1u) << "offered as it is written";
  EXPECT_EQ(offered.count("ok;${HOME}"), 1u);
  EXPECT_EQ(offered.count("a b"), 0u);
  EXPECT_EQ(offered.count("c"), 0u);
}

TEST(CompletionZshTest, ParsesUnderZsh) {
  if (!std::filesystem::exists("/usr/bin/zsh")) GTEST_SKIP() << "no zsh";
  std::string out, err;
  EXPECT_EQ(
      RunCommand({"/usr/bin/zsh", "-n", std::string(BRANDMON_SOURCE_DIR) + "/completions/_brandmonctl"}, &out, &err), 0)
      << err;
}

}  // namespace
}  // namespace brandmon::testing
