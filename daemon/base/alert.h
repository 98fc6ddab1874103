#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/status.h"

namespace brandmon {

enum class Severity { kInfo, kWarning, kCritical };

// "info", "warning", "critical".
std::string_view SeverityName(Severity severity);
std::optional<Severity> ParseSeverity(std::string_view name);

// A term reported by a trend rule (e.g. emerging_terms) with its count in the
// latest window and its baseline.
struct TermCount {
  std::string term;
  double count = 0;
  double baseline = 0;
};

// A decision of the rules that someone should hear about. The rules fill
// everything but `seq`, which the store's journal assigns when the alert is
// committed. A plain value type; thread-compatible.
struct Alert {
  uint64_t seq = 0;  // 0 until journaled
  WallTime ts;
  std::string brand;
  std::string rule;     // e.g. "negative_mention", "volume_spike_clear"
  std::string channel;  // set when the rule works per channel; empty for the whole brand
  Severity severity = Severity::kInfo;
  std::string summary;  // one line for people
  // The sentence (or two) of the triggering mention that holds the brand and
  // drove the decision, shortened around the match; empty for trend rules.
  std::string snippet;
  std::string dedupe_key;                               // equal keys mean the same event: only the first is kept
  std::vector<ScoredMention> mentions;                  // the triggering mention(s), may be empty
  std::vector<std::pair<std::string, double>> figures;  // the rule's numbers, in a stable order
  std::vector<TermCount> terms;                         // e.g. the top emerging terms

  const double* Figure(std::string_view name) const;
};

// The ZeroMQ topic: "alert.<brand>.<rule>".
std::string AlertTopic(const Alert& alert);

// The alert message (DESIGN.md, "Alert message"): one compact JSON object with
// "v": 1, seq, ts (RFC 3339), brand, rule, severity, summary, [snippet],
// [channel], dedupe_key, mentions (each with its sentiment), figures {name:
// number} and, when present, terms [{term, count, baseline}]. Non-finite figures are
// written as null.
std::string AlertToJson(const Alert& alert);

// The inverse of AlertToJson, for subscribers: parses one alert message as
// published (fields it does not know are ignored, as docs/alerts.md asks of
// consumers). A null figure (or term count) becomes NaN. Each mention's
// "lang" fills both the mention's and the scored mention's language.
// Errors: Corrupt naming the field at fault (bad JSON, a missing or mistyped
// field, a seq of 0 or beyond 2^64 - 1, a version other than 1).
Result<Alert> AlertFromJson(std::string_view json);

}  // namespace brandmon
