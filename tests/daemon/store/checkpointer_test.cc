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
  Writer(const std::string& path, Checkpointer::Sizes sizes) : checkpointer_(path, sizes) {
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
    auto insert = db_.Prepare("INSERT INTO t VALUES (?1)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->BindText(1, std::string(6000, 'x')).ok());
    ASSERT_TRUE(insert->Run().ok());
  }

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
  auto rows = w.db_.QueryInt("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, commits);
}

TEST(CheckpointerTest, WriterCopiesTheRestPastTheLimit) {
  testing::TempDir dir;
  std::string path = (dir.path() / "state.db").string();
  // With a limit below the threshold the thread is never asked: each time the
  // log reaches the limit, the writer copies it, as SQLite's own checkpoint
  // would.
  Writer w(path, {.pages = 20, .limit = 20});
  for (int i = 0; i < 200; ++i) w.Commit();
  EXPECT_GE(w.writer_checkpoints_, 5);
  EXPECT_EQ(w.checkpointer_.checkpoints(), 0);
  EXPECT_LT(*std::max_element(w.log_sizes_.begin(), w.log_sizes_.end()), 40);
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
