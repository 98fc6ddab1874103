#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

#include "daemon/base/thread_annotations.h"

namespace brandmon {

// A std::mutex the thread-safety analysis knows: fields are marked
// GUARDED_BY(mu_) and functions REQUIRES(mu_), and clang checks every access.
// Thread-safe.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // Tells the analysis the lock is held: the first statement of a wait
  // predicate (a lambda, analyzed on its own, that runs with the lock held).
  // Checks nothing at run time.
  void AssertHeld() const BRANDMON_THREAD_ANNOTATION(assert_capability(this)) {}

 private:
  friend class MutexLock;
  std::mutex mu_;
};

// Holds a Mutex for its scope. Wait() releases it while it waits on a
// condition variable, as std::condition_variable::wait does; a predicate
// starts with `mu_.AssertHeld();` so that the analysis knows it runs locked.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : lock_(mu.mu_) {}
  ~MutexLock() RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  // Waits on `cv` (the lock is released meanwhile and held again on return).
  void Wait(std::condition_variable& cv) { cv.wait(lock_); }
  template <typename Predicate>
  void Wait(std::condition_variable& cv, Predicate pred) {
    cv.wait(lock_, std::move(pred));
  }
  // Returns false on timeout.
  template <typename Rep, typename Period, typename Predicate>
  bool WaitFor(std::condition_variable& cv, const std::chrono::duration<Rep, Period>& d, Predicate pred) {
    return cv.wait_for(lock_, d, std::move(pred));
  }
  template <typename Rep, typename Period>
  bool WaitFor(std::condition_variable& cv, const std::chrono::duration<Rep, Period>& d) {
    return cv.wait_for(lock_, d) == std::cv_status::no_timeout;
  }
  template <typename Clock, typename Duration>
  bool WaitUntil(std::condition_variable& cv, const std::chrono::time_point<Clock, Duration>& t) {
    return cv.wait_until(lock_, t) == std::cv_status::no_timeout;
  }
  // Releases the lock before the end of the scope, and takes it again.
  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace brandmon
