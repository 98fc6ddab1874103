// sentiment_shift: the average sentiment of the recent buckets against that
// of the buckets before them; alerts once when it drops by `drop` or more.

#include "daemon/base/units.h"
#include "daemon/rules/alert_text.h"
#include "daemon/rules/rule_kinds.h"
#include "daemon/rules/trend.h"

namespace brandmon::rules {

namespace {

class SentimentShiftRule : public Rule {
 public:
  explicit SentimentShiftRule(const Brand& brand)
      : brand_(brand), o_(brand.rules.options.sentiment_shift), key_("sentiment_shift@" + FormatDuration(o_.bucket)) {}

  void Count(const MentionInput& in) override {
    // A mention that was not scored says nothing of the average sentiment.
    if (!o_.enabled || !in.scored.sentiment.scored) return;
    if (int64_t bucket = BucketOf(in.now, o_.bucket); bucket >= 0) {
      shift_.Add(bucket, in.score);
      open_dirty_ = true;
    }
  }

  void CloseBuckets(WallTime now, std::vector<Alert>& out) override {
    int64_t bucket = BucketOf(now, o_.bucket);
    if (!o_.enabled || bucket < 0) return;
    int64_t before = shift_.open_bucket();
    std::vector<ShiftTracker::Event> events = shift_.Advance(bucket, o_);
    if (shift_.open_bucket() != before) whole_dirty_ = true;
    for (const auto& e : events) out.push_back(EventAlert(e, now));
  }

  bool NeedsWholeSave() const override { return whole_dirty_; }
  void SaveCounts(store::RuleStateWriter& writer) override {
    if (whole_dirty_) writer.PutRuleState(brand_.rules.name, key_, shift_.Serialize());
    whole_dirty_ = open_dirty_ = false;
  }
  bool OpenCellsChanged() const override { return whole_dirty_ || open_dirty_; }
  void SaveOpenCells(OpenCells& out) const override {
    out.emplace_back(key_, OpenCell{.bucket = shift_.open_bucket(),
                                    .count = static_cast<double>(shift_.open_count()),
                                    .integer_count = true,
                                    .sum = shift_.open_sum()});
  }
  void Restore(const StateRows& rows) override {
    if (auto it = rows.find(key_); it != rows.end()) (void)shift_.Deserialize(it->second);
  }
  void RestoreOpenCell(std::string_view key, const OpenCell& cell) override {
    if (key != key_ || !cell.sum || !cell.integer_count) return;
    shift_.RestoreOpen(cell.bucket, static_cast<int64_t>(cell.count), *cell.sum);
  }
  void Resume(WallTime now) override { shift_.Resume(BucketOf(now, o_.bucket)); }

 private:
  Alert EventAlert(const ShiftTracker::Event& e, WallTime now) const {
    const std::string& brand = brand_.rules.name;
    Alert a;
    a.ts = now;
    a.brand = brand;
    a.rule = "sentiment_shift";
    int64_t start_ms = e.bucket * o_.bucket.count();
    a.dedupe_key = brand + "|sentiment_shift|" + std::to_string(start_ms);
    a.severity = e.drop >= 2 * o_.drop ? Severity::kCritical : Severity::kWarning;
    a.summary = SentimentShiftText(brand, e.drop, e.recent_avg, e.recent_count, e.baseline_avg);
    a.figures = {{"recent_avg", e.recent_avg},
                 {"baseline_avg", e.baseline_avg},
                 {"drop", e.drop},
                 {"threshold", o_.drop},
                 {"recent_count", static_cast<double>(e.recent_count)},
                 {"baseline_count", static_cast<double>(e.baseline_count)},
                 {"bucket_start", static_cast<double>(start_ms / 1000)}};
    return a;
  }

  const Brand& brand_;
  const SentimentShiftOptions& o_;
  const std::string key_;  // "sentiment_shift@<bucket>"
  ShiftTracker shift_;
  bool whole_dirty_ = false;  // a bucket closed: whole tracker
  bool open_dirty_ = false;   // counts of the open bucket
};

}  // namespace

std::unique_ptr<Rule> MakeSentimentShiftRule(const Brand& brand) { return std::make_unique<SentimentShiftRule>(brand); }

}  // namespace brandmon::rules
