#include "daemon/report/svg_charts.h"

#include <algorithm>
#include <cmath>

#include "daemon/report/format.h"

namespace brandmon::report {
namespace {

// A narrow viewBox keeps the 11-unit text near 9 px on a 360 px phone; wider
// screens cap the chart's width in CSS instead of growing the text.
constexpr double kWidth = 400;
constexpr double kHeight = 220;
constexpr double kLeft = 40;
constexpr double kTop = 34;
constexpr double kBottom = 24;
constexpr int64_t kMaxMs = 253402300799999;  // 9999-12-31T23:59:59.999Z
constexpr int64_t kHourMs = 3600000;
constexpr int64_t kDayMs = 24 * kHourMs;

std::string Num(double v) { return FormatFixed(v, 1); }

std::string Attr(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + EscapeXml(value) + "\"";
}

double Positive(int64_t v) { return v > 0 ? static_cast<double>(v) : 0; }
double Positive(double v) { return std::max(0.0, Finite(v)); }
int64_t ClampMs(int64_t ms) { return std::min(kMaxMs, std::max<int64_t>(0, ms)); }

std::string OpenSvg(double height, std::string_view label) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"100%\" viewBox=\"0 0 " + Num(kWidth) + " " +
         Num(height) + "\" role=\"img\"" + Attr("aria-label", label) +
         " font-family=\"system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif\" font-size=\"11\""
         " fill=\"#222\"><title>" +
         EscapeXml(label) + "</title>";
}

std::string Text(double x, double y, std::string_view anchor, std::string_view text, std::string_view extra = "") {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" text-anchor=\"" + std::string(anchor) + "\"" +
         std::string(extra) + ">" + EscapeXml(text) + "</text>";
}

std::string Line(double x1, double y1, double x2, double y2, std::string_view stroke, std::string_view extra = "") {
  return "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" + Num(y2) + "\" stroke=\"" +
         std::string(stroke) + "\"" + std::string(extra) + "/>";
}

std::string Rect(double x, double y, double w, double h, std::string_view fill, std::string_view data) {
  return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(std::max(0.0, w)) + "\" height=\"" +
         Num(std::max(0.0, h)) + "\" fill=\"" + std::string(fill) + "\"" + std::string(data) + "/>";
}

std::string Heading(std::string_view text) {
  return Text(4, 14, "start", text, " font-size=\"12\" font-weight=\"600\"");
}

struct LegendItem {
  std::string_view colour;
  std::string_view name;
};

// Keys right-aligned on the second line, in the order given.
std::string Legend(const std::vector<LegendItem>& items) {
  std::string out = "<g class=\"legend\">";
  double x = kWidth - 4;
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    double w = 6.4 * static_cast<double>(it->name.size());
    out += Text(x, 27, "end", it->name);
    out += Rect(x - w - 13, 19, 9, 9, it->colour, "");
    x -= w + 22;
  }
  return out + "</g>";
}

std::string NoData(double cx, double cy) {
  return Text(cx, cy, "middle", "No mentions in this range", " fill=\"#555\"");
}

// ---- Scales ----------------------------------------------------------------

struct TimeScale {
  int64_t t0 = 0;
  int64_t t1 = 1;
  int64_t step = 1;
  double x0 = kLeft;
  double x1 = kWidth;
  double X(int64_t t) const { return x0 + (x1 - x0) * (static_cast<double>(t - t0) / static_cast<double>(t1 - t0)); }
  // A bar's width: 80 % of a step, at least half a unit so it stays visible.
  double BarWidth() const {
    return std::max(0.5, 0.8 * (x1 - x0) * static_cast<double>(step) / static_cast<double>(t1 - t0));
  }
};

std::vector<Bucket> SortedBuckets(const BrandSeries& series) {
  std::vector<Bucket> buckets = series.buckets;
  for (Bucket& b : buckets) b.start_ms = ClampMs(b.start_ms);
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const Bucket& a, const Bucket& b) { return a.start_ms < b.start_ms; });
  return buckets;
}

int64_t InferStep(const std::vector<Bucket>& buckets, const TimeRange& range) {
  if (range.step_ms > 0) return std::min(range.step_ms, kMaxMs);
  int64_t step = 0;
  for (size_t i = 1; i < buckets.size(); ++i) {
    int64_t d = buckets[i].start_ms - buckets[i - 1].start_ms;
    if (d > 0 && (step == 0 || d < step)) step = d;
  }
  if (step > 0) return step;
  if (range.until_ms > range.since_ms) return ClampMs(range.until_ms) - ClampMs(range.since_ms) + 1;
  return kHourMs;
}

TimeScale MakeTimeScale(const std::vector<Bucket>& buckets, const TimeRange& range, double x0, double x1) {
  TimeScale s;
  s.x0 = x0;
  s.x1 = x1;
  s.step = InferStep(buckets, range);
  bool valid = range.until_ms > range.since_ms;
  s.t0 = valid || buckets.empty() ? ClampMs(range.since_ms) : buckets.front().start_ms;
  s.t1 = valid ? ClampMs(range.until_ms) : s.t0;
  if (!buckets.empty()) {
    s.t0 = std::min(s.t0, buckets.front().start_ms);
    s.t1 = std::max(s.t1, buckets.back().start_ms + s.step);
  }
  if (s.t1 <= s.t0) s.t1 = s.t0 + s.step;
  return s;
}

// The label of a tick: under a day apart, midnight says the day and other
// ticks the time (the first one both, when no midnight is in view); further
// apart, the day, or the date beyond four weeks.
std::string TickLabel(int64_t t, int64_t interval, bool first, bool midnight_in_view) {
  if (interval >= 28 * kDayMs) return FormatUtc(t, UtcStyle::kDate);
  if (interval >= kDayMs || t % kDayMs == 0) return FormatUtc(t, UtcStyle::kDay);
  std::string day_hour = FormatUtc(t, UtcStyle::kDayHour);
  return first && !midnight_in_view ? day_hour : day_hour.substr(day_hour.size() - 5);
}

// Ticks at round UTC times, at most five.
std::string TimeAxis(const TimeScale& s, double y) {
  static const int64_t kIntervals[] = {60000,       5 * 60000,    15 * 60000,   30 * 60000,   kHourMs,    3 * kHourMs,
                                       6 * kHourMs, 12 * kHourMs, kDayMs,       2 * kDayMs,   7 * kDayMs, 14 * kDayMs,
                                       28 * kDayMs, 91 * kDayMs,  365 * kDayMs, 3650 * kDayMs};
  int64_t span = s.t1 - s.t0;
  int64_t interval = span / 4 + 1;
  for (int64_t iv : kIntervals) {
    if (span / iv <= 4) {
      interval = iv;
      break;
    }
  }
  int64_t first = (s.t0 + interval - 1) / interval * interval;
  bool midnight_in_view = (s.t0 + kDayMs - 1) / kDayMs * kDayMs <= s.t1;
  std::string out = "<g class=\"x-axis\">" + Line(s.x0, y, s.x1, y, "#888");
  for (int64_t t = first; t <= s.t1; t += interval) {
    double x = s.X(t);
    out += Line(x, y, x, y + 3, "#888");
    std::string_view anchor = x - s.x0 < 30 ? "start" : s.x1 - x < 30 ? "end" : "middle";
    out += Text(x, y + 14, anchor, TickLabel(t, interval, t == first, midnight_in_view));
  }
  return out + "</g>";
}

struct ValueScale {
  double lo = 0;
  double hi = 1;
  double step = 1;
  double y_lo = 0;  // the y of `lo`
  double y_hi = 0;  // the y of `hi`
  double Y(double v) const { return y_lo + (y_hi - y_lo) * ((Clamp(v, lo, hi) - lo) / (hi - lo)); }
};

// 0..a round number at or above `max`, in steps of 1, 2 or 5 times a power
// of ten (whole steps for counts), about four of them.
ValueScale CountScale(double max, double y_lo, double y_hi) {
  max = std::max(1.0, Positive(max));
  double raw = max / 4;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double norm = raw / mag;
  double step = std::max(1.0, (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag);
  ValueScale s;
  s.hi = std::ceil(max / step) * step;
  s.step = step;
  s.y_lo = y_lo;
  s.y_hi = y_hi;
  return s;
}

// Grid lines and labels; `x` is where the labels end (or start, at the right).
std::string ValueAxis(const ValueScale& s, double x0, double x1, bool right,
                      std::string (*label)(double) = &FormatShort) {
  std::string out = "<g class=\"y-axis\">";
  for (double v = s.lo; v <= s.hi + s.step / 2; v += s.step) {
    double y = s.Y(v);
    if (!right) out += Line(x0, y, x1, y, v == 0 ? "#888" : "#e4e4e4");
    out += right ? Text(x1 + 3, y + 4, "start", label(v)) : Text(x0 - 3, y + 4, "end", label(v));
  }
  return out + "</g>";
}

}  // namespace

// ---- Volume ----------------------------------------------------------------

namespace {

// `unscored`: the brand has mentions in a language without a lexicon, shown
// as a fourth part on top (a chart without any keeps three).
std::string VolumeBucket(const Bucket& b, const TimeScale& ts, const ValueScale& vs, bool unscored) {
  const double counts[] = {Positive(b.negative), Positive(b.neutral), Positive(b.positive), Positive(b.unscored)};
  const std::string_view names[] = {"negative", "neutral", "positive", "unscored"};
  const std::string_view colours[] = {kNegativeColour, kNeutralColour, kPositiveColour, kUnscoredColour};
  double total = counts[0] + counts[1] + counts[2] + counts[3];
  std::string out =
      "<g data-start-ms=\"" + std::to_string(b.start_ms) + "\" data-total=\"" + FormatFixed(total, 0) + "\"><title>" +
      EscapeXml(FormatUtc(b.start_ms, UtcStyle::kDateTime) + ": " + FormatCount(total) + " mentions, " +
                FormatCount(counts[0]) + " negative, " + FormatCount(counts[1]) + " neutral, " +
                FormatCount(counts[2]) + " positive" + (unscored ? ", " + FormatCount(counts[3]) + " unscored" : "")) +
      "</title>";
  double w = ts.BarWidth();
  double x = ts.X(b.start_ms) + (ts.X(b.start_ms + ts.step) - ts.X(b.start_ms) - w) / 2;
  double cumulative = 0;
  for (int i = 0; i < (unscored ? 4 : 3); ++i) {
    double bottom = vs.Y(cumulative);
    cumulative += counts[i];
    double top = vs.Y(cumulative);
    out += Rect(x, top, w, bottom - top, colours[i],
                " data-sentiment=\"" + std::string(names[i]) + "\" data-value=\"" + FormatFixed(counts[i], 0) + "\"");
  }
  return out + "</g>";
}

}  // namespace

std::string VolumeChart(const BrandSeries& series, const TimeRange& range) {
  std::vector<Bucket> buckets = SortedBuckets(series);
  TimeScale ts = MakeTimeScale(buckets, range, kLeft, kWidth - 8);
  double sums[4] = {0, 0, 0, 0};
  double max_total = 0;
  for (const Bucket& b : buckets) {
    sums[0] += Positive(b.negative);
    sums[1] += Positive(b.neutral);
    sums[2] += Positive(b.positive);
    sums[3] += Positive(b.unscored);
    max_total =
        std::max(max_total, Positive(b.negative) + Positive(b.neutral) + Positive(b.positive) + Positive(b.unscored));
  }
  bool unscored = sums[3] > 0;
  ValueScale vs = CountScale(max_total, kHeight - kBottom, kTop + 4);
  std::string label = "Mentions of " + series.brand + " per " + FormatStep(ts.step) + ", " +
                      FormatUtc(ts.t0, UtcStyle::kDateTime) + " to " + FormatUtc(ts.t1, UtcStyle::kDateTime) + ": " +
                      FormatCount(sums[0] + sums[1] + sums[2] + sums[3]) + " in total, " + FormatCount(sums[0]) +
                      " negative, " + FormatCount(sums[1]) + " neutral, " + FormatCount(sums[2]) + " positive" +
                      (unscored ? ", " + FormatCount(sums[3]) + " unscored (no lexicon for their language)" : "");
  std::string out = OpenSvg(kHeight, label);
  out += Heading("Mentions per " + FormatStep(ts.step) + " (UTC)");
  if (unscored) {
    out += Legend({{kNegativeColour, "negative"},
                   {kNeutralColour, "neutral"},
                   {kPositiveColour, "positive"},
                   {kUnscoredColour, "unscored"}});
  } else {
    out += Legend({{kNegativeColour, "negative"}, {kNeutralColour, "neutral"}, {kPositiveColour, "positive"}});
  }
  out += ValueAxis(vs, kLeft, kWidth - 8, false);
  out += TimeAxis(ts, kHeight - kBottom);
  if (buckets.empty()) out += NoData((kLeft + kWidth) / 2, kHeight / 2);
  out += "<g class=\"points\">";
  for (const Bucket& b : buckets) out += VolumeBucket(b, ts, vs, unscored);
  return out + "</g></svg>";
}

// ---- Sentiment -------------------------------------------------------------

namespace {

std::string SignedLabel(double v) { return (v > 0 ? "+" : "") + FormatFixed(v, v == std::round(v) ? 0 : 1); }
std::string PercentLabel(double v) { return FormatFixed(v, 0) + "%"; }

struct SentimentPoint {
  int64_t start_ms = 0;
  double x = 0;
  double y = 0;
  bool empty = true;
};

std::string SentimentBucket(const Bucket& b, const TimeScale& ts, const ValueScale& compound, const ValueScale& pct,
                            SentimentPoint* point) {
  double total = Positive(b.negative) + Positive(b.neutral) + Positive(b.positive);
  double pct_negative = total > 0 ? 100 * Positive(b.negative) / total : 0;
  double mean = Clamp(Finite(b.mean_compound), -1, 1);
  std::string tip = FormatUtc(b.start_ms, UtcStyle::kDateTime) + ": ";
  tip += total > 0 ? "mean sentiment " + FormatFixed(mean, 2) + ", " + FormatFixed(pct_negative, 1) + "% negative of " +
                         FormatCount(total) + " mentions"
                   : "no mentions";
  std::string out = "<g data-start-ms=\"" + std::to_string(b.start_ms) + "\"><title>" + EscapeXml(tip) + "</title>";
  double w = ts.BarWidth();
  double x = ts.X(b.start_ms) + (ts.X(b.start_ms + ts.step) - ts.X(b.start_ms) - w) / 2;
  double top = pct.Y(pct_negative);
  out += Rect(x, top, w, pct.Y(0) - top, kShareColour, " data-pct-negative=\"" + FormatFixed(pct_negative, 1) + "\"");
  point->start_ms = b.start_ms;
  point->x = x + w / 2;
  point->y = compound.Y(mean);
  point->empty = total == 0;
  if (!point->empty) {
    out += "<circle cx=\"" + Num(point->x) + "\" cy=\"" + Num(point->y) + "\" r=\"3\" fill=\"" +
           std::string(kTrendColour) + "\" stroke=\"#fff\" data-compound=\"" + FormatFixed(mean, 3) + "\"/>";
  }
  return out + "</g>";
}

// The line through the points, broken where a bucket has no mentions or is
// missing altogether.
std::string TrendPath(const std::vector<SentimentPoint>& points, int64_t step) {
  std::string d;
  bool pen_down = false;
  int64_t last_ms = 0;
  for (const SentimentPoint& p : points) {
    if (p.empty) {
      pen_down = false;
      continue;
    }
    bool joined = pen_down && p.start_ms - last_ms <= step;
    d += (joined ? "L" : "M") + Num(p.x) + " " + Num(p.y);
    pen_down = true;
    last_ms = p.start_ms;
  }
  if (d.empty()) return "";
  return "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + std::string(kTrendColour) +
         "\" stroke-width=\"2\" stroke-linejoin=\"round\"/>";
}

}  // namespace

std::string SentimentChart(const BrandSeries& series, const TimeRange& range) {
  constexpr double kRightAxis = 34;
  std::vector<Bucket> buckets = SortedBuckets(series);
  TimeScale ts = MakeTimeScale(buckets, range, kLeft, kWidth - kRightAxis);
  ValueScale compound{-1, 1, 0.5, kHeight - kBottom, kTop + 4};
  ValueScale pct{0, 100, 50, kHeight - kBottom, kTop + 4};
  std::string label = "Sentiment of " + series.brand + " per " + FormatStep(ts.step) + ", " +
                      FormatUtc(ts.t0, UtcStyle::kDateTime) + " to " + FormatUtc(ts.t1, UtcStyle::kDateTime) +
                      ": mean " + FormatFixed(Clamp(Finite(series.mean_compound), -1, 1), 2) + " on -1 to +1, " +
                      FormatFixed(Clamp(Finite(series.pct_negative), 0, 100), 1) + "% negative";
  std::string out = OpenSvg(kHeight, label);
  out += Heading("Sentiment per " + FormatStep(ts.step) + " (UTC)");
  out += Legend({{kTrendColour, "mean (-1..+1)"}, {kShareColour, "% negative"}});
  out += ValueAxis(compound, kLeft, kWidth - kRightAxis, false, &SignedLabel);
  out += ValueAxis(pct, kLeft, kWidth - kRightAxis, true, &PercentLabel);
  out += TimeAxis(ts, kHeight - kBottom);
  if (buckets.empty()) out += NoData((kLeft + kWidth - kRightAxis) / 2, kHeight / 2 - 12);
  out += "<g class=\"points\">";
  std::vector<SentimentPoint> points(buckets.size());
  for (size_t i = 0; i < buckets.size(); ++i) out += SentimentBucket(buckets[i], ts, compound, pct, &points[i]);
  out += "</g>" + TrendPath(points, ts.step);
  return out + "</svg>";
}

// ---- Horizontal bars -------------------------------------------------------

namespace {

struct BarRow {
  std::string label;
  double value = 0;
  std::string value_text;
  std::string data;  // data- attributes of the bar
};

std::string HorizontalBars(std::string_view heading, std::string_view summary, const std::vector<BarRow>& rows,
                           std::string_view note) {
  constexpr double kRow = 22;
  constexpr double kLabelEnd = 110;
  constexpr double kBarMax = 300 - kLabelEnd;
  double height = kTop - 8 + kRow * static_cast<double>(std::max<size_t>(rows.size(), 1)) + (note.empty() ? 6 : 22);
  double max = 0;
  for (const BarRow& r : rows) max = std::max(max, r.value);
  std::string out = OpenSvg(height, summary) + Heading(heading);
  if (rows.empty()) out += Text(kWidth / 2, kTop + 8, "middle", "No mentions in this range", " fill=\"#555\"");
  out += "<g class=\"points\">";
  double y = kTop - 8;
  for (const BarRow& r : rows) {
    double w = max > 0 ? kBarMax * r.value / max : 0;
    out += "<g><title>" + EscapeXml(CleanText(r.label) + ": " + r.value_text) + "</title>";
    out += Text(kLabelEnd - 4, y + 14, "end", Shorten(r.label, 16));
    out += Rect(kLabelEnd, y + 3, w, kRow - 6, kBarColour, r.data);
    out += Text(kLabelEnd + w + 4, y + 14, "start", r.value_text) + "</g>";
    y += kRow;
  }
  out += "</g>";
  if (!note.empty()) out += Text(kLabelEnd, y + 14, "start", note, " fill=\"#555\"");
  return out + "</svg>";
}

}  // namespace

std::string ShareOfVoiceChart(const std::vector<BrandSeries>& series) {
  double all = 0;
  for (const BrandSeries& s : series) all += Positive(s.total);
  std::vector<BarRow> rows;
  std::string summary = "Share of voice: ";
  for (const BrandSeries& s : series) {
    double n = Positive(s.total);
    double share = all > 0 ? 100 * n / all : 0;
    rows.push_back({s.brand, n, FormatShort(n) + " (" + FormatFixed(share, 0) + "%)",
                    Attr("data-brand", s.brand) + " data-mentions=\"" + FormatFixed(n, 0) + "\" data-share=\"" +
                        FormatFixed(share, 1) + "\""});
    summary += (rows.size() > 1 ? "; " : "") + s.brand + " " + FormatFixed(share, 1) + "% (" + FormatCount(n) + ")";
  }
  if (rows.empty()) summary += "no brands";
  return HorizontalBars("Share of voice", summary, rows, "");
}

std::string BarListChart(std::string_view title, const std::vector<Count>& counts, size_t max_rows) {
  std::vector<BarRow> rows;
  std::string summary = std::string(title) + ": ";
  for (size_t i = 0; i < counts.size() && i < max_rows; ++i) {
    double n = Positive(counts[i].mentions);
    rows.push_back({counts[i].key, n, FormatShort(n),
                    Attr("data-key", counts[i].key) + " data-mentions=\"" + FormatFixed(n, 0) + "\""});
    summary += (i > 0 ? "; " : "") + counts[i].key + " " + FormatCount(n);
  }
  if (rows.empty()) summary += "none";
  std::string note;
  if (counts.size() > rows.size()) note = "and " + std::to_string(counts.size() - rows.size()) + " more";
  return HorizontalBars(title, summary, rows, note);
}

}  // namespace brandmon::report
