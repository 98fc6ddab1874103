#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace brandmon::http {

// Builds a page of the Prometheus text exposition format 0.0.4: for each
// metric family a "# HELP" and a "# TYPE" line, then its samples. Label
// values are escaped; names are the caller's (the daemon's all start with
// "brandmon_"). Thread-compatible.
class Exposition {
 public:
  // Names and values, only read during the call (a scrape writes thousands
  // of samples: nothing of a sample is copied but into the page).
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  // `expected_bytes`: about how long the page will be; the text is
  // allocated once at that size rather than copied as it doubles.
  explicit Exposition(size_t expected_bytes = 0) { text_.reserve(expected_bytes); }

  // Starts the family `name` of `type` ("counter", "gauge"...). REQUIRES:
  // each family is started once, and its samples follow before the next.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // One sample of the family last started (a counter's name ends in "_total").
  void Sample(std::string_view name, const Labels& labels, double value);
  void Sample(std::string_view name, double value) { Sample(name, {}, value); }
  // The samples of one histogram of the family last started (type
  // "histogram"): a cumulative `name`_bucket per bound and for "+Inf",
  // then `name`_sum and `name`_count. `counts` holds one count per bucket,
  // not cumulative, the last for the values above every bound.
  // REQUIRES: counts.size() == bounds.size() + 1; no label named "le".
  void Histogram(std::string_view name, const Labels& labels, std::span<const double> bounds,
                 std::span<const uint64_t> counts, double sum);
  // A family of one unlabelled sample.
  void Single(std::string_view name, std::string_view type, std::string_view help, double value);

  const std::string& text() const { return text_; }

 private:
  // "name{labels,le="le"} value": `le` is left out when empty.
  void AppendSample(std::string_view name, std::string_view suffix, const Labels& labels, std::string_view le,
                    double value);

  std::string text_;
};

// The value as Prometheus writes it: integers without a fraction, "NaN",
// "+Inf", "-Inf".
std::string FormatValue(double value);

// `value` escaped for a label value: backslash, double quote and newline.
std::string EscapeLabelValue(std::string_view value);

// The content type of the format.
inline constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace brandmon::http
