// brandmond's command line as an operator uses it: --check-config, --help,
// --version and flag errors.

#include <gtest/gtest.h>

#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

int Brandmond(const std::vector<std::string>& args, std::string* out, std::string* err,
              const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv = {BinaryPath("brandmond")};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, out, err, env);
}

TEST(CheckConfigTest, ShippedConfigsAreValid) {
  for (const char* conf : {"conf/brandmon.json", "conf/demo.json"}) {
    std::string out, err;
    EXPECT_EQ(Brandmond({"--check-config", "--config", conf}, &out, &err), 0) << conf << "\n" << err;
    EXPECT_NE(out.find("\"daemon\""), std::string::npos) << out;
  }
}

// The effective config --check-config prints is a config: it loads again and
// prints the same, also for sources whose plugin reads an option every source
// has (a feed preset's channel, a file source's channel).
TEST(CheckConfigTest, TheEffectiveConfigLoadsBackUnchanged) {
  TempDir dir;
  std::string conf = dir.Write("brandmon.json", R"({
  "sources": [
    {"name": "uploads", "type": "feed", "preset": "youtube_channel_rss", "query": "UC1"},
    {"name": "news", "type": "feed", "url": "https://example.com/feed.xml", "channel": "press"},
    {"name": "spool", "type": "file", "path": "in/*.jsonl", "channel": "crm"},
    {"name": "drop", "type": "file", "path": "drop/*.xml"},
    {"name": "hn", "type": "http_json", "preset": "hackernews_search", "query": "acme"},
    {"name": "script", "type": "exec", "command": ["/bin/true"]}
  ],
  "brands": [{"name": "acme"}]
})");
  std::string out, err;
  ASSERT_EQ(Brandmond({"--check-config", "--config", conf}, &out, &err), 0) << err;
  std::string again = dir.Write("effective.json", out);
  std::string out2;
  EXPECT_EQ(Brandmond({"--check-config", "--config", again}, &out2, &err), 0) << err;
  EXPECT_EQ(out2, out);
}

TEST(CheckConfigTest, PrintsEffectiveConfigWithSecretsRedacted) {
  TempDir dir;
  dir.Write("token", "very-secret-token\n");
  std::string conf = dir.Write("c.json", R"({
    // comments are fine
    "daemon": {"state_dir": "/var/lib/x-${file:token}"},
    "brands": [{"name": "acme", "handles": ["@acme"],}],
  })");
  std::string out, err;
  ASSERT_EQ(Brandmond({"--check-config", "--config", conf}, &out, &err), 0) << err;
  EXPECT_EQ(out.find("very-secret-token"), std::string::npos) << out;
  EXPECT_NE(out.find("\"state_dir\": \"<redacted /var/lib/x-${file:token}>\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"shutdown_timeout\": \"10s\""), std::string::npos) << out;
  EXPECT_NE(err.find("config is valid"), std::string::npos);
}

TEST(CheckConfigTest, ReportsEveryMistakeWithFileLineColumn) {
  TempDir dir;
  std::string conf = dir.Write("x.json", R"({
  "daemon": {"log_level": "chatty", "shutdwn_timeout": "5s"},
  "sources": [
    {"name": "a b", "type": "nosuchtype"},
    {"type": "nosuchtype", "name": "ok"}
  ],
  "brands": [{"name": "acme"}, {"name": "acme"}, {"query": "x"}]
})");
  std::string out, err;
  EXPECT_EQ(Brandmond({"--check-config", "--config", conf}, &out, &err), 3);
  EXPECT_TRUE(out.empty()) << out;
  for (const char* expected : {
           "x.json:2:27: daemon.log_level: expected one of trace, debug, info, warn, error, got \"chatty\"",
           "x.json:2:37: daemon.shutdwn_timeout: unknown option 'shutdwn_timeout' (did you mean "
           "'shutdown_timeout'?)",
           "x.json:4:14: sources[0].name: must be 1-64 letters",
           "x.json:4:29: sources[0].type: unknown source type \"nosuchtype\"",
           "x.json:5:14: sources[1].type: unknown source type",
           "x.json:7:32: brands[1]: duplicate brand name \"acme\"",
           "x.json:7:50: brands[2]: missing required option 'name'",
           "config is invalid",
       }) {
    EXPECT_NE(err.find(expected), std::string::npos) << "missing: " << expected << "\n---\n" << err;
  }
}

TEST(CheckConfigTest, BrandQueriesAndRuleOverridesAreChecked) {
  TempDir dir;
  std::string conf = dir.Write("b.json", R"({
  "rules": {"negative_mention": {"threshold": -0.5}},
  "brands": [
    {"name": "acme", "query": "(acme OR \"acme corp\""},
    {"name": "globex", "rules": {"negative_mention": {"treshold": -0.2}}},
    {"name": "initech", "rules": {"praise": {"enabled": false}}}
  ]
})");
  std::string out, err;
  EXPECT_EQ(Brandmond({"--check-config", "--config", conf}, &out, &err), 3);
  EXPECT_NE(err.find("b.json:4:31: brands[0].query:1:1: "), std::string::npos) << err;
  EXPECT_NE(err.find("brands[1].rules.negative_mention.treshold: unknown option 'treshold' (did you mean "
                     "'threshold'?)"),
            std::string::npos)
      << err;

  // Fixed, the brand without overrides inherits the global rules.
  dir.Write("b.json", R"({
  "rules": {"negative_mention": {"threshold": -0.5}},
  "brands": [{"name": "acme", "query": "acme OR \"acme corp\""},
             {"name": "initech", "rules": {"praise": {"enabled": false}}}]
})");
  ASSERT_EQ(Brandmond({"--check-config", "--config", conf}, &out, &err), 0) << err;
  size_t first = out.find("\"threshold\": -0.5");
  EXPECT_NE(first, std::string::npos) << out;
  EXPECT_NE(out.find("\"threshold\": -0.5", first + 1), std::string::npos) << "both brands inherit it";
}

TEST(CheckConfigTest, UnreadableOrMalformedFile) {
  std::string out, err;
  EXPECT_EQ(Brandmond({"--check-config", "--config", "/nonexistent/b.json"}, &out, &err), 3);
  EXPECT_NE(err.find("/nonexistent/b.json: cannot open"), std::string::npos) << err;
  TempDir dir;
  std::string conf = dir.Write("m.json", "{\n  \"daemon\": {,}\n}");
  EXPECT_EQ(Brandmond({"--check-config", "--config", conf}, &out, &err), 3);
  EXPECT_NE(err.find("m.json:2:14: "), std::string::npos) << err;
}

TEST(CheckConfigTest, ConfigPathFromEnvironment) {
  TempDir dir;
  std::string conf = dir.Write("env.json", R"({"brands": [{"name": "fromenv"}]})");
  std::string out, err;
  EXPECT_EQ(Brandmond({"--check-config"}, &out, &err, {{"BRANDMON_CONFIG", conf}}), 0) << err;
  EXPECT_NE(out.find("fromenv"), std::string::npos);
}

TEST(CommandLineTest, HelpVersionAndBadFlags) {
  std::string out, err;
  EXPECT_EQ(Brandmond({"--help"}, &out, &err), 0);
  for (const char* flag : {"--check-config", "--once", "--log-level", "--config", "SIGHUP"}) {
    EXPECT_NE(out.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(Brandmond({"--version"}, &out, &err), 0);
  EXPECT_EQ(out.rfind("brandmond ", 0), 0u);
  EXPECT_EQ(Brandmond({"--frobnicate"}, &out, &err), 2);
  EXPECT_NE(err.find("unknown option '--frobnicate'"), std::string::npos);
  EXPECT_EQ(Brandmond({"--log-level", "loud"}, &out, &err), 2);
  EXPECT_NE(err.find("got \"loud\""), std::string::npos);
  EXPECT_EQ(Brandmond({"--config"}, &out, &err), 2);
}

TEST(CommandLineTest, CtlHelpListsCommandsAndRejectsUnknownOnes) {
  std::string out, err;
  EXPECT_EQ(RunCommand({BinaryPath("brandmonctl"), "--help"}, &out, &err), 0);
  for (const char* cmd : {"status", "reload", "plugins", "config-docs"}) {
    EXPECT_NE(out.find(cmd), std::string::npos) << cmd;
  }
  EXPECT_EQ(RunCommand({BinaryPath("brandmonctl"), "frob"}, &out, &err), 2);
  EXPECT_NE(err.find("unknown command 'frob'"), std::string::npos);
  EXPECT_EQ(RunCommand({BinaryPath("brandmonctl"), "status", "--endpoint", "ipc:///nonexistent/x.sock"}, &out, &err, {},
                       std::chrono::seconds(60)),
            1);
}

}  // namespace
}  // namespace brandmon::testing
