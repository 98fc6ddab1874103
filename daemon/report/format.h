#pragma once

// The text and number formatting every report format shares: cleaning remote
// text, escaping it for XML/HTML, deciding which URLs become links, and
// writing numbers and UTC times people read. Pure functions.

#include <cstdint>
#include <string>
#include <string_view>

namespace brandmon::report {

// `text` as it may be shown: invalid UTF-8, controls, bidi embeddings,
// overrides and isolates replaced (base/safe_text.h, line breaks become
// spaces), and the noncharacters XML forbids (U+FFFE, U+FFFF) too.
std::string CleanText(std::string_view text);

// CleanText(text) with &, <, >, " and ' written as character references: safe
// in XML and HTML text and in quoted attribute values.
std::string EscapeXml(std::string_view text);

// At most `max_chars` code points of CleanText(text), ending in "…" when cut.
std::string Shorten(std::string_view text, size_t max_chars);

// True for an absolute http or https URL with a host and no whitespace,
// control or quote characters: the only URLs a report turns into links.
bool IsWebUrl(std::string_view url);

// `v`, or 0 when it is NaN or infinite.
double Finite(double v);

// `v`, or 0 when it is negative, NaN or infinite: a count or a reach.
double NonNegative(double v);

// `v` clamped to [lo, hi], NaN becoming `lo`.
double Clamp(double v, double lo, double hi);

// A mention's label and score as a list shows them: "negative (-0.62)",
// "positive (+0.40)"; "unscored" alone (a language without a lexicon: its
// score is that of a neutral text, not a reading).
std::string FormatLabel(std::string_view label, double score);

// `v` with `decimals` digits after the point ("-0.25"); never "nan" or "inf"
// (non-finite values print as 0) and never "-0".
std::string FormatFixed(double v, int decimals);

// A mean sentiment with two decimals and its sign: "+0.25", "-0.40", "0.00".
std::string FormatSigned(double v);

// A whole count with thousands separators: "1,234,567".
std::string FormatCount(double v);

// A count in at most four characters for axes and tiles: "950", "1.2k",
// "35M", "1T".
std::string FormatShort(double v);

// A bucket length for a heading: "hour", "day", "week", otherwise "6h",
// "15m" (base/units.h).
std::string FormatStep(int64_t step_ms);

// How FormatUtc writes a time.
enum class UtcStyle {
  kRfc3339,   // "2026-12-07T05:42:53Z"
  kDateTime,  // "2026-12-07 05:42 UTC"
  kDate,      // "2026-12-07"
  kDayHour,   // "Dec 7 05:00"
  kDay,       // "Dec 7"
};

// `ms` since the Unix epoch in UTC, clamped to the years 1970 to 9999.
std::string FormatUtc(int64_t ms, UtcStyle style);

}  // namespace brandmon::report
