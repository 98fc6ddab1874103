#include "daemon/store/sqlite.h"

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace brandmon::store {
namespace {

Database OpenMemory() {
  auto db = Database::Open(":memory:");
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(*db);
}

TEST(SqliteTest, PreparedStatementIsReusableAfterReset) {
  Database db = OpenMemory();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (k TEXT, v INTEGER)").ok());
  auto insert = db.Prepare("INSERT INTO t VALUES (?1, ?2)");
  ASSERT_TRUE(insert.ok());
  for (int i = 0; i < 3; ++i) {
    insert->Reset();
    ASSERT_TRUE(insert->BindText(1, "k" + std::to_string(i)).ok());
    ASSERT_TRUE(insert->BindInt(2, i * 10).ok());
    ASSERT_TRUE(insert->Run().ok());
  }
  auto sum = db.QueryInt("SELECT sum(v) FROM t");
  ASSERT_TRUE(sum.ok());
  EXPECT_EQ(*sum, 30);
}

TEST(SqliteTest, TextRoundTripsAnyBytes) {
  Database db = OpenMemory();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (v TEXT)").ok());
  const std::string values[] = {"", std::string("a\0b", 3), "\xFF\xFE\xC3", std::string(1 << 20, 'x')};
  for (const auto& v : values) {
    auto insert = db.Prepare("INSERT INTO t VALUES (?1)");
    ASSERT_TRUE(insert->BindText(1, v).ok());
    ASSERT_TRUE(insert->Run().ok());
  }
  auto select = db.Prepare("SELECT v FROM t ORDER BY rowid");
  for (const auto& v : values) {
    auto row = select->Step();
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ(select->ColumnText(0), v);
    EXPECT_FALSE(select->ColumnIsNull(0));
  }
}

TEST(SqliteTest, NullAndOptionalDoubles) {
  Database db = OpenMemory();
  auto stmt = db.Prepare("SELECT ?1, ?2");
  ASSERT_TRUE(stmt->BindOptionalDouble(1, std::nullopt).ok());
  ASSERT_TRUE(stmt->BindOptionalDouble(2, 0.25).ok());
  ASSERT_TRUE(*stmt->Step());
  EXPECT_EQ(stmt->ColumnOptionalDouble(0), std::nullopt);
  EXPECT_EQ(stmt->ColumnOptionalDouble(1), 0.25);
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  Database db = OpenMemory();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (v INTEGER)").ok());
  {
    Transaction txn(db);
    ASSERT_TRUE(txn.Begin().ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (1)").ok());
  }
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM t"), 0);
  {
    Transaction txn(db);
    ASSERT_TRUE(txn.Begin().ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(txn.Commit().ok());
  }
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM t"), 1);
}

TEST(SqliteTest, ErrorsNameTheProblem) {
  Database db = OpenMemory();
  auto bad = db.Prepare("SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("SELEKT"), std::string::npos) << bad.status().message();
  Status s = db.Exec("INSERT INTO missing VALUES (1)");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("missing"), std::string::npos) << s.message();
  auto none = db.QueryInt("SELECT 1 WHERE 0");
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);
}

TEST(SqliteTest, UnopenablePathIsUnavailable) {
  testing::TempDir dir;
  auto db = Database::Open((dir.path() / "no" / "such" / "dir" / "x.db").string());
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), Status::Code::kUnavailable);
  EXPECT_NE(db.status().message().find("x.db"), std::string::npos);
}

TEST(SqliteTest, NotADatabaseIsCorrupt) {
  testing::TempDir dir;
  std::string path = dir.Write("junk.db", std::string(4096, 'j'));
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  Status s = db->Exec("SELECT * FROM sqlite_master");
  EXPECT_EQ(s.code(), Status::Code::kCorrupt) << s.ToString();
}

TEST(SqliteTest, MovedFromObjectsAreInert) {
  Database db = OpenMemory();
  auto stmt = db.Prepare("SELECT 1");
  Statement moved = std::move(*stmt);
  EXPECT_TRUE(moved.valid());
  Database other = std::move(db);
  EXPECT_EQ(*other.QueryInt("SELECT 7"), 7);
}

}  // namespace
}  // namespace brandmon::store
