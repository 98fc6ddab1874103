#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mutex.h"
#include "daemon/notify/receiver.h"

namespace brandmon::notify {

using AlertPtr = std::shared_ptr<const AlertMessage>;

// The recent alerts of the stream, shared by the delivery workers: the
// subscriber thread appends them in seq order, each worker reads from its
// own position. Bounded in alerts and bytes: the oldest go first, and a
// worker that falls behind the window (a receiver down for a while) reads
// what it missed from the catch-up service instead, so a dead receiver
// never holds memory. Thread-safe.
class AlertWindow {
 public:
  AlertWindow(size_t max_alerts, uint64_t max_bytes) : max_alerts_(max_alerts), max_bytes_(max_bytes) {}

  // The stream position when the subscriber started (the seq it catches up
  // from): the window holds every alert after it. A receiver without a
  // cursor starts here. Wakes the workers.
  void SetBaseline(uint64_t seq);
  std::optional<uint64_t> baseline() const;

  // REQUIRES: `alert`'s seq is greater than every seq appended before.
  void Append(AlertPtr alert);

  // brandmond's journal was replaced (its seqs start again): forgets every
  // alert, the window starts over from `baseline`, and the generation
  // changes so that workers reset their cursors.
  void Reset(uint64_t baseline);

  struct Slice {
    std::vector<AlertPtr> alerts;  // seq > the cursor asked for, in order
    // True when alerts after the cursor may have left the window (or never
    // were in it): read them from the catch-up service up to `covered_from`.
    bool behind = false;
    uint64_t covered_from = 0;
    uint64_t generation = 0;
  };
  // At most `max` alerts with seq > `cursor`.
  Slice After(uint64_t cursor, size_t max) const;

  // Waits until an alert with seq > `cursor` is there, the baseline or
  // generation changes, Wake() is called, or `deadline`.
  void WaitAfter(uint64_t cursor, MonoTime deadline) const;
  void Wake();

  uint64_t generation() const;
  uint64_t last_seq() const;
  size_t size() const;
  uint64_t bytes() const;

 private:
  void Evict() REQUIRES(mu_);

  const size_t max_alerts_;
  const uint64_t max_bytes_;
  mutable Mutex mu_;
  mutable std::condition_variable changed_;
  std::deque<AlertPtr> alerts_ GUARDED_BY(mu_);
  uint64_t bytes_ GUARDED_BY(mu_) = 0;
  std::optional<uint64_t> baseline_ GUARDED_BY(mu_);
  uint64_t covered_from_ GUARDED_BY(mu_) = 0;
  uint64_t last_seq_ GUARDED_BY(mu_) = 0;
  uint64_t generation_ GUARDED_BY(mu_) = 0;
  uint64_t wakes_ GUARDED_BY(mu_) = 0;
};

}  // namespace brandmon::notify
