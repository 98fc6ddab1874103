#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"

namespace brandmon::query {

// The parameters of a question as a person writes them: the URL query of
// /api/v1 and brandmonctl export's options ("brand" => "acme,globex",
// "since" => "7d"). A name may repeat; its values add up.
using Params = std::multimap<std::string, std::string>;

// Which mentions a question is about. Times are Unix milliseconds of when the
// mention was stored, the half-open range [since, until). Empty lists mean
// "any". A value type.
struct Filter {
  std::vector<std::string> brands;
  std::vector<std::string> channels;
  std::vector<std::string> langs;
  std::vector<std::string> labels;  // "positive", "neutral", "negative", "unscored" (no lexicon)
  int64_t since_ms = 0;
  int64_t until_ms = 0;
  double min_reach = 0;  // mentions only; the rollups keep no reach per mention
  std::string q;         // full-text words, each required; mentions only
};

// How a time series or breakdown is cut.
enum class Dimension { kNone, kBrand, kChannel, kLang, kLabel };
// "brand", "channel", "lang", "label" ("" is kNone).
std::optional<Dimension> ParseDimension(std::string_view name);
std::string_view DimensionName(Dimension d);

// One page of a list: where it starts (an opaque cursor from the page before,
// empty for the first) and how many rows at most.
struct Page {
  std::string cursor;
  int64_t limit = 100;
};

// An hour in milliseconds: the rollups' bucket and the unit of every step.
inline constexpr int64_t kHourMs = 3'600'000;

inline constexpr int64_t kMaxLimit = 1000;
// The most rows one export over HTTP (/api/v1/export) streams; more take
// `brandmonctl export`.
inline constexpr int64_t kMaxExportRows = 1'000'000;
inline constexpr int64_t kMaxBuckets = 400 * 24;  // 400 days of hours
inline constexpr Duration kDefaultRange = std::chrono::hours(24 * 7);

// Reads the filter from `params`: brand, channel, lang, label (comma lists),
// since and until (RFC 3339, or a duration back from `now` such as "7d";
// until defaults to now, since to 7 days before until), min_reach and q.
// Errors: InvalidArgument naming the parameter and the value at fault (a bad
// date, since after until, an unknown label, a negative min_reach...).
Result<Filter> ParseFilter(const Params& params, WallTime now);

// "step": a multiple of 1h ("1h" when absent) that cuts [since, until) into at
// most kMaxBuckets buckets. Errors: InvalidArgument naming "step".
Result<Duration> ParseStep(const Params& params, const Filter& filter);

// "cursor" and "limit" (1 to `max_limit`, `default_limit` when absent).
// Errors: InvalidArgument naming "limit".
Result<Page> ParsePage(const Params& params, int64_t default_limit = 100, int64_t max_limit = kMaxLimit);

// InvalidArgument naming the first parameter of `params` not in `known`:
// a typo is an error rather than a filter silently ignored.
Status CheckKnown(const Params& params, const std::vector<std::string_view>& known);

// The one value of `name`, or nullopt. Errors: InvalidArgument when it repeats.
Result<std::optional<std::string>> Single(const Params& params, std::string_view name);

}  // namespace brandmon::query
