#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "daemon/store/sqlite.h"

namespace brandmon::store {

// Copies the write-ahead log back into the database file on a thread and a
// connection of its own, so that commits do not wait for it. SQLite's
// automatic checkpoint runs inside the commit that crosses its threshold and
// holds that commit for as long as copying and syncing 1,000 pages takes.
//
// The writer reports each commit's log size to Committed(). Each time
// `pages` more pages have been written the thread copies them. The log
// starts over from its beginning only at a commit that finds all of it
// copied, which a writer that never pauses does not allow; so past `limit`
// pages Committed() tells the writer to copy what is left itself, as SQLite
// would have (a short pause: most of the log is copied already).
//
// The thread runs at the lowest CPU priority and starts at the first
// checkpoint, so a store that is only read costs nothing. Thread-safe.
class Checkpointer {
 public:
  struct Sizes {
    int pages = 1000;  // SQLite's own threshold
    int limit = 8000;  // 32 MB of log with 4 KB pages
  };

  // Checkpoints the database at `path`, which must be in WAL mode.
  Checkpointer(std::string path, Sizes sizes);
  // Stops the thread; a checkpoint under way finishes first.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Called by the writer after a commit with the log's size in pages. True
  // when the writer should checkpoint now, on its own connection.
  bool Committed(int log_pages);

  // Checkpoints the thread has finished so far.
  int checkpoints() const;

 private:
  void Loop();

  const std::string path_;
  const Sizes sizes_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool busy_ = false;    // requested or running
  bool failed_ = false;  // the thread's connection could not be opened
  bool stopping_ = false;
  int copied_ = 0;  // pages of the log the last checkpoint copied
  int checkpoints_ = 0;
  std::optional<Database> db_;  // opened and used by thread_
  std::thread thread_;
};

}  // namespace brandmon::store
