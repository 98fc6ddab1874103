#include "daemon/store/store.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <set>
#include <tuple>

#include <spdlog/spdlog.h>

#include "daemon/store/fields.h"
#include "daemon/store/schema.h"

namespace brandmon::store {

namespace {

Status BindOptionalTime(Statement& stmt, int index, const std::optional<WallTime>& t) {
  return t ? stmt.BindInt(index, ToUnixMillis(*t)) : stmt.BindNull(index);
}

std::optional<WallTime> ColumnOptionalTime(const Statement& stmt, int index) {
  if (stmt.ColumnIsNull(index)) return std::nullopt;
  return FromUnixMillis(stmt.ColumnInt(index));
}

constexpr std::string_view kSeenSelect = "SELECT 1 FROM seen WHERE source = ?1 AND id = ?2";

// Binds each value in order from parameter 1, stopping at the first error.
template <typename... Binders>
Status BindAll(Binders&&... binders) {
  Status status;
  ((status.ok() ? (void)(status = binders()) : (void)0), ...);
  return status;
}

Result<bool> LookUpSeen(Statement& select, std::string_view source, std::string_view id) {
  select.Reset();
  if (auto s = BindAll([&] { return select.BindText(1, source); }, [&] { return select.BindText(2, id); }); !s.ok()) {
    return s;
  }
  auto row = select.Step();
  select.Reset();
  return row;
}

}  // namespace

// ---- WriteBatch -------------------------------------------------------------

void WriteBatch::MarkSeen(std::string source, std::string id) { seen_.emplace_back(std::move(source), std::move(id)); }

void WriteBatch::AddMention(ScoredMention mention) {
  seen_.emplace_back(mention.mention.source, mention.mention.id);
  mentions_.push_back(std::move(mention));
}

void WriteBatch::AddAlert(Alert alert) { alerts_.push_back(std::move(alert)); }
void WriteBatch::PutSourceState(SourceState state) { source_states_.push_back(std::move(state)); }

void WriteBatch::PutRuleState(std::string brand, std::string key, std::string value) {
  rule_state_.push_back({std::move(brand), std::move(key), std::move(value)});
}

void WriteBatch::DeleteRuleState(std::string brand, std::string key) {
  rule_state_.push_back({std::move(brand), std::move(key), std::nullopt});
}

void WriteBatch::PutMentionMark(std::string brand, std::string key) {
  marks_.push_back({std::move(brand), std::move(key), mentions_.size()});
}

void WriteBatch::Append(WriteBatch&& other) {
  for (auto& mark : other.marks_) mark.mentions += mentions_.size();
  auto move_all = [](auto& to, auto& from) {
    if (to.empty()) {
      to = std::move(from);
    } else {
      std::move(from.begin(), from.end(), std::back_inserter(to));
    }
    from.clear();
  };
  move_all(seen_, other.seen_);
  move_all(mentions_, other.mentions_);
  move_all(alerts_, other.alerts_);
  move_all(source_states_, other.source_states_);
  move_all(rule_state_, other.rule_state_);
  move_all(marks_, other.marks_);
}

bool WriteBatch::empty() const {
  return seen_.empty() && mentions_.empty() && alerts_.empty() && source_states_.empty() && rule_state_.empty() &&
         marks_.empty();
}

// ---- Store ------------------------------------------------------------------

Store::Store(const StoreOptions& options, const Clock& clock, Database db)
    : options_(options), clock_(clock), db_(std::move(db)) {}

Result<std::unique_ptr<Store>> Store::Open(const StoreOptions& options, const std::string& state_dir,
                                           const Clock& clock, ThreadSet& threads) {
  std::string path = ResolveStorePath(options, state_dir);
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  // WAL lets readers (brandmonctl, catch-up) run beside the writer; an
  // in-memory database reports "memory" and stays so.
  if (auto s = db->Exec("PRAGMA journal_mode=WAL"); !s.ok()) return s;
  std::string sync = options.synchronous == "full" ? "FULL" : "NORMAL";
  if (auto s = db->Exec("PRAGMA synchronous=" + sync); !s.ok()) return s;
  if (auto s = Migrate(*db, Migrations()); !s.ok()) return s;
  auto wal = db->QueryInt("SELECT journal_mode = 'wal' FROM pragma_journal_mode");
  if (!wal.ok()) return wal.status();
  std::unique_ptr<Store> store(new Store(options, clock, std::move(*db)));
  if (auto s = store->Prepare(); !s.ok()) return s;
  if (*wal) {
    store->checkpointer_ = std::make_unique<Checkpointer>(path, Checkpointer::Sizes{}, threads);
    Store* self = store.get();
    store->db_.OnWalCommit([self](int pages) {
      if (!self->checkpointer_->Committed(pages)) return;
      if (auto s = self->db_.CheckpointPassive(); !s.ok()) spdlog::warn("{}", s.message());
    });
  }
  return store;
}

Status Store::CheckIntegrity(const StoreOptions& options, const std::string& state_dir) {
  std::string path = ResolveStorePath(options, state_dir);
  std::error_code ec;
  if (path == ":memory:" || !std::filesystem::exists(path, ec)) return Status::Ok();
  auto damaged = [&](const std::string& found) {
    return Status::Corrupt("database " + path + " is damaged (" + found +
                           "); restore it from a backup, or move it aside with its -wal and -shm files (the "
                           "daemon then starts with an empty state)");
  };
  // SQLite's own words, without the statement that met them.
  auto sqlite_says = [](const Status& s) {
    size_t at = s.message().find("': ");
    return at == std::string::npos ? s.message() : s.message().substr(at + 3);
  };
  auto db = Database::Open(path);
  if (!db.ok()) return db.status();
  // At most a few findings: the first ones say enough, and a badly damaged
  // file would otherwise list thousands.
  auto check = db->Prepare("PRAGMA quick_check(5)");
  if (!check.ok()) {
    return check.status().code() == Status::Code::kCorrupt ? damaged(sqlite_says(check.status())) : check.status();
  }
  std::string found;
  for (;;) {
    auto row = check->Step();
    if (!row.ok()) {
      return row.status().code() == Status::Code::kCorrupt ? damaged(sqlite_says(row.status())) : row.status();
    }
    if (!*row) break;
    std::string line = check->ColumnText(0);
    if (line == "ok") continue;
    found += (found.empty() ? "" : "; ") + line;
  }
  if (!found.empty()) return damaged(found);
  return Status::Ok();
}

Status Store::Prepare() {
  struct Item {
    Statement* stmt;
    std::string_view sql;
  };
  const Item items[] = {
      {&seen_select_, kSeenSelect},
      {&seen_insert_, "INSERT OR IGNORE INTO seen (source, id, first_seen) VALUES (?1, ?2, ?3)"},
      {&mention_insert_,
       "INSERT INTO mentions (source, channel, brand, mention_id, url, title, text, author, published, "
       "lang, metrics, compound, pos, neu, neg, label, target, matched_terms, stored_at, truncated, reach, kind, "
       "reply_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, "
       "?21, ?22, ?23)"},
      {&alert_exists_, "SELECT 1 FROM alerts WHERE dedupe_key = ?1 AND dedupe_key <> ''"},
      {&alert_insert_, "INSERT INTO alerts (seq, ts, topic, payload, dedupe_key) VALUES (?1, ?2, ?3, ?4, ?5)"},
      // AUTOINCREMENT keeps the largest seq ever used here, even once pruned.
      {&alert_last_seq_,
       "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'alerts'), 0), "
       "coalesce((SELECT max(seq) FROM alerts), 0))"},
      {&source_upsert_,
       "INSERT INTO source_state (source, etag, last_modified, failures, backoff_ms, last_success, last_error, "
       "last_error_at, next_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
       "ON CONFLICT (source) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, "
       "failures = excluded.failures, backoff_ms = excluded.backoff_ms, last_success = excluded.last_success, "
       "last_error = excluded.last_error, last_error_at = excluded.last_error_at, "
       "next_attempt = excluded.next_attempt"},
      {&cursor_delete_, "DELETE FROM source_cursor WHERE source = ?1"},
      {&cursor_insert_, "INSERT OR REPLACE INTO source_cursor (source, key, value) VALUES (?1, ?2, ?3)"},
      // The mentions after the last one indexed, oldest first; then the mark
      // moves to the last of them (the same rows: nothing else writes).
      {&search_index_add_,
       "INSERT INTO mentions_fts (rowid, title, text, author) SELECT rowid, title, text, author FROM mentions "
       "WHERE rowid > (SELECT upto FROM search_index) ORDER BY rowid LIMIT ?1"},
      {&search_index_advance_,
       "UPDATE search_index SET upto = coalesce((SELECT max(rowid) FROM (SELECT rowid FROM mentions WHERE rowid > "
       "(SELECT upto FROM search_index) ORDER BY rowid LIMIT ?1)), upto)"},
      {&rule_state_upsert_,
       "INSERT INTO rule_state (brand, key, value, updated_at) VALUES (?1, ?2, ?3, ?4) "
       "ON CONFLICT (brand, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"},
      {&rule_state_delete_, "DELETE FROM rule_state WHERE brand = ?1 AND key = ?2"},
  };
  for (const Item& item : items) {
    auto stmt = db_.Prepare(item.sql);
    if (!stmt.ok()) return stmt.status();
    *item.stmt = std::move(*stmt);
  }
  auto rollups = RollupWriter::Prepare(db_);
  if (!rollups.ok()) return rollups.status();
  rollups_ = std::move(*rollups);
  return Status::Ok();
}

Result<bool> Store::SeenBefore(std::string_view source, std::string_view id) {
  return LookUpSeen(seen_select_, source, id);
}

Result<std::unique_ptr<SeenReader>> Store::OpenSeenReader() {
  if (!checkpointer_) return std::unique_ptr<SeenReader>();  // not in WAL mode: in memory
  auto db = Database::Open(db_.path());
  if (!db.ok()) return db.status();
  std::unique_ptr<SeenReader> reader(new SeenReader(std::move(*db)));
  auto select = reader->db_.Prepare(kSeenSelect);
  if (!select.ok()) return select.status();
  reader->select_ = std::move(*select);
  return reader;
}

// ---- SeenReader -------------------------------------------------------------

Status SeenReader::BeginLookups() {
  if (open_) return Status::Ok();
  if (auto s = db_.Exec("BEGIN"); !s.ok()) return s;
  open_ = true;
  return Status::Ok();
}

Result<bool> SeenReader::SeenBefore(std::string_view source, std::string_view id) {
  return LookUpSeen(select_, source, id);
}

void SeenReader::EndLookups() {
  if (!open_) return;
  open_ = false;
  // A read transaction has nothing to lose; a failed COMMIT leaves it to ROLLBACK.
  if (!db_.Exec("COMMIT").ok()) (void)db_.Exec("ROLLBACK");
}

Result<WriteResult> Store::Write(const WriteBatch& batch) {
  WriteResult result;
  if (batch.empty()) return result;
  if (checkpointer_) checkpointer_->BeforeWrite();
  Transaction txn(db_);
  if (auto s = txn.Begin(); !s.ok()) return s.WithContext("store write");
  if (auto s = WriteInTransaction(batch, result); !s.ok()) return s.WithContext("store write");
  if (auto s = txn.Commit(); !s.ok()) return s.WithContext("store write");
  unindexed_ += result.mentions_written;
  if (unindexed_ >= kSearchIndexBatch) {
    if (auto indexed = IndexForSearch(); !indexed.ok()) spdlog::warn("{}", indexed.status().message());
  }
  return result;
}

Result<size_t> Store::IndexForSearch(size_t limit) {
  if (checkpointer_) checkpointer_->BeforeWrite();
  // The index can wait, the commits cannot: while another connection holds
  // the write lock, the pass fails at once instead of holding the pipeline
  // thread for the busy timeout.
  Transaction txn(db_);
  auto fail = [](const Status& s) { return s.WithContext("full-text index (mentions wait for the next pass)"); };
  db_.SetBusyTimeout(std::chrono::milliseconds(0));
  Status begun = txn.Begin();
  db_.SetBusyTimeout(Database::kBusyTimeout);
  if (!begun.ok()) return fail(begun);
  int64_t added = 0;
  for (Statement* stmt : {&search_index_add_, &search_index_advance_}) {
    stmt->Reset();
    Status s = stmt->BindInt(1, static_cast<int64_t>(limit));
    if (s.ok()) s = stmt->Run();
    if (!s.ok()) return fail(s);
    if (stmt == &search_index_add_) added = db_.Changes();
  }
  if (auto s = txn.Commit(); !s.ok()) return fail(s);
  unindexed_ = static_cast<size_t>(added) < limit ? 0 : unindexed_ - std::min(unindexed_, limit);
  return static_cast<size_t>(added);
}

Status Store::Hook(int& step) {
  int current = step++;
  if (write_hook_) write_hook_(current);
  int rc = fault_hook_ ? fault_hook_(current) : 0;
  if (rc == 0) return Status::Ok();
  return SqliteError(rc, "injected fault at step " + std::to_string(current));
}

Status Store::WriteInTransaction(const WriteBatch& batch, WriteResult& result) {
  int step = 0;
  int64_t now_ms = ToUnixMillis(clock_.Now());
  // (source, id) pairs first seen by this batch: only their mentions are new.
  std::set<std::pair<std::string_view, std::string_view>> fresh;
  if (auto s = InsertSeen(batch, step, now_ms, fresh); !s.ok()) return s;
  // The row of the last mention stored after each prefix of the batch's
  // mentions, for the marks.
  std::vector<int64_t> row_after;
  if (!batch.marks_.empty()) {
    auto last = db_.QueryInt("SELECT coalesce(max(rowid), 0) FROM mentions");
    if (!last.ok()) return last.status();
    row_after.reserve(batch.mentions_.size() + 1);
    row_after.push_back(*last);
  }
  // Each brand's mention of a fresh item, once.
  std::set<std::tuple<std::string_view, std::string_view, std::string_view>> stored;
  RollupCounts rollups;
  for (const ScoredMention& m : batch.mentions_) {
    int64_t row = row_after.empty() ? 0 : row_after.back();
    if (!fresh.contains({m.mention.source, m.mention.id}) ||
        !stored.emplace(m.mention.source, m.mention.id, m.brand).second) {
      ++result.duplicates_dropped;
    } else {
      if (auto s = Hook(step); !s.ok()) return s;
      if (auto s = InsertMention(m, now_ms); !s.ok()) return s;
      ++result.mentions_written;
      row = db_.LastInsertRowid();
      rollups.Add(m);
    }
    if (!row_after.empty()) row_after.push_back(row);
  }
  // Every mention of a batch is stored at the same time: one row per table and key.
  if (auto s = rollups_.Write(rollups, now_ms, [&] { return Hook(step); }); !s.ok()) return s;
  int64_t last_seq = -1;
  if (!batch.alerts_.empty()) {
    alert_last_seq_.Reset();
    auto row = alert_last_seq_.Step();
    if (!row.ok()) return row.status();
    last_seq = *row ? alert_last_seq_.ColumnInt(0) : 0;
    alert_last_seq_.Reset();
  }
  for (const Alert& a : batch.alerts_) {
    if (auto s = Hook(step); !s.ok()) return s;
    Alert alert = a;
    auto inserted = InsertAlert(alert, &last_seq);
    if (!inserted.ok()) return inserted.status();
    if (*inserted) {
      result.alerts.push_back(std::move(alert));
    } else {
      ++result.alerts_deduped;
    }
  }
  for (const SourceState& state : batch.source_states_) {
    if (auto s = Hook(step); !s.ok()) return s;
    if (auto s = PutSourceStateRow(state); !s.ok()) return s;
  }
  for (const auto& change : batch.rule_state_) {
    if (auto s = Hook(step); !s.ok()) return s;
    if (auto s = PutRuleStateRow(change.brand, change.key, change.value, now_ms); !s.ok()) return s;
  }
  for (const auto& mark : batch.marks_) {
    if (auto s = Hook(step); !s.ok()) return s;
    if (auto s = PutRuleStateRow(mark.brand, mark.key, std::to_string(row_after[mark.mentions]), now_ms); !s.ok()) {
      return s;
    }
  }
  if (auto s = Hook(step); !s.ok()) return s;
  return Status::Ok();
}

Status Store::InsertSeen(const WriteBatch& batch, int& step, int64_t now_ms,
                         std::set<std::pair<std::string_view, std::string_view>>& fresh) {
  for (const auto& seen : batch.seen_) {
    const std::string &source = seen.first, &id = seen.second;  // lambdas cannot capture bindings in clang 14
    if (auto s = Hook(step); !s.ok()) return s;
    seen_insert_.Reset();
    if (auto s = BindAll([&] { return seen_insert_.BindTextInPlace(1, source); },
                         [&] { return seen_insert_.BindTextInPlace(2, id); },
                         [&] { return seen_insert_.BindInt(3, now_ms); });
        !s.ok()) {
      return s;
    }
    if (auto s = seen_insert_.Run(); !s.ok()) return s;
    if (db_.Changes() > 0) fresh.emplace(source, id);
  }
  return Status::Ok();
}

Status Store::PutRuleStateRow(const std::string& brand, const std::string& key, const std::optional<std::string>& value,
                              int64_t now_ms) {
  Statement& stmt = value ? rule_state_upsert_ : rule_state_delete_;
  stmt.Reset();
  Status s = BindAll([&] { return stmt.BindText(1, brand); }, [&] { return stmt.BindText(2, key); });
  if (s.ok() && value) s = BindAll([&] { return stmt.BindText(3, *value); }, [&] { return stmt.BindInt(4, now_ms); });
  if (s.ok()) s = stmt.Run();
  return s;
}

Status Store::InsertMention(const ScoredMention& sm, int64_t now_ms) {
  const Mention& m = sm.mention;
  Statement& st = mention_insert_;
  st.Reset();
  // The mention's own strings are read where they are (they outlive the
  // Run()); the encoded fields are temporaries, copied.
  std::string_view lang = StoredLang(sm);
  Status s = BindAll(
      [&] { return st.BindTextInPlace(1, m.source); }, [&] { return st.BindTextInPlace(2, m.channel); },
      [&] { return st.BindTextInPlace(3, sm.brand); }, [&] { return st.BindTextInPlace(4, m.id); },
      [&] { return st.BindTextInPlace(5, m.url); }, [&] { return st.BindTextInPlace(6, m.title); },
      [&] { return st.BindTextInPlace(7, m.text); }, [&] { return st.BindTextInPlace(8, m.author); },
      [&] { return BindOptionalTime(st, 9, m.published); }, [&] { return st.BindTextInPlace(10, lang); },
      [&] { return st.BindText(11, EncodeMetrics(m.metrics)); },
      [&] { return st.BindDouble(12, sm.sentiment.compound); }, [&] { return st.BindDouble(13, sm.sentiment.pos); },
      [&] { return st.BindDouble(14, sm.sentiment.neu); }, [&] { return st.BindDouble(15, sm.sentiment.neg); },
      [&] { return st.BindTextInPlace(16, StoredLabel(sm.sentiment)); },
      [&] { return st.BindOptionalDouble(17, sm.sentiment.target); },
      [&] { return st.BindText(18, EncodeList(sm.matched_terms)); }, [&] { return st.BindInt(19, now_ms); },
      [&] { return st.BindText(20, EncodeList(m.truncated)); }, [&] { return st.BindDouble(21, Reach(m)); },
      [&] { return st.BindTextInPlace(22, ChannelKindName(m.kind)); },
      [&] { return st.BindTextInPlace(23, m.reply_to); });
  if (!s.ok()) return s;
  return st.Run();
}

Result<bool> Store::InsertAlert(Alert& alert, int64_t* last_seq) {
  // Checked before inserting, so that a journaled key neither takes a seq nor
  // costs the payload.
  alert_exists_.Reset();
  if (auto s = alert_exists_.BindText(1, alert.dedupe_key); !s.ok()) return s;
  auto exists = alert_exists_.Step();
  alert_exists_.Reset();
  if (!exists.ok()) return exists.status();
  if (*exists) return false;
  // The payload carries the seq, so the seq is chosen here rather than by
  // SQLite; the transaction holds the write lock, so no one else takes it.
  alert.seq = static_cast<uint64_t>(*last_seq + 1);
  alert_insert_.Reset();
  if (auto s = BindAll([&] { return alert_insert_.BindInt(1, static_cast<int64_t>(alert.seq)); },
                       [&] { return alert_insert_.BindInt(2, ToUnixMillis(alert.ts)); },
                       [&] { return alert_insert_.BindText(3, AlertTopic(alert)); },
                       [&] { return alert_insert_.BindText(4, AlertToJson(alert)); },
                       [&] { return alert_insert_.BindText(5, alert.dedupe_key); });
      !s.ok()) {
    alert.seq = 0;
    return s;
  }
  if (auto s = alert_insert_.Run(); !s.ok()) {
    alert.seq = 0;
    return s;
  }
  ++*last_seq;
  return true;
}

Status Store::PutSourceStateRow(const SourceState& state) {
  Statement& st = source_upsert_;
  st.Reset();
  Status s = BindAll(
      [&] { return st.BindText(1, state.source); }, [&] { return st.BindText(2, state.etag); },
      [&] { return st.BindText(3, state.last_modified); }, [&] { return st.BindInt(4, state.failures); },
      [&] { return st.BindInt(5, state.backoff.count()); }, [&] { return BindOptionalTime(st, 6, state.last_success); },
      [&] { return st.BindText(7, state.last_error); }, [&] { return BindOptionalTime(st, 8, state.last_error_at); },
      [&] { return BindOptionalTime(st, 9, state.next_attempt); });
  if (s.ok()) s = st.Run();
  if (!s.ok()) return s;
  cursor_delete_.Reset();
  if (s = cursor_delete_.BindText(1, state.source); s.ok()) s = cursor_delete_.Run();
  if (!s.ok()) return s;
  for (const auto& entry : state.cursor) {
    const std::string &key = entry.first, &value = entry.second;
    cursor_insert_.Reset();
    s = BindAll([&] { return cursor_insert_.BindText(1, state.source); },
                [&] { return cursor_insert_.BindText(2, key); }, [&] { return cursor_insert_.BindText(3, value); });
    if (s.ok()) s = cursor_insert_.Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Result<uint64_t> Store::Append(const Alert& alert) {
  WriteBatch batch;
  batch.AddAlert(alert);
  auto result = Write(batch);
  if (!result.ok()) return result.status();
  if (result->alerts.empty()) return Status::NotFound("alert '" + alert.dedupe_key + "' already journaled");
  return result->alerts.front().seq;
}

Result<std::vector<JournalEntry>> Store::ReadSince(uint64_t after_seq, std::string_view topic_prefix, size_t limit) {
  auto stmt = db_.Prepare(
      "SELECT seq, ts, topic, payload FROM alerts WHERE seq > ?1 AND substr(topic, 1, ?2) = ?3 "
      "ORDER BY seq LIMIT ?4");
  if (!stmt.ok()) return stmt.status();
  if (auto s = BindAll([&] { return stmt->BindInt(1, static_cast<int64_t>(after_seq)); },
                       [&] { return stmt->BindInt(2, static_cast<int64_t>(topic_prefix.size())); },
                       [&] { return stmt->BindText(3, topic_prefix); },
                       [&] { return stmt->BindInt(4, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX))); });
      !s.ok()) {
    return s;
  }
  std::vector<JournalEntry> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({static_cast<uint64_t>(stmt->ColumnInt(0)), FromUnixMillis(stmt->ColumnInt(1)), stmt->ColumnText(2),
                   stmt->ColumnText(3)});
  }
  return out;
}

Result<uint64_t> Store::LastSeq() {
  // AUTOINCREMENT keeps the high-water mark in sqlite_sequence even when every
  // alert has been pruned, so seqs never repeat.
  auto seq = db_.QueryInt("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'alerts'), 0)");
  if (!seq.ok()) return seq.status();
  return static_cast<uint64_t>(*seq);
}

Result<std::vector<SourceState>> Store::LoadSourceStates() { return ReadSourceStates(db_); }

Result<std::vector<SourceState>> ReadSourceStates(Database& db) {
  auto stmt = db.Prepare(
      "SELECT source, etag, last_modified, failures, backoff_ms, last_success, last_error, last_error_at, "
      "next_attempt FROM source_state ORDER BY source");
  if (!stmt.ok()) return stmt.status();
  std::vector<SourceState> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    SourceState st;
    st.source = stmt->ColumnText(0);
    st.etag = stmt->ColumnText(1);
    st.last_modified = stmt->ColumnText(2);
    st.failures = stmt->ColumnInt(3);
    st.backoff = Duration(stmt->ColumnInt(4));
    st.last_success = ColumnOptionalTime(*stmt, 5);
    st.last_error = stmt->ColumnText(6);
    st.last_error_at = ColumnOptionalTime(*stmt, 7);
    st.next_attempt = ColumnOptionalTime(*stmt, 8);
    out.push_back(std::move(st));
  }
  auto cursors = db.Prepare("SELECT source, key, value FROM source_cursor ORDER BY source, key");
  if (!cursors.ok()) return cursors.status();
  for (;;) {
    auto row = cursors->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    std::string source = cursors->ColumnText(0);
    for (auto& st : out) {
      if (st.source == source) st.cursor.emplace_back(cursors->ColumnText(1), cursors->ColumnText(2));
    }
  }
  return out;
}

Result<std::optional<SourceState>> Store::LoadSourceState(std::string_view source) {
  auto all = LoadSourceStates();
  if (!all.ok()) return all.status();
  for (auto& st : *all) {
    if (st.source == source) return std::optional<SourceState>(std::move(st));
  }
  return std::optional<SourceState>();
}

Result<std::vector<StoredMention>> Store::ReadMentions(int64_t after_row, size_t limit) {
  auto stmt = db_.Prepare(
      "SELECT rowid, stored_at, source, channel, brand, mention_id, url, title, text, author, published, lang, "
      "metrics, compound, pos, neu, neg, label, target, matched_terms, truncated, kind, reply_to FROM mentions "
      "WHERE rowid > ?1 "
      "ORDER BY rowid LIMIT ?2");
  if (!stmt.ok()) return stmt.status();
  if (auto s = BindAll([&] { return stmt->BindInt(1, after_row); },
                       [&] { return stmt->BindInt(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX))); });
      !s.ok()) {
    return s;
  }
  std::vector<StoredMention> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredMention sm;
    sm.row = stmt->ColumnInt(0);
    sm.stored_at = FromUnixMillis(stmt->ColumnInt(1));
    Mention& m = sm.scored.mention;
    m.source = stmt->ColumnText(2);
    m.channel = stmt->ColumnText(3);
    sm.scored.brand = stmt->ColumnText(4);
    m.id = stmt->ColumnText(5);
    m.url = stmt->ColumnText(6);
    m.title = stmt->ColumnText(7);
    m.text = stmt->ColumnText(8);
    m.author = stmt->ColumnText(9);
    m.published = ColumnOptionalTime(*stmt, 10);
    sm.scored.lang = stmt->ColumnText(11);
    if (!sm.scored.lang.empty()) m.lang = sm.scored.lang;
    m.metrics = DecodeMetrics(stmt->ColumnText(12));
    Sentiment& s = sm.scored.sentiment;
    s.compound = stmt->ColumnDouble(13);
    s.pos = stmt->ColumnDouble(14);
    s.neu = stmt->ColumnDouble(15);
    s.neg = stmt->ColumnDouble(16);
    ReadStoredLabel(stmt->ColumnView(17), s);
    s.target = stmt->ColumnOptionalDouble(18);
    sm.scored.matched_terms = DecodeList(stmt->ColumnText(19));
    m.truncated = DecodeList(stmt->ColumnText(20));
    m.kind = ParseChannelKind(stmt->ColumnText(21)).value_or(ChannelKind::kUnknown);
    m.reply_to = stmt->ColumnText(22);
    out.push_back(std::move(sm));
  }
  return out;
}

Result<std::vector<RuleStateEntry>> Store::LoadRuleState() { return ReadRuleState(db_); }

Result<std::vector<RuleStateEntry>> ReadRuleState(Database& db) {
  auto stmt = db.Prepare("SELECT brand, key, value FROM rule_state ORDER BY brand, key");
  if (!stmt.ok()) return stmt.status();
  std::vector<RuleStateEntry> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({stmt->ColumnText(0), stmt->ColumnText(1), stmt->ColumnText(2)});
  }
  return out;
}

Result<PruneStats> Store::Prune(WallTime now) {
  PruneStats stats;
  struct Target {
    std::string sql;
    Duration retention;
    int64_t* count;
  };
  std::vector<Target> targets = {
      {"DELETE FROM mentions WHERE stored_at < ?1", options_.mention_retention, &stats.mentions},
      {"DELETE FROM alerts WHERE ts < ?1", options_.alert_retention, &stats.alerts},
      {"DELETE FROM seen WHERE first_seen < ?1", options_.seen_retention, &stats.seen},
      {"DELETE FROM rule_state WHERE updated_at < ?1", options_.rule_state_retention, &stats.rule_state},
  };
  // A rollup row goes once all of its period is older than the retention.
  // Pruning by the period alone scans each table once per prune_interval
  // rather than have every commit update a second index.
  for (const RollupTable& t : RollupTables()) {
    targets.push_back({"DELETE FROM " + std::string(t.name) + " WHERE " + std::string(t.period) + " < ?1 - " +
                           std::to_string(t.period_ms) + " + 1",
                       options_.rollup_retention, &stats.rollups});
  }
  Transaction txn(db_);
  if (auto s = txn.Begin(); !s.ok()) return s.WithContext("store prune");
  for (const Target& t : targets) {
    auto stmt = db_.Prepare(t.sql);
    if (!stmt.ok()) return stmt.status();
    Status s = stmt->BindInt(1, ToUnixMillis(now - t.retention));
    if (s.ok()) s = stmt->Run();
    if (!s.ok()) return s.WithContext("store prune");
    *t.count += db_.Changes();
  }
  if (auto s = txn.Commit(); !s.ok()) return s.WithContext("store prune");
  return stats;
}

Result<StoreCounts> Store::Counts() {
  StoreCounts counts;
  const std::pair<std::string_view, int64_t*> queries[] = {
      {"SELECT count(*) FROM mentions", &counts.mentions},
      {"SELECT count(*) FROM alerts", &counts.alerts},
      {"SELECT count(*) FROM seen", &counts.seen},
      {"SELECT count(*) FROM source_state", &counts.sources},
      {"SELECT count(*) FROM rule_state", &counts.rule_state},
  };
  for (const auto& [sql, out] : queries) {
    auto n = db_.QueryInt(sql);
    if (!n.ok()) return n.status();
    *out = *n;
  }
  return counts;
}

Result<int> Store::SchemaVersion() { return store::SchemaVersion(db_); }

}  // namespace brandmon::store
