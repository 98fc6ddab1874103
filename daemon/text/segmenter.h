#pragma once

#include <string_view>
#include <vector>

namespace brandmon::text {

// Splits a run of text without spaces (Chinese, Japanese, Thai) into words
// with ICU's dictionary-based word break iterator, appending views into
// `run` to *out. Punctuation and spaces are dropped. Falls back to one piece
// per code point when ICU cannot build the iterator. Thread-safe: each thread
// keeps its own iterator. REQUIRES: `run` is valid UTF-8.
void SegmentWords(std::string_view run, std::vector<std::string_view>* out);

}  // namespace brandmon::text
