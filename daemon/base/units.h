#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/base/clock.h"

namespace brandmon {

// Parses "250ms", "90s", "5m", "1h", "2d", or compounds like "1h30m".
// A bare number is rejected: the unit is what makes a config readable.
std::optional<Duration> ParseDuration(std::string_view text);

// Formats with the largest units that divide it exactly: "90s", "5m", "1h30m".
std::string FormatDuration(Duration d);

// Parses "512", "64KiB", "10MiB", "1GiB", "10MB" (SI) into bytes.
std::optional<uint64_t> ParseSize(std::string_view text);

// Formats bytes with the largest binary unit that divides it: "10MiB".
std::string FormatSize(uint64_t bytes);

// RFC 3339 UTC with millisecond precision dropped when zero: 2026-01-01T00:00:00Z.
std::string FormatRfc3339(WallTime t);
// The same appended to `out`, without a call to the C library for the
// years 0000 to 9999 (an export writes two per row).
void AppendRfc3339(std::string& out, WallTime t);

}  // namespace brandmon
