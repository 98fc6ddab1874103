#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/query/filter.h"
#include "daemon/store/rule_state.h"
#include "daemon/store/sqlite.h"
#include "daemon/store/store.h"

namespace brandmon::query {

// Counts of one bucket or group, from the rollups. `mean_score` is the mean
// of the score the rules judge (the brand-targeted compound when there is
// one) and `negative_pct` the share labelled negative, both of the mentions
// scored: `unscored` ones (a language without a lexicon) count in
// `mentions` and `reach` alone. All figures are 0 where there were no
// mentions.
struct Totals {
  int64_t mentions = 0;
  int64_t unscored = 0;  // of `mentions`
  double mean_score = 0;
  double negative_pct = 0;  // 0 to 100
  double reach = 0;
};

// One line of a chart: a brand (and, when split, one value of the split)
// with a bucket for each step from `start_ms`, empty ones included.
struct Series {
  std::string brand;
  std::string split;  // "" unless the series is split
  std::vector<Totals> buckets;
};

struct TimeSeriesResult {
  int64_t start_ms = 0;  // the first bucket's start: since, rounded down to a multiple of the step
  Duration step{};
  Dimension split = Dimension::kNone;
  std::vector<Series> series;  // by brand, then split value
};

struct BreakdownRow {
  std::string key;
  Totals totals;
  double share_pct = 0;  // of all mentions the filter counts
};

// Which fields of the stored mentions a scan reads: all of them, or those of
// the CSV export (export.h), which leaves the metrics, matched terms,
// truncated fields, kind, reply_to and mention.lang empty.
enum class MentionFields { kAll, kCsv };

// A stored mention as the queries return it.
struct MentionRow {
  store::StoredMention stored;
  double reach = 0;
};

struct MentionPage {
  std::vector<MentionRow> mentions;
  std::string next_cursor;  // empty on the last page
};

struct AlertRow {
  uint64_t seq = 0;
  WallTime ts;
  std::string topic;
  std::string payload;  // the alert message, JSON, as journaled
};

struct AlertPage {
  std::vector<AlertRow> alerts;
  std::string next_cursor;
};

// Answers questions about the state database on a read-only connection of
// its own, beside the daemon's writer: each answer sees the commits made
// before it began. Every value is bound, never written into SQL. Move-only;
// thread-compatible: one thread uses a reader at a time.
class Reader {
 public:
  // Opens the database at `path` read-only.
  // Errors: NotFound naming the path when there is no file; Unavailable when
  // it cannot be opened; InvalidArgument when its schema is not the one this
  // build writes (older: brandmond upgrades it when it starts; newer).
  static Result<Reader> Open(const std::string& path);

  // Buckets of `step` (a multiple of 1h) over [since, until) by the hour the
  // mentions were stored, per brand, split by `split` (channel, lang or
  // label) unless kNone. Brands the filter names appear even without
  // mentions. Ignores min_reach and q.
  Result<TimeSeriesResult> TimeSeries(const Filter& filter, Duration step, Dimension split = Dimension::kNone);

  // The totals by `by` (brand: share of voice), most mentions first.
  // REQUIRES: by != kNone. Ignores min_reach and q.
  Result<std::vector<BreakdownRow>> Breakdown(const Filter& filter, Dimension by);

  // Mentions newest first (by the time stored; with words to find, by the
  // order stored, which is the same unless the clock was set back), one page.
  // Errors: InvalidArgument naming "cursor" when it is not one this reader made.
  Result<MentionPage> Mentions(const Filter& filter, const Page& page);
  // Every mention of `filter` newest first, one at a time (constant memory;
  // the row `visit` gets is reused for the next one); stops early when
  // `visit` returns false.
  Status ForEachMention(const Filter& filter, const std::function<bool(const MentionRow&)>& visit,
                        MentionFields fields = MentionFields::kAll);
  // The same oldest first (by the time stored, then the order of the commit):
  // the order in which the pipeline read them.
  Status ForEachMentionOldestFirst(const Filter& filter, const std::function<bool(const MentionRow&)>& visit);
  // The stored mention of `source` with id `id` (the row of the first brand
  // it was stored for); nullopt when there is none.
  Result<std::optional<MentionRow>> FindMention(const std::string& source, const std::string& id);

  // The `n` mentions of largest reach.
  Result<std::vector<MentionRow>> TopMentions(const Filter& filter, int64_t n);

  // Journaled alerts newest first; the filter's brands, since and until
  // apply (by the alert's time).
  Result<AlertPage> Alerts(const Filter& filter, const Page& page);

  // The latest journaled alert of `rule` in the filter's range and brands
  // (as Alerts), or nullopt when there is none.
  Result<std::optional<AlertRow>> LatestAlert(const Filter& filter, std::string_view rule);

  // Every brand the rollups hold, by name.
  Result<std::vector<std::string>> Brands();

  // Each source's health as last committed (source_state), by name.
  Result<std::vector<store::SourceState>> Sources();

  // The rules' saved state (rule_state) as last committed: their cooldowns,
  // baselines and open buckets, by brand and key.
  Result<std::vector<store::RuleStateEntry>> RuleState();

  const std::string& path() const { return db_.path(); }

 private:
  explicit Reader(store::Database db) : db_(std::move(db)) {}
  // The query of Alerts: newest first from `before_seq` (exclusive, 0 for
  // none), `rule` only unless empty, at most `limit` rows.
  Result<std::vector<AlertRow>> ScanAlerts(const Filter& filter, std::string_view rule, int64_t before_seq,
                                           int64_t limit);
  enum class Order { kNewest, kOldest, kReach };
  // A mention's place newest first: {stored_at, row}.
  using Key = std::pair<int64_t, int64_t>;
  // Runs the mention query of `filter` in `order` (kNewest: after the
  // cursor `after` unless nullopt), at most `limit` rows (-1: all), calling
  // `visit` per row until it returns false.
  Status ScanMentions(const Filter& filter, Order order, const std::optional<Key>& after, int64_t limit,
                      const std::function<bool(const MentionRow&)>& visit, MentionFields fields = MentionFields::kAll);
  // The keys of the newest `limit` (-1: all) mentions of `filter` (after
  // `after`), which names brands and no words, newest first.
  Result<std::vector<Key>> NewestKeys(const Filter& filter, const std::optional<Key>& after, int64_t limit);
  // The same for a search (`q`): {0, row} in the order stored. Reads the
  // brands' every row of the range.
  Result<std::vector<Key>> SearchKeys(const Filter& filter, const std::optional<Key>& after, int64_t limit);
  // How many mentions of `filter`'s brands the rollups count in its range
  // (from the start of its first hour).
  Result<int64_t> RollupCount(const Filter& filter);
  // Reads the mentions of `keys` in order, calling `visit` per row until it
  // returns false.
  Status VisitRows(const std::vector<Key>& keys, const std::function<bool(const MentionRow&)>& visit);

  store::Database db_;
};

// The FTS5 query of the words a person typed: each word must occur (a
// quoted string each, so that no character of `text` is FTS5 syntax).
std::string FtsQuery(std::string_view text);

}  // namespace brandmon::query
