#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule.h"
#include "daemon/rules/trend.h"

namespace brandmon::rules {

// The spike rules (volume_spike, negative_spike): counts mentions per time
// bucket, for the brand ("*") and per channel, and alerts when a bucket is
// far above its baseline (or below it, with dips), then once more when the
// counts are back to normal ("_clear"). Thread-compatible.
class SpikeRule : public Rule {
 public:
  struct Kind {
    const char* rule;      // "volume_spike"
    const char* dip_rule;  // "volume_dip"
    SpikeCount counted;    // which mentions count
  };
  SpikeRule(const Brand& brand, Kind kind, const SpikeOptions& options);

  void Count(const MentionInput& m) override;
  void CloseBuckets(WallTime now, std::vector<Alert>& out) override;
  bool NeedsWholeSave() const override { return series_dirty_; }
  void SaveCounts(store::RuleStateWriter& writer) override;
  bool OpenCellsChanged() const override { return series_dirty_ || open_dirty_; }
  void SaveOpenCells(OpenCells& out) const override;
  void Restore(const StateRows& rows) override;
  void RestoreOpenCell(std::string_view key, const OpenCell& cell) override;
  void Resume(WallTime now) override;

 private:
  // "<rule>@<bucket>/<channel>"
  std::string SeriesKey(const std::string& channel) const;
  Alert EventAlert(const std::string& channel, const SpikeSeries::Event& e, WallTime now) const;

  const Brand& brand_;
  const Kind kind_;
  const SpikeOptions& o_;
  std::map<std::string, SpikeSeries> series_;  // by channel, "*" for all
  // Examples of the open bucket per channel, kept in memory only: after a
  // restart a spike alert may carry fewer of them.
  std::map<std::string, std::pair<int64_t, std::vector<ScoredMention>>> samples_;
  bool series_dirty_ = false;  // a bucket closed or a series began: whole series
  bool open_dirty_ = false;    // counts of the open buckets
};

}  // namespace brandmon::rules
