#include "daemon/notify/notify_state.h"

namespace brandmon::notify {
namespace {

constexpr const char* kSchema = R"(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL;
CREATE TABLE IF NOT EXISTS receivers(
  name TEXT PRIMARY KEY,
  cursor INTEGER,
  delivered INTEGER NOT NULL DEFAULT 0,
  retried INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS dead_letters(
  id INTEGER PRIMARY KEY,
  receiver TEXT NOT NULL,
  key TEXT NOT NULL,
  alerts TEXT NOT NULL,
  error TEXT NOT NULL,
  at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS dead_letters_by_receiver ON dead_letters(receiver, id);
CREATE TABLE IF NOT EXISTS held(
  receiver TEXT NOT NULL,
  seq INTEGER NOT NULL,
  until_ms INTEGER NOT NULL,
  alert TEXT NOT NULL,
  PRIMARY KEY(receiver, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS open_alerts(
  receiver TEXT NOT NULL,
  key TEXT NOT NULL,
  alert TEXT NOT NULL,
  last_sent_ms INTEGER NOT NULL,
  repeats INTEGER NOT NULL,
  PRIMARY KEY(receiver, key)) WITHOUT ROWID;
)";

// Alerts are kept one per line: a compact JSON object never holds a raw
// line break.
std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

Result<NotifyState> NotifyState::Open(const std::string& path) {
  auto db = store::Database::Open(path);
  if (!db.ok()) return db.status();
  if (auto s = db->Exec(kSchema); !s.ok()) return s;
  return NotifyState(std::move(*db));
}

Result<ReceiverRecord> NotifyState::Load(const std::string& receiver) {
  auto stmt = db_.Prepare(
      "SELECT cursor, delivered, retried, failed, last_error, "
      "(SELECT count(*) FROM dead_letters WHERE receiver = ?1) FROM receivers WHERE name = ?1");
  if (!stmt.ok()) return stmt.status();
  if (auto s = stmt->BindText(1, receiver); !s.ok()) return s;
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  ReceiverRecord r;
  if (!*row) return r;
  if (!stmt->ColumnIsNull(0)) r.cursor = static_cast<uint64_t>(stmt->ColumnInt(0));
  r.delivered = static_cast<uint64_t>(stmt->ColumnInt(1));
  r.retried = static_cast<uint64_t>(stmt->ColumnInt(2));
  r.failed = static_cast<uint64_t>(stmt->ColumnInt(3));
  r.last_error = stmt->ColumnText(4);
  r.dead_letters = static_cast<uint64_t>(stmt->ColumnInt(5));
  return r;
}

Result<std::vector<std::string>> NotifyState::Receivers() {
  auto stmt = db_.Prepare("SELECT name FROM receivers ORDER BY name");
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> names;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return names;
    names.push_back(stmt->ColumnText(0));
  }
}

Status NotifyState::Ensure(const std::string& receiver) {
  auto stmt = db_.Prepare("INSERT OR IGNORE INTO receivers(name) VALUES(?1)");
  if (!stmt.ok()) return stmt.status();
  if (auto s = stmt->BindText(1, receiver); !s.ok()) return s;
  return stmt->Run();
}

Status NotifyState::Update(const std::string& sql, const std::string& receiver, int64_t a, const std::string* text) {
  if (auto s = Ensure(receiver); !s.ok()) return s;
  auto stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  if (auto s = stmt->BindText(1, receiver); !s.ok()) return s;
  if (auto s = stmt->BindInt(2, a); !s.ok()) return s;
  if (text != nullptr) {
    if (auto s = stmt->BindText(3, *text); !s.ok()) return s;
  }
  return stmt->Run();
}

Status NotifyState::SetCursor(const std::string& receiver, uint64_t cursor) {
  return Update("UPDATE receivers SET cursor = ?2 WHERE name = ?1", receiver, static_cast<int64_t>(cursor));
}

Status NotifyState::RecordDelivered(const std::string& receiver, uint64_t alerts, std::optional<uint64_t> cursor,
                                    const std::vector<uint64_t>& released) {
  store::Transaction txn(db_);
  if (auto s = txn.Begin(); !s.ok()) return s;
  if (auto s = Update("UPDATE receivers SET delivered = delivered + ?2 WHERE name = ?1", receiver,
                      static_cast<int64_t>(alerts));
      !s.ok()) {
    return s;
  }
  if (cursor) {
    if (auto s = SetCursor(receiver, *cursor); !s.ok()) return s;
  }
  if (auto s = Release(receiver, released); !s.ok()) return s;
  return txn.Commit();
}

Status NotifyState::RecordRetry(const std::string& receiver, const std::string& error) {
  return Update("UPDATE receivers SET retried = retried + ?2, last_error = ?3 WHERE name = ?1", receiver, 1, &error);
}

Status NotifyState::RecordDeadLetter(const DeadLetter& letter, std::optional<uint64_t> cursor,
                                     const std::vector<uint64_t>& released) {
  store::Transaction txn(db_);
  if (auto s = txn.Begin(); !s.ok()) return s;
  if (auto s = Update("UPDATE receivers SET failed = failed + ?2, last_error = ?3 WHERE name = ?1", letter.receiver,
                      static_cast<int64_t>(letter.alerts.size()), &letter.error);
      !s.ok()) {
    return s;
  }
  auto stmt = db_.Prepare("INSERT INTO dead_letters(receiver, key, alerts, error, at_ms) VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->BindText(1, letter.receiver);
  if (s.ok()) s = stmt->BindText(2, letter.key);
  if (s.ok()) s = stmt->BindText(3, JoinLines(letter.alerts));
  if (s.ok()) s = stmt->BindText(4, letter.error);
  if (s.ok()) s = stmt->BindInt(5, ToUnixMillis(letter.at));
  if (s.ok()) s = stmt->Run();
  if (s.ok() && cursor) s = SetCursor(letter.receiver, *cursor);
  if (s.ok()) s = Release(letter.receiver, released);
  if (!s.ok()) return s;
  return txn.Commit();
}

Result<std::vector<DeadLetter>> NotifyState::DeadLetters(const std::string& receiver, int64_t after_id, size_t limit) {
  auto stmt = db_.Prepare(
      "SELECT id, key, alerts, error, at_ms FROM dead_letters WHERE receiver = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->BindText(1, receiver);
  if (s.ok()) s = stmt->BindInt(2, after_id);
  if (s.ok()) s = stmt->BindInt(3, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  if (!s.ok()) return s;
  std::vector<DeadLetter> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    DeadLetter d;
    d.id = stmt->ColumnInt(0);
    d.receiver = receiver;
    d.key = stmt->ColumnText(1);
    d.alerts = SplitLines(stmt->ColumnText(2));
    d.error = stmt->ColumnText(3);
    d.at = FromUnixMillis(stmt->ColumnInt(4));
    out.push_back(std::move(d));
  }
}

Status NotifyState::RemoveDeadLetter(int64_t id) {
  auto stmt = db_.Prepare("DELETE FROM dead_letters WHERE id = ?1");
  if (!stmt.ok()) return stmt.status();
  if (auto s = stmt->BindInt(1, id); !s.ok()) return s;
  return stmt->Run();
}

Result<bool> NotifyState::Hold(const std::string& receiver, uint64_t seq, const std::string& json, WallTime until) {
  auto stmt = db_.Prepare("INSERT OR IGNORE INTO held(receiver, seq, until_ms, alert) VALUES(?1, ?2, ?3, ?4)");
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->BindText(1, receiver);
  if (s.ok()) s = stmt->BindInt(2, static_cast<int64_t>(seq));
  if (s.ok()) s = stmt->BindInt(3, ToUnixMillis(until));
  if (s.ok()) s = stmt->BindText(4, json);
  if (s.ok()) s = stmt->Run();
  if (!s.ok()) return s;
  return db_.Changes() > 0;
}

Result<std::vector<HeldAlert>> NotifyState::DueHeld(const std::string& receiver, WallTime now, size_t max) {
  auto stmt = db_.Prepare("SELECT seq, alert FROM held WHERE receiver = ?1 AND until_ms <= ?2 ORDER BY seq LIMIT ?3");
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->BindText(1, receiver);
  if (s.ok()) s = stmt->BindInt(2, ToUnixMillis(now));
  if (s.ok()) s = stmt->BindInt(3, static_cast<int64_t>(max));
  if (!s.ok()) return s;
  std::vector<HeldAlert> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({static_cast<uint64_t>(stmt->ColumnInt(0)), stmt->ColumnText(1)});
  }
}

Result<NotifyState::HeldSummary> NotifyState::Held(const std::string& receiver) {
  auto stmt = db_.Prepare("SELECT count(*), min(until_ms) FROM held WHERE receiver = ?1");
  if (!stmt.ok()) return stmt.status();
  if (auto s = stmt->BindText(1, receiver); !s.ok()) return s;
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  HeldSummary out;
  if (!*row) return out;
  out.count = static_cast<uint64_t>(stmt->ColumnInt(0));
  if (!stmt->ColumnIsNull(1)) out.next = FromUnixMillis(stmt->ColumnInt(1));
  return out;
}

Status NotifyState::SetOpenAlert(const std::string& receiver, const OpenAlertRecord& record) {
  auto stmt = db_.Prepare(
      "INSERT OR REPLACE INTO open_alerts(receiver, key, alert, last_sent_ms, repeats) VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->BindText(1, receiver);
  if (s.ok()) s = stmt->BindText(2, record.key);
  if (s.ok()) s = stmt->BindText(3, record.json);
  if (s.ok()) s = stmt->BindInt(4, ToUnixMillis(record.last_sent));
  if (s.ok()) s = stmt->BindInt(5, record.repeats);
  if (s.ok()) s = stmt->Run();
  return s;
}

Status NotifyState::RemoveOpenAlert(const std::string& receiver, const std::string& key) {
  auto stmt = db_.Prepare("DELETE FROM open_alerts WHERE receiver = ?1 AND key = ?2");
  if (!stmt.ok()) return stmt.status();
  Status s = stmt->BindText(1, receiver);
  if (s.ok()) s = stmt->BindText(2, key);
  if (s.ok()) s = stmt->Run();
  return s;
}

Result<std::vector<OpenAlertRecord>> NotifyState::OpenAlerts(const std::string& receiver) {
  auto stmt = db_.Prepare("SELECT key, alert, last_sent_ms, repeats FROM open_alerts WHERE receiver = ?1 ORDER BY key");
  if (!stmt.ok()) return stmt.status();
  if (auto s = stmt->BindText(1, receiver); !s.ok()) return s;
  std::vector<OpenAlertRecord> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back({stmt->ColumnText(0), stmt->ColumnText(1), FromUnixMillis(stmt->ColumnInt(2)),
                   static_cast<uint32_t>(stmt->ColumnInt(3))});
  }
}

Status NotifyState::Release(const std::string& receiver, const std::vector<uint64_t>& seqs) {
  if (seqs.empty()) return Status::Ok();
  auto stmt = db_.Prepare("DELETE FROM held WHERE receiver = ?1 AND seq = ?2");
  if (!stmt.ok()) return stmt.status();
  for (uint64_t seq : seqs) {
    stmt->Reset();
    Status s = stmt->BindText(1, receiver);
    if (s.ok()) s = stmt->BindInt(2, static_cast<int64_t>(seq));
    if (s.ok()) s = stmt->Run();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace brandmon::notify
