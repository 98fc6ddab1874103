// Store::CheckIntegrity: a damaged database file is refused at start with a
// message that names the file and says what to do.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "daemon/store/store.h"
#include "tests/support/test_util.h"

namespace brandmon::store {
namespace {

constexpr size_t kPage = 4096;

StoreOptions Options(std::string file) {
  StoreOptions o;
  config::ApplyDefaults(StoreOptionTable(), o);
  o.file = std::move(file);
  return o;
}

// A database of some hundred pages, closed (so the log is checkpointed).
void WriteDatabase(const std::string& dir, const std::string& file) {
  FakeClock clock;
  ThreadSet threads;
  auto store = Store::Open(Options(file), dir, clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  WriteBatch batch;
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

// Overwrites `pages` pages in the middle of `path` with garbage.
void DamageMiddle(const std::string& path, size_t pages) {
  size_t size = std::filesystem::file_size(path);
  ASSERT_GT(size, 50 * kPage) << "too small a database to damage its middle";
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(size / kPage / 2 * kPage));
  std::string garbage(pages * kPage, '\x5a');
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

TEST(StoreIntegrityTest, AnIntactDatabaseAMissingOneAndMemoryPass) {
  testing::TempDir dir;
  WriteDatabase(dir.path().string(), "state.db");
  EXPECT_TRUE(Store::CheckIntegrity(Options("state.db"), dir.path().string()).ok());
  EXPECT_TRUE(Store::CheckIntegrity(Options("absent.db"), dir.path().string()).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "absent.db")) << "the check creates nothing";
  EXPECT_TRUE(Store::CheckIntegrity(Options(":memory:"), "").ok());
}

TEST(StoreIntegrityTest, GarbagePagesInTheMiddleAreFoundAndTheFileNamed) {
  testing::TempDir dir;
  WriteDatabase(dir.path().string(), "state.db");
  std::string path = (dir.path() / "state.db").string();
  DamageMiddle(path, 3);
  Status s = Store::CheckIntegrity(Options("state.db"), dir.path().string());
  EXPECT_EQ(s.code(), Status::Code::kCorrupt) << s.ToString();
  EXPECT_EQ(s.message().rfind("database " + path + " is damaged (", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("restore it from a backup, or move it aside with its -wal and -shm files"),
            std::string::npos)
      << s.message();
}

TEST(StoreIntegrityTest, AFileThatIsNotADatabaseIsDamagedToo) {
  testing::TempDir dir;
  std::string path = dir.Write("bad.db", std::string(8192, '\x42'));
  Status s = Store::CheckIntegrity(Options("bad.db"), dir.path().string());
  EXPECT_EQ(s.code(), Status::Code::kCorrupt) << s.ToString();
  EXPECT_NE(s.message().find("database " + path + " is damaged (file is not a database)"), std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("PRAGMA"), std::string::npos) << "SQLite's words, not our statement: " << s.message();
}

}  // namespace
}  // namespace brandmon::store
