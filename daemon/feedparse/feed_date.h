#pragma once

#include <optional>
#include <string_view>

#include "daemon/base/clock.h"

namespace brandmon::feedparse {

// Parses the dates feeds carry, normalized to UTC; the forms feedparser reads:
// - RFC 822/2822 and their wild variants: "Mon, 02 Jan 2006 15:04:05 -0700",
//   a missing weekday, day and month in either order, full or lowercase
//   month names, two-digit years (00-49 -> 20xx, 50-99 -> 19xx), missing
//   seconds or time, numeric zones ("+0530", "+05:30", "GMT-01:01") and named
//   ones (UT, GMT, Etc/GMT, Z, the North American zones with or without their
//   S/D letter, AT/AST/ADT, RFC 822's military letters, common European and
//   Asian ones); asctime ("Sun Jan  4 16:29:06 2004", with or without a
//   zone before the year) and Perforce ("Fri, 2006/09/15 08:19:53 EDT");
// - RFC 3339 / ISO 8601: "2006-01-02T15:04:05Z", a missing seconds field,
//   "+0800" offsets, the compact "20060102T150405Z", dates cut short
//   ("2003-12", "2003"), ordinal dates ("2003-335"), two-digit years
//   ("03-12-31", "031231", "-03-12", read as 20xx) and "2003-012-31";
// - the localized forms feedparser has handlers for: Greek day and month
//   names, Hungarian month names, and the Korean OnBlog and Nate forms.
// A date without a zone, or with a zone name no table knows, is taken as UTC
// rather than dropped. Returns nullopt for anything else or an impossible
// date (or one outside the years 1678-2261 that WallTime holds).
// Thread-safe.
std::optional<WallTime> ParseFeedDate(std::string_view text);

}  // namespace brandmon::feedparse
