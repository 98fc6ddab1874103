#pragma once

#include <optional>
#include <string_view>

#include "daemon/base/clock.h"

namespace brandmon::feedparse {

// Parses the dates feeds carry, normalized to UTC:
// - RFC 822/2822 and their wild variants: "Mon, 02 Jan 2006 15:04:05 -0700",
//   a missing weekday, full or lowercase month names, two-digit years
//   (00-49 -> 20xx, 50-99 -> 19xx), missing seconds, named zones (UT, GMT, Z,
//   EST/EDT/CST/CDT/MST/MDT/PST/PDT) and numeric ones ("+0530", "+05:30");
// - RFC 3339 / ISO 8601: "2006-01-02T15:04:05Z", a missing seconds field,
//   "+0800" offsets and the compact "20060102T150405Z".
// A date without a zone is taken as UTC. Returns nullopt for anything else or
// an impossible date. Thread-safe.
std::optional<WallTime> ParseFeedDate(std::string_view text);

}  // namespace brandmon::feedparse
