#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"
#include "daemon/query/filter.h"
#include "daemon/query/reader.h"
#include "daemon/report/report_data.h"

namespace brandmon::query {

// How long each list of a report is.
struct ReportLimits {
  int64_t top = 10;     // mentions by reach
  int64_t alerts = 20;  // latest alerts
  // Brands shown when the filter names none: the most mentioned in the range.
  int64_t brands = 5;
};

// The bucket length a range reads best in, as charts a phone can show: 1h
// up to 2 days, 6h up to 14 days, 1d up to 180 days, 7d beyond.
Duration AutoStep(const Filter& filter);

// Called between the queries of a report with what comes next ("series",
// "top mentions"...), for a progress line.
using ReportProgress = std::function<void(std::string_view step)>;

// The report of `filter`'s brands over its range, from the queries of
// `reader`, generated at `now`: per brand, mentions per bucket by label with
// the mean score (the brand-targeted compound when there is one) and reach;
// channels and languages; the top mentions by reach; the latest alerts; the
// terms of the latest emerging_terms alert; every source's health. `since`
// is rounded down to a multiple of `step`, so the figures of a brand are the
// sums of its buckets (the rollups count whole hours). The filter's
// channels, languages and labels apply to every part; min_reach and q only
// to the top mentions.
// REQUIRES: `step` is a multiple of 1h giving at most kMaxBuckets buckets
// (ParseStep checks it). Errors: those of the queries.
Result<report::ReportData> BuildReport(Reader& reader, Filter filter, Duration step, WallTime now,
                                       const ReportLimits& limits = {}, const ReportProgress& progress = {});

}  // namespace brandmon::query
