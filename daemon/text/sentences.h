#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "daemon/text/tokenizer.h"

namespace brandmon::text {

// A sentence as byte offsets [begin, end) into the text.
struct SentenceSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// True when `t` is terminal punctuation: . ! ? … and the CJK, Arabic and
// Devanagari full stops and question marks.
bool IsTerminal(const Token& t);

// Indices into `tokens` where each sentence starts: a sentence ends after a
// run of terminal punctuation (a '.' after a one-letter word, as in "e.g.",
// does not end one) or before a line break. Appends to *starts (cleared first);
// always holds 0 when tokens is non-empty.
void SentenceStarts(const std::vector<Token>& tokens, std::vector<uint32_t>* starts);

// Splits `text` into sentences, trimmed of surrounding spaces.
// REQUIRES: valid UTF-8.
std::vector<SentenceSpan> SplitSentences(std::string_view text);

}  // namespace brandmon::text
