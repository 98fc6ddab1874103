#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "daemon/base/scored_mention.h"
#include "daemon/base/status.h"
#include "daemon/store/sqlite.h"

namespace brandmon::store {

// One table of rollups: the mentions stored in each period (by the time they
// were stored; the column holds the Unix ms of the period's start) per brand
// and label, and, unless the table is by brand alone, per channel and
// language: their count, the sum and the sum of squares of the score rules
// judge (the brand-targeted compound when there is one) and the sum of
// reach. Every table counts the same mentions, cut coarser or finer: the
// read side takes the coarsest one a question allows (query::Reader).
struct RollupTable {
  std::string_view name;
  std::string_view period;  // the time column: "hour" or "day"
  int64_t period_ms;
  bool by_channel_lang;  // holds the columns channel and lang
};

// The finest cut, which every question can be answered from.
inline constexpr RollupTable kRollupHourly = {"rollup_hourly", "hour", 3'600'000, true};
// Per UTC day: a series of daily steps, or the whole days of a breakdown's range.
inline constexpr RollupTable kRollupDaily = {"rollup_daily", "day", 86'400'000, true};
// Per hour without channel and language: every question that neither
// filters nor splits by them.
inline constexpr RollupTable kRollupBrandHourly = {"rollup_brand_hourly", "hour", 3'600'000, false};

// Every rollup table, which each commit writes and each prune trims.
std::span<const RollupTable> RollupTables();

// The sums one rollup row holds.
struct RollupSums {
  int64_t mentions = 0;
  double score_sum = 0;
  double score_squares = 0;
  double reach_sum = 0;
  void Add(const RollupSums& other);
};

// What the mentions one commit stores add to the rollups, by brand,
// channel, language and label. The views point into the mentions added,
// which must outlive it. A value type; thread-compatible.
class RollupCounts {
 public:
  void Add(const ScoredMention& m);
  bool empty() const { return sums_.empty(); }

 private:
  friend class RollupWriter;
  using Key = std::tuple<std::string_view, std::string_view, std::string_view, std::string_view>;
  std::map<Key, RollupSums> sums_;
};

// Adds counts to every rollup table in the transaction that stores the
// mentions. Owns its prepared statements; owned by the Store
// (thread-compatible).
class RollupWriter {
 public:
  RollupWriter() = default;
  // Prepares one upsert per table on `db`, which must outlive the writer.
  static Result<RollupWriter> Prepare(Database& db);

  // Adds `counts` to the rows of every table for the periods that hold
  // `now_ms`, calling `before_each` before each upsert (the store's hooks)
  // and stopping at its first error, or at the first failed upsert.
  Status Write(const RollupCounts& counts, int64_t now_ms, const std::function<Status()>& before_each);

 private:
  Status Put(size_t table, const RollupCounts::Key& key, const RollupSums& sums, int64_t now_ms);

  std::vector<Statement> upserts_;  // parallel to RollupTables()
};

}  // namespace brandmon::store
