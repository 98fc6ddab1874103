#pragma once

// Server-rendered charts: each function returns one standalone SVG element
// (no script, no external resource, every text escaped) that scales to its
// container through its viewBox. Every chart carries role="img", an
// aria-label summary and a <title>; every data point is a <rect> or <circle>
// with data- attributes holding its numbers, so tests and browsers can read
// them back. Colours come from the Okabe-Ito palette and differ in lightness
// too (docs/report.md). NaN, infinite and negative inputs draw as zero.
// Pure functions, safe from any thread.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/report/report_data.h"

namespace brandmon::report {

// The time axis the charts of one report share: [since_ms, until_ms) in
// buckets of step_ms. A range that is empty or inverted, or a step of 0, is
// widened from the buckets themselves.
struct TimeRange {
  int64_t since_ms = 0;
  int64_t until_ms = 0;
  int64_t step_ms = 0;
};

// The colours (Okabe-Ito, so no red against green). The three sentiments
// also differ in lightness (relative luminance 0.22, 0.58, 0.41) so a
// greyscale print tells them apart; the stack order and legend say the rest.
inline constexpr std::string_view kNegativeColour = "#D55E00";  // vermillion
inline constexpr std::string_view kNeutralColour = "#C8C8C8";   // light grey
inline constexpr std::string_view kPositiveColour = "#56B4E9";  // sky blue
// Mentions in a language without a lexicon: not a sentiment, so a dark grey
// set apart from the three (relative luminance 0.10).
inline constexpr std::string_view kUnscoredColour = "#595959";
inline constexpr std::string_view kTrendColour = "#0072B2";  // blue: the sentiment line, darkest
inline constexpr std::string_view kShareColour = "#F5C6A8";  // light vermillion: % negative bars
inline constexpr std::string_view kBarColour = "#0072B2";    // blue: share of voice, bar lists

// Mentions per bucket stacked by sentiment, negative at the bottom, then
// neutral, then positive, then (only when the brand has any) the unscored
// ones. Each bucket is a <g data-start-ms data-total> with a <title> and three
// (or four) <rect data-sentiment="negative|neutral|positive|unscored"
// data-value>, zero-height when the count is 0.
std::string VolumeChart(const BrandSeries& series, const TimeRange& range);

// The mean compound score per bucket as a line on a -1..1 axis, over bars of
// the share of negative mentions (0..100 %, right axis). Each bucket has a
// <rect data-pct-negative>; each bucket with mentions a <circle
// data-compound>; the line breaks over empty buckets.
std::string SentimentChart(const BrandSeries& series, const TimeRange& range);

// Each brand's share of all mentions: one horizontal <rect data-brand
// data-mentions data-share> per series, in the given order.
std::string ShareOfVoiceChart(const std::vector<BrandSeries>& series);

// A horizontal bar per count (a channel, a language), the first `max_rows`
// in the given order, with a note of how many were left out. Each bar is a
// <rect data-key data-mentions>.
std::string BarListChart(std::string_view title, const std::vector<Count>& counts, size_t max_rows = 12);

}  // namespace brandmon::report
