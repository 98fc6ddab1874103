#pragma once

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

  const double* Metric(std::string_view name) const;
  // Sets or replaces a metric; a value that is not finite (1e999) is ignored.
  void SetMetric(std::string name, double value);
};

// One compact JSON object with the contract's field names, no trailing newline.
std::string MentionToJson(const Mention& mention);

// The inverse of MentionToJson, for JSON Lines inputs (file and exec sources).
// Missing optional fields are left empty. Errors: Corrupt with the reason.
Result<Mention> MentionFromJson(std::string_view json);

}  // namespace brandmon
