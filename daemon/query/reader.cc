#include "daemon/query/reader.h"

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <type_traits>
#include <utility>
#include <variant>

#include "daemon/store/fields.h"
#include "daemon/store/rollups.h"
#include "daemon/store/schema.h"

namespace brandmon::query {
namespace {

using store::Database;
using store::Statement;

// A WHERE clause under construction: the SQL is made of column names and
// placeholders chosen here, the values are bound in order.
class Where {
 public:
  using Value = std::variant<int64_t, double, std::string>;

  void Add(std::string_view condition, std::vector<Value> values) {
    sql_ += sql_.empty() ? " WHERE " : " AND ";
    sql_ += condition;
    for (auto& v : values) values_.push_back(std::move(v));
  }
  // `column` IN (?, ?...) unless `values` is empty.
  void In(std::string_view column, const std::vector<std::string>& values) {
    if (values.empty()) return;
    std::string list;
    for (size_t i = 0; i < values.size(); ++i) list += i == 0 ? "?" : ", ?";
    Add(std::string(column) + " IN (" + list + ")", {});
    for (const auto& v : values) values_.emplace_back(v);
  }
  const std::string& sql() const { return sql_; }
  const std::vector<Value>& values() const { return values_; }
  // Binds `lead` from parameter 1 (placeholders before the clause), then
  // the clause's values, then `extra` (placeholders after it).
  Status Bind(Statement& stmt, const std::vector<Value>& lead = {}, const std::vector<Value>& extra = {}) const {
    int index = 1;
    for (const auto* list : {&lead, &values_, &extra}) {
      for (const Value& v : *list) {
        Status s = std::visit(
            [&](const auto& x) {
              using T = std::decay_t<decltype(x)>;
              if constexpr (std::is_same_v<T, int64_t>) return stmt.BindInt(index, x);
              if constexpr (std::is_same_v<T, double>) return stmt.BindDouble(index, x);
              if constexpr (std::is_same_v<T, std::string>) return stmt.BindText(index, x);
            },
            v);
        if (!s.ok()) return s;
        ++index;
      }
    }
    return Status::Ok();
  }

 private:
  std::string sql_;
  std::vector<Value> values_;
};

std::string_view Column(Dimension d) {
  switch (d) {
    case Dimension::kBrand: return "brand";
    case Dimension::kChannel: return "channel";
    case Dimension::kLang: return "lang";
    case Dimension::kLabel: return "label";
    case Dimension::kNone: break;
  }
  return "''";
}

// Every brand of a rollup table, found by one primary-key seek per brand (a
// skip scan), so that a range of periods of all brands is read through the
// key (brand, period) rather than by scanning every row: the tables have no
// index by time, which each commit would pay for.
std::string BrandNames(std::string_view table) {
  std::string t(table);
  return "WITH RECURSIVE b(name) AS (SELECT min(brand) FROM " + t + " UNION ALL SELECT (SELECT min(brand) FROM " + t +
         " WHERE brand > name) FROM b WHERE name IS NOT NULL) SELECT name FROM b WHERE name IS NOT NULL";
}

// A part of a question's range read from one rollup table: the rows whose
// period starts in [from, until).
struct RollupPart {
  const store::RollupTable* table;
  int64_t from_ms;
  int64_t until_ms;
};

int64_t FloorTo(int64_t t, int64_t period) { return t - ((t % period) + period) % period; }

// Which rollup tables answer the rows of [from, until) (a series' buckets of
// `step_ms`, or 0 for a breakdown) for `filter` cut by `dim`, so that the
// answer is the one the hourly rollups give: without channel or language,
// the hourly rollups by brand and label; else the daily ones for the whole
// days (when a series' step is whole days, or for a breakdown) and the
// hourly ones for the hours at either end.
std::vector<RollupPart> PlanRollups(const Filter& filter, Dimension dim, int64_t from_ms, int64_t step_ms) {
  bool detail =
      !filter.channels.empty() || !filter.langs.empty() || dim == Dimension::kChannel || dim == Dimension::kLang;
  if (!detail) return {{&store::kRollupBrandHourly, from_ms, filter.until_ms}};
  const store::RollupTable& coarse = store::kRollupDaily;
  int64_t p = coarse.period_ms;
  int64_t first = FloorTo(from_ms + p - 1, p), last = FloorTo(filter.until_ms, p);
  if (step_ms % p != 0 || first >= last) return {{&store::kRollupHourly, from_ms, filter.until_ms}};
  std::vector<RollupPart> parts;
  if (from_ms < first) parts.push_back({&store::kRollupHourly, from_ms, first});
  parts.push_back({&coarse, first, last});
  if (last < filter.until_ms) parts.push_back({&store::kRollupHourly, last, filter.until_ms});
  return parts;
}

// The rows of `parts` that `filter` counts, as one source of rows with the
// columns brand, channel, lang, label, at (the period's start), mentions,
// score_sum and reach_sum; `values` gets its parameters in order.
std::string RollupSource(const Filter& filter, const std::vector<RollupPart>& parts,
                         std::vector<Where::Value>& values) {
  std::string sql;
  for (const RollupPart& part : parts) {
    const store::RollupTable& t = *part.table;
    std::string period(t.period);
    Where w;
    w.Add(period + " >= ? AND " + period + " < ?", {part.from_ms, part.until_ms});
    if (filter.brands.empty()) {
      w.Add("brand IN (" + BrandNames(t.name) + ")", {});
    } else {
      w.In("brand", filter.brands);
    }
    if (t.by_channel_lang) {
      w.In("channel", filter.channels);
      w.In("lang", filter.langs);
    }
    w.In("label", filter.labels);
    sql += sql.empty() ? "" : " UNION ALL ";
    sql += "SELECT brand, " + std::string(t.by_channel_lang ? "channel, lang" : "'' AS channel, '' AS lang") +
           ", label, " + period + " AS at, mentions, score_sum, reach_sum FROM " + std::string(t.name) + w.sql();
    values.insert(values.end(), w.values().begin(), w.values().end());
  }
  return sql;
}

// Sums of the rollup columns, in the order Totals reads them from `first`.
constexpr std::string_view kSums =
    "sum(mentions), sum(score_sum), sum(CASE WHEN label = 'negative' THEN mentions ELSE 0 END), sum(reach_sum), "
    "sum(CASE WHEN label = 'unscored' THEN mentions ELSE 0 END)";

Totals ReadTotals(const Statement& stmt, int first) {
  Totals t;
  t.mentions = stmt.ColumnInt(first);
  t.unscored = stmt.ColumnInt(first + 4);
  if (int64_t scored = t.mentions - t.unscored; scored > 0) {
    t.mean_score = stmt.ColumnDouble(first + 1) / static_cast<double>(scored);
    t.negative_pct = 100.0 * static_cast<double>(stmt.ColumnInt(first + 2)) / static_cast<double>(scored);
  }
  t.reach = stmt.ColumnDouble(first + 3);
  return t;
}

// Cursors are opaque to clients: hex of the key the page ended at.
std::string EncodeCursor(std::initializer_list<int64_t> keys) {
  std::string out;
  char buf[17];
  for (int64_t k : keys) {
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(k));
    out += buf;
  }
  return out;
}

std::optional<std::vector<int64_t>> DecodeCursor(std::string_view cursor, size_t keys) {
  if (cursor.size() != 16 * keys) return std::nullopt;
  std::vector<int64_t> out;
  for (size_t i = 0; i < keys; ++i) {
    uint64_t v = 0;
    for (char c : cursor.substr(16 * i, 16)) {
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return std::nullopt;
      v = v << 4 | static_cast<uint64_t>(digit);
    }
    out.push_back(static_cast<int64_t>(v));
  }
  return out;
}

Status BadCursor() {
  return Status::InvalidArgument("cursor: not a cursor of this list (pass next_cursor of the page before unchanged)");
}

constexpr std::string_view kMentionColumns =
    "SELECT m.rowid, m.stored_at, m.source, m.channel, m.brand, m.mention_id, m.url, m.title, m.text, m.author, "
    "m.published, m.lang, m.metrics, m.compound, m.pos, m.neu, m.neg, m.label, m.target, m.matched_terms, "
    "m.truncated, m.reach, m.kind, m.reply_to";
constexpr std::string_view kFromMentions = " FROM mentions AS m";
// With words to find, the full-text index drives the scan, newest row first
// (FTS5 reads its lists backwards), so that a page of a common word costs
// the rows of that page rather than every row that holds the word.
constexpr std::string_view kFromSearch = " FROM mentions_fts JOIN mentions AS m ON m.rowid = mentions_fts.rowid";
// A search's range [since, until) as the rows from the first stored in it to
// the last, found through the time index: the rows whose stored_at is in the
// range unless the clock was set back, as the order of a search is.
constexpr std::string_view kSearchRange =
    "mentions_fts.rowid >= (SELECT rowid FROM mentions WHERE stored_at >= ? ORDER BY stored_at, rowid LIMIT 1) AND "
    "mentions_fts.rowid <= (SELECT rowid FROM mentions WHERE stored_at < ? ORDER BY stored_at DESC, rowid DESC "
    "LIMIT 1)";

// Reads the row `stmt` stands on into `row`, whose strings keep their
// buffers from the row before: a scan of a million rows allocates little.
void ReadMention(const Statement& stmt, MentionFields fields, MentionRow& row) {
  store::StoredMention& sm = row.stored;
  sm.row = stmt.ColumnInt(0);
  sm.stored_at = FromUnixMillis(stmt.ColumnInt(1));
  Mention& m = sm.scored.mention;
  m.source.assign(stmt.ColumnView(2));
  m.channel.assign(stmt.ColumnView(3));
  sm.scored.brand.assign(stmt.ColumnView(4));
  m.id.assign(stmt.ColumnView(5));
  m.url.assign(stmt.ColumnView(6));
  m.title.assign(stmt.ColumnView(7));
  m.text.assign(stmt.ColumnView(8));
  m.author.assign(stmt.ColumnView(9));
  m.published.reset();
  if (!stmt.ColumnIsNull(10)) m.published = FromUnixMillis(stmt.ColumnInt(10));
  sm.scored.lang.assign(stmt.ColumnView(11));
  Sentiment& s = sm.scored.sentiment;
  s.compound = stmt.ColumnDouble(13);
  s.pos = stmt.ColumnDouble(14);
  s.neu = stmt.ColumnDouble(15);
  s.neg = stmt.ColumnDouble(16);
  store::ReadStoredLabel(stmt.ColumnView(17), s);
  s.target = stmt.ColumnOptionalDouble(18);
  row.reach = stmt.ColumnDouble(21);
  if (fields == MentionFields::kCsv) return;
  if (sm.scored.lang.empty()) {
    m.lang.reset();
  } else {
    m.lang = sm.scored.lang;
  }
  m.metrics = store::DecodeMetrics(stmt.ColumnView(12));
  sm.scored.matched_terms = store::DecodeList(stmt.ColumnView(19));
  m.truncated = store::DecodeList(stmt.ColumnView(20));
  m.kind = ParseChannelKind(stmt.ColumnView(22)).value_or(ChannelKind::kUnknown);
  m.reply_to.assign(stmt.ColumnView(23));
}

// Largest reach first, through the index mentions_brand_reach (schema.cc):
// by the reach's number of digits, which the index holds, then the reach.
constexpr std::string_view kByReach =
    " ORDER BY length(CAST(CAST(max(m.reach, 0) AS INTEGER) AS TEXT)) DESC, m.reach DESC, m.rowid DESC";
// The second column of mentions_brand_reach, and its largest value (the
// digits of the largest 64-bit integer).
constexpr std::string_view kReachDigits = "length(CAST(CAST(max(m.reach, 0) AS INTEGER) AS TEXT))";
constexpr int64_t kMaxReachDigits = 19;

// `by_brand`: the scan goes by brand (the index of reach); else by time, and
// the brand is only checked (the unary + keeps SQLite from reading a brand's
// every row through the reach index to sort them by time).
Where MentionWhere(const Filter& filter, bool by_brand) {
  Where w;
  w.Add("stored_at >= ? AND stored_at < ?", {filter.since_ms, filter.until_ms});
  w.In(by_brand ? "m.brand" : "+m.brand", filter.brands);
  w.In("channel", filter.channels);
  w.In("lang", filter.langs);
  w.In("label", filter.labels);
  if (filter.min_reach > 0) w.Add("reach >= ?", {filter.min_reach});
  std::string fts = FtsQuery(filter.q);
  if (!fts.empty()) w.Add("mentions_fts MATCH ?", {fts});
  return w;
}

}  // namespace

std::string FtsQuery(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n' && text[i] != '\r') ++i;
    if (i == start) break;
    out += out.empty() ? "\"" : " \"";
    for (char c : text.substr(start, i - start)) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
  }
  return out;
}

Result<Reader> Reader::Open(const std::string& path) {
  std::error_code ec;
  if (path != ":memory:" && !std::filesystem::exists(path, ec)) {
    return Status::NotFound("no state database at " + path);
  }
  auto db = Database::OpenReadOnly(path);
  if (!db.ok()) return db.status();
  auto version = db->QueryInt("SELECT coalesce(max(version), 0) FROM schema_version");
  if (!version.ok()) {
    return Status::InvalidArgument(path + " is not a brandmon state database (" + version.status().message() + ")");
  }
  int latest = store::Migrations().back().version;
  if (*version < latest) {
    return Status::InvalidArgument("database " + path + " has schema version " + std::to_string(*version) +
                                   ", older than this brandmon's (" + std::to_string(latest) +
                                   "): brandmond of this version upgrades it when it starts");
  }
  if (*version > latest) {
    return Status::InvalidArgument("database " + path + " has schema version " + std::to_string(*version) +
                                   ", newer than this brandmon knows (" + std::to_string(latest) + ")");
  }
  return Reader(std::move(*db));
}

Result<TimeSeriesResult> Reader::TimeSeries(const Filter& filter, Duration step, Dimension split) {
  assert(step.count() > 0 && step.count() % kHourMs == 0);
  TimeSeriesResult out;
  out.step = step;
  out.split = split;
  int64_t step_ms = step.count();
  out.start_ms = filter.since_ms - ((filter.since_ms % step_ms) + step_ms) % step_ms;
  size_t buckets = static_cast<size_t>((filter.until_ms - out.start_ms + step_ms - 1) / step_ms);
  std::vector<Where::Value> values = {out.start_ms, step_ms};
  std::string source = RollupSource(filter, PlanRollups(filter, split, out.start_ms, step_ms), values);
  auto stmt = db_.Prepare("SELECT brand, " + std::string(Column(split)) + ", (at - ?) / ?, " + std::string(kSums) +
                          " FROM (" + source + ") GROUP BY 1, 2, 3");
  if (!stmt.ok()) return stmt.status();
  if (auto s = Where().Bind(*stmt, values); !s.ok()) return s;
  std::map<std::pair<std::string, std::string>, std::vector<Totals>> lines;
  // Lines a chart expects even without a mention.
  std::vector<std::string> seeds;
  if (split == Dimension::kLabel) {
    seeds =
        filter.labels.empty() ? std::vector<std::string>{"positive", "neutral", "negative", "unscored"} : filter.labels;
  } else if (split == Dimension::kChannel) {
    seeds = filter.channels;
  } else if (split == Dimension::kLang) {
    seeds = filter.langs;
  } else if (split == Dimension::kNone) {
    seeds = {""};
  }
  for (const std::string& brand : filter.brands) {
    for (const std::string& seed : seeds) lines[{brand, seed}].resize(buckets);
  }
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    auto& line = lines[{stmt->ColumnText(0), split == Dimension::kNone ? "" : stmt->ColumnText(1)}];
    line.resize(buckets);
    int64_t bucket = stmt->ColumnInt(2);
    if (bucket >= 0 && static_cast<size_t>(bucket) < buckets) line[static_cast<size_t>(bucket)] = ReadTotals(*stmt, 3);
  }
  for (auto& [key, line] : lines) out.series.push_back({key.first, key.second, std::move(line)});
  return out;
}

Result<std::vector<BreakdownRow>> Reader::Breakdown(const Filter& filter, Dimension by) {
  assert(by != Dimension::kNone);
  std::vector<Where::Value> values;
  std::string source = RollupSource(filter, PlanRollups(filter, by, FloorTo(filter.since_ms, kHourMs), 0), values);
  auto stmt = db_.Prepare("SELECT " + std::string(Column(by)) + ", " + std::string(kSums) + " FROM (" + source +
                          ") GROUP BY 1 ORDER BY 2 DESC, 1");
  if (!stmt.ok()) return stmt.status();
  if (auto s = Where().Bind(*stmt, values); !s.ok()) return s;
  std::vector<BreakdownRow> out;
  int64_t total = 0;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({stmt->ColumnText(0), ReadTotals(*stmt, 1), 0});
    total += out.back().totals.mentions;
  }
  for (auto& r : out) {
    if (total > 0) r.share_pct = 100.0 * static_cast<double>(r.totals.mentions) / static_cast<double>(total);
  }
  return out;
}

// Each brand's run of each reach length in mentions_brand_reach is in time
// order, so that the newest `limit` rows of a few brands are the newest of
// those runs, merged: a page costs at most `limit` index entries a run,
// where a scan of the time index read every mention of the range until it
// had found `limit` of the brands (tens of thousands for a quiet brand).
Result<std::vector<Reader::Key>> Reader::NewestKeys(const Filter& filter, const std::optional<Key>& after,
                                                    int64_t limit) {
  std::vector<Key> keys;
  Filter one = filter;
  for (const std::string& brand : filter.brands) {
    one.brands = {brand};
    Where where = MentionWhere(one, true);
    if (after)
      where.Add("stored_at <= ? AND (stored_at, m.rowid) < (?, ?)", {after->first, after->first, after->second});
    auto stmt = db_.Prepare("SELECT stored_at, m.rowid" + std::string(kFromMentions) + where.sql() + " AND " +
                            std::string(kReachDigits) + " = ? ORDER BY stored_at DESC, m.rowid DESC LIMIT ?");
    if (!stmt.ok()) return stmt.status();
    for (int64_t digits = 1; digits <= kMaxReachDigits; ++digits) {
      stmt->Reset();
      if (auto s = where.Bind(*stmt, {}, {digits, limit}); !s.ok()) return s;
      for (;;) {
        auto row = stmt->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        keys.emplace_back(stmt->ColumnInt(0), stmt->ColumnInt(1));
      }
    }
  }
  std::sort(keys.begin(), keys.end(), std::greater<>());
  if (limit >= 0 && static_cast<int64_t>(keys.size()) > limit) keys.resize(static_cast<size_t>(limit));
  return keys;
}

// How many of the brands' rows a search reads from their index to find its
// page among them (SearchKeys): up to here, fewer than checking each row
// holding the words for its brand.
constexpr int64_t kMaxSearchCandidates = 20'000;

Result<int64_t> Reader::RollupCount(const Filter& filter) {
  Where where;
  where.Add("hour >= ? AND hour < ?", {FloorTo(filter.since_ms, kHourMs), filter.until_ms});
  where.In("brand", filter.brands);
  auto stmt = db_.Prepare("SELECT coalesce(sum(mentions), 0) FROM " + std::string(store::kRollupBrandHourly.name) +
                          where.sql());
  if (!stmt.ok()) return stmt.status();
  if (auto s = where.Bind(*stmt); !s.ok()) return s;
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  return *row ? stmt->ColumnInt(0) : 0;
}

// The brands' rows of the range (their index entries, few) and the rows
// holding the words newest first (the full-text index alone), the first
// `limit` of the latter that are among the former: neither reads a row of
// the table, where a search driven by the words read each row holding them
// to check its brand (every one of the range when the page stays short).
Result<std::vector<Reader::Key>> Reader::SearchKeys(const Filter& filter, const std::optional<Key>& after,
                                                    int64_t limit) {
  Filter rows = filter;
  rows.q.clear();
  auto brand_keys = NewestKeys(rows, std::nullopt, -1);
  if (!brand_keys.ok()) return brand_keys.status();
  std::vector<int64_t> candidates;
  for (const Key& k : *brand_keys) candidates.push_back(k.second);
  std::sort(candidates.begin(), candidates.end());
  Where where;
  where.Add("mentions_fts MATCH ?", {FtsQuery(filter.q)});
  where.Add(kSearchRange, {filter.since_ms, filter.until_ms});
  if (after) where.Add("mentions_fts.rowid < ?", {after->second});
  auto stmt = db_.Prepare("SELECT rowid FROM mentions_fts" + where.sql() + " ORDER BY rowid DESC");
  if (!stmt.ok()) return stmt.status();
  if (auto s = where.Bind(*stmt); !s.ok()) return s;
  std::vector<Key> keys;
  while (static_cast<int64_t>(keys.size()) < limit) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    int64_t id = stmt->ColumnInt(0);
    if (std::binary_search(candidates.begin(), candidates.end(), id)) keys.emplace_back(0, id);
  }
  return keys;
}

Status Reader::VisitRows(const std::vector<Key>& keys, const std::function<bool(const MentionRow&)>& visit) {
  auto stmt = db_.Prepare(std::string(kMentionColumns) + std::string(kFromMentions) + " WHERE m.rowid = ?");
  if (!stmt.ok()) return stmt.status();
  MentionRow read;
  for (const Key& key : keys) {
    stmt->Reset();
    if (auto s = stmt->BindInt(1, key.second); !s.ok()) return s;
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) continue;  // pruned since
    ReadMention(*stmt, MentionFields::kAll, read);
    if (!visit(read)) break;
  }
  return Status::Ok();
}

Status Reader::ScanMentions(const Filter& filter, Order order, const std::optional<Key>& after, int64_t limit,
                            const std::function<bool(const MentionRow&)>& visit, MentionFields fields) {
  bool search = !FtsQuery(filter.q).empty();
  if (order == Order::kNewest && !filter.brands.empty() && limit >= 0) {
    bool few = !search;
    if (search) {
      auto count = RollupCount(filter);
      if (!count.ok()) return count.status();
      few = *count <= kMaxSearchCandidates;
    }
    if (few) {
      auto keys = search ? SearchKeys(filter, after, limit) : NewestKeys(filter, after, limit);
      if (!keys.ok()) return keys.status();
      return VisitRows(*keys, visit);
    }
  }
  Where where = MentionWhere(filter, order == Order::kReach);
  // Newest first is by the time stored, or, in a search, by row: the order
  // of the commits, which is the same unless the clock was set back. The
  // index's own rowid lets FTS5 read backwards and start at the cursor.
  std::string_view order_by;
  switch (order) {
    case Order::kReach: order_by = kByReach; break;
    case Order::kNewest:
      order_by = search ? " ORDER BY mentions_fts.rowid DESC" : " ORDER BY m.stored_at DESC, m.rowid DESC";
      break;
    case Order::kOldest: order_by = search ? " ORDER BY mentions_fts.rowid" : " ORDER BY m.stored_at, m.rowid"; break;
  }
  if (search) {
    // The rows stored in the range, as bounds on the index's own rowid, so
    // that FTS5 reads only the range's part of each word's list: checked
    // row by row, a page of few results read every older row holding the
    // words (seconds at 10 million mentions).
    where.Add(kSearchRange, {filter.since_ms, filter.until_ms});
  }
  if (after && search) {
    where.Add("mentions_fts.rowid < ?", {after->second});
  } else if (after) {
    // The plain bound on stored_at lets the index start at the cursor; the
    // row value alone would be checked row by row from the newest.
    where.Add("stored_at <= ? AND (stored_at, m.rowid) < (?, ?)", {after->first, after->first, after->second});
  }
  std::string sql = std::string(kMentionColumns) + std::string(search ? kFromSearch : kFromMentions) + where.sql() +
                    std::string(order_by);
  if (limit >= 0) sql += " LIMIT ?";
  auto stmt = db_.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  std::vector<Where::Value> extra;
  if (limit >= 0) extra.emplace_back(limit);
  if (auto s = where.Bind(*stmt, {}, extra); !s.ok()) return s;
  MentionRow read;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    ReadMention(*stmt, fields, read);
    if (!visit(read)) return Status::Ok();
  }
}

Result<MentionPage> Reader::Mentions(const Filter& filter, const Page& page) {
  std::optional<Key> after;
  if (!page.cursor.empty()) {
    auto keys = DecodeCursor(page.cursor, 2);
    if (!keys) return BadCursor();
    after = std::pair((*keys)[0], (*keys)[1]);
  }
  MentionPage out;
  // One more than the page holds tells whether another page follows.
  Status s = ScanMentions(filter, Order::kNewest, after, page.limit + 1, [&](const MentionRow& row) {
    out.mentions.push_back(row);
    return true;
  });
  if (!s.ok()) return s;
  if (static_cast<int64_t>(out.mentions.size()) > page.limit) {
    out.mentions.pop_back();
    const store::StoredMention& last = out.mentions.back().stored;
    out.next_cursor = EncodeCursor({ToUnixMillis(last.stored_at), last.row});
  }
  return out;
}

Result<std::optional<MentionRow>> Reader::FindMention(const std::string& source, const std::string& id) {
  auto stmt = db_.Prepare(std::string(kMentionColumns) + std::string(kFromMentions) +
                          " WHERE source = ?1 AND mention_id = ?2 ORDER BY m.rowid LIMIT 1");
  if (!stmt.ok()) return stmt.status();
  if (auto s = stmt->BindText(1, source); !s.ok()) return s;
  if (auto s = stmt->BindText(2, id); !s.ok()) return s;
  auto row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<MentionRow>();
  MentionRow found;
  ReadMention(*stmt, MentionFields::kAll, found);
  return std::optional<MentionRow>(std::move(found));
}

Status Reader::ForEachMention(const Filter& filter, const std::function<bool(const MentionRow&)>& visit,
                              MentionFields fields) {
  return ScanMentions(filter, Order::kNewest, std::nullopt, -1, visit, fields);
}

Status Reader::ForEachMentionOldestFirst(const Filter& filter, const std::function<bool(const MentionRow&)>& visit) {
  return ScanMentions(filter, Order::kOldest, std::nullopt, -1, visit);
}

// Brand by brand, each read by its index of reach (mentions_brand_reach)
// from the longest reach down, so that the range's rows are never all
// sorted: the rows of the first lengths that hold `n` in the range end the
// scan.
Result<std::vector<MentionRow>> Reader::TopMentions(const Filter& filter, int64_t n) {
  std::vector<std::string> brands = filter.brands;
  if (brands.empty()) {
    // Every brand of the mentions, one seek of the same index each.
    auto stmt = db_.Prepare(
        "WITH RECURSIVE b(name) AS (SELECT min(brand) FROM mentions UNION ALL "
        "SELECT (SELECT min(brand) FROM mentions WHERE brand > name) FROM b WHERE name IS NOT NULL) "
        "SELECT name FROM b WHERE name IS NOT NULL");
    if (!stmt.ok()) return stmt.status();
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      brands.push_back(stmt->ColumnText(0));
    }
  }
  std::vector<MentionRow> out;
  Filter one = filter;
  for (const std::string& brand : brands) {
    one.brands = {brand};
    Status s = ScanMentions(one, Order::kReach, std::nullopt, n, [&](const MentionRow& row) {
      out.push_back(row);
      return true;
    });
    if (!s.ok()) return s;
  }
  auto larger = [](const MentionRow& a, const MentionRow& b) {
    return a.reach != b.reach ? a.reach > b.reach : a.stored.row > b.stored.row;
  };
  std::sort(out.begin(), out.end(), larger);
  if (static_cast<int64_t>(out.size()) > n) out.resize(static_cast<size_t>(n));
  return out;
}

namespace {

// The topics of `brand`'s alerts: [alert.<brand>., alert.<brand>/), '/'
// following '.' (as the prefix the query had matched).
std::pair<std::string, std::string> TopicRange(const std::string& brand) {
  return {"alert." + brand + ".", "alert." + brand + "/"};
}

// The conditions on an alert besides its brand: the range, `rule` only
// unless empty, before `before_seq` unless 0.
void AlertWhere(Where& where, const Filter& filter, std::string_view rule, int64_t before_seq) {
  where.Add("ts >= ? AND ts < ?", {filter.since_ms, filter.until_ms});
  if (!rule.empty()) {
    std::string suffix = "." + std::string(rule);
    where.Add("substr(topic, ?) = ?", {-static_cast<int64_t>(suffix.size()), suffix});
  }
  if (before_seq > 0) where.Add("seq < ?", {before_seq});
}

}  // namespace

// With brands named, each brand's alerts of the range are found in the
// index alerts_topic (topic, ts: no row is read to check them), newest
// first, and only the page's rows are read; else the alerts of the range
// newest first through the time index.
Result<std::vector<AlertRow>> Reader::ScanAlerts(const Filter& filter, std::string_view rule, int64_t before_seq,
                                                 int64_t limit) {
  std::vector<int64_t> seqs;
  for (const std::string& brand : filter.brands) {
    auto [from, to] = TopicRange(brand);
    Where where;
    where.Add("topic >= ? AND topic < ?", {from, to});
    AlertWhere(where, filter, rule, before_seq);
    auto stmt = db_.Prepare("SELECT seq FROM alerts INDEXED BY alerts_topic" + where.sql());
    if (!stmt.ok()) return stmt.status();
    if (auto s = where.Bind(*stmt); !s.ok()) return s;
    for (;;) {
      auto row = stmt->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      seqs.push_back(stmt->ColumnInt(0));
    }
  }
  std::sort(seqs.begin(), seqs.end(), std::greater<>());
  if (static_cast<int64_t>(seqs.size()) > limit) seqs.resize(static_cast<size_t>(limit));
  if (!filter.brands.empty() && seqs.empty()) return std::vector<AlertRow>();
  Where where;
  if (filter.brands.empty()) {
    AlertWhere(where, filter, rule, before_seq);
  } else {
    std::string list;
    std::vector<Where::Value> values;
    for (int64_t seq : seqs) {
      list += list.empty() ? "?" : ", ?";
      values.emplace_back(seq);
    }
    where.Add("seq IN (" + list + ")", std::move(values));
  }
  auto stmt = db_.Prepare("SELECT seq, ts, topic, payload FROM alerts" + where.sql() + " ORDER BY seq DESC LIMIT ?");
  if (!stmt.ok()) return stmt.status();
  if (auto s = where.Bind(*stmt, {}, {limit}); !s.ok()) return s;
  std::vector<AlertRow> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({static_cast<uint64_t>(stmt->ColumnInt(0)), FromUnixMillis(stmt->ColumnInt(1)), stmt->ColumnText(2),
                   stmt->ColumnText(3)});
  }
  return out;
}

Result<AlertPage> Reader::Alerts(const Filter& filter, const Page& page) {
  int64_t before = 0;
  if (!page.cursor.empty()) {
    auto keys = DecodeCursor(page.cursor, 1);
    if (!keys || (*keys)[0] <= 0) return BadCursor();
    before = (*keys)[0];
  }
  auto rows = ScanAlerts(filter, "", before, page.limit + 1);
  if (!rows.ok()) return rows.status();
  AlertPage out{std::move(*rows), ""};
  if (static_cast<int64_t>(out.alerts.size()) > page.limit) {
    out.alerts.pop_back();
    out.next_cursor = EncodeCursor({static_cast<int64_t>(out.alerts.back().seq)});
  }
  return out;
}

Result<std::optional<AlertRow>> Reader::LatestAlert(const Filter& filter, std::string_view rule) {
  auto rows = ScanAlerts(filter, rule, 0, 1);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AlertRow>();
  return std::optional<AlertRow>(std::move(rows->front()));
}

Result<std::vector<std::string>> Reader::Brands() {
  auto stmt = db_.Prepare(BrandNames(store::kRollupHourly.name));
  if (!stmt.ok()) return stmt.status();
  std::vector<std::string> out;
  for (;;) {
    auto row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(stmt->ColumnText(0));
  }
  return out;
}

Result<std::vector<store::SourceState>> Reader::Sources() { return store::ReadSourceStates(db_); }

Result<std::vector<store::RuleStateEntry>> Reader::RuleState() { return store::ReadRuleState(db_); }

}  // namespace brandmon::query
