#include "daemon/store/checkpointer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "daemon/store/sqlite.h"
#include "tests/support/test_util.h"

namespace brandmon::store {
namespace {

// A writer in WAL mode that reports each commit to a Checkpointer, as the
// store does, and records the log sizes it saw.
class Writer {
 public:
  Writer(const std::string& path, Checkpointer::Sizes sizes) : checkpointer_(path, sizes, threads_) {
    auto db = Database::Open(path);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    EXPECT_TRUE(db_.Exec("PRAGMA journal_mode=WAL").ok());
    EXPECT_TRUE(db_.Exec("CREATE TABLE IF NOT EXISTS t (v TEXT)").ok());
    db_.OnWalCommit([this](int pages) {
      log_sizes_.push_back(pages);
      if (checkpointer_.Committed(pages)) {
        ++writer_checkpoints_;
        EXPECT_TRUE(db_.CheckpointPassive().ok());
      }
    });
  }

  // One transaction of about a page and a half.
  void Commit() {
    checkpointer_.BeforeWrite();
    auto insert = db_.Prepare("INSERT INTO t VALUES (?1)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->BindText(1, std::string(6000, 'x')).ok());
    ASSERT_TRUE(insert->Run().ok());
  }

  ThreadSet threads_;
  Checkpointer checkpointer_;
  Database db_;
  std::vector<int> log_sizes_;
  int writer_checkpoints_ = 0;
};

void WaitForCheckpoints(const Checkpointer& c, int n) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (c.checkpoints() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TEST(CheckpointerTest, CopiesTheLogOnItsOwnThreadSoTheLogStartsOver) {
  testing::TempDir dir;
  std::string path = (dir.path() / "state.db").string();
  Writer w(path, {.pages = 40, .limit = 100000});
  EXPECT_TRUE(w.threads_.Running().empty()) << "no thread before the first checkpoint";
  int commits = 0;
  for (int round = 1; round <= 5; ++round) {
    // Commit until the log crosses the threshold, which hands it to the thread.
    do {
      w.Commit();
      ++commits;
    } while (w.log_sizes_.back() < 40);
    // No commit comes while the thread copies, so it copies the whole log
    // and the next commit starts the log over from its beginning.
    WaitForCheckpoints(w.checkpointer_, round);
    ASSERT_EQ(w.checkpointer_.checkpoints(), round);
    w.Commit();
    ++commits;
    EXPECT_LE(w.log_sizes_.back(), 3) << "round " << round;
  }
  EXPECT_EQ(w.writer_checkpoints_, 0);
  EXPECT_EQ(w.checkpointer_.waits(), 0);
  EXPECT_EQ(w.threads_.Running(), std::vector<std::string>{"checkpoint"});
  auto rows = w.db_.QueryInt("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, commits);
}

int MaxLog(const Writer& w) { return *std::max_element(w.log_sizes_.begin(), w.log_sizes_.end()); }

TEST(CheckpointerTest, AWriterThatNeverPausesStillLetsTheLogStartOver) {
  testing::TempDir dir;
  std::string path = (dir.path() / "state.db").string();
  Writer w(path, {.pages = 20, .limit = 60});
  for (int i = 0; i < 300; ++i) w.Commit();
  // 300 commits write about 450 pages; past 60 the writer waits for a whole
  // copy once, and the log starts over.
  EXPECT_GE(w.checkpointer_.waits(), 3);
  EXPECT_LT(MaxLog(w), 200);
  EXPECT_EQ(w.writer_checkpoints_, 0);
}

TEST(CheckpointerTest, AReaderHoldingAnOldSnapshotDoesNotMakeEveryCommitWait) {
  testing::TempDir dir;
  std::string path = (dir.path() / "state.db").string();
  Writer w(path, {.pages = 20, .limit = 60});
  w.Commit();
  auto reader = Database::Open(path);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(reader->Exec("BEGIN").ok());
  ASSERT_TRUE(reader->QueryInt("SELECT count(*) FROM t").ok());  // holds its snapshot
  for (int i = 0; i < 300; ++i) w.Commit();
  // No copy can be whole while the reader needs the old pages, so the log
  // cannot start over; the writer tries again only every 20 pages (a
  // commit here writes about three), not at every commit.
  EXPECT_GT(MaxLog(w), 400);
  EXPECT_GE(w.checkpointer_.waits(), 1);
  EXPECT_LE(w.checkpointer_.waits(), MaxLog(w) / 20 + 2);
  EXPECT_LT(w.checkpointer_.waits(), 300 / 4);
  ASSERT_TRUE(reader->Exec("COMMIT").ok());
  auto rows = w.db_.QueryInt("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 301);
}

TEST(CheckpointerTest, EverythingCommittedIsThereAfterReopening) {
  testing::TempDir dir;
  std::string path = (dir.path() / "state.db").string();
  {
    Writer w(path, {.pages = 10, .limit = 60});
    for (int i = 0; i < 300; ++i) w.Commit();
  }
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  auto rows = db->QueryInt("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 300);
}

}  // namespace
}  // namespace brandmon::store
