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

TEST(SchemaTest, Version1MentionsKeepTheirRowsAndOnlyTheTimeAndReachIndexes) {
  Database db = OpenMemory();
  ASSERT_TRUE(Migrate(db, Migrations().first(1)).ok());
  ASSERT_TRUE(db.Exec("INSERT INTO mentions VALUES (7, 's', 'rss', 'acme', 'id1', 'u', 't', 'x', 'a', NULL, 'en', '', "
                      "-0.5, 0, 0.5, 0.5, 'negative', NULL, '4:acme', 1000)")
                  .ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_autoindex_mentions_1'"), 1);
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM mentions WHERE rowid = 7 AND mention_id = 'id1' AND compound = -0.5"),
            1);
  // The time index, and the reach index of version 8; no text index.
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM sqlite_master WHERE tbl_name = 'mentions' AND type = 'index'"), 2);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'mentions_stored_at'"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'mentions_brand_reach'"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_autoindex_mentions_1'"), 0);
  // New rows continue after the copied ones.
  ASSERT_TRUE(db.Exec("INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, lang, "
                      "metrics, compound, pos, neu, neg, label, matched_terms, stored_at) VALUES ('s', 'rss', 'acme', "
                      "'id2', '', '', '', '', '', '', 0, 0, 1, 0, 'neutral', '', 2000)")
                  .ok());
  EXPECT_EQ(db.LastInsertRowid(), 8);
  // Rows from before the truncated column read as whole.
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM mentions WHERE rowid = 7 AND truncated = ''"), 1);
}

// Before version 4 strings were blobs, which plain string literals never
// match. The migration turns them into text in place, keys included.
TEST(SchemaTest, Version3BlobStringsBecomeTextThatPlainLiteralsFind) {
  Database db = OpenMemory();
  ASSERT_TRUE(Migrate(db, Migrations().first(3)).ok());
  ASSERT_TRUE(
      db.Exec("INSERT INTO seen VALUES (x'66656564', x'6964', 1);"  // 'feed', 'id'
              "INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, lang, "
              "metrics, compound, pos, neu, neg, label, matched_terms, stored_at) VALUES (x'66656564', "
              "x'727373', x'61636d65', x'6964', x'', x'', x'', x'', x'656e', x'', 0, 0, 1, 0, x'6e65757472616c', "
              "x'', 1);"
              "INSERT INTO alerts (ts, topic, payload, dedupe_key) VALUES (1, x'61', x'7b7d', x'6b31');"
              "INSERT INTO alerts (ts, topic, payload, dedupe_key) VALUES (2, x'61', x'7b7d', x'');"
              "INSERT INTO rule_state VALUES (x'61636d65', x'6b', x'76', 1);")
          .ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM mentions WHERE brand = 'acme'"), 0);
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM mentions WHERE brand = 'acme' AND source = 'feed' AND lang = 'en'"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM seen WHERE source = 'feed' AND id = 'id'"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rule_state WHERE brand = 'acme' AND key = 'k'"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM alerts WHERE typeof(payload) = 'text' AND typeof(topic) = 'text'"), 2);
  // Equal dedupe keys are still refused, and empty ones still never collide.
  EXPECT_FALSE(db.Exec("INSERT INTO alerts (ts, topic, payload, dedupe_key) VALUES (3, 'a', '{}', 'k1')").ok());
  EXPECT_TRUE(db.Exec("INSERT INTO alerts (ts, topic, payload, dedupe_key) VALUES (3, 'a', '{}', '')").ok());
}

TEST(SchemaTest, Version5BackfillsReachAndTheHourlyRollupsOfStoredMentions) {
  Database db = OpenMemory();
  ASSERT_TRUE(Migrate(db, Migrations().first(4)).ok());
  // Two mentions in the first hour of 2026 (one with followers, one with a
  // targeted score), one in the next hour.
  ASSERT_TRUE(db.Exec("INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, lang, "
                      "metrics, compound, pos, neu, neg, label, target, matched_terms, stored_at) VALUES "
                      "('s', 'rss', 'acme', '1', '', '', '', '', 'en', '9:followers3:250', -0.5, 0, 0.5, 0.5, "
                      "'negative', NULL, '', 1767225600000), "
                      "('s', 'rss', 'acme', '2', '', '', '', '', 'en', '', 0.2, 0, 0.5, 0.5, 'negative', -0.7, '', "
                      "1767229199999), "
                      "('s', 'rss', 'acme', '3', '', '', '', '', 'en', '5:likes2:40', -0.1, 0, 0.5, 0.5, 'negative', "
                      "NULL, '', 1767229200000)")
                  .ok());
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  EXPECT_EQ(*db.QueryInt("SELECT sum(reach) FROM mentions"), 290);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rollup_hourly"), 2);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rollup_hourly WHERE brand = 'acme' AND hour = 1767225600000 AND "
                         "channel = 'rss' AND lang = 'en' AND label = 'negative' AND mentions = 2 AND "
                         "abs(score_sum + 1.2) < 1e-9 AND abs(score_squares - 0.74) < 1e-9 AND reach_sum = 250"),
            1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rollup_hourly WHERE hour = 1767229200000 AND mentions = 1 AND "
                         "reach_sum = 40"),
            1);
}

TEST(SchemaTest, Version6IndexesStoredMentionsForFullTextSearchAndFollowsChangesOfIndexedRows) {
  Database db = OpenMemory();
  ASSERT_TRUE(Migrate(db, Migrations().first(5)).ok());
  ASSERT_TRUE(db.Exec("INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, lang, "
                      "metrics, compound, pos, neu, neg, label, target, matched_terms, stored_at) VALUES "
                      "('s', 'rss', 'acme', '1', '', 'Outage', 'the acme app is down', 'Ann', 'en', '', 0, 0, 1, 0, "
                      "'neutral', NULL, '', 1), "
                      "('s', 'rss', 'acme', '2', '', 'Café', 'crème brûlée', 'Zoë', 'fr', '', 0, 0, 1, 0, "
                      "'neutral', NULL, '', 2)")
                  .ok());
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  auto found = [&](const std::string& query) {
    auto stmt = db.Prepare("SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH ?1");
    EXPECT_TRUE(stmt.ok());
    EXPECT_TRUE(stmt->BindText(1, query).ok());
    EXPECT_TRUE(*stmt->Step());
    return stmt->ColumnInt(0);
  };
  // Backfilled, accents folded, every column.
  EXPECT_EQ(found("down"), 1);
  EXPECT_EQ(found("creme"), 1);
  EXPECT_EQ(found("zoe"), 1);
  EXPECT_EQ(found("outage"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT upto FROM search_index"), 2);
  // A row stored later waits for the writer's bulk pass (Store::IndexForSearch);
  // deleting it before that leaves the index whole.
  auto insert = [&](const std::string& id, const std::string& text, int stored_at) {
    auto stmt = db.Prepare(
        "INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, lang, metrics, compound, "
        "pos, neu, neg, label, target, matched_terms, stored_at) VALUES ('s', 'rss', 'acme', ?1, '', 'Recall', ?2, "
        "'', 'en', '', 0, 0, 1, 0, 'neutral', NULL, '', ?3)");
    ASSERT_TRUE(stmt.ok());
    ASSERT_TRUE(stmt->BindText(1, id).ok());
    ASSERT_TRUE(stmt->BindText(2, text).ok());
    ASSERT_TRUE(stmt->BindInt(3, stored_at).ok());
    ASSERT_TRUE(stmt->Run().ok());
  };
  insert("3", "acme recalls toasters", 3);
  EXPECT_EQ(found("toasters"), 0);
  ASSERT_TRUE(db.Exec("DELETE FROM mentions WHERE mention_id = '3'").ok());
  ASSERT_TRUE(db.Exec("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')").ok());
  // Updates and deletes (pruning) of indexed rows reach the index.
  ASSERT_TRUE(db.Exec("UPDATE mentions SET text = 'acme recalls kettles' WHERE mention_id = '1'").ok());
  EXPECT_EQ(found("down"), 0);
  EXPECT_EQ(found("kettles"), 1);
  ASSERT_TRUE(db.Exec("DELETE FROM mentions WHERE stored_at = 2").ok());
  EXPECT_EQ(found("creme"), 0);
  EXPECT_EQ(found("kettles"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM mentions_fts"), 1);
  ASSERT_TRUE(db.Exec("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')").ok());
}

TEST(SchemaTest, Version7MentionsStoredBeforeHaveNoKindAndReplyToNoOne) {
  Database db = OpenMemory();
  ASSERT_TRUE(Migrate(db, Migrations().first(6)).ok());
  ASSERT_TRUE(db.Exec("INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, lang, "
                      "metrics, compound, pos, neu, neg, label, target, matched_terms, stored_at) VALUES "
                      "('s', 'reddit', 'acme', '1', '', '', 'acme?', '', 'en', '', 0, 0, 1, 0, 'neutral', NULL, '', 1)")
                  .ok());
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM mentions WHERE mention_id = '1' AND kind = '' AND reply_to = ''"), 1);
  ASSERT_TRUE(db.Exec("INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, lang, "
                      "metrics, compound, pos, neu, neg, label, target, matched_terms, stored_at, kind, reply_to) "
                      "VALUES ('s', 'x', 'acme', '2', '', '', '', '', 'en', '', 0, 0, 1, 0, 'neutral', NULL, '', 2, "
                      "'social', 'acmecorp')")
                  .ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM mentions WHERE kind = 'social' AND reply_to = 'acmecorp'"), 1);
}

TEST(SchemaTest, Version9FillsTheDailyAndBrandRollupsFromTheHourlyOnes) {
  Database db = OpenMemory();
  ASSERT_TRUE(Migrate(db, Migrations().first(8)).ok());
  // Hourly rows of two days, whose mentions may be pruned already: the
  // coarser rollups come from the hourly ones, not the mentions.
  ASSERT_TRUE(db.Exec("INSERT INTO rollup_hourly VALUES "
                      "('acme', 1767225600000, 'rss', 'en', 'negative', 2, -1.0, 0.5, 10), "
                      "('acme', 1767229200000, 'rss', 'en', 'negative', 3, -1.5, 0.75, 20), "
                      "('acme', 1767229200000, 'reddit', 'fr', 'negative', 1, -0.5, 0.25, 5), "
                      "('acme', 1767229200000, 'reddit', 'fr', 'positive', 1, 0.5, 0.25, 0), "
                      "('acme', 1767312000000, 'rss', 'en', 'negative', 4, -2.0, 1.0, 0)")
                  .ok());
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rollup_daily"), 4);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rollup_daily WHERE day = 1767225600000 AND channel = 'rss' AND "
                         "label = 'negative' AND mentions = 5 AND score_sum = -2.5 AND score_squares = 1.25 AND "
                         "reach_sum = 30"),
            1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rollup_daily WHERE day = 1767312000000 AND mentions = 4"), 1);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rollup_brand_hourly"), 4);
  EXPECT_EQ(*db.QueryInt("SELECT count(*) FROM rollup_brand_hourly WHERE hour = 1767229200000 AND "
                         "label = 'negative' AND mentions = 4 AND score_sum = -2.0 AND reach_sum = 25"),
            1);
}

TEST(SchemaTest, Version10LabelsTheStoredMentionsOfLanguagesWithoutLexiconUnscoredInTheRollupsToo) {
  Database db = OpenMemory();
  ASSERT_TRUE(Migrate(db, Migrations().first(9)).ok());
  auto insert = [&](const std::string& id, const std::string& lang, double compound, const char* target) {
    std::string label = compound == 0 ? "neutral" : "negative";
    ASSERT_TRUE(db.Exec("INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, lang, "
                        "metrics, compound, pos, neu, neg, label, target, matched_terms, stored_at, reach) VALUES "
                        "('s', 'rss', 'acme', '" +
                        id + "', '', '', '', '', '" + lang + "', '', " + std::to_string(compound) + ", 0, " +
                        (compound == 0 ? "1" : "0.5") + ", " + (compound == 0 ? "0" : "0.5") + ", '" + label + "', " +
                        target + ", '', 1767225600000, 10)")
                    .ok());
  };
  insert("ru", "ru", 0, "NULL");     // no lexicon, nothing read: unscored
  insert("nl", "nl", 0, "NULL");     // the same
  insert("en", "en", 0, "NULL");     // English with no rated word: neutral
  insert("und", "und", 0, "NULL");   // scored as English
  insert("pl", "pl", -0.5, "NULL");  // a figure: it was read
  insert("tr", "tr", 0, "0.2");      // a target: it was read
  for (const char* table : {"rollup_hourly (brand, hour, channel, lang, label, mentions, score_sum, score_squares, "
                            "reach_sum) SELECT 'acme', 1767225600000, 'rss', lang, label, count(*), sum(compound), 0, "
                            "sum(reach) FROM mentions GROUP BY lang, label",
                            "rollup_daily SELECT * FROM rollup_hourly",
                            "rollup_brand_hourly SELECT 'acme', 1767225600000, label, sum(mentions), sum(score_sum), "
                            "0, sum(reach_sum) FROM rollup_hourly GROUP BY label"}) {
    ASSERT_TRUE(db.Exec(std::string("INSERT INTO ") + table).ok()) << table;
  }
  ASSERT_TRUE(Migrate(db, Migrations()).ok());
  auto labels = [&](const std::string& sql) {
    auto stmt = db.Prepare(sql);
    std::string out;
    while (*stmt->Step()) out += stmt->ColumnText(0) + ":" + stmt->ColumnText(1) + " ";
    return out;
  };
  EXPECT_EQ(labels("SELECT mention_id, label FROM mentions ORDER BY 1"),
            "en:neutral nl:unscored pl:negative ru:unscored tr:neutral und:neutral ");
  EXPECT_EQ(labels("SELECT lang, label FROM rollup_hourly ORDER BY 1"),
            "en:neutral nl:unscored pl:negative ru:unscored tr:neutral und:neutral ");
  EXPECT_EQ(labels("SELECT label, mentions FROM rollup_daily WHERE lang IN ('ru', 'nl') ORDER BY lang"),
            "unscored:1 unscored:1 ");
  EXPECT_EQ(labels("SELECT label, mentions || '/' || reach_sum FROM rollup_brand_hourly ORDER BY 1"),
            "negative:1/10.0 neutral:3/30.0 unscored:2/20.0 ");
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
