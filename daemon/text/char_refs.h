#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace brandmon::text {

// Where a decoded character reference ended in the original text, in code
// points, and how many code points the references up to it took away.
struct CharRefShift {
  uint32_t cp_begin = 0;  // the reference's '&'
  uint32_t cp_end = 0;    // past its ';'
  uint32_t removed = 0;   // code points removed by this reference and those before it
};

// Decodes the character references that JSON APIs and escaped feeds leave in
// plain text: "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&nbsp;" and the
// numeric "&#39;" / "&#x1F600;" (a code point that is not a valid scalar
// value, or a reference without its ';', is left as it is). One pass: the
// "&lt;" of "&amp;lt;" stays. Returns false, with *out and *shifts
// untouched, when `text` holds no reference; otherwise *out receives the
// decoded text and *shifts (when not null) one entry per reference, in order.
// Offsets count code points as CountCodePoints does (an invalid byte is one).
// REQUIRES: `text` is shorter than 4 GiB.
bool DecodeCharRefs(std::string_view text, std::string* out, std::vector<CharRefShift>* shifts);

// The code-point offset in the decoded text of offset `cp` in the original.
// An offset inside a reference maps to the character it decoded to.
uint32_t MapDecodedOffset(uint32_t cp, const std::vector<CharRefShift>& shifts);

// The inverse: the offset in the original text of offset `cp` in the decoded
// one; a decoded character maps to its reference's '&'.
uint32_t MapOriginalOffset(uint32_t cp, const std::vector<CharRefShift>& shifts);

}  // namespace brandmon::text
