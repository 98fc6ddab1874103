#include "daemon/store/schema.h"

#include <cassert>
#include <string>

#include "daemon/base/mention.h"
#include "daemon/store/fields.h"

namespace brandmon::store {

namespace {

// Version 5: each stored mention's reach, from its metrics, then the hourly
// rollups of every mention stored so far.
Status BackfillRollups(Database& db) {
  auto read = db.Prepare("SELECT rowid, metrics FROM mentions WHERE metrics <> ''");
  if (!read.ok()) return read.status();
  auto write = db.Prepare("UPDATE mentions SET reach = ?2 WHERE rowid = ?1");
  if (!write.ok()) return write.status();
  for (;;) {
    auto row = read->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    Mention m;
    m.metrics = DecodeMetrics(read->ColumnText(1));
    double reach = Reach(m);
    if (reach == 0) continue;
    write->Reset();
    Status s = write->BindInt(1, read->ColumnInt(0));
    if (s.ok()) s = write->BindDouble(2, reach);
    if (s.ok()) s = write->Run();
    if (!s.ok()) return s;
  }
  return db.Exec(
      "INSERT INTO rollup_hourly SELECT brand, stored_at - stored_at % 3600000, channel, lang, label, count(*), "
      "sum(coalesce(target, compound)), sum(coalesce(target, compound) * coalesce(target, compound)), sum(reach) "
      "FROM mentions GROUP BY 1, 2, 3, 4, 5");
}

// Strings are stored as TEXT (see Statement; versions before 4 stored them
// as blobs), times as Unix milliseconds.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE seen (
  source TEXT NOT NULL,
  id TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  PRIMARY KEY (source, id)
) WITHOUT ROWID;
CREATE INDEX seen_first_seen ON seen (first_seen);

CREATE TABLE source_state (
  source TEXT PRIMARY KEY NOT NULL,
  etag TEXT NOT NULL DEFAULT '',
  last_modified TEXT NOT NULL DEFAULT '',
  failures INTEGER NOT NULL DEFAULT 0,
  backoff_ms INTEGER NOT NULL DEFAULT 0,
  last_success INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  last_error_at INTEGER,
  next_attempt INTEGER
);

CREATE TABLE source_cursor (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (source, key)
) WITHOUT ROWID;

CREATE TABLE mentions (
  rowid INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  channel TEXT NOT NULL,
  brand TEXT NOT NULL,
  mention_id TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  author TEXT NOT NULL,
  published INTEGER,
  lang TEXT NOT NULL,
  metrics TEXT NOT NULL,
  compound REAL NOT NULL,
  pos REAL NOT NULL,
  neu REAL NOT NULL,
  neg REAL NOT NULL,
  label TEXT NOT NULL,
  target REAL,
  matched_terms TEXT NOT NULL,
  stored_at INTEGER NOT NULL,
  UNIQUE (source, mention_id, brand)
);
CREATE INDEX mentions_stored_at ON mentions (stored_at);
CREATE INDEX mentions_brand ON mentions (brand, stored_at);

CREATE TABLE alerts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  topic TEXT NOT NULL,
  payload TEXT NOT NULL,
  dedupe_key TEXT NOT NULL
);
CREATE UNIQUE INDEX alerts_dedupe ON alerts (dedupe_key) WHERE dedupe_key <> x'';
CREATE INDEX alerts_ts ON alerts (ts);

CREATE TABLE rule_state (
  brand TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (brand, key)
) WITHOUT ROWID;
)sql"},
    // The seen table already keeps a (source, id) to one batch, whose
    // mentions are one per brand, so the UNIQUE index on mentions only cost
    // every insert a text index; and no query reads mentions by brand, while
    // that index made each commit write a page per brand. Rows are never
    // numbered again once pruned (AUTOINCREMENT), so that a mark of the
    // rules (the last row they counted) stays valid. SQLite drops a table
    // constraint only by copying the table.
    {2, R"sql(
CREATE TABLE mentions_v2 (
  rowid INTEGER PRIMARY KEY AUTOINCREMENT,
  source TEXT NOT NULL,
  channel TEXT NOT NULL,
  brand TEXT NOT NULL,
  mention_id TEXT NOT NULL,
  url TEXT NOT NULL,
  title TEXT NOT NULL,
  text TEXT NOT NULL,
  author TEXT NOT NULL,
  published INTEGER,
  lang TEXT NOT NULL,
  metrics TEXT NOT NULL,
  compound REAL NOT NULL,
  pos REAL NOT NULL,
  neu REAL NOT NULL,
  neg REAL NOT NULL,
  label TEXT NOT NULL,
  target REAL,
  matched_terms TEXT NOT NULL,
  stored_at INTEGER NOT NULL
);
INSERT INTO mentions_v2 SELECT rowid, source, channel, brand, mention_id, url, title, text, author, published, lang,
  metrics, compound, pos, neu, neg, label, target, matched_terms, stored_at FROM mentions;
DROP TABLE mentions;
ALTER TABLE mentions_v2 RENAME TO mentions;
CREATE INDEX mentions_stored_at ON mentions (stored_at);
)sql"},
    // The fields the mention limits cut, as published in `truncated`: a
    // mention read back says it is not whole, as the alert that carried it did.
    {3, R"sql(
ALTER TABLE mentions ADD COLUMN truncated TEXT NOT NULL DEFAULT '';
)sql"},
    // Strings become TEXT, so that `sqlite3` queries with plain string
    // literals ('acme') find them: a blob never equals a text value. Keys
    // change type with their rows, so lookups by the new TEXT keys still find
    // the old rows. The dedupe index compared with the empty blob.
    {4, R"sql(
UPDATE seen SET source = CAST(source AS TEXT), id = CAST(id AS TEXT);
UPDATE source_state SET source = CAST(source AS TEXT), etag = CAST(etag AS TEXT),
  last_modified = CAST(last_modified AS TEXT), last_error = CAST(last_error AS TEXT);
UPDATE source_cursor SET source = CAST(source AS TEXT), key = CAST(key AS TEXT), value = CAST(value AS TEXT);
UPDATE mentions SET source = CAST(source AS TEXT), channel = CAST(channel AS TEXT), brand = CAST(brand AS TEXT),
  mention_id = CAST(mention_id AS TEXT), url = CAST(url AS TEXT), title = CAST(title AS TEXT),
  text = CAST(text AS TEXT), author = CAST(author AS TEXT), lang = CAST(lang AS TEXT),
  metrics = CAST(metrics AS TEXT), label = CAST(label AS TEXT), matched_terms = CAST(matched_terms AS TEXT),
  truncated = CAST(truncated AS TEXT);
UPDATE alerts SET topic = CAST(topic AS TEXT), payload = CAST(payload AS TEXT),
  dedupe_key = CAST(dedupe_key AS TEXT);
UPDATE rule_state SET brand = CAST(brand AS TEXT), key = CAST(key AS TEXT), value = CAST(value AS TEXT);
DROP INDEX alerts_dedupe;
CREATE UNIQUE INDEX alerts_dedupe ON alerts (dedupe_key) WHERE dedupe_key <> '';
)sql"},
    // Hourly rollups, for questions over weeks that the raw mentions answer
    // slowly or, once pruned, not at all: per brand, hour (Unix ms of its
    // start, by the time the mention was stored), channel, language and
    // label, the count, the sum and the sum of squares of the score rules
    // judge (the brand-targeted compound when there is one) and the sum of
    // reach. Written in the transaction that stores the mentions. Queries go
    // by brand and time, which the primary key serves; pruning by hour alone
    // scans the table once per prune_interval rather than have every commit
    // update a second index.
    {5, R"sql(
ALTER TABLE mentions ADD COLUMN reach REAL NOT NULL DEFAULT 0;
CREATE TABLE rollup_hourly (
  brand TEXT NOT NULL,
  hour INTEGER NOT NULL,
  channel TEXT NOT NULL,
  lang TEXT NOT NULL,
  label TEXT NOT NULL,
  mentions INTEGER NOT NULL,
  score_sum REAL NOT NULL,
  score_squares REAL NOT NULL,
  reach_sum REAL NOT NULL,
  PRIMARY KEY (brand, hour, channel, lang, label)
) WITHOUT ROWID;
)sql",
     BackfillRollups},
    // Full-text search over the mentions' title, text and author (FTS5, an
    // external-content index: the text is kept once, in mentions). The
    // writer indexes new mentions in bulk a little after their commit
    // (Store::IndexForSearch), which costs a commit far less than a trigger
    // per row; search_index.upto is the last row indexed. Deleting a row
    // (pruning) takes it out of the index only if it was in. 'rebuild'
    // indexes the mentions stored so far. Diacritics fold away, so that
    // "cafe" finds "café".
    {6, R"sql(
CREATE VIRTUAL TABLE mentions_fts USING fts5(title, text, author, content = 'mentions', content_rowid = 'rowid',
  tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE search_index (upto INTEGER NOT NULL);
INSERT INTO search_index (upto) SELECT coalesce(max(rowid), 0) FROM mentions;
CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions
  WHEN old.rowid <= (SELECT upto FROM search_index) BEGIN
  INSERT INTO mentions_fts (mentions_fts, rowid, title, text, author)
    VALUES ('delete', old.rowid, old.title, old.text, old.author);
END;
CREATE TRIGGER mentions_fts_update AFTER UPDATE OF title, text, author ON mentions
  WHEN old.rowid <= (SELECT upto FROM search_index) BEGIN
  INSERT INTO mentions_fts (mentions_fts, rowid, title, text, author)
    VALUES ('delete', old.rowid, old.title, old.text, old.author);
  INSERT INTO mentions_fts (rowid, title, text, author) VALUES (new.rowid, new.title, new.text, new.author);
END;
INSERT INTO mentions_fts (mentions_fts) VALUES ('rebuild');
)sql"},
    // Each mention's channel kind (social, review, forum, news, blog,
    // video) and the account it replies to, which the rules read. Rows
    // stored before have neither: their kind is read from the channel's
    // name (ResolveKind), as it would have been.
    {7, R"sql(
ALTER TABLE mentions ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE mentions ADD COLUMN reply_to TEXT NOT NULL DEFAULT '';
)sql"},
    // The top mentions by reach of a brand (the dashboard's, a report's),
    // read from the largest down until the range's first few: without it,
    // every mention of the range was read and sorted, seconds over 30 days
    // of a busy brand. The key is the number of digits of the reach, not the
    // reach: a new row goes to the end of its brand's run of that length, a
    // few pages each commit touches anyway, where an index of the reach
    // itself put every row on a page of its own and cost the commits a fifth
    // of the pipeline's throughput (docs/api.md, "Indexes"). Sorted by the
    // digits first, a query sorts only the rows of the longest lengths; the
    // time, last in the key (and increasing, so still at the run's end),
    // keeps a row of another range from being read at all.
    {8, R"sql(
CREATE INDEX mentions_brand_reach ON mentions (brand, length(CAST(CAST(max(reach, 0) AS INTEGER) AS TEXT)), stored_at);
)sql"},
    // Coarser rollups beside the hourly ones (rollups.h), for the questions
    // that need less than an hour by channel, language and label: a busy
    // brand over 30 days is ~140,000 hourly rows, ~5,800 daily ones and
    // ~2,200 hourly ones by label alone. Filled from the hourly rollups,
    // which outlive the mentions.
    {9, R"sql(
CREATE TABLE rollup_daily (
  brand TEXT NOT NULL,
  day INTEGER NOT NULL,
  channel TEXT NOT NULL,
  lang TEXT NOT NULL,
  label TEXT NOT NULL,
  mentions INTEGER NOT NULL,
  score_sum REAL NOT NULL,
  score_squares REAL NOT NULL,
  reach_sum REAL NOT NULL,
  PRIMARY KEY (brand, day, channel, lang, label)
) WITHOUT ROWID;
CREATE TABLE rollup_brand_hourly (
  brand TEXT NOT NULL,
  hour INTEGER NOT NULL,
  label TEXT NOT NULL,
  mentions INTEGER NOT NULL,
  score_sum REAL NOT NULL,
  score_squares REAL NOT NULL,
  reach_sum REAL NOT NULL,
  PRIMARY KEY (brand, hour, label)
) WITHOUT ROWID;
INSERT INTO rollup_daily SELECT brand, hour - hour % 86400000, channel, lang, label, sum(mentions), sum(score_sum),
  sum(score_squares), sum(reach_sum) FROM rollup_hourly GROUP BY 1, 2, 3, 4, 5;
INSERT INTO rollup_brand_hourly SELECT brand, hour, label, sum(mentions), sum(score_sum), sum(score_squares),
  sum(reach_sum) FROM rollup_hourly GROUP BY 1, 2, 3;
)sql"},
    // A mention whose language has no lexicon is stored with the label
    // 'unscored' (fields.h), in the mentions and the rollups alike, where
    // it was 'neutral'. Stored before, such a mention is known by its
    // language, none of those scored when this version was written, and its
    // figures, those of a text with no rated word; a mention of a scored
    // language is never touched (before language identification named them,
    // such posts were stored as English, which nothing tells apart). The
    // rollups move the rows' counts and reach from 'neutral' to 'unscored'
    // (their scores are 0) where their hour is still kept.
    {10, R"sql(
CREATE TEMP TABLE unscored_rows AS SELECT rowid AS row FROM mentions WHERE label = 'neutral' AND compound = 0
  AND pos = 0 AND neg = 0 AND neu = 1 AND target IS NULL
  AND lang NOT IN ('', 'und', 'en', 'es', 'pt', 'fr', 'de', 'it', 'ca', 'ar', 'hi', 'hi-latn', 'gu', 'zh', 'ja');
CREATE TEMP TABLE unscored_hours AS SELECT brand, stored_at - stored_at % 3600000 AS hour, channel, lang,
  count(*) AS n, sum(reach) AS reach FROM mentions WHERE rowid IN (SELECT row FROM unscored_rows) GROUP BY 1, 2, 3, 4;
DELETE FROM unscored_hours WHERE NOT EXISTS (SELECT 1 FROM rollup_hourly AS r WHERE r.brand = unscored_hours.brand
  AND r.hour = unscored_hours.hour AND r.channel = unscored_hours.channel AND r.lang = unscored_hours.lang
  AND r.label = 'neutral' AND r.mentions >= unscored_hours.n);
UPDATE rollup_hourly SET mentions = mentions - d.n, reach_sum = reach_sum - d.reach FROM unscored_hours AS d
  WHERE rollup_hourly.brand = d.brand AND rollup_hourly.hour = d.hour AND rollup_hourly.channel = d.channel
  AND rollup_hourly.lang = d.lang AND rollup_hourly.label = 'neutral';
INSERT INTO rollup_hourly SELECT brand, hour, channel, lang, 'unscored', n, 0, 0, reach FROM unscored_hours;
UPDATE rollup_daily SET mentions = mentions - d.n, reach_sum = reach_sum - d.reach
  FROM (SELECT brand, hour - hour % 86400000 AS day, channel, lang, sum(n) AS n, sum(reach) AS reach
        FROM unscored_hours GROUP BY 1, 2, 3, 4) AS d
  WHERE rollup_daily.brand = d.brand AND rollup_daily.day = d.day AND rollup_daily.channel = d.channel
  AND rollup_daily.lang = d.lang AND rollup_daily.label = 'neutral';
INSERT INTO rollup_daily SELECT brand, hour - hour % 86400000, channel, lang, 'unscored', sum(n), 0, 0, sum(reach)
  FROM unscored_hours GROUP BY 1, 2, 3, 4;
UPDATE rollup_brand_hourly SET mentions = mentions - d.n, reach_sum = reach_sum - d.reach
  FROM (SELECT brand, hour, sum(n) AS n, sum(reach) AS reach FROM unscored_hours GROUP BY 1, 2) AS d
  WHERE rollup_brand_hourly.brand = d.brand AND rollup_brand_hourly.hour = d.hour
  AND rollup_brand_hourly.label = 'neutral';
INSERT INTO rollup_brand_hourly SELECT brand, hour, 'unscored', sum(n), 0, 0, sum(reach) FROM unscored_hours
  GROUP BY 1, 2;
DELETE FROM rollup_hourly WHERE mentions <= 0;
DELETE FROM rollup_daily WHERE mentions <= 0;
DELETE FROM rollup_brand_hourly WHERE mentions <= 0;
UPDATE mentions SET label = 'unscored' WHERE rowid IN (SELECT row FROM unscored_rows);
DROP TABLE unscored_rows;
DROP TABLE unscored_hours;
)sql"},
    // The alerts of named brands (the dashboard's latest alerts, the
    // emerging terms): each brand's run of topics ("alert.<brand>.<rule>")
    // read with its times from the index alone, where the time index read
    // every alert of the range, row and all, to check its topic (a quiet
    // brand's page over 30 days read some 16,000 of a 90-day journal of
    // 50,000). An alert is written far more rarely than a mention: the
    // index costs the commits next to nothing.
    {11, R"sql(
CREATE INDEX alerts_topic ON alerts (topic, ts);
)sql"},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

Result<int> SchemaVersion(Database& db) {
  if (auto s = db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); !s.ok()) return s;
  auto version = db.QueryInt("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!version.ok()) return version.status();
  return static_cast<int>(*version);
}

Status Migrate(Database& db, std::span<const Migration> steps) {
  auto current = SchemaVersion(db);
  if (!current.ok()) return current.status();
  int latest = steps.empty() ? 0 : steps.back().version;
  if (*current > latest) {
    return Status::InvalidArgument("database '" + db.path() + "' has schema version " + std::to_string(*current) +
                                   ", newer than this brandmon knows (" + std::to_string(latest) + ")");
  }
  for (const Migration& step : steps) {
    assert(step.version == static_cast<int>(&step - steps.data()) + 1);
    if (step.version <= *current) continue;
    Transaction txn(db);
    if (auto s = txn.Begin(); !s.ok()) return s;
    std::string context = "schema migration to version " + std::to_string(step.version);
    if (auto s = db.Exec(step.sql); !s.ok()) return s.WithContext(context);
    if (step.backfill != nullptr) {
      if (auto s = step.backfill(db); !s.ok()) return s.WithContext(context);
    }
    if (auto s = db.Exec("DELETE FROM schema_version; INSERT INTO schema_version (version) VALUES (" +
                         std::to_string(step.version) + ")");
        !s.ok()) {
      return s.WithContext(context);
    }
    if (auto s = txn.Commit(); !s.ok()) return s.WithContext(context);
  }
  return Status::Ok();
}

}  // namespace brandmon::store
