#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "daemon/rules/rules_options.h"
#include "daemon/rules/text_cues.h"

namespace brandmon::rules {

// P(X >= k) and P(X <= k) for X ~ Poisson(lambda). REQUIRES: lambda > 0.
double PoissonUpperTail(int64_t k, double lambda);
double PoissonLowerTail(int64_t k, double lambda);

// A robust summary of recent bucket counts: the median, and a spread that is
// 1.4826 x the median absolute deviation but never below the Poisson
// sqrt(median) nor 1, so a flat history does not make every wobble unusual.
struct Baseline {
  double median = 0;
  double sigma = 1;
};
Baseline RobustBaseline(std::vector<double> history);

// The counts of one series (a brand, or a brand on one channel) in time
// buckets, its baseline, and the storm it may be in. Buckets are numbered
// floor(unix_ms / bucket_ms). Thread-compatible.
class SpikeSeries {
 public:
  enum class EventKind { kSpike, kDip, kClear };
  struct Event {
    EventKind kind;
    int64_t bucket;       // the bucket that closed
    int64_t storm_start;  // first bucket of the storm
    double count;         // of the closed bucket
    double median;
    double sigma;
    double z;
    double p;            // Poisson tail of the count (upper for spikes, lower for dips)
    double peak;         // largest (spike) or smallest (dip) count of the storm
    double storm_total;  // counts of the storm's buckets
    int64_t storm_buckets;
    bool dip_storm = false;  // for kClear: the storm was a dip
  };

  void Add(int64_t bucket, double n);
  // Closes every bucket before `bucket` and returns what they raised. Events
  // of a storm that began within the cooldown are not returned.
  std::vector<Event> Advance(int64_t bucket, const SpikeOptions& options);
  // After a restart at `bucket`: the bucket open at the stop is kept when it
  // closed at most one bucket ago; a longer gap (counts unknown) is skipped.
  void Resume(int64_t bucket);

  bool started() const { return open_bucket_ >= 0; }
  int64_t open_bucket() const { return open_bucket_; }
  double open_count() const { return open_count_; }
  // Sets the open bucket and its count, as saved apart from the rest of the
  // series (which changes only when a bucket closes).
  void RestoreOpen(int64_t bucket, double count) {
    open_bucket_ = bucket;
    open_count_ = count;
  }

  std::string Serialize() const;
  // False (and no change) when `data` is not a serialized series.
  bool Deserialize(std::string_view data);

 private:
  std::optional<Event> Close(int64_t bucket, double count, const SpikeOptions& options);

  int64_t open_bucket_ = -1;
  double open_count_ = 0;
  std::vector<double> history_;  // closed buckets, oldest first, clipped
  int64_t observed_ = 0;         // buckets closed so far
  int state_ = 0;                // 0 normal, 1 spike, -1 dip
  int64_t storm_start_ = 0;
  double peak_ = 0;
  double storm_total_ = 0;
  int64_t storm_buckets_ = 0;
  int64_t normal_run_ = 0;
  bool storm_alerted_ = false;
  int64_t quiet_until_ = -1;  // storms starting before this bucket are not alerted
};

// Average sentiment per bucket: the recent buckets against the ones before.
// Thread-compatible.
class ShiftTracker {
 public:
  struct Event {
    int64_t bucket;
    double recent_avg;
    double baseline_avg;
    double drop;
    int64_t recent_count;
    int64_t baseline_count;
  };

  void Add(int64_t bucket, double compound);
  std::vector<Event> Advance(int64_t bucket, const SentimentShiftOptions& options);
  void Resume(int64_t bucket);
  int64_t open_bucket() const { return open_bucket_; }
  int64_t open_count() const { return open_.count; }
  double open_sum() const { return open_.sum; }
  // Sets the open bucket and its cell, as saved apart from the history.
  void RestoreOpen(int64_t bucket, int64_t count, double sum) {
    open_bucket_ = bucket;
    open_ = {count, sum};
  }
  std::string Serialize() const;
  bool Deserialize(std::string_view data);

 private:
  struct Cell {
    int64_t count = 0;
    double sum = 0;
  };
  std::optional<Event> Close(int64_t bucket, Cell cell, const SentimentShiftOptions& options);

  int64_t open_bucket_ = -1;
  Cell open_;
  std::vector<Cell> history_;
  bool active_ = false;
  int64_t quiet_until_ = -1;
};

// Terms co-occurring with one brand: the number of mentions containing each
// in the open bucket, and an exponentially weighted baseline per term.
// Thread-compatible.
class TermTracker {
 public:
  TermTracker() = default;
  // Moves keep the changed cells, which live in the counts' nodes; a copy
  // would point into the original's.
  TermTracker(TermTracker&&) = default;
  TermTracker& operator=(TermTracker&&) = default;
  TermTracker(const TermTracker&) = delete;
  TermTracker& operator=(const TermTracker&) = delete;

  struct Emerging {
    std::string term;
    double count;
    double baseline;
  };

  // Counts each distinct word of `words` once. Words are taken as given.
  // Once 4 x options.max_terms words are counted, new ones are left out,
  // the first in byte order kept.
  void Add(int64_t bucket, const std::vector<std::string>& words, const EmergingTermsOptions& options);
  // The same with each word's hash computed; may reorder `words`.
  void Add(int64_t bucket, std::vector<HashedWord>& words, const EmergingTermsOptions& options);
  // Closes the buckets before `bucket`; for each closed bucket with emerging
  // terms, returns them (most surprising first, at most `top`) with the
  // bucket number. `now_ms` sets the per-term cooldowns.
  std::vector<std::pair<int64_t, std::vector<Emerging>>> Advance(int64_t bucket, int64_t now_ms,
                                                                 const EmergingTermsOptions& options);
  void Resume(int64_t bucket);
  // The state is saved in two parts: the baselines, which change when a
  // bucket closes, and the counts of the open bucket, which change with every
  // mention. Restore the baselines first. The open counts can be saved
  // whole (SerializeOpen) or as the counts changed since the last save of
  // either kind (SerializeOpenChanges), which MergeOpen applies on top of a
  // restored whole.
  std::string SerializeBaseline() const;
  std::string SerializeOpen();
  // Empty when no count changed since the last save.
  std::string SerializeOpenChanges();
  bool DeserializeBaseline(std::string_view data);
  // Ignored (returns false) unless it is of the open bucket of the baselines.
  bool DeserializeOpen(std::string_view data);
  bool MergeOpen(std::string_view data);
  size_t tracked_terms() const { return baseline_.size(); }
  size_t open_terms() const { return counts_.size(); }
  int64_t open_bucket() const { return open_bucket_; }

 private:
  // The open bucket's counts, all of them or those changed since the last
  // save; either way they count as saved.
  std::string WriteOpen(bool changes_only);
  struct Count {
    double n = 0;
    bool changed = false;  // since the last save
    uint64_t added = 0;    // the last Add() that counted it (add_serial_)
  };
  using Counts = std::unordered_map<std::string, Count, WordHash, WordEq>;
  // Counts `cell` once per Add(): a repeat of its word in one Add() is not counted again.
  void CountOnce(Counts::value_type& cell);
  // Add() when new words may reach the cap: in byte order.
  void AddNearCap(std::vector<HashedWord>& words, size_t cap);
  std::vector<Emerging> Close(int64_t now_ms, const EmergingTermsOptions& options);
  void Decay(int64_t buckets);
  bool ReadOpen(std::string_view data, bool merge);

  int64_t open_bucket_ = -1;
  Counts counts_;                             // open bucket
  std::vector<Counts::value_type*> changed_;  // cells of counts_ changed since the last save
  uint64_t add_serial_ = 0;                   // Add() calls so far
  std::map<std::string, double> baseline_;    // mean mentions per bucket
  std::map<std::string, int64_t> cooldown_until_ms_;
  int64_t observed_ = 0;
};

}  // namespace brandmon::rules
