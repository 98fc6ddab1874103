#pragma once

#include <string_view>
#include <utility>

#include "daemon/sentiment/unit_builder.h"
#include "daemon/text/tokens.h"

namespace brandmon::sentiment {

// Builds the units and sentences of any text into b->s from its tokens
// (repaired, NFC-normalized and split once by text::Tokens): folds each
// token's key, takes the packs of `language` (ChooseLanguage) and rates
// each word in its script's pack, with phrases,
// inflections and fallbacks. `ascii` says that the text is ASCII. Returns
// the '!' and '?' counts. Sets b->lang. Uses only b and its scratch, and
// reads `tokens`: thread-safe for distinct builders and tokens.
std::pair<int, int> BuildGeneralUnits(UnitBuilder* b, const text::Tokens& tokens, bool ascii,
                                      std::string_view language);

}  // namespace brandmon::sentiment
