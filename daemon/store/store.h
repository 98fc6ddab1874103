#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "daemon/base/alert.h"
#include "daemon/base/clock.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/status.h"
#include "daemon/base/thread_set.h"
#include "daemon/store/checkpointer.h"
#include "daemon/store/rollups.h"
#include "daemon/store/rule_state.h"
#include "daemon/store/sqlite.h"
#include "daemon/store/store_options.h"

namespace brandmon::store {

// What the engine remembers about one source between polls and restarts.
struct SourceState {
  std::string source;
  std::string etag;                                         // HTTP validators of the last 200 response
  std::string last_modified;                                //
  std::vector<std::pair<std::string, std::string>> cursor;  // plugin cursor, e.g. {"after": "t3_abc"}
  int64_t failures = 0;                                     // consecutive failed polls
  Duration backoff{0};
  std::optional<WallTime> last_success;
  std::string last_error;
  std::optional<WallTime> last_error_at;
  std::optional<WallTime> next_attempt;
};

// Every row of source_state with its cursor, by source name, read on `db`
// (the store's connection or a read-only one).
Result<std::vector<SourceState>> ReadSourceStates(Database& db);

// Every row of rule_state, by brand and key, read on `db` (the store's
// connection or a read-only one).
Result<std::vector<RuleStateEntry>> ReadRuleState(Database& db);

// Everything one poll result changes, committed atomically by Store::Write:
// either all of it is durable or none of it is, so that after a crash a
// restart neither loses nor repeats a mention or an alert. Thread-compatible.
class WriteBatch final : public RuleStateWriter {
 public:
  // Records that (source, id) was seen, even when it matched no brand.
  void MarkSeen(std::string source, std::string id);
  // Stores a scored mention and marks its (source, id) seen.
  void AddMention(ScoredMention mention);
  void AddAlert(Alert alert);
  void PutSourceState(SourceState state);
  void PutRuleState(std::string brand, std::string key, std::string value) override;
  void DeleteRuleState(std::string brand, std::string key) override;
  void PutMentionMark(std::string brand, std::string key) override;
  // Adds everything of `other` after what this batch holds, as if it had
  // been added here in the same order.
  void Append(WriteBatch&& other);

  size_t mention_count() const { return mentions_.size(); }
  size_t alert_count() const { return alerts_.size(); }
  bool empty() const;

 private:
  friend class Store;
  struct RuleStateChange {
    std::string brand;
    std::string key;
    std::optional<std::string> value;  // nullopt deletes
  };
  struct MentionMark {
    std::string brand;
    std::string key;
    size_t mentions;  // how many of mentions_ it follows
  };
  std::vector<std::pair<std::string, std::string>> seen_;
  std::vector<ScoredMention> mentions_;
  std::vector<Alert> alerts_;
  std::vector<SourceState> source_states_;
  std::vector<RuleStateChange> rule_state_;
  std::vector<MentionMark> marks_;
};

struct WriteResult {
  size_t mentions_written = 0;
  size_t duplicates_dropped = 0;  // mentions whose (source, id) was already seen
  size_t alerts_deduped = 0;      // alerts whose dedupe_key was already journaled
  std::vector<Alert> alerts;      // the journaled alerts with their seq, in order
};

// One alert of the journal.
struct JournalEntry {
  uint64_t seq = 0;
  WallTime ts;
  std::string topic;
  std::string payload;  // AlertToJson, with the seq
};

struct PruneStats {
  int64_t mentions = 0;
  int64_t alerts = 0;
  int64_t seen = 0;
  int64_t rule_state = 0;
  int64_t rollups = 0;  // rows of every rollup table
};

struct StoreCounts {
  int64_t mentions = 0;
  int64_t alerts = 0;
  int64_t seen = 0;
  int64_t sources = 0;
  int64_t rule_state = 0;
};

// Answers Store::SeenBefore on a connection of its own, so that a thread
// other than the store's owner can drop the mentions seen before while the
// owner writes. A look-up sees what was committed before its snapshot began.
// Thread-compatible: used by one thread at a time.
class SeenReader {
 public:
  // Holds one read snapshot for the look-ups until EndLookups(), so that a
  // batch of them takes the log's read lock once.
  Status BeginLookups();
  Result<bool> SeenBefore(std::string_view source, std::string_view id);
  void EndLookups();

 private:
  friend class Store;
  explicit SeenReader(Database db) : db_(std::move(db)) {}
  Database db_;
  Statement select_;
  bool open_ = false;  // a snapshot is held
};

// brandmon's state: seen ids, source state, scored mentions, the alert
// journal and the rules' baselines, in one SQLite database in WAL mode.
// Owns its connection; owned by the engine's store thread (thread-compatible).
class Store final : public RuleStateReader {
 public:
  // Opens or creates the database at ResolveStorePath(options, state_dir) and
  // migrates it to the current schema. `clock` must outlive the store, and
  // so must `threads`, which starts its checkpoint thread (a file database).
  // Errors: Unavailable when the file cannot be opened, InvalidArgument when
  // its schema is newer than this build, Corrupt when it is not a database.
  static Result<std::unique_ptr<Store>> Open(const StoreOptions& options, const std::string& state_dir,
                                             const Clock& clock, ThreadSet& threads);

  // Checks the database at ResolveStorePath(options, state_dir) with SQLite's
  // quick_check, which reads every page (b-tree structure, page and record
  // format; not index-to-table agreement), so that a damaged file is refused
  // at start rather than found by a commit later. It costs about 1 s per
  // 100 MB. A missing file and ":memory:" pass.
  // Errors: Corrupt naming the file, what SQLite found and what to do;
  // Unavailable when the file cannot be opened or read.
  static Status CheckIntegrity(const StoreOptions& options, const std::string& state_dir);

  // Whether (source, id) was committed before: such a mention is dropped
  // before it is scored.
  Result<bool> SeenBefore(std::string_view source, std::string_view id);
  // A reader of the seen ids for another thread; nullptr for an in-memory
  // database, which no other connection can see.
  // Errors: Unavailable when the second connection cannot be opened.
  Result<std::unique_ptr<SeenReader>> OpenSeenReader();

  // Commits `batch` in one transaction: seen ids, the mentions not seen before,
  // the alerts (each given the next seq; one whose dedupe_key is already in the
  // journal is dropped), source states and rule state. On error nothing is
  // written.
  Result<WriteResult> Write(const WriteBatch& batch);

  // Journals one alert on its own. Returns its seq, or NotFound when its
  // dedupe_key is already journaled.
  Result<uint64_t> Append(const Alert& alert);

  // Up to `limit` journaled alerts with seq > `after_seq` whose topic starts
  // with `topic_prefix`, in seq order: what a subscriber missed.
  Result<std::vector<JournalEntry>> ReadSince(uint64_t after_seq, std::string_view topic_prefix, size_t limit);
  // The last seq assigned, 0 when none ever was (pruning does not lower it).
  Result<uint64_t> LastSeq();

  Result<std::optional<SourceState>> LoadSourceState(std::string_view source);
  Result<std::vector<SourceState>> LoadSourceStates();

  // Up to `limit` stored mentions with row > `after_row`, oldest first.
  Result<std::vector<StoredMention>> ReadMentions(int64_t after_row, size_t limit) override;

  Result<std::vector<RuleStateEntry>> LoadRuleState() override;

  // Deletes what is older than its retention at `now`.
  Result<PruneStats> Prune(WallTime now);

  // Adds up to `limit` stored mentions not yet in the full-text index to it,
  // oldest first, in a transaction of its own, and returns how many it
  // added. Write() calls it once kSearchIndexBatch mentions wait; the owner
  // calls it on a timer so that the last ones of a quiet spell get indexed
  // too. A failure loses nothing: the mentions wait for the next call.
  Result<size_t> IndexForSearch(size_t limit = kSearchIndexBatch);
  static constexpr size_t kSearchIndexBatch = 2000;

  Result<StoreCounts> Counts();
  Result<int> SchemaVersion();

  // Called with a step number before each statement of Write's transaction
  // (the last one right before COMMIT); tests use it to kill the process at
  // every point of a commit.
  void SetWriteHookForTesting(std::function<void(int step)> hook) { write_hook_ = std::move(hook); }
  // Fault injection, in the spirit of LevelDB's SpecialEnv: called at the same
  // steps; a result other than 0 (SQLITE_OK) is an SQLite result code, such as
  // SQLITE_FULL, SQLITE_BUSY or SQLITE_IOERR, with which that step fails as if
  // SQLite had returned it: Write rolls back and returns its Status.
  void SetFaultHookForTesting(std::function<int(int step)> hook) { fault_hook_ = std::move(hook); }

 private:
  Store(const StoreOptions& options, const Clock& clock, Database db);
  Status Prepare();
  Status WriteInTransaction(const WriteBatch& batch, WriteResult& result);
  // Marks the batch's items seen; `fresh` gets those not seen before.
  Status InsertSeen(const WriteBatch& batch, int& step, int64_t now_ms,
                    std::set<std::pair<std::string_view, std::string_view>>& fresh);
  Status InsertMention(const ScoredMention& m, int64_t now_ms);
  // Inserts `alert` with seq `*last_seq + 1`, then advances `*last_seq`;
  // false (and no change) when its dedupe_key was journaled.
  Result<bool> InsertAlert(Alert& alert, int64_t* last_seq);
  Status PutSourceStateRow(const SourceState& state);
  // Upserts (brand, key), or deletes it when `value` is nullopt.
  Status PutRuleStateRow(const std::string& brand, const std::string& key, const std::optional<std::string>& value,
                         int64_t now_ms);
  // Runs the hooks for `step` and advances it; the injected fault, if any.
  Status Hook(int& step);

  StoreOptions options_;
  const Clock& clock_;
  Database db_;
  Statement seen_select_;
  Statement seen_insert_;
  Statement mention_insert_;
  Statement alert_exists_;
  Statement alert_insert_;
  Statement alert_last_seq_;
  Statement source_upsert_;
  Statement cursor_delete_;
  Statement cursor_insert_;
  Statement rule_state_upsert_;
  Statement rule_state_delete_;
  RollupWriter rollups_;
  Statement search_index_add_;
  Statement search_index_advance_;
  size_t unindexed_ = 0;  // mentions written since the last IndexForSearch()
  std::function<void(int)> write_hook_;
  std::function<int(int)> fault_hook_;
  std::unique_ptr<Checkpointer> checkpointer_;  // none for an in-memory database
};

}  // namespace brandmon::store
