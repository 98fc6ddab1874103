#pragma once

// brandmon-notify's persistent state (SQLite, notify.db in its state
// directory): per receiver its cursor, counters and dead letters.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/store/sqlite.h"

namespace brandmon::notify {

// What is kept of one receiver.
struct ReceiverRecord {
  // Every alert up to this seq was delivered, dead-lettered or not routed to
  // the receiver. nullopt for a receiver never seen.
  std::optional<uint64_t> cursor;
  uint64_t delivered = 0;  // alerts accepted by the target
  uint64_t retried = 0;    // attempts that failed and were tried again
  uint64_t failed = 0;     // alerts refused for good (dead letters made)
  uint64_t dead_letters = 0;
  std::string last_error;
};

// A delivery the target refused for good, kept until re-sent.
struct DeadLetter {
  int64_t id = 0;
  std::string receiver;
  std::string key;                  // the delivery's key
  std::vector<std::string> alerts;  // each alert's JSON as published
  std::string error;
  WallTime at;
};

// One connection to the state database. Move-only; each connection belongs
// to the thread that uses it (every delivery worker opens its own; SQLite's
// WAL lets them write one after the other).
class NotifyState {
 public:
  // Opens (creating) the database at `path` (":memory:" for tests).
  // Errors: Unavailable when it cannot be opened, Corrupt when damaged.
  static Result<NotifyState> Open(const std::string& path);

  Result<ReceiverRecord> Load(const std::string& receiver);
  // Every receiver with a record, by name.
  Result<std::vector<std::string>> Receivers();

  // Moves the cursor (creating the record).
  Status SetCursor(const std::string& receiver, uint64_t cursor);
  // `alerts` more were accepted; the cursor moves to `cursor` when given.
  Status RecordDelivered(const std::string& receiver, uint64_t alerts, std::optional<uint64_t> cursor);
  // An attempt failed and will be tried again.
  Status RecordRetry(const std::string& receiver, const std::string& error);
  // The target refused `letter` for good: kept as a dead letter, counted,
  // and the cursor moves to `cursor` when given, all in one transaction.
  Status RecordDeadLetter(const DeadLetter& letter, std::optional<uint64_t> cursor);

  // The receiver's dead letters, oldest first.
  Result<std::vector<DeadLetter>> DeadLetters(const std::string& receiver);
  // A dead letter was re-sent and accepted.
  Status RemoveDeadLetter(int64_t id);

 private:
  explicit NotifyState(store::Database db) : db_(std::move(db)) {}
  Status Ensure(const std::string& receiver);
  Status Update(const std::string& sql, const std::string& receiver, int64_t a, const std::string* text = nullptr);
  store::Database db_;
};

}  // namespace brandmon::notify
