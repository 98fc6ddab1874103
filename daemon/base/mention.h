#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/status.h"

namespace brandmon {

// The normalized item every source plugin produces (DESIGN.md, "Mention").
// A plain value type; thread-compatible.
struct Mention {
  std::string source;   // configured source name
  std::string channel;  // e.g. "reddit", "youtube", "rss"
  std::string id;       // stable per source: guid, else url, else content hash
  std::string url;
  std::string title;
  std::string text;  // plain text: HTML stripped, entities decoded, whitespace collapsed
  std::string author;
  std::optional<WallTime> published;  // UTC
  std::optional<std::string> lang;    // BCP 47 code
  // Optional reach figures, in a fixed order of names: followers, likes,
  // shares, replies, rating (and any others a source maps).
  std::vector<std::pair<std::string, double>> metrics;
  // The fields cut to their cap by NormalizeMention (or by the plugin while
  // reading), by JSON name, in contract order: "id", "url", "title", "text",
  // "author" (and "source", "channel", "lang"). Empty for a whole mention.
  std::vector<std::string> truncated;

  const double* Metric(std::string_view name) const;
  // Sets or replaces a metric; a value that is not finite (1e999) is ignored.
  void SetMetric(std::string name, double value);
};

// The reach of a mention: the largest of its followers, likes, shares and
// replies metrics; 0 when it has none.
double Reach(const Mention& mention);

// The most bytes each field of a Mention may hold after normalization (the
// "limits" section of the config).
struct MentionLimits {
  uint64_t title = 1024;
  uint64_t text = 64 * 1024;
  uint64_t author = 512;
  uint64_t url = 8 * 1024;
  uint64_t id = 2 * 1024;
};

// Fields that are names and codes rather than content, capped at this many
// bytes whatever the limits say.
inline constexpr size_t kMaxShortField = 256;

// The one normalization every mention from a source goes through before the
// pipeline (the engine applies it to whatever a plugin emits, brandmonctl to
// what it prints), so that no plugin can forget it:
//  - every string field (and metric name) is made valid UTF-8 with no unsafe
//    code point (ReplaceUnsafe: line breaks become spaces, the other C0/C1
//    controls and bidi overrides U+FFFD), so nothing a source sends can
//    forge or split a line in a log, a terminal or a JSON Lines stream; no
//    field is multi-line (`text` is whitespace-collapsed by contract);
//  - title, text, author and url are cut to `limits` at a UTF-8 boundary,
//    source, channel and lang to kMaxShortField, each cut field named in
//    `truncated`;
//  - an id that is cut or had characters replaced becomes its (cut) prefix,
//    '~' and 16 hex digits of a hash of the id as received, so distinct ids
//    stay distinct and the same item keeps the same id.
// Idempotent: a normalized mention comes back unchanged.
void NormalizeMention(Mention& mention, const MentionLimits& limits);

// Marks `field` (a JSON field name) as truncated, once, keeping the order.
void MarkTruncated(Mention& mention, std::string_view field);

// One compact JSON object with the contract's field names, no trailing
// newline; "truncated" is written only when a field was cut.
std::string MentionToJson(const Mention& mention);

// The inverse of MentionToJson, for JSON Lines inputs (file and exec sources).
// Missing optional fields are left empty. Errors: Corrupt with the reason.
Result<Mention> MentionFromJson(std::string_view json);

}  // namespace brandmon
