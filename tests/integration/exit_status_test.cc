// brandmond's exit statuses, as --help and brandmond(8) (docs/man/brandmond.8) list them:
// 0 ok, 1 runtime failure, 2 usage, 3 config invalid, 4 --once partial.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "daemon/store/store.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::testing {
namespace {

using std::chrono::seconds;

int Brandmond(const std::vector<std::string>& args, std::string* err) {
  std::vector<std::string> argv = {BinaryPath("brandmond")};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string out;
  return RunCommand(argv, &out, err, {{"NOTIFY_SOCKET", "\x01"}}, seconds(60));
}

class ExitStatusTest : public ::testing::Test {
 protected:
  // A config whose sources are `sources` (a JSON array body).
  std::string Config(const std::string& sources) {
    return dir_.Write("c.json", R"({"daemon": {"state_dir": ")" + State() + R"(", "runtime_dir": ")" +
                                    (dir_.path() / "run").string() + R"("},
      "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
      "brands": [{"name": "acme"}], "sources": [)" +
                                    sources + "]}");
  }
  std::string State() const { return (dir_.path() / "state").string(); }
  std::string FileSource(const std::string& name, const std::string& path) {
    return R"({"name": ")" + name + R"(", "type": "file", "path": ")" + path + R"(", "interval": "1h"})";
  }

  TempDir dir_;
};

TEST_F(ExitStatusTest, HelpAndTheManualListEveryStatus) {
  std::string out, err;
  ASSERT_EQ(RunCommand({BinaryPath("brandmond"), "--help"}, &out, &err), 0);
  std::string manual = ReadFile(std::string(BRANDMON_SOURCE_DIR) + "/docs/man/brandmond.8");
  const std::pair<int, const char*> statuses[] = {
      {0, "ok"}, {1, "runtime failure"}, {2, "usage"}, {3, "config invalid"}, {4, "partial"}};
  for (const auto& [code, name] : statuses) {
    std::string help_line = "  " + std::to_string(code) + "  " + name;
    EXPECT_NE(out.find(help_line), std::string::npos) << help_line << "\n" << out;
    std::string entry = ".TP\n.B " + std::to_string(code) + "\n" + name + ":";
    EXPECT_NE(manual.find(entry), std::string::npos) << entry;
  }
}

TEST_F(ExitStatusTest, UsageErrorsExitTwo) {
  std::string err;
  EXPECT_EQ(Brandmond({"--frobnicate"}, &err), 2);
  EXPECT_EQ(Brandmond({"--config"}, &err), 2);
  EXPECT_EQ(Brandmond({"--log-level", "loud"}, &err), 2);
}

TEST_F(ExitStatusTest, AnInvalidOrMissingConfigExitsThree) {
  std::string bad = dir_.Write("bad.json", R"({"brandz": []})");
  std::string err;
  EXPECT_EQ(Brandmond({"--config", bad}, &err), 3) << err;
  EXPECT_NE(err.find("invalid config, not starting"), std::string::npos) << err;
  EXPECT_EQ(Brandmond({"--config", bad, "--once"}, &err), 3) << err;
  EXPECT_EQ(Brandmond({"--check-config", "--config", bad}, &err), 3) << err;
  EXPECT_EQ(Brandmond({"--config", (dir_.path() / "absent.json").string()}, &err), 3) << err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "state")) << "nothing was started";
}

TEST_F(ExitStatusTest, OnceExitsZeroWhenEverySourceWorked) {
  std::string feed = dir_.Write("a.jsonl", "{\"id\": \"1\", \"text\": \"acme is great\"}\n");
  std::string err;
  EXPECT_EQ(Brandmond({"--config", Config(FileSource("good", feed)), "--once"}, &err), 0) << err;
}

TEST_F(ExitStatusTest, OnceExitsFourWhenASourceFailedAndNamesIt) {
  std::string feed = dir_.Write("a.jsonl", "{\"id\": \"1\", \"text\": \"acme is great\"}\n");
  std::string missing = (dir_.path() / "missing.jsonl").string();
  std::string err;
  EXPECT_EQ(
      Brandmond({"--config", Config(FileSource("good", feed) + ", " + FileSource("broken", missing)), "--once"}, &err),
      4)
      << err;
  EXPECT_NE(err.find("--once: these sources failed: broken"), std::string::npos) << err;
  // Every source failed: partial too, never 0.
  EXPECT_EQ(Brandmond({"--config", Config(FileSource("broken", missing)), "--once"}, &err), 4) << err;
}

TEST_F(ExitStatusTest, ADamagedDatabaseIsRefusedWithItsNameAndWhatToDo) {
  std::string config = Config("");
  std::filesystem::create_directories(State());
  store::StoreOptions options;
  config::ApplyDefaults(store::StoreOptionTable(), options);
  std::string db = store::ResolveStorePath(options, State());
  {
    FakeClock clock;
    ThreadSet threads;
    auto store = store::Store::Open(options, State(), clock, threads);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store::WriteBatch batch;
    for (int i = 0; i < 400; ++i) {
      ScoredMention m;
      m.mention.source = "s";
      m.mention.channel = "rss";
      m.mention.id = std::to_string(i);
      m.mention.text = "acme " + std::string(1000, static_cast<char>('a' + i % 26));
      m.brand = "acme";
      m.sentiment = {0.0, 0.0, 1.0, 0.0, "neutral", std::nullopt};
      batch.AddMention(std::move(m));
    }
    ASSERT_TRUE((*store)->Write(batch).ok());
  }
  ASSERT_TRUE(store::Store::CheckIntegrity(options, State()).ok());

  // Garbage over three pages in the middle of the file.
  size_t size = std::filesystem::file_size(db);
  ASSERT_GT(size, 50u * 4096);
  {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 4096 / 2 * 4096));
    std::string garbage(3 * 4096, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  std::string err;
  for (bool once : {false, true}) {
    std::vector<std::string> args = {"--config", config};
    if (once) args.push_back("--once");
    EXPECT_EQ(Brandmond(args, &err), 1) << err;
    EXPECT_NE(err.find("startup failed: database " + db + " is damaged ("), std::string::npos) << err;
    EXPECT_NE(err.find("restore it from a backup, or move it aside with its -wal and -shm files"), std::string::npos)
        << err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "run" / "control.sock")) << "refused before any socket";
}

}  // namespace
}  // namespace brandmon::testing
