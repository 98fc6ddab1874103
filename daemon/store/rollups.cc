#include "daemon/store/rollups.h"

#include <utility>

#include "daemon/store/fields.h"

namespace brandmon::store {
namespace {

constexpr RollupTable kTables[] = {kRollupHourly, kRollupDaily, kRollupBrandHourly};

// The upsert of `t`. Parameters keep their numbers in every table (1 brand,
// 2 period, 3 channel, 4 lang, 5 label, 6 to 9 the sums), so that one
// binding serves all; a table by brand alone leaves 3 and 4 unread.
std::string UpsertSql(const RollupTable& t) {
  std::string key = "brand, " + std::string(t.period) + (t.by_channel_lang ? ", channel, lang" : "") + ", label";
  std::string values = t.by_channel_lang ? "?1, ?2, ?3, ?4, ?5" : "?1, ?2, ?5";
  return "INSERT INTO " + std::string(t.name) + " (" + key +
         ", mentions, score_sum, score_squares, reach_sum) VALUES (" + values + ", ?6, ?7, ?8, ?9) ON CONFLICT (" +
         key +
         ") DO UPDATE SET mentions = mentions + excluded.mentions, score_sum = score_sum + excluded.score_sum, "
         "score_squares = score_squares + excluded.score_squares, reach_sum = reach_sum + excluded.reach_sum";
}

}  // namespace

std::span<const RollupTable> RollupTables() { return kTables; }

void RollupSums::Add(const RollupSums& other) {
  mentions += other.mentions;
  score_sum += other.score_sum;
  score_squares += other.score_squares;
  reach_sum += other.reach_sum;
}

Result<RollupWriter> RollupWriter::Prepare(Database& db) {
  RollupWriter writer;
  for (const RollupTable& t : kTables) {
    auto stmt = db.Prepare(UpsertSql(t));
    if (!stmt.ok()) return stmt.status();
    writer.upserts_.push_back(std::move(*stmt));
  }
  return writer;
}

void RollupCounts::Add(const ScoredMention& m) {
  RollupSums& sums = sums_[{m.brand, m.mention.channel, StoredLang(m), StoredLabel(m.sentiment)}];
  double score = m.sentiment.Effective();
  ++sums.mentions;
  sums.score_sum += score;
  sums.score_squares += score * score;
  sums.reach_sum += Reach(m.mention);
}

Status RollupWriter::Write(const RollupCounts& counts, int64_t now_ms, const std::function<Status()>& before_each) {
  // The sums by brand and label alone, for the tables without channel and lang.
  std::map<RollupCounts::Key, RollupSums> by_brand;
  for (const auto& [key, sums] : counts.sums_) {
    by_brand[{std::get<0>(key), "", "", std::get<3>(key)}].Add(sums);
  }
  Status status;
  for (size_t i = 0; i < std::size(kTables) && status.ok(); ++i) {
    for (const auto& [key, sums] : kTables[i].by_channel_lang ? counts.sums_ : by_brand) {
      if (status = before_each(); !status.ok()) break;
      if (status = Put(i, key, sums, now_ms); !status.ok()) break;
    }
  }
  return status;
}

Status RollupWriter::Put(size_t table, const RollupCounts::Key& key, const RollupSums& sums, int64_t now_ms) {
  Statement& st = upserts_[table];
  st.Reset();
  int64_t period_ms = kTables[table].period_ms;
  const std::pair<int, std::string_view> texts[] = {
      {1, std::get<0>(key)}, {3, std::get<1>(key)}, {4, std::get<2>(key)}, {5, std::get<3>(key)}};
  Status s;
  for (const auto& [index, text] : texts) {
    // Views into the batch's mentions, which outlive the Run().
    if (s = st.BindTextInPlace(index, text); !s.ok()) return s;
  }
  if (s = st.BindInt(2, now_ms - now_ms % period_ms); !s.ok()) return s;
  if (s = st.BindInt(6, sums.mentions); !s.ok()) return s;
  if (s = st.BindDouble(7, sums.score_sum); !s.ok()) return s;
  if (s = st.BindDouble(8, sums.score_squares); !s.ok()) return s;
  if (s = st.BindDouble(9, sums.reach_sum); !s.ok()) return s;
  return st.Run();
}

}  // namespace brandmon::store
