#include "daemon/store/schema.h"

#include <gtest/gtest.h>

namespace brandmon::store {
namespace {

Database OpenMemory() { return Database::Open(":memory:").value(); }

TEST(SchemaTest, NewDatabaseReachesTheLatestVersion) {
  Database db = OpenMemory();
  EXPECT_EQ(*SchemaVersion(db), 0);
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  EXPECT_EQ(*SchemaVersion(db), Migrations().back().version);
  for (const char* table : {"seen", "source_state", "source_cursor", "mentions", "alerts", "rule_state"}) {
    EXPECT_EQ(*db.QueryInt(std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table + "'"), 1) << table;
  }
}

TEST(SchemaTest, MigratingTwiceChangesNothing) {
  Database db = OpenMemory();
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  ASSERT_TRUE(db.Exec("INSERT INTO rule_state VALUES ('acme', 'k', 'v', 1)").ok());
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rule_state"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM schema_version"), 1);
}

TEST(SchemaTest, StepsApplyInOrderFromTheCurrentVersion) {
  Database db = OpenMemory();
  const Migration v1[] = {{1, "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"}};
  ASSERT_TRUE(Migrate(db, v1).ok());
  const Migration v3[] = {{1, "CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);"},
                          {2, "ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 5;"},
                          {3, "UPDATE a SET y = y * 2;"}};
  ASSERT_TRUE(Migrate(db, v3).ok());
  EXPECT_EQ(*SchemaVersion(db), 3);
  EXPECT_EQ(*db.QueryInt("SELECT y FROM a"), 10);
}

TEST(SchemaTest, FailingStepRollsBackToThePreviousVersion) {
  Database db = OpenMemory();
  const Migration steps[] = {{1, "CREATE TABLE a (x INTEGER);"},
                             {2, "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);"}};
  Status s = Migrate(db, steps);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("schema migration to version 2"), std::string::npos) << s.message();
  EXPECT_EQ(*SchemaVersion(db), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'b'"), 0);
}

TEST(SchemaTest, NewerDatabaseIsRefused) {
  Database db = OpenMemory();
  const Migration steps[] = {{1, "CREATE TABLE a (x INTEGER);"}, {2, "CREATE TABLE b (x INTEGER);"}};
  ASSERT_TRUE(Migrate(db, steps).ok());
  Status s = Migrate(db, std::span<const Migration>(steps, 1));
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("schema version 2"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace brandmon::store
