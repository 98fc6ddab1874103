#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/base/mutex.h"

namespace brandmon {

// The one place a program's threads are started: the program's process
// object owns a ThreadSet and hands it to the components that need threads
// (the scheduler, the pipeline, the publisher, the checkpointer...). Each
// thread is named (as `top -H` and `ps -L` show it) and is joined either by
// the component that asked for it (Join(), from its Stop()) or, for whatever
// is left, by JoinAll() in reverse start order. Threads are never detached.
// Thread-safe.
class ThreadSet {
 public:
  // Identifies one started thread; 0 is "none".
  using Id = size_t;

  ThreadSet() = default;
  // Joins every thread still running, in reverse start order.
  // REQUIRES: their owners asked them to stop (or they end by themselves).
  ~ThreadSet();
  ThreadSet(const ThreadSet&) = delete;
  ThreadSet& operator=(const ThreadSet&) = delete;

  // Runs `body` on a new thread named `name` (at most 15 bytes are kept, the
  // kernel's limit). Returns its id for Join().
  Id Start(std::string name, std::function<void()> body);

  // Waits until thread `id` has ended. Joining an id twice, or 0, does
  // nothing. REQUIRES: not called from that thread itself.
  void Join(Id id);

  // Joins every thread not yet joined, the last started first.
  void JoinAll();

  // The names of the threads started and not yet joined, in start order.
  std::vector<std::string> Running() const;

 private:
  struct Entry {
    Id id = 0;
    std::string name;
    std::thread thread;
  };
  // Takes the thread out of the set under the lock, so that a join (which
  // may wait long) never holds it.
  std::thread Take(Id id);

  mutable Mutex mu_;
  std::vector<Entry> entries_ GUARDED_BY(mu_);
  Id next_id_ GUARDED_BY(mu_) = 1;
};

}  // namespace brandmon
