#include "daemon/query/report_builder.h"

#include <algorithm>
#include <map>
#include <utility>

#include "daemon/base/alert.h"
#include "daemon/store/fields.h"

namespace brandmon::query {
namespace {

constexpr int64_t kDayMs = 24 * kHourMs;

// Adds the totals of one label to a bucket.
void AddLabel(report::Bucket& b, std::string_view label, const Totals& t) {
  if (label == "negative") b.negative += t.mentions;
  if (label == "neutral") b.neutral += t.mentions;
  if (label == "positive") b.positive += t.mentions;
  if (label == "unscored") b.unscored += t.mentions;
  // A running sum of scores, turned into the mean by Finish().
  b.mean_compound += t.mean_score * static_cast<double>(t.mentions);
  b.reach += t.reach;
}

// Turns the sums of each bucket into means and adds the brand's totals.
void Finish(report::BrandSeries& s) {
  double score_sum = 0;
  int64_t negative = 0;
  int64_t scored = 0;
  for (report::Bucket& b : s.buckets) {
    int64_t n = b.negative + b.neutral + b.positive;
    score_sum += b.mean_compound;
    b.mean_compound = n > 0 ? b.mean_compound / static_cast<double>(n) : 0;
    scored += n;
    s.total += n + b.unscored;
    s.unscored += b.unscored;
    negative += b.negative;
    s.reach += b.reach;
  }
  if (scored > 0) {
    s.mean_compound = score_sum / static_cast<double>(scored);
    s.pct_negative = 100.0 * static_cast<double>(negative) / static_cast<double>(scored);
  }
}

// One series per brand of `brands`, in that order, from the rollups split by label.
Result<std::vector<report::BrandSeries>> BrandLines(Reader& reader, const Filter& filter, Duration step) {
  auto result = reader.TimeSeries(filter, step, Dimension::kLabel);
  if (!result.ok()) return result.status();
  std::map<std::string, report::BrandSeries> by_brand;
  for (const std::string& brand : filter.brands) by_brand[brand].brand = brand;
  for (const Series& line : result->series) {
    report::BrandSeries& s = by_brand[line.brand];
    s.brand = line.brand;
    s.buckets.resize(line.buckets.size());
    for (size_t i = 0; i < line.buckets.size(); ++i) {
      s.buckets[i].start_ms = result->start_ms + static_cast<int64_t>(i) * step.count();
      AddLabel(s.buckets[i], line.split, line.buckets[i]);
    }
  }
  std::vector<report::BrandSeries> out;
  for (const std::string& brand : filter.brands) {
    Finish(by_brand[brand]);
    out.push_back(std::move(by_brand[brand]));
  }
  return out;
}

Result<std::vector<report::Count>> Counts(Reader& reader, const Filter& filter, Dimension by) {
  auto rows = reader.Breakdown(filter, by);
  if (!rows.ok()) return rows.status();
  std::vector<report::Count> out;
  for (const BreakdownRow& r : *rows) out.push_back({r.key, r.totals.mentions});
  return out;
}

report::TopMention Top(const MentionRow& row) {
  const ScoredMention& sm = row.stored.scored;
  const Mention& m = sm.mention;
  int64_t published = ToUnixMillis(m.published.value_or(row.stored.stored_at));
  return {sm.brand, m.channel, sm.lang,   std::string(store::StoredLabel(sm.sentiment)),       m.url,    m.author,
          m.title,  m.text,    published, sm.sentiment.target.value_or(sm.sentiment.compound), row.reach};
}

// An alert as the report shows it; a payload that is not an alert message
// (a damaged row) keeps what its topic says.
report::AlertRow ReportAlert(const AlertRow& row) {
  report::AlertRow out{row.seq, ToUnixMillis(row.ts), "", "", "", ""};
  if (auto alert = AlertFromJson(row.payload); alert.ok()) {
    out.brand = alert->brand;
    out.rule = alert->rule;
    out.severity = std::string(SeverityName(alert->severity));
    out.summary = alert->summary;
    return out;
  }
  std::string_view topic = row.topic;
  if (topic.starts_with("alert.")) topic.remove_prefix(6);
  size_t dot = topic.rfind('.');
  out.brand = std::string(topic.substr(0, dot));
  out.rule = dot == std::string_view::npos ? "" : std::string(topic.substr(dot + 1));
  out.summary = "(the stored alert cannot be read)";
  return out;
}

Result<std::vector<std::string>> EmergingTerms(Reader& reader, const Filter& filter) {
  auto latest = reader.LatestAlert(filter, "emerging_terms");
  if (!latest.ok()) return latest.status();
  std::vector<std::string> out;
  if (!*latest) return out;
  auto alert = AlertFromJson((*latest)->payload);
  if (!alert.ok()) return out;
  for (const TermCount& t : alert->terms) out.push_back(t.term);
  return out;
}

Result<std::vector<report::SourceHealth>> Sources(Reader& reader) {
  auto sources = reader.Sources();
  if (!sources.ok()) return sources.status();
  std::vector<report::SourceHealth> out;
  auto ms = [](const std::optional<WallTime>& t) { return t ? ToUnixMillis(*t) : 0; };
  for (const store::SourceState& s : *sources) {
    out.push_back({s.source, s.failures, ms(s.last_success), s.last_error, ms(s.last_error_at)});
  }
  return out;
}

// The brands a report without any shows: the most mentioned in the range.
Result<std::vector<std::string>> BusiestBrands(Reader& reader, const Filter& filter, int64_t n) {
  auto rows = reader.Breakdown(filter, Dimension::kBrand);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> out;
  for (const BreakdownRow& r : *rows) {
    if (static_cast<int64_t>(out.size()) == n) break;
    out.push_back(r.key);
  }
  return out;
}

// The parts from the lists of mentions and alerts on.
Status FillLists(Reader& reader, const Filter& filter, const ReportLimits& limits, const ReportProgress& say,
                 report::ReportData& data) {
  say("top mentions");
  auto top = reader.TopMentions(filter, limits.top);
  if (!top.ok()) return top.status();
  for (const MentionRow& row : *top) data.top.push_back(Top(row));
  say("alerts");
  auto alerts = reader.Alerts(filter, {"", std::max<int64_t>(1, limits.alerts)});
  if (!alerts.ok()) return alerts.status();
  for (const AlertRow& row : alerts->alerts) {
    if (static_cast<int64_t>(data.alerts.size()) < limits.alerts) data.alerts.push_back(ReportAlert(row));
  }
  auto terms = EmergingTerms(reader, filter);
  if (!terms.ok()) return terms.status();
  data.emerging_terms = std::move(*terms);
  say("sources");
  auto sources = Sources(reader);
  if (!sources.ok()) return sources.status();
  data.sources = std::move(*sources);
  return Status::Ok();
}

}  // namespace

Duration AutoStep(const Filter& filter) {
  int64_t range = filter.until_ms - filter.since_ms;
  if (range <= 2 * kDayMs) return std::chrono::hours(1);
  if (range <= 14 * kDayMs) return std::chrono::hours(6);
  if (range <= 180 * kDayMs) return std::chrono::hours(24);
  return std::chrono::hours(24 * 7);
}

Result<report::ReportData> BuildReport(Reader& reader, Filter filter, Duration step, WallTime now,
                                       const ReportLimits& limits, const ReportProgress& progress) {
  auto say = [&](std::string_view what) {
    if (progress) progress(what);
  };
  int64_t step_ms = step.count();
  filter.since_ms -= ((filter.since_ms % step_ms) + step_ms) % step_ms;
  report::ReportData data;
  data.since_ms = filter.since_ms;
  data.until_ms = filter.until_ms;
  data.step_ms = step_ms;
  data.generated_ms = ToUnixMillis(now);
  if (filter.brands.empty()) {
    say("brands");
    auto brands = BusiestBrands(reader, filter, limits.brands);
    if (!brands.ok()) return brands.status();
    filter.brands = std::move(*brands);
  }
  data.brands = filter.brands;
  say("series");
  auto series = BrandLines(reader, filter, step);
  if (!series.ok()) return series.status();
  data.series = std::move(*series);
  say("channels and languages");
  auto channels = Counts(reader, filter, Dimension::kChannel);
  if (!channels.ok()) return channels.status();
  data.channels = std::move(*channels);
  auto languages = Counts(reader, filter, Dimension::kLang);
  if (!languages.ok()) return languages.status();
  data.languages = std::move(*languages);
  if (Status s = FillLists(reader, filter, limits, say, data); !s.ok()) return s;
  return data;
}

}  // namespace brandmon::query
