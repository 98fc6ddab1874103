#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace brandmon::store {

// The Status of an SQLite call that failed with result code `rc` (primary
// or extended), described by `what` and SQLite's text for the code:
// Unavailable for what may pass (BUSY, LOCKED, FULL, IOERR, CANTOPEN,
// READONLY), Corrupt for a damaged file, Internal otherwise.
Status SqliteError(int rc, std::string_view what);

// One prepared statement, owned; finalized on destruction. Prepare once and
// call Reset() before each reuse. Strings are bound as TEXT (so that plain
// string literals in SQL match them) and read as bytes; any bytes (NUL,
// invalid UTF-8) round-trip exactly. Move-only;
// thread-compatible, used by the thread that owns its Database.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Resets the statement and clears its bindings.
  void Reset();
  // Parameters are numbered from 1.
  Status BindText(int index, std::string_view value);
  // As BindText, without the copy: SQLite reads `value` where it is, so its
  // bytes must stay unchanged until the statement is next Reset() (bind
  // what outlives the Run(), never a temporary).
  Status BindTextInPlace(int index, std::string_view value);
  Status BindInt(int index, int64_t value);
  Status BindDouble(int index, double value);
  Status BindNull(int index);
  Status BindOptionalDouble(int index, std::optional<double> value);
  // Returns true when a row is available, false when done.
  Result<bool> Step();
  // Steps until done; for statements that return no rows.
  Status Run();

  // Columns are numbered from 0. REQUIRES: the last Step() returned true.
  std::string ColumnText(int index) const;
  // The same bytes without a copy, valid until the next Step() or Reset().
  std::string_view ColumnView(int index) const;
  int64_t ColumnInt(int index) const;
  double ColumnDouble(int index) const;
  bool ColumnIsNull(int index) const;
  std::optional<double> ColumnOptionalDouble(int index) const;

  bool valid() const { return stmt_ != nullptr; }

 private:
  Status Check(int rc, std::string_view what) const;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// An open SQLite connection, owned; closed on destruction. Move-only. Each
// connection belongs to exactly one thread.
class Database {
 public:
  Database() = default;
  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Opens (creating when missing) the database at `path`; ":memory:" for a
  // private in-memory one. Errors: Unavailable when the file cannot be opened.
  static Result<Database> Open(const std::string& path);
  // Opens the existing database at `path` for reading only: the connection
  // can neither write nor create it. Beside a writer in WAL mode, each read
  // sees the last commit before it began.
  // Errors: Unavailable when the file is missing or cannot be opened.
  static Result<Database> OpenReadOnly(const std::string& path);

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // The first column of the first row of `sql`, as an integer.
  Result<int64_t> QueryInt(std::string_view sql);
  int64_t LastInsertRowid() const;
  int Changes() const;
  const std::string& path() const { return path_; }

  // How long a statement waits for another connection's lock before it
  // fails with SQLITE_BUSY: kBusyTimeout from Open(); zero fails at once.
  void SetBusyTimeout(std::chrono::milliseconds timeout);
  static constexpr std::chrono::milliseconds kBusyTimeout{5000};

  // Calls `hook` after each commit that wrote to the write-ahead log, with
  // the log's size in pages. Replaces SQLite's automatic checkpoint, which
  // ran inside the commit that crossed its threshold.
  void OnWalCommit(std::function<void(int pages)> hook);
  // Copies as much of the write-ahead log into the database file as no
  // reader still needs, without waiting for readers or the writer
  // (SQLITE_CHECKPOINT_PASSIVE). Sets `log_pages` to the log's size and
  // `copied_pages` to how much of it the database file now holds.
  Status CheckpointPassive(int* log_pages = nullptr, int* copied_pages = nullptr);

 private:
  static Result<Database> OpenWithFlags(const std::string& path, int flags);
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unique_ptr<std::function<void(int)>> wal_hook_;  // stable address for SQLite
};

// A scoped write transaction (BEGIN IMMEDIATE): rolls back on destruction
// unless Commit() succeeded. Thread-compatible.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) {}
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status Begin();
  Status Commit();

 private:
  Database& db_;
  bool open_ = false;
};

}  // namespace brandmon::store
