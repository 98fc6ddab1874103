#include "daemon/store/store.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <thread>

#include "daemon/base/time_parse.h"
#include "daemon/store/schema.h"
#include "tests/support/test_util.h"

namespace brandmon::store {
namespace {

StoreOptions Options(std::string file = ":memory:") {
  StoreOptions o;
  config::ApplyDefaults(StoreOptionTable(), o);
  o.file = std::move(file);
  return o;
}

ScoredMention MakeMention(std::string source, std::string id, std::string brand = "acme", std::string text = "hi") {
  ScoredMention m;
  m.mention.source = std::move(source);
  m.mention.channel = "rss";
  m.mention.id = std::move(id);
  m.mention.text = std::move(text);
  m.brand = std::move(brand);
  m.sentiment = {-0.5, 0.1, 0.4, 0.5, "negative", std::nullopt};
  return m;
}

Alert MakeAlert(std::string key, std::string rule = "negative_mention", std::string brand = "acme") {
  Alert a;
  a.ts = FromUnixMillis(1'767'225'600'000);
  a.brand = std::move(brand);
  a.rule = std::move(rule);
  a.severity = Severity::kWarning;
  a.summary = "s";
  a.dedupe_key = std::move(key);
  return a;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Store::Open(Options(), "", clock_, threads_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  FakeClock clock_;
  ThreadSet threads_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, SeenIdsAreTrackedPerSource) {
  EXPECT_FALSE(*store_->SeenBefore("rss-a", "1"));
  WriteBatch batch;
  batch.AddMention(MakeMention("rss-a", "1"));
  batch.MarkSeen("rss-a", "2");  // matched no brand, still never scored again
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_TRUE(*store_->SeenBefore("rss-a", "1"));
  EXPECT_TRUE(*store_->SeenBefore("rss-a", "2"));
  EXPECT_FALSE(*store_->SeenBefore("rss-b", "1"));
  EXPECT_FALSE(*store_->SeenBefore("rss-a", "3"));
}

TEST_F(StoreTest, AMentionSeenBeforeIsNotStoredTwice) {
  WriteBatch first;
  first.AddMention(MakeMention("s", "1"));
  auto r1 = store_->Write(first);
  ASSERT_TRUE(r1.ok());
  EXPECT_EQ(r1->mentions_written, 1u);
  WriteBatch again;
  again.AddMention(MakeMention("s", "1"));
  again.AddMention(MakeMention("s", "2"));
  auto r2 = store_->Write(again);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->mentions_written, 1u);
  EXPECT_EQ(r2->duplicates_dropped, 1u);
  EXPECT_EQ(store_->Counts()->mentions, 2);
}

TEST_F(StoreTest, AMentionTwiceInOneBatchIsStoredOnce) {
  WriteBatch batch;
  batch.AddMention(MakeMention("s", "1", "acme", "first"));
  batch.AddMention(MakeMention("s", "1", "acme", "again"));
  auto r = store_->Write(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mentions_written, 1u);
  EXPECT_EQ(r->duplicates_dropped, 1u);
  auto stored = store_->ReadMentions(0, 10);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ(stored->front().scored.mention.text, "first");
}

TEST(StoreFileTest, StringsAreTextThatSqlLiteralsMatch) {
  testing::TempDir dir;
  FakeClock clock;
  ThreadSet threads;
  auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  WriteBatch batch;
  batch.AddMention(MakeMention("feed", "1", "acme"));
  ASSERT_TRUE((*store)->Write(batch).ok());
  auto db = Database::Open((dir.path() / "state.db").string());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM mentions WHERE brand = 'acme' AND source = 'feed'"), 1);
  EXPECT_EQ(*db->QueryInt("SELECT count(*) FROM seen WHERE source = 'feed' AND id = '1'"), 1);
}

// Mentions enter the full-text index in bulk after their commit: by
// IndexForSearch (the pipeline's timer), or by the write that brings
// kSearchIndexBatch of them; each exactly once, whatever the order of calls.
TEST(StoreFileTest, MentionsAreIndexedForSearchInBulkAfterTheirCommit) {
  testing::TempDir dir;
  FakeClock clock;
  ThreadSet threads;
  auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto db = Database::Open((dir.path() / "state.db").string());
  ASSERT_TRUE(db.ok());
  auto found = [&](const std::string& word) {
    auto stmt = db->Prepare("SELECT count(*) FROM mentions_fts WHERE mentions_fts MATCH ?1");
    if (!stmt.ok()) {
      ADD_FAILURE() << stmt.status().ToString();
      return int64_t{-1};
    }
    auto row = stmt->BindText(1, word).ok() ? stmt->Step() : Result<bool>(false);
    EXPECT_TRUE(row.ok() && *row) << (row.ok() ? "" : row.status().ToString());
    return stmt->ColumnInt(0);
  };
  WriteBatch batch;
  batch.AddMention(MakeMention("feed", "1", "acme", "the acme kettle leaks"));
  batch.AddMention(MakeMention("feed", "2", "acme", "a kettle and a toaster"));
  ASSERT_TRUE((*store)->Write(batch).ok());
  EXPECT_EQ(found("kettle"), 0);
  auto first = (*store)->IndexForSearch(1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 1u);
  EXPECT_EQ(found("kettle"), 1);
  auto second = (*store)->IndexForSearch();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(*second, 1u);
  EXPECT_EQ(*(*store)->IndexForSearch(), 0u);
  EXPECT_EQ(found("kettle"), 2);
  EXPECT_EQ(found("toaster"), 1);

  WriteBatch many;
  for (size_t i = 0; i < Store::kSearchIndexBatch; ++i) {
    many.AddMention(MakeMention("bulk", std::to_string(i), "acme", "bulk item " + std::to_string(i)));
  }
  ASSERT_TRUE((*store)->Write(many).ok());
  EXPECT_EQ(found("bulk"), static_cast<int64_t>(Store::kSearchIndexBatch));
  EXPECT_EQ(*(*store)->IndexForSearch(), 0u);
  EXPECT_EQ(*db->QueryInt("SELECT upto FROM search_index"), *db->QueryInt("SELECT max(rowid) FROM mentions"));
  ASSERT_TRUE(db->Exec("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')").ok());
}

TEST(StoreFileTest, AnIndexPassDoesNotWaitForAnotherWritersLockAndLosesNothing) {
  testing::TempDir dir;
  FakeClock clock;
  ThreadSet threads;
  auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  WriteBatch batch;
  batch.AddMention(MakeMention("feed", "1", "acme", "the acme kettle leaks"));
  ASSERT_TRUE((*store)->Write(batch).ok());
  auto other = Database::Open((dir.path() / "state.db").string());
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(other->Exec("BEGIN IMMEDIATE").ok());
  auto started = std::chrono::steady_clock::now();
  auto locked = (*store)->IndexForSearch();
  auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_FALSE(locked.ok());
  // The pipeline thread that runs the pass is not held for the busy timeout.
  EXPECT_LT(waited, Database::kBusyTimeout / 2);
  ASSERT_TRUE(other->Exec("ROLLBACK").ok());
  auto indexed = (*store)->IndexForSearch();
  ASSERT_TRUE(indexed.ok()) << indexed.status().ToString();
  EXPECT_EQ(*indexed, 1u);
  // Writes still wait for the lock as before.
  ASSERT_TRUE(other->Exec("BEGIN IMMEDIATE").ok());
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    (void)other->Exec("ROLLBACK");
  });
  WriteBatch later;
  later.AddMention(MakeMention("feed", "2", "acme", "another acme kettle"));
  auto written = (*store)->Write(later);
  release.join();
  EXPECT_TRUE(written.ok()) << written.status().ToString();
}

// The rows of rollup_hourly as "brand hour channel lang label: n sum squares reach".
std::vector<std::string> Rollups(Database& db) {
  auto stmt = db.Prepare(
      "SELECT brand, hour, channel, lang, label, mentions, score_sum, score_squares, reach_sum FROM rollup_hourly "
      "ORDER BY brand, hour, channel, lang, label");
  std::vector<std::string> out;
  while (*stmt->Step()) {
    char figures[96];
    std::snprintf(figures, sizeof figures, ": %lld %.2f %.2f %.0f", static_cast<long long>(stmt->ColumnInt(5)),
                  stmt->ColumnDouble(6), stmt->ColumnDouble(7), stmt->ColumnDouble(8));
    out.push_back(stmt->ColumnText(0) + " " + std::to_string(stmt->ColumnInt(1)) + " " + stmt->ColumnText(2) + " " +
                  stmt->ColumnText(3) + " " + stmt->ColumnText(4) + figures);
  }
  return out;
}

TEST(StoreFileTest, HourlyRollupsCountWhatEachCommitStored) {
  testing::TempDir dir;
  FakeClock clock;  // 2026-01-01T00:00:00Z: 1767225600000
  ThreadSet threads;
  auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ScoredMention big = MakeMention("s", "1");
  big.mention.SetMetric("followers", 1000);
  big.sentiment.target = -0.9;  // the brand-targeted score is the one counted
  ScoredMention other_brand = MakeMention("s", "1", "globex");
  ScoredMention spanish = MakeMention("s", "2");
  spanish.lang = "es";
  WriteBatch first;
  first.AddMention(big);
  first.AddMention(other_brand);
  first.AddMention(spanish);
  ASSERT_TRUE((*store)->Write(first).ok());
  clock.Advance(std::chrono::minutes(59));
  WriteBatch second;
  second.AddMention(MakeMention("s", "3"));
  second.AddMention(MakeMention("s", "1"));  // seen before: neither stored nor counted
  ASSERT_TRUE((*store)->Write(second).ok());
  clock.Advance(std::chrono::minutes(1));
  WriteBatch next_hour;
  next_hour.AddMention(MakeMention("s", "4"));
  ASSERT_TRUE((*store)->Write(next_hour).ok());

  auto db = Database::Open((dir.path() / "state.db").string());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Rollups(*db), (std::vector<std::string>{
                              "acme 1767225600000 rss  negative: 2 -1.40 1.06 1000",
                              "acme 1767225600000 rss es negative: 1 -0.50 0.25 0",
                              "acme 1767229200000 rss  negative: 1 -0.50 0.25 0",
                              "globex 1767225600000 rss  negative: 1 -0.50 0.25 0",
                          }));
  EXPECT_EQ(*db->QueryInt("SELECT sum(mentions) FROM rollup_hourly"), *db->QueryInt("SELECT count(*) FROM mentions"));
}

// The rows of `sql`, `columns` columns each, as "a b ...".
std::vector<std::string> Rows(Database& db, const std::string& sql, int columns) {
  auto stmt = db.Prepare(sql);
  std::vector<std::string> out;
  while (*stmt->Step()) {
    std::string row;
    for (int i = 0; i < columns; ++i) row += (i ? " " : "") + stmt->ColumnText(i);
    out.push_back(row);
  }
  return out;
}

TEST(StoreFileTest, DailyAndBrandRollupsCountTheSameMentionsByDayAndByBrandAndLabel) {
  testing::TempDir dir;
  FakeClock clock;  // 2026-01-01T00:00:00Z: 1767225600000
  ThreadSet threads;
  auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto write = [&](std::vector<ScoredMention> mentions) {
    WriteBatch batch;
    for (auto& m : mentions) batch.AddMention(std::move(m));
    ASSERT_TRUE((*store)->Write(batch).ok());
  };
  ScoredMention spanish = MakeMention("s", "2");
  spanish.lang = "es";
  ScoredMention reddit = MakeMention("r", "1");
  reddit.mention.channel = "reddit";
  write({MakeMention("s", "1"), spanish, MakeMention("s", "1", "globex")});
  clock.Advance(std::chrono::hours(5));
  write({reddit});
  clock.Advance(std::chrono::hours(20));  // the next day
  write({MakeMention("s", "3")});

  auto db = Database::Open((dir.path() / "state.db").string());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Rows(*db, "SELECT brand, day, channel, lang, label, mentions FROM rollup_daily ORDER BY 1, 2, 3, 4", 6),
            (std::vector<std::string>{
                "acme 1767225600000 reddit  negative 1",
                "acme 1767225600000 rss  negative 1",
                "acme 1767225600000 rss es negative 1",
                "acme 1767312000000 rss  negative 1",
                "globex 1767225600000 rss  negative 1",
            }));
  EXPECT_EQ(Rows(*db, "SELECT brand, hour, label, mentions FROM rollup_brand_hourly ORDER BY 1, 2", 4),
            (std::vector<std::string>{
                "acme 1767225600000 negative 2",
                "acme 1767243600000 negative 1",
                "acme 1767315600000 negative 1",
                "globex 1767225600000 negative 1",
            }));
  for (const char* table : {"rollup_hourly", "rollup_daily", "rollup_brand_hourly"}) {
    EXPECT_EQ(*db->QueryInt(std::string("SELECT sum(mentions) FROM ") + table), 5) << table;
    EXPECT_EQ(*db->QueryInt(std::string("SELECT CAST(round(sum(score_sum) * 100) AS INTEGER) FROM ") + table), -250)
        << table;
  }
}

TEST(StoreFileTest, AMentionOfALanguageWithoutLexiconIsStoredAndCountedUnscored) {
  testing::TempDir dir;
  FakeClock clock;
  ThreadSet threads;
  auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ScoredMention russian = MakeMention("s", "1");
  russian.lang = "ru";
  russian.sentiment = Sentiment{};  // a neutral reading that is not one
  russian.sentiment.scored = false;
  ScoredMention neutral = MakeMention("s", "2");
  neutral.sentiment = Sentiment{};
  WriteBatch batch;
  batch.AddMention(russian);
  batch.AddMention(neutral);
  ASSERT_TRUE((*store)->Write(batch).ok());
  auto db = Database::Open((dir.path() / "state.db").string());
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Rows(*db, "SELECT mention_id, label FROM mentions ORDER BY 1", 2),
            (std::vector<std::string>{"1 unscored", "2 neutral"}));
  for (const char* table : {"rollup_hourly", "rollup_daily", "rollup_brand_hourly"}) {
    EXPECT_EQ(Rows(*db, std::string("SELECT label, mentions FROM ") + table + " ORDER BY 1", 2),
              (std::vector<std::string>{"neutral 1", "unscored 1"}))
        << table;
  }
  // Read back, it says it was not scored, as the alert that carried it did.
  auto read = (*store)->ReadMentions(0, 10);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 2u);
  EXPECT_FALSE((*read)[0].scored.sentiment.scored);
  EXPECT_EQ((*read)[0].scored.sentiment.label, "neutral");
  EXPECT_TRUE((*read)[1].scored.sentiment.scored);
}

TEST_F(StoreTest, OneItemMatchingTwoBrandsIsStoredForEach) {
  WriteBatch batch;
  batch.AddMention(MakeMention("s", "1", "acme"));
  batch.AddMention(MakeMention("s", "1", "globex"));
  auto r = store_->Write(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mentions_written, 2u);
  EXPECT_EQ(store_->Counts()->seen, 1);
}

TEST_F(StoreTest, MentionsRoundTripLosslesslyEvenHostileOnes) {
  ScoredMention m = MakeMention("src\0x", "id\xFF", "acme");
  m.mention.source = std::string("src\0x", 5);
  m.mention.text = std::string(8 << 20, 'a') + std::string("\0\xC3\x28\xED\xA0\x80", 6) + "'); DROP TABLE mentions;--";
  m.mention.title = "title \xE2\x82";
  m.mention.url = "https://example.com/?q=1&r=2";
  m.mention.author = "";
  m.mention.published = *ParseRfc3339("2026-02-03T04:05:06Z");
  m.mention.SetMetric("followers", 1234.5);
  m.mention.SetMetric("rating", 1);
  m.lang = "pt-BR";
  m.matched_terms = {"acme", "3:x", "", std::string("a\0b", 3)};
  m.sentiment = {0.25, 0.3, 0.6, 0.1, "positive", -0.75};
  m.mention.truncated = {"title", "text"};
  m.mention.kind = ChannelKind::kReview;
  m.mention.reply_to = "acmecorp";
  ScoredMention plain = MakeMention("s", "2");
  WriteBatch batch;
  batch.AddMention(m);
  batch.AddMention(plain);
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_TRUE(*store_->SeenBefore(m.mention.source, m.mention.id));

  auto rows = store_->ReadMentions(0, 10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  const ScoredMention& got = (*rows)[0].scored;
  EXPECT_EQ(got.mention.source, m.mention.source);
  EXPECT_EQ(got.mention.id, m.mention.id);
  EXPECT_EQ(got.mention.text, m.mention.text);
  EXPECT_EQ(got.mention.title, m.mention.title);
  EXPECT_EQ(got.mention.url, m.mention.url);
  EXPECT_EQ(got.mention.author, "");
  EXPECT_EQ(got.mention.published, m.mention.published);
  EXPECT_EQ(got.mention.metrics, m.mention.metrics);
  EXPECT_EQ(got.lang, "pt-BR");
  EXPECT_EQ(got.matched_terms, m.matched_terms);
  EXPECT_EQ(got.sentiment.compound, 0.25);
  EXPECT_EQ(got.sentiment.target, -0.75);
  EXPECT_EQ(got.sentiment.label, "positive");
  EXPECT_EQ(got.brand, "acme");
  EXPECT_EQ(got.mention.truncated, (std::vector<std::string>{"title", "text"}));
  EXPECT_EQ(got.mention.kind, ChannelKind::kReview);
  EXPECT_EQ(got.mention.reply_to, "acmecorp");
  const ScoredMention& second = (*rows)[1].scored;
  EXPECT_TRUE(second.mention.truncated.empty());
  EXPECT_EQ(second.mention.kind, ChannelKind::kUnknown);
  EXPECT_EQ(second.mention.reply_to, "");
  EXPECT_FALSE(second.mention.published);
  EXPECT_FALSE(second.sentiment.target);
  EXPECT_TRUE(second.matched_terms.empty());
  EXPECT_EQ((*rows)[1].stored_at, clock_.Now());

  auto after = store_->ReadMentions((*rows)[0].row, 10);
  ASSERT_EQ(after->size(), 1u);
}

TEST_F(StoreTest, AlertsGetStrictlyIncreasingSeqsAndPayloadsCarryThem) {
  WriteBatch batch;
  batch.AddAlert(MakeAlert("a"));
  batch.AddAlert(MakeAlert("b"));
  auto r = store_->Write(batch);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->alerts.size(), 2u);
  EXPECT_EQ(r->alerts[0].seq, 1u);
  EXPECT_EQ(r->alerts[1].seq, 2u);
  auto seq = store_->Append(MakeAlert("c"));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 3u);
  auto entries = store_->ReadSince(0, "", 100);
  ASSERT_EQ(entries->size(), 3u);
  for (size_t i = 0; i < entries->size(); ++i) {
    const JournalEntry& e = (*entries)[i];
    EXPECT_EQ(e.seq, i + 1);
    EXPECT_EQ(e.topic, "alert.acme.negative_mention");
    rapidjson::Document doc;
    doc.Parse(e.payload.c_str());
    ASSERT_FALSE(doc.HasParseError()) << e.payload;
    EXPECT_EQ(doc["seq"].GetUint64(), e.seq);
    EXPECT_EQ(doc["v"].GetInt(), 1);
  }
}

TEST_F(StoreTest, OneEventRaisesOneAlert) {
  ASSERT_TRUE(store_->Append(MakeAlert("acme|negative_mention|s|1")).ok());
  auto again = store_->Append(MakeAlert("acme|negative_mention|s|1"));
  EXPECT_EQ(again.status().code(), Status::Code::kNotFound);
  WriteBatch batch;
  batch.AddAlert(MakeAlert("acme|negative_mention|s|1"));
  batch.AddAlert(MakeAlert("acme|negative_mention|s|2"));
  batch.AddAlert(MakeAlert("acme|negative_mention|s|2"));
  auto r = store_->Write(batch);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alerts.size(), 1u);
  EXPECT_EQ(r->alerts_deduped, 2u);
  // Alerts without a dedupe key are all kept.
  EXPECT_TRUE(store_->Append(MakeAlert("")).ok());
  EXPECT_TRUE(store_->Append(MakeAlert("")).ok());
  EXPECT_EQ(store_->Counts()->alerts, 4);
}

TEST_F(StoreTest, CatchUpReadsFilterBySeqTopicPrefixAndLimit) {
  ASSERT_TRUE(store_->Append(MakeAlert("1", "volume_spike", "acme")).ok());
  ASSERT_TRUE(store_->Append(MakeAlert("2", "praise", "globex")).ok());
  ASSERT_TRUE(store_->Append(MakeAlert("3", "praise", "acme")).ok());
  ASSERT_TRUE(store_->Append(MakeAlert("4", "keyword", "acme")).ok());
  auto acme = store_->ReadSince(0, "alert.acme.", 100);
  ASSERT_EQ(acme->size(), 3u);
  EXPECT_EQ((*acme)[0].seq, 1u);
  EXPECT_EQ((*acme)[2].seq, 4u);
  auto after = store_->ReadSince(1, "alert.acme.", 1);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].seq, 3u);
  EXPECT_EQ(store_->ReadSince(4, "", 10)->size(), 0u);
  EXPECT_EQ(store_->ReadSince(0, "alert.initech", 10)->size(), 0u);
  EXPECT_EQ(store_->ReadSince(0, std::string("alert\0", 6), 10)->size(), 0u);
}

TEST_F(StoreTest, SeqNeverGoesBackEvenAfterEveryAlertIsPruned) {
  ASSERT_TRUE(store_->Append(MakeAlert("a")).ok());
  ASSERT_TRUE(store_->Append(MakeAlert("b")).ok());
  auto pruned = store_->Prune(FromUnixMillis(1'767'225'600'000) + std::chrono::hours(24 * 31));
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(pruned->alerts, 2);
  EXPECT_EQ(*store_->LastSeq(), 2u);
  EXPECT_EQ(*store_->Append(MakeAlert("c")), 3u);
}

TEST_F(StoreTest, SourceStateRoundTripsAndReplacesTheCursor) {
  SourceState st;
  st.source = "reddit";
  st.etag = "\"abc\"";
  st.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
  st.cursor = {{"after", "t3_x"}, {"page", "2"}};
  st.failures = 3;
  st.backoff = std::chrono::seconds(40);
  st.last_error = "http 503 from https://example.com";
  st.last_error_at = clock_.Now();
  st.next_attempt = clock_.Now() + std::chrono::seconds(40);
  WriteBatch batch;
  batch.PutSourceState(st);
  ASSERT_TRUE(store_->Write(batch).ok());
  auto got = store_->LoadSourceState("reddit");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->etag, st.etag);
  EXPECT_EQ((*got)->last_modified, st.last_modified);
  EXPECT_EQ((*got)->cursor, st.cursor);
  EXPECT_EQ((*got)->failures, 3);
  EXPECT_EQ((*got)->backoff, st.backoff);
  EXPECT_FALSE((*got)->last_success);
  EXPECT_EQ((*got)->last_error_at, st.last_error_at);
  EXPECT_EQ((*got)->next_attempt, st.next_attempt);

  st.cursor = {{"after", "t3_y"}};
  st.failures = 0;
  st.last_success = clock_.Now();
  WriteBatch update;
  update.PutSourceState(st);
  ASSERT_TRUE(store_->Write(update).ok());
  auto all = store_->LoadSourceStates();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].cursor, st.cursor);
  EXPECT_EQ((*all)[0].last_success, st.last_success);
  EXPECT_FALSE(store_->LoadSourceState("other")->has_value());
}

TEST_F(StoreTest, RuleStateIsPutReplacedAndDeleted) {
  WriteBatch batch;
  batch.PutRuleState("acme", "volume", "1");
  batch.PutRuleState("acme", "volume", "2");
  batch.PutRuleState("acme", "shift", "x");
  batch.PutRuleState("globex", "volume", "3");
  batch.DeleteRuleState("acme", "shift");
  ASSERT_TRUE(store_->Write(batch).ok());
  auto entries = store_->LoadRuleState();
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].brand, "acme");
  EXPECT_EQ((*entries)[0].value, "2");
  EXPECT_EQ((*entries)[1].brand, "globex");
}

TEST_F(StoreTest, AMentionMarkNamesTheLastMentionStoredBeforeItEvenInAppendedBatches) {
  auto marks = [&] {
    std::map<std::string, std::string> out;
    auto entries = store_->LoadRuleState();
    EXPECT_TRUE(entries.ok());
    for (const auto& e : *entries) out[e.key] = e.value;
    return out;
  };
  WriteBatch empty;
  empty.PutMentionMark("", "at_start");
  ASSERT_TRUE(store_->Write(empty).ok());
  EXPECT_EQ(marks()["at_start"], "0");

  WriteBatch first;
  first.AddMention(MakeMention("s", "1"));
  first.AddMention(MakeMention("s", "2"));
  first.PutMentionMark("", "after_2");
  first.AddMention(MakeMention("s", "3"));
  WriteBatch second;
  second.PutMentionMark("", "after_3");
  second.AddMention(MakeMention("s", "1"));  // seen: not stored again
  second.PutMentionMark("", "after_repeat");
  second.AddMention(MakeMention("s", "4"));
  second.PutMentionMark("", "after_4");
  first.Append(std::move(second));
  ASSERT_TRUE(store_->Write(first).ok());
  auto rows = store_->ReadMentions(0, 10);
  ASSERT_EQ(rows->size(), 4u);
  std::map<std::string, std::string> got = marks();
  EXPECT_EQ(got["after_2"], std::to_string((*rows)[1].row));
  EXPECT_EQ(got["after_3"], std::to_string((*rows)[2].row));
  EXPECT_EQ(got["after_repeat"], std::to_string((*rows)[2].row));
  EXPECT_EQ(got["after_4"], std::to_string((*rows)[3].row));

  // Rows are not numbered again once every mention is pruned, so a mark
  // never hides the mentions stored after it.
  clock_.Advance(std::chrono::hours(24 * 400));
  ASSERT_TRUE(store_->Prune(clock_.Now()).ok());
  ASSERT_EQ(store_->Counts()->mentions, 0);
  WriteBatch later;
  later.AddMention(MakeMention("s", "5"));
  ASSERT_TRUE(store_->Write(later).ok());
  auto after = store_->ReadMentions(std::stoll(got["after_4"]), 10);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ(after->front().scored.mention.id, "5");
}

TEST_F(StoreTest, PruneHonoursEachTablesRetention) {
  WriteBatch old_batch;
  old_batch.AddMention(MakeMention("s", "old"));
  old_batch.PutRuleState("acme", "k", "v");
  Alert old_alert = MakeAlert("old");
  old_alert.ts = clock_.Now();
  old_batch.AddAlert(old_alert);
  ASSERT_TRUE(store_->Write(old_batch).ok());

  clock_.Advance(std::chrono::hours(24 * 60));
  WriteBatch recent;
  recent.AddMention(MakeMention("s", "recent"));
  Alert new_alert = MakeAlert("new");
  new_alert.ts = clock_.Now();
  recent.AddAlert(new_alert);
  ASSERT_TRUE(store_->Write(recent).ok());

  // Day 60: the old alert (30d) and rule state (30d) expire, the old mention (90d) stays.
  auto p1 = store_->Prune(clock_.Now());
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->alerts, 1);
  EXPECT_EQ(p1->rule_state, 1);
  EXPECT_EQ(p1->mentions, 0);
  // Day 91: the old mention goes; its seen id (180d) stays so it is not stored again.
  clock_.Advance(std::chrono::hours(24 * 31));
  auto p2 = store_->Prune(clock_.Now());
  EXPECT_EQ(p2->mentions, 1);
  EXPECT_EQ(p2->seen, 0);
  EXPECT_TRUE(*store_->SeenBefore("s", "old"));
  clock_.Advance(std::chrono::hours(24 * 90));
  auto p3 = store_->Prune(clock_.Now());
  EXPECT_EQ(p3->seen, 1);
  EXPECT_FALSE(*store_->SeenBefore("s", "old"));
  EXPECT_TRUE(*store_->SeenBefore("s", "recent"));
  // The rollups (400d) outlive the mentions they count.
  EXPECT_EQ(p1->rollups + p2->rollups + p3->rollups, 0);
  // Each row goes once all of its period is past the retention: the two
  // hourly ones an hour after, the daily one at the end of its day.
  clock_.Advance(std::chrono::hours(24 * 219 + 1));
  auto p4 = store_->Prune(clock_.Now());
  EXPECT_EQ(p4->rollups, 2);
  clock_.Advance(std::chrono::hours(22));
  EXPECT_EQ(store_->Prune(clock_.Now())->rollups, 0);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(store_->Prune(clock_.Now())->rollups, 1);
}

TEST_F(StoreTest, AnInjectedFaultFailsTheWriteAsSqliteWouldAndARetryWritesTheSame) {
  auto batch = [] {
    WriteBatch b;
    b.AddMention(MakeMention("s", "1"));
    b.AddAlert(MakeAlert("k1"));
    b.AddAlert(MakeAlert("k2"));
    b.PutRuleState("acme", "k", "v");
    return b;
  };
  ASSERT_TRUE(store_->Append(MakeAlert("k0")).ok());
  const std::pair<int, const char*> faults[] = {
      {SQLITE_FULL, "database or disk is full"}, {SQLITE_BUSY, "database is locked"}, {SQLITE_IOERR, "disk I/O error"}};
  int fail_at = 0;  // each of the batch's six steps in turn
  for (const auto& [code, text] : faults) {
    for (int i = 0; i < 3; ++i, ++fail_at) {
      store_->SetFaultHookForTesting([&, code = code](int step) { return step == fail_at % 6 ? code : SQLITE_OK; });
      auto written = store_->Write(batch());
      ASSERT_FALSE(written.ok());
      EXPECT_EQ(written.status().code(), Status::Code::kUnavailable) << "a failure that may pass";
      EXPECT_NE(written.status().message().find(text), std::string::npos) << written.status().message();
    }
  }
  store_->SetFaultHookForTesting(nullptr);
  StoreCounts counts = *store_->Counts();
  EXPECT_EQ(counts.mentions + counts.seen + counts.rule_state, 0) << "a failed write leaves nothing";
  EXPECT_EQ(counts.alerts, 1);
  auto written = store_->Write(batch());
  ASSERT_TRUE(written.ok()) << written.status().message();
  ASSERT_EQ(written->alerts.size(), 2u);
  EXPECT_EQ(written->alerts[0].seq, 2u) << "the retry gets the seqs the failed write would have";
  EXPECT_EQ(written->alerts[1].seq, 3u);
  EXPECT_EQ(written->mentions_written, 1u);
}

TEST_F(StoreTest, AnAbandonedWriteLeavesNothingAndTheStoreUsable) {
  WriteBatch batch;
  batch.AddMention(MakeMention("s", "1"));
  batch.AddAlert(MakeAlert("k"));
  batch.PutRuleState("acme", "k", "v");
  store_->SetWriteHookForTesting([](int step) {
    if (step == 2) throw std::runtime_error("abandoned");
  });
  EXPECT_THROW((void)store_->Write(batch), std::runtime_error);
  store_->SetWriteHookForTesting(nullptr);
  StoreCounts counts = *store_->Counts();
  EXPECT_EQ(counts.mentions + counts.seen + counts.alerts + counts.rule_state, 0);
  EXPECT_FALSE(*store_->SeenBefore("s", "1"));
  auto r = store_->Write(batch);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->alerts.size(), 1u);
  EXPECT_EQ(r->alerts[0].seq, 1u);
}

TEST(StoreFileTest, ReopeningKeepsEverythingAndUsesWal) {
  testing::TempDir dir;
  FakeClock clock;
  ThreadSet threads;
  {
    auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    WriteBatch batch;
    batch.AddMention(MakeMention("s", "1"));
    batch.AddAlert(MakeAlert("k"));
    ASSERT_TRUE((*store)->Write(batch).ok());
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "state.db-wal"));
  }
  auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(*(*store)->SeenBefore("s", "1"));
  EXPECT_EQ(*(*store)->LastSeq(), 1u);
  EXPECT_EQ(*(*store)->SchemaVersion(), Migrations().back().version);
}

TEST(StoreFileTest, FullSynchronousOpens) {
  testing::TempDir dir;
  FakeClock clock;
  ThreadSet threads;
  StoreOptions o = Options("full.db");
  o.synchronous = "full";
  auto store = Store::Open(o, dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->Append(MakeAlert("x")).ok());
}

TEST(StoreFileTest, AFileThatIsNotADatabaseIsReported) {
  testing::TempDir dir;
  FakeClock clock;
  ThreadSet threads;
  dir.Write("bad.db", std::string(8192, '\x42'));
  auto store = Store::Open(Options("bad.db"), dir.path().string(), clock, threads);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), Status::Code::kCorrupt) << store.status().ToString();
}

// ---- Crash consistency ------------------------------------------------------

// What one poll commits: three mentions, the alert one of them raised, the
// source's new cursor and the rules' state. With `store`, mentions already
// seen are dropped first, as the engine does after a restart.
WriteBatch PollBatch(int poll, Store* store = nullptr) {
  WriteBatch batch;
  for (int i = 0; i < 3; ++i) {
    std::string id = std::to_string(poll) + "-" + std::to_string(i);
    if (store && *store->SeenBefore("feed", id)) continue;
    batch.AddMention(MakeMention("feed", id));
  }
  batch.AddAlert(MakeAlert("acme|negative_mention|feed|" + std::to_string(poll) + "-0"));
  SourceState st;
  st.source = "feed";
  st.cursor = {{"after", std::to_string(poll)}};
  batch.PutSourceState(st);
  batch.PutRuleState("acme", "polls", std::to_string(poll));
  return batch;
}

// Checks that polls 0..n-1 are either wholly in the store or wholly absent,
// and returns how many are in.
int CommittedPolls(Store& store, int n) {
  int committed = 0;
  StoreCounts c = *store.Counts();
  for (int poll = 0; poll < n; ++poll) {
    int seen = 0;
    for (int i = 0; i < 3; ++i) seen += *store.SeenBefore("feed", std::to_string(poll) + "-" + std::to_string(i));
    EXPECT_TRUE(seen == 0 || seen == 3) << "poll " << poll << " partly committed";
    committed += seen == 3;
  }
  EXPECT_EQ(c.mentions, 3 * committed);
  EXPECT_EQ(c.seen, 3 * committed);
  EXPECT_EQ(c.alerts, committed);
  EXPECT_EQ(*store.LastSeq(), static_cast<uint64_t>(committed));
  if (committed > 0) {
    auto rule = store.LoadRuleState();
    EXPECT_EQ(rule->size(), 1u);
    EXPECT_EQ((*rule)[0].value, std::to_string(committed - 1));
    EXPECT_EQ((*store.LoadSourceState("feed"))->cursor[0].second, std::to_string(committed - 1));
  }
  return committed;
}

// Runs `child` in a forked process that ends with _exit, and waits for it.
template <typename F>
void RunChild(F child) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    child();
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
}

TEST(StoreCrashTest, AKillAtAnyStepOfACommitLosesAndRepeatsNothing) {
  // Count the steps of one poll's commit.
  int steps = 0;
  {
    FakeClock clock;
    ThreadSet threads;
    auto store = Store::Open(Options(), "", clock, threads);
    (*store)->SetWriteHookForTesting([&](int step) { steps = std::max(steps, step + 1); });
    ASSERT_TRUE((*store)->Write(PollBatch(0)).ok());
  }
  ASSERT_GT(steps, 8);
  for (int kill_at = 0; kill_at <= steps; ++kill_at) {
    SCOPED_TRACE("killed at step " + std::to_string(kill_at));
    testing::TempDir dir;
    RunChild([&] {
      FakeClock clock;
      ThreadSet threads;
      auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
      if (!store.ok() || !(*store)->Write(PollBatch(0)).ok()) _exit(1);
      (*store)->SetWriteHookForTesting([&](int step) {
        if (step == kill_at) _exit(0);
      });
      (void)(*store)->Write(PollBatch(1));
      _exit(0);  // kill_at == steps: right after the commit
    });
    FakeClock clock;
    ThreadSet threads;
    auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    int committed = CommittedPolls(**store, 2);
    EXPECT_EQ(committed, kill_at == steps ? 2 : 1);
    // The restarted daemon polls again: nothing is lost, nothing repeats.
    for (int poll = 0; poll < 2; ++poll) ASSERT_TRUE((*store)->Write(PollBatch(poll, store->get())).ok());
    EXPECT_EQ(CommittedPolls(**store, 2), 2);
  }
}

TEST(StoreCrashTest, SigkillWhileWritingKeepsWholePolls) {
  testing::TempDir dir;
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    FakeClock clock;
    ThreadSet threads;
    auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
    if (!store.ok()) _exit(1);
    for (int poll = 0; poll < 100000; ++poll) {
      if (!(*store)->Write(PollBatch(poll)).ok()) _exit(1);
      char c = 'c';
      if (write(fds[1], &c, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  close(fds[1]);
  int acknowledged = 0;
  char c;
  while (acknowledged < 20 && read(fds[0], &c, 1) == 1) ++acknowledged;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  ASSERT_EQ(acknowledged, 20);

  FakeClock clock;

  ThreadSet threads;
  auto store = Store::Open(Options("state.db"), dir.path().string(), clock, threads);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto last = (*store)->LastSeq();
  int n = static_cast<int>(*last) + 2;
  int committed = CommittedPolls(**store, n);
  EXPECT_GE(committed, acknowledged);
  for (int poll = 0; poll < n; ++poll) ASSERT_TRUE((*store)->Write(PollBatch(poll, store->get())).ok());
  EXPECT_EQ(CommittedPolls(**store, n), n);
}

}  // namespace
}  // namespace brandmon::store
