#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace brandmon {

// Counts of observations in fixed buckets, as a Prometheus histogram shows
// them: bucket i counts the values <= bounds[i] and above bounds[i-1], the
// last one those above every bound (+Inf); `sum` adds every value. The bounds
// are the caller's constants, so that the series of a histogram never change.
// A plain value: the owner's lock or thread guards it.
template <size_t kBounds>
struct Histogram {
  std::array<uint64_t, kBounds + 1> counts{};
  double sum = 0;

  // REQUIRES: `bounds` increasing, kBounds of them.
  void Observe(const std::array<double, kBounds>& bounds, double value) {
    size_t i = 0;
    while (i < kBounds && value > bounds[i]) ++i;
    ++counts[i];
    sum += value;
  }
  void Add(const Histogram& other) {
    for (size_t i = 0; i < counts.size(); ++i) counts[i] += other.counts[i];
    sum += other.sum;
  }
  uint64_t count() const {
    uint64_t n = 0;
    for (uint64_t c : counts) n += c;
    return n;
  }
};

// Seconds of an HTTP request, from sending it to its last byte.
inline constexpr std::array<double, 8> kFetchSecondsBounds = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
using FetchSecondsHistogram = Histogram<kFetchSecondsBounds.size()>;

// Seconds a stage of the pipeline takes for one batch.
inline constexpr std::array<double, 11> kStageSecondsBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                               0.1,   0.25,   0.5,   1,    2.5};
using StageSecondsHistogram = Histogram<kStageSecondsBounds.size()>;

// A brand-targeted compound score, in [-1, 1].
inline constexpr std::array<double, 8> kCompoundBounds = {-0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1};
using CompoundHistogram = Histogram<kCompoundBounds.size()>;

}  // namespace brandmon
