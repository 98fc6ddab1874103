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

// An alert held through quiet hours, as published.
struct HeldAlert {
  uint64_t seq = 0;
  std::string json;
};

// An open alert of a trend rule that a receiver is reminded of until its
// all-clear comes.
struct OpenAlertRecord {
  std::string key;   // brand, rule and channel
  std::string json;  // the alert as published
  WallTime last_sent;
  uint32_t repeats = 0;  // reminders sent so far
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
  // `alerts` more were accepted; the cursor moves to `cursor` when given,
  // and the held alerts `released` (seqs) are forgotten, in one transaction.
  Status RecordDelivered(const std::string& receiver, uint64_t alerts, std::optional<uint64_t> cursor,
                         const std::vector<uint64_t>& released = {});
  // An attempt failed and will be tried again.
  Status RecordRetry(const std::string& receiver, const std::string& error);
  // The target refused `letter` for good: kept as a dead letter, counted,
  // the cursor moves to `cursor` when given and the held alerts `released`
  // are forgotten, all in one transaction.
  Status RecordDeadLetter(const DeadLetter& letter, std::optional<uint64_t> cursor,
                          const std::vector<uint64_t>& released = {});

  // Holds alert `seq` (its JSON as published) for `receiver` until `until`
  // (quiet hours). Holding a seq held already changes nothing, so that an
  // alert read again after a restart is held once. Returns whether it was
  // not held before.
  Result<bool> Hold(const std::string& receiver, uint64_t seq, const std::string& json, WallTime until);
  // At most `max` of the receiver's held alerts due at `now` (held until
  // then or earlier), by seq.
  Result<std::vector<HeldAlert>> DueHeld(const std::string& receiver, WallTime now, size_t max);
  // How many alerts the receiver holds, and the earliest time one is due.
  struct HeldSummary {
    uint64_t count = 0;
    std::optional<WallTime> next;
  };
  Result<HeldSummary> Held(const std::string& receiver);

  // Keeps (replacing) the open alert `record.key` of `receiver`.
  Status SetOpenAlert(const std::string& receiver, const OpenAlertRecord& record);
  Status RemoveOpenAlert(const std::string& receiver, const std::string& key);
  // The receiver's open alerts, by key.
  Result<std::vector<OpenAlertRecord>> OpenAlerts(const std::string& receiver);

  // The receiver's dead letters, oldest first: at most `limit`, those
  // with an id above `after_id` (a page after the last one read).
  Result<std::vector<DeadLetter>> DeadLetters(const std::string& receiver, int64_t after_id = 0,
                                              size_t limit = SIZE_MAX);
  // A dead letter was re-sent and accepted.
  Status RemoveDeadLetter(int64_t id);

 private:
  explicit NotifyState(store::Database db) : db_(std::move(db)) {}
  Status Ensure(const std::string& receiver);
  Status Update(const std::string& sql, const std::string& receiver, int64_t a, const std::string* text = nullptr);
  Status Release(const std::string& receiver, const std::vector<uint64_t>& seqs);
  store::Database db_;
};

}  // namespace brandmon::notify
