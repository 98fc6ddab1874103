#include "daemon/config/loader.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_util.h"

namespace brandmon::config {
namespace {

using brandmon::testing::TempDir;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(LoaderTest, IncludesAppendArraysAndMergeObjects) {
  TempDir dir;
  std::string main = dir.Write("brandmon.json", R"({
    "include": ["conf.d/*.json"],
    "daemon": {"log_level": "info"},
    "sources": [{"name": "a"}]
  })");
  dir.Write("conf.d/10-b.json", R"({"sources": [{"name": "b"}], "brands": [{"name": "acme"}]})");
  dir.Write("conf.d/20-c.json", R"({"sources": [{"name": "c"}], "daemon": {"state_dir": "/x"}})");
  Diagnostics diag;
  auto tree = LoadConfigTree(main, FakeEnv({}), diag);
  ASSERT_TRUE(tree.ok());
  EXPECT_TRUE(diag.ok()) << diag.Joined();
  const ConfigValue* sources = tree->root.Find("sources");
  ASSERT_EQ(sources->items().size(), 3u);
  EXPECT_EQ(sources->items()[2].Find("name")->as_string(), "c");
  EXPECT_EQ(sources->items()[2].Find("name")->pos().file->find("20-c.json") != std::string::npos, true);
  EXPECT_EQ(tree->root.Find("daemon")->Find("state_dir")->as_string(), "/x");
  EXPECT_EQ(tree->root.Find("include"), nullptr);
  EXPECT_EQ(tree->files.size(), 3u);
}

TEST(LoaderTest, ScalarSetTwiceAcrossFilesIsAnError) {
  TempDir dir;
  std::string main = dir.Write("m.json", R"({"include": ["x.json"], "daemon": {"log_level": "info"}})");
  dir.Write("x.json", R"({"daemon": {"log_level": "debug"}})");
  Diagnostics diag;
  auto tree = LoadConfigTree(main, FakeEnv({}), diag);
  ASSERT_TRUE(tree.ok());
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_NE(diag.errors()[0].find("x.json:1:13: daemon.log_level: already set at "), std::string::npos)
      << diag.errors()[0];
}

TEST(LoaderTest, MissingIncludeFileIsAnErrorButAnEmptyGlobIsNot) {
  TempDir dir;
  std::string main = dir.Write("m.json", R"({"include": ["missing.json", "conf.d/*.json"]})");
  Diagnostics diag;
  auto tree = LoadConfigTree(main, FakeEnv({}), diag);
  ASSERT_TRUE(tree.ok());
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_NE(diag.errors()[0].find("include[0]: no such file"), std::string::npos);
}

TEST(LoaderTest, BadJsonInIncludedFileNamesThatFile) {
  TempDir dir;
  std::string main = dir.Write("m.json", R"({"include": ["bad.json"]})");
  dir.Write("bad.json", "{\n  \"a\": }");
  Diagnostics diag;
  ASSERT_TRUE(LoadConfigTree(main, FakeEnv({}), diag).ok());
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_NE(diag.errors()[0].find("bad.json:2:8"), std::string::npos) << diag.errors()[0];
}

TEST(LoaderTest, SubstitutesEnvFileAndCredential) {
  TempDir dir;
  dir.Write("token.txt", "file-secret\n");
  dir.Write("creds/api", "cred-secret");
  std::string main = dir.Write("m.json", R"({
    "a": "Bearer ${env:TOKEN}",
    "b": "${file:token.txt}",
    "c": "${credential:api}",
    "d": "literal $${env:NOPE}",
    "e": "no substitution"
  })");
  Diagnostics diag;
  auto tree = LoadConfigTree(
      main, FakeEnv({{"TOKEN", "env-secret"}, {"CREDENTIALS_DIRECTORY", dir.path().string() + "/creds"}}), diag);
  ASSERT_TRUE(tree.ok());
  EXPECT_TRUE(diag.ok()) << diag.Joined();
  EXPECT_EQ(tree->root.Find("a")->as_string(), "Bearer env-secret");
  EXPECT_TRUE(tree->root.Find("a")->substituted());
  EXPECT_EQ(tree->root.Find("b")->as_string(), "file-secret");
  EXPECT_EQ(tree->root.Find("c")->as_string(), "cred-secret");
  EXPECT_EQ(tree->root.Find("d")->as_string(), "literal ${env:NOPE}");
  EXPECT_FALSE(tree->root.Find("e")->substituted());
  EXPECT_EQ(tree->redactor.Redact("x Bearer env-secret y"), "x Bearer <redacted> y");
}

TEST(LoaderTest, SubstitutionErrorsNameThePlace) {
  TempDir dir;
  std::string main = dir.Write("m.json", R"({"a": "${env:MISSING}", "b": "${credential:k}", "c": "${vault:x}",
    "d": "${env:X", "e": "${file:/nonexistent/secret}"})");
  Diagnostics diag;
  ASSERT_TRUE(LoadConfigTree(main, FakeEnv({}), diag).ok());
  std::string all = diag.Joined();
  EXPECT_EQ(diag.errors().size(), 5u) << all;
  EXPECT_NE(all.find("m.json:1:7: a: environment variable MISSING is not set"), std::string::npos) << all;
  EXPECT_NE(all.find("b: ${credential:k} needs $CREDENTIALS_DIRECTORY"), std::string::npos) << all;
  EXPECT_NE(all.find("c: unknown substitution"), std::string::npos) << all;
  EXPECT_NE(all.find("d: unterminated"), std::string::npos) << all;
  EXPECT_NE(all.find("e: cannot read /nonexistent/secret"), std::string::npos) << all;
}

TEST(LoaderTest, DisabledObjectsNeedNoSecrets) {
  TempDir dir;
  std::string main = dir.Write("m.json", R"({"sources": [{"enabled": false, "token": "${env:UNSET_TOKEN}"}]})");
  Diagnostics diag;
  ASSERT_TRUE(LoadConfigTree(main, FakeEnv({}), diag).ok());
  EXPECT_TRUE(diag.ok()) << diag.Joined();
}

// An include that matches a FIFO, a directory or a device is refused at
// once, naming it: a FIFO without a writer used to hang the whole load.
TEST(LoaderTest, IncludingANonRegularFileIsAnErrorNotAHang) {
  TempDir dir;
  std::string main = dir.Write("m.json", R"({"include": ["conf.d/*", "/dev/zero"]})");
  dir.Write("conf.d/10-ok.json", R"({"brands": [{"name": "acme"}]})");
  std::string fifo = (dir.path() / "conf.d/20-fifo.json").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  std::filesystem::create_directories(dir.path() / "conf.d/30-dir");
  Diagnostics diag;
  auto tree = LoadConfigTree(main, FakeEnv({}), diag);
  ASSERT_TRUE(tree.ok());
  std::string all = diag.Joined();
  EXPECT_EQ(diag.errors().size(), 3u) << all;
  EXPECT_NE(all.find("m.json:1:14: include[0]: " + fifo + ": not a regular file (a FIFO)"), std::string::npos) << all;
  EXPECT_NE(all.find("include[0]: " + (dir.path() / "conf.d/30-dir").string() + ": not a regular file (a directory)"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("include[1]: /dev/zero: not a regular file (a character device)"), std::string::npos) << all;
  EXPECT_EQ(tree->root.Find("brands")->items().size(), 1u);
}

TEST(LoaderTest, SubstitutedValuesKnowTheirReferenceAndPath) {
  TempDir dir;
  dir.Write("token.txt", "file-secret\n");
  std::string main = dir.Write("m.json", R"({"sources": [{"url": "https://x/?k=${file:token.txt}&${env:T}"}],
    "plain": "no $${env:T} here"})");
  Diagnostics diag;
  auto tree = LoadConfigTree(main, FakeEnv({{"T", "env-secret"}}), diag);
  ASSERT_TRUE(tree.ok());
  const ConfigValue& url = *tree->root.Find("sources")->items()[0].Find("url");
  EXPECT_EQ(url.as_string(), "https://x/?k=file-secret&env-secret");
  EXPECT_EQ(url.written(), "https://x/?k=${file:token.txt}&${env:T}");
  EXPECT_EQ(url.Placeholder(), "<redacted https://x/?k=${file:token.txt}&${env:T}>");
  ASSERT_NE(tree->redactor.PlaceholderAt("sources[0].url"), nullptr);
  EXPECT_EQ(*tree->redactor.PlaceholderAt("sources[0].url"), url.Placeholder());
  EXPECT_FALSE(tree->root.Find("plain")->substituted());
  EXPECT_EQ(tree->redactor.PlaceholderAt("plain"), nullptr);
}

// The last line of defence: once a secret is known, no message added to the
// diagnostics carries it, however the message was built.
TEST(LoaderTest, DiagnosticsNeverCarryAKnownSecret) {
  TempDir dir;
  std::string main = dir.Write("m.json", R"({"a": "${env:T}"})");
  Diagnostics diag;
  ASSERT_TRUE(LoadConfigTree(main, FakeEnv({{"T", "env-secret"}}), diag).ok());
  diag.Error(SourcePos{}, "a", "some check quoted \"env-secret\" and ENV-SECRETenv-secret");
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_EQ(diag.errors()[0],
            "<unknown>: a: some check quoted \"<redacted ${env:T}>\" and ENV-SECRET<redacted ${env:T}>");
}

TEST(LoaderTest, FileSubstitutionReadsOnlySmallRegularFiles) {
  TempDir dir;
  dir.Write("big", std::string((1 << 20) + 1, 'x'));
  std::string main = dir.Write("m.json", R"({"a": "${file:/dev/zero}", "b": "${file:big}"})");
  Diagnostics diag;
  ASSERT_TRUE(LoadConfigTree(main, FakeEnv({}), diag).ok());
  std::string all = diag.Joined();
  EXPECT_NE(all.find("a: cannot read /dev/zero: not a regular file (a character device)"), std::string::npos) << all;
  EXPECT_NE(all.find("b: cannot read " + (dir.path() / "big").string() + ": larger than 1MiB"), std::string::npos)
      << all;
}

TEST(LoaderTest, CredentialNameCannotEscapeTheDirectory) {
  TempDir dir;
  std::string main = dir.Write("m.json", R"({"a": "${credential:../../etc/passwd}"})");
  Diagnostics diag;
  ASSERT_TRUE(LoadConfigTree(main, FakeEnv({{"CREDENTIALS_DIRECTORY", dir.path().string()}}), diag).ok());
  ASSERT_EQ(diag.errors().size(), 1u);
  EXPECT_NE(diag.errors()[0].find("must not contain '/'"), std::string::npos);
}

TEST(LoaderTest, RootMustBeAnObject) {
  TempDir dir;
  std::string main = dir.Write("m.json", "[1, 2]");
  Diagnostics diag;
  auto tree = LoadConfigTree(main, FakeEnv({}), diag);
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.status().message().find("must be a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace brandmon::config
