#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/base/scored_mention.h"

namespace brandmon::store {

// How the store keeps lists and metrics in one TEXT column: runs of
// "<length>:<bytes>", which keep any byte. Decoding stops at the first
// malformed run and returns what came before it.
std::string EncodeList(const std::vector<std::string>& items);
std::vector<std::string> DecodeList(std::string_view encoded);

// Metrics as a list of name, value, name, value... (values in "%.17g", so
// they read back exactly). A value that does not parse reads as 0.
std::string EncodeMetrics(const std::vector<std::pair<std::string, double>>& metrics);
std::vector<std::pair<std::string, double>> DecodeMetrics(std::string_view encoded);

// The language a mention is stored and counted under: the detected (or
// pinned) one, else the one its source gave, else "".
std::string_view StoredLang(const ScoredMention& sm);

// The label a mention is stored and counted under: its sentiment's, or
// "unscored" when its language has no lexicon (a neutral reading that is
// not a reading at all). Read back, "unscored" is a Sentiment with
// scored = false and the label "neutral" (the alert message's contract).
inline constexpr std::string_view kUnscoredLabel = "unscored";
std::string_view StoredLabel(const Sentiment& s);
// Sets the label and `scored` of `s` from a stored label.
void ReadStoredLabel(std::string_view stored, Sentiment& s);

}  // namespace brandmon::store
