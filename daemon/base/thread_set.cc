#include "daemon/base/thread_set.h"

#include <pthread.h>

#include <utility>

namespace brandmon {

ThreadSet::~ThreadSet() { JoinAll(); }

ThreadSet::Id ThreadSet::Start(std::string name, std::function<void()> body) {
  std::string thread_name = name.substr(0, 15);
  MutexLock lock(mu_);
  Id id = next_id_++;
  std::thread thread([thread_name, body = std::move(body)] {
    pthread_setname_np(pthread_self(), thread_name.c_str());
    body();
  });
  // Also from here, so that the name is set when Start() returns: until the
  // thread runs, it would show its parent's name.
  pthread_setname_np(thread.native_handle(), thread_name.c_str());
  entries_.push_back({id, std::move(name), std::move(thread)});
  return id;
}

std::thread ThreadSet::Take(Id id) {
  MutexLock lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->id != id) continue;
    std::thread thread = std::move(it->thread);
    entries_.erase(it);
    return thread;
  }
  return {};
}

void ThreadSet::Join(Id id) {
  if (id == 0) return;
  std::thread thread = Take(id);
  if (thread.joinable()) thread.join();
}

void ThreadSet::JoinAll() {
  for (;;) {
    Id last = 0;
    {
      MutexLock lock(mu_);
      if (entries_.empty()) return;
      last = entries_.back().id;
    }
    Join(last);
  }
}

std::vector<std::string> ThreadSet::Running() const {
  MutexLock lock(mu_);
  std::vector<std::string> names;
  names.reserve(entries_.size());
  for (const Entry& e : entries_) names.push_back(e.name);
  return names;
}

}  // namespace brandmon
