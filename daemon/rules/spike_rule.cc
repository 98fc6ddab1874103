#include "daemon/rules/spike_rule.h"

#include <cmath>

#include "daemon/base/units.h"

namespace brandmon::rules {

namespace {

constexpr size_t kMaxSamples = 3;
constexpr size_t kMaxChannels = 64;
constexpr const char* kAllChannels = "*";

}  // namespace

SpikeRule::SpikeRule(const Brand& brand, Kind kind, const SpikeOptions& options)
    : brand_(brand), kind_(kind), o_(options) {}

std::string SpikeRule::SeriesKey(const std::string& channel) const {
  return std::string(kind_.rule) + "@" + FormatDuration(o_.bucket) + "/" + channel;
}

// A mention that does not count still opens the channel's series, so its
// warm-up starts with the channel's traffic, not with the first event.
void SpikeRule::Count(const MentionInput& in) {
  int64_t bucket = BucketOf(in.now, o_.bucket);
  if (!o_.enabled || bucket < 0) return;
  bool counts = kind_.counted == SpikeCount::kMentions || in.score <= -0.05;
  const std::string& channel = in.scored.mention.channel;
  static const std::string kAll = kAllChannels;
  const std::string* keys[2] = {&kAll, nullptr};
  if (o_.per_channel && !channel.empty() && (series_.contains(channel) || series_.size() < kMaxChannels)) {
    keys[1] = &channel;
  }
  for (const std::string* key : keys) {
    if (key == nullptr) continue;
    auto [it, created] = series_.try_emplace(*key);
    it->second.Add(bucket, counts ? 1 : 0);
    open_dirty_ = true;
    series_dirty_ = series_dirty_ || created;
    if (!counts) continue;
    auto& [sample_bucket, samples] = samples_[*key];
    if (sample_bucket != bucket) samples.clear();
    sample_bucket = bucket;
    if (samples.size() < kMaxSamples) samples.push_back(in.scored);
  }
}

void SpikeRule::CloseBuckets(WallTime now, std::vector<Alert>& out) {
  int64_t bucket = BucketOf(now, o_.bucket);
  if (!o_.enabled || bucket < 0) return;
  // The brand's series exists from the start, so quiet periods count.
  if (series_.try_emplace(kAllChannels).second) series_dirty_ = true;
  for (auto& [channel, series] : series_) {
    int64_t before = series.open_bucket();
    std::vector<SpikeSeries::Event> events = series.Advance(bucket, o_);
    if (series.open_bucket() != before) series_dirty_ = true;
    for (const auto& e : events) out.push_back(EventAlert(channel, e, now));
  }
}

Alert SpikeRule::EventAlert(const std::string& channel, const SpikeSeries::Event& e, WallTime now) const {
  using EventKind = SpikeSeries::EventKind;
  bool clear = e.kind == EventKind::kClear;
  bool dip = e.kind == EventKind::kDip || (clear && e.dip_storm);
  std::string name = dip ? kind_.dip_rule : kind_.rule;
  if (clear) name += "_clear";
  const std::string& brand = brand_.rules.name;
  Alert a;
  a.ts = now;
  a.brand = brand;
  a.rule = name;
  a.channel = channel == kAllChannels ? "" : channel;
  int64_t start_ms = e.storm_start * o_.bucket.count();
  a.dedupe_key = brand + "|" + name + "|" + channel + "|" + std::to_string(start_ms);
  if (clear) {
    a.severity = Severity::kInfo;
    a.summary = AllClearText(brand, a.channel, kind_.counted, dip, e.storm_buckets - o_.clear_after, o_.bucket, e.peak,
                             e.median);
  } else {
    a.severity = (std::abs(e.z) >= 2 * o_.z) ? Severity::kCritical : Severity::kWarning;
    a.summary = SpikeText(brand, a.channel, kind_.counted, dip, e.count, o_.bucket, e.median, e.z);
    auto s = samples_.find(channel);
    if (s != samples_.end() && s->second.first == e.bucket) a.mentions = s->second.second;
  }
  a.figures = {{"count", e.count},
               {"baseline_median", e.median},
               {"baseline_sigma", e.sigma},
               {"z", e.z},
               {"p_value", e.p},
               {"bucket_start", static_cast<double>(e.bucket * o_.bucket.count() / 1000)},
               {"bucket_seconds", static_cast<double>(o_.bucket.count() / 1000)}};
  if (clear) {
    a.figures.emplace_back("storm_start", static_cast<double>(start_ms / 1000));
    a.figures.emplace_back("storm_buckets", static_cast<double>(e.storm_buckets));
    a.figures.emplace_back("storm_total", e.storm_total);
    a.figures.emplace_back("peak", e.peak);
  }
  return a;
}

void SpikeRule::SaveCounts(store::RuleStateWriter& writer) {
  if (series_dirty_) {
    for (const auto& [channel, s] : series_) writer.PutRuleState(brand_.rules.name, SeriesKey(channel), s.Serialize());
  }
  series_dirty_ = open_dirty_ = false;
}

void SpikeRule::SaveOpenCells(OpenCells& out) const {
  for (const auto& [channel, s] : series_) {
    OpenCell cell;
    cell.bucket = s.open_bucket();
    cell.count = s.open_count();
    out.emplace_back(SeriesKey(channel), cell);
  }
}

void SpikeRule::Restore(const StateRows& rows) {
  std::string prefix = SeriesKey("");
  for (auto it = rows.lower_bound(prefix); it != rows.end() && it->first.starts_with(prefix); ++it) {
    SpikeSeries s;
    if (s.Deserialize(it->second)) series_[it->first.substr(prefix.size())] = std::move(s);
  }
}

void SpikeRule::RestoreOpenCell(std::string_view key, const OpenCell& cell) {
  std::string prefix = SeriesKey("");
  if (cell.sum || !key.starts_with(prefix)) return;
  series_[std::string(key.substr(prefix.size()))].RestoreOpen(cell.bucket, cell.count);
}

void SpikeRule::Resume(WallTime now) {
  for (auto& [channel, s] : series_) s.Resume(BucketOf(now, o_.bucket));
}

}  // namespace brandmon::rules
