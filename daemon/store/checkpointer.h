#pragma once

#include <condition_variable>
#include <cstdint>
#include <optional>
#include <string>

#include "daemon/base/mutex.h"
#include "daemon/base/thread_set.h"
#include "daemon/store/sqlite.h"

namespace brandmon::store {

// Copies the write-ahead log back into the database file on a thread and a
// connection of its own, so that commits do not wait for it. SQLite's
// automatic checkpoint runs inside the commit that crosses its threshold and
// holds that commit for as long as copying and syncing 1,000 pages takes.
//
// The writer reports each commit's log size to Committed(), and calls
// BeforeWrite() before it begins a transaction. Each time `pages` more pages
// have been written the thread copies them: small copies, so that none of
// them keeps a waiting writer long. The log starts over from its
// beginning only at a transaction that begins with all of it copied, which
// a writer that never pauses does not allow. So once the log has reached
// `limit` pages, BeforeWrite() waits until a copy that began after the last
// commit has finished: no more than copying the pages written since the
// previous copy. A writer that pauses on its own never waits. When a reader
// holding an old snapshot kept that copy from being whole, the writer does
// not wait again until another `pages` pages have been written.
//
// The "checkpoint" thread runs at the lowest CPU priority and is started, in
// the owner's ThreadSet, at the first checkpoint, so a store that is only
// read costs nothing. Thread-safe.
class Checkpointer {
 public:
  struct Sizes {
    int pages = 250;   // SQLite's own threshold is 1,000
    int limit = 8000;  // 32 MB of log with 4 KB pages
  };

  // Checkpoints the database at `path`, which must be in WAL mode, on a
  // thread of `threads` (which must outlive the checkpointer).
  Checkpointer(std::string path, Sizes sizes, ThreadSet& threads);
  // Stops the thread; a checkpoint under way finishes first.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Called by the writer after a commit with the log's size in pages. True
  // when the writer should checkpoint now on its own connection: only when
  // the thread's connection could not be opened, as SQLite would.
  bool Committed(int log_pages);
  // Called by the writer before it begins a transaction.
  void BeforeWrite();

  // Checkpoints the thread has finished so far.
  int checkpoints() const;
  // Times BeforeWrite() waited so far.
  int waits() const;

 private:
  void Loop();
  void Request() REQUIRES(mu_);

  const std::string path_;
  const Sizes sizes_;
  mutable Mutex mu_;
  std::condition_variable wake_;  // the thread: a checkpoint is requested
  std::condition_variable done_;  // the writer: a checkpoint has finished
  bool requested_ GUARDED_BY(mu_) = false;
  bool running_ GUARDED_BY(mu_) = false;
  bool failed_ GUARDED_BY(mu_) = false;  // the thread's connection could not be opened
  bool stopping_ GUARDED_BY(mu_) = false;
  uint64_t commits_ GUARDED_BY(mu_) = 0;         // commits reported so far
  uint64_t copied_through_ GUARDED_BY(mu_) = 0;  // the last finished checkpoint began after this many commits
  int copied_ GUARDED_BY(mu_) = 0;               // pages of the log it copied
  int log_ GUARDED_BY(mu_) = 0;                  // the log's size at the last commit
  bool restart_due_ GUARDED_BY(mu_) = false;     // the log has reached the limit
  int no_wait_below_ GUARDED_BY(mu_) = 0;        // log size under which BeforeWrite() does not wait again
  int checkpoints_ GUARDED_BY(mu_) = 0;
  int waits_ GUARDED_BY(mu_) = 0;
  ThreadSet& threads_;
  ThreadSet::Id thread_ GUARDED_BY(mu_) = 0;
  std::optional<Database> db_;  // opened and used by thread_
};

}  // namespace brandmon::store
