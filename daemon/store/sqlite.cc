#include "daemon/store/sqlite.h"

#include <sqlite3.h>

#include <utility>

namespace brandmon::store {

namespace {

Status Error(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  int primary = rc & 0xff;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::Corrupt(msg);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR ||
      primary == SQLITE_FULL || primary == SQLITE_READONLY) {
    return Status::Unavailable(msg);
  }
  return Status::Internal(msg);
}

}  // namespace

Status SqliteError(int rc, std::string_view what) { return Error(nullptr, rc, what); }

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Status Statement::Check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK) return Status::Ok();
  return Error(db_, rc, what);
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Status Statement::BindText(int index, std::string_view value) {
  // An empty value needs a non-null pointer to be stored as '' rather than
  // NULL. The bytes are stored as they are, NULs and all: SQLite does not
  // check that text is UTF-8.
  static const char kEmpty = 0;
  const char* data = value.empty() ? &kEmpty : value.data();
  return Check(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), "bind");
}

Status Statement::BindTextInPlace(int index, std::string_view value) {
  static const char kEmpty = 0;
  const char* data = value.empty() ? &kEmpty : value.data();
  return Check(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8), "bind");
}

Status Statement::BindInt(int index, int64_t value) { return Check(sqlite3_bind_int64(stmt_, index, value), "bind"); }

Status Statement::BindDouble(int index, double value) {
  return Check(sqlite3_bind_double(stmt_, index, value), "bind");
}

Status Statement::BindNull(int index) { return Check(sqlite3_bind_null(stmt_, index), "bind"); }

Status Statement::BindOptionalDouble(int index, std::optional<double> value) {
  return value ? BindDouble(index, *value) : BindNull(index);
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error(db_, rc, std::string("step '") + sqlite3_sql(stmt_) + "'");
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

std::string Statement::ColumnText(int index) const { return std::string(ColumnView(index)); }

std::string_view Statement::ColumnView(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  int size = sqlite3_column_bytes(stmt_, index);
  if (data == nullptr || size <= 0) return {};
  return {static_cast<const char*>(data), static_cast<size_t>(size)};
}

int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }
double Statement::ColumnDouble(int index) const { return sqlite3_column_double(stmt_, index); }
bool Statement::ColumnIsNull(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

std::optional<double> Statement::ColumnOptionalDouble(int index) const {
  if (ColumnIsNull(index)) return std::nullopt;
  return ColumnDouble(index);
}

Database::~Database() {
  if (db_) sqlite3_close_v2(db_);
}

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), wal_hook_(std::move(other.wal_hook_)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    wal_hook_ = std::move(other.wal_hook_);
  }
  return *this;
}

Result<Database> Database::OpenWithFlags(const std::string& path, int flags) {
  // SQLite's memory statistics (sqlite3_memory_used() and the like, which
  // nothing here reads) take a global mutex on every allocation and free,
  // tens of them per stored mention; they are turned off before the first
  // connection initializes the library (sqlite3_config() refuses once it is).
  static const bool configured = [] { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK; }();
  (void)configured;
  Database db;
  db.path_ = path;
  int rc = sqlite3_open_v2(path.c_str(), &db.db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open database '" + path + "': " + (db.db_ ? sqlite3_errmsg(db.db_) : sqlite3_errstr(rc));
    return Status::Unavailable(msg);
  }
  sqlite3_extended_result_codes(db.db_, 1);
  // Another process (brandmonctl) may hold a read lock for a moment.
  db.SetBusyTimeout(kBusyTimeout);
  return db;
}

void Database::SetBusyTimeout(std::chrono::milliseconds timeout) {
  sqlite3_busy_timeout(db_, static_cast<int>(timeout.count()));
}

Result<Database> Database::Open(const std::string& path) {
  return OpenWithFlags(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX);
}

Result<Database> Database::OpenReadOnly(const std::string& path) {
  return OpenWithFlags(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX);
}

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  Status s = Error(nullptr, rc, "exec");
  if (s.code() == Status::Code::kCorrupt) return Status::Corrupt("database '" + path_ + "': " + msg);
  if (s.code() == Status::Code::kUnavailable) return Status::Unavailable("database '" + path_ + "': " + msg);
  return Status::Internal("database '" + path_ + "': " + msg);
}

Result<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error(db_, rc, "prepare '" + std::string(sql) + "'");
  return Statement(db_, stmt);
}

Result<int64_t> Database::QueryInt(std::string_view sql) {
  auto stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("no row for '" + std::string(sql) + "'");
  return stmt->ColumnInt(0);
}

void Database::OnWalCommit(std::function<void(int pages)> hook) {
  wal_hook_ = std::make_unique<std::function<void(int)>>(std::move(hook));
  sqlite3_wal_hook(
      db_,
      [](void* arg, sqlite3*, const char*, int pages) {
        (*static_cast<std::function<void(int)>*>(arg))(pages);
        return SQLITE_OK;
      },
      wal_hook_.get());
}

Status Database::CheckpointPassive(int* log_pages, int* copied_pages) {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, log_pages, copied_pages);
  if (rc == SQLITE_OK) return Status::Ok();
  return Error(db_, rc, "checkpoint");
}

int64_t Database::LastInsertRowid() const { return sqlite3_last_insert_rowid(db_); }
int Database::Changes() const { return sqlite3_changes(db_); }

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK");
}

Status Transaction::Begin() {
  if (auto s = db_.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit() {
  if (auto s = db_.Exec("COMMIT"); !s.ok()) return s;
  open_ = false;
  return Status::Ok();
}

}  // namespace brandmon::store
