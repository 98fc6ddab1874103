#pragma once

#include <string_view>
#include <utility>

#include "daemon/sentiment/unit_builder.h"

namespace brandmon::sentiment {

// Builds the units and sentences of any text into b->s: repairs and
// NFC-normalizes it, tokenizes it, folds each token's key and counts the
// stopwords, chooses the language (`pinned` when not empty) and rates each
// word in its script's pack, with phrases, inflections and fallbacks.
// `ascii` says that `text` is ASCII (it is then neither repaired nor
// normalized). Returns the '!' and '?' counts. Sets b->lang. Uses only b
// and its scratch: thread-safe for distinct builders.
std::pair<int, int> BuildGeneralUnits(UnitBuilder* b, std::string_view text, bool ascii, std::string_view pinned);

}  // namespace brandmon::sentiment
