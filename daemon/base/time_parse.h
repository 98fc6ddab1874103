#pragma once

#include <optional>
#include <string_view>

#include "daemon/base/clock.h"

namespace brandmon {

// Parses RFC 3339 / ISO 8601 timestamps: "2026-01-02T03:04:05Z",
// "2026-01-02T03:04:05.123+02:00", "2026-01-02 03:04:05", "2026-01-02".
// A missing zone means UTC. Returns nullopt for anything else or an
// impossible date.
std::optional<WallTime> ParseRfc3339(std::string_view text);

// Days since 1970-01-01 for a proleptic Gregorian date; nullopt when the date
// does not exist (e.g. February 30) or WallTime cannot hold it (outside 1678-2261).
std::optional<int64_t> DaysFromCivil(int year, int month, int day);

}  // namespace brandmon
