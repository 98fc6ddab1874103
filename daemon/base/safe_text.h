#pragma once

// What text from a remote source may hold once it leaves normalization, and
// how whatever is left is shown in a log line: the one definition of an
// "unsafe" character for the whole daemon.

#include <cstddef>
#include <string>
#include <string_view>

namespace brandmon {

// True for the code points that could forge or split a line on a terminal or
// in a log: C0 controls except tab (so also CR and LF), DEL, C1 controls
// (U+0080-U+009F), the line and paragraph separators (U+2028, U+2029), and
// the bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
bool IsUnsafeCodePoint(char32_t cp);

// `utf8` with each unsafe code point replaced: the line breaks (CR, LF, VT,
// FF, NEL, U+2028, U+2029) by a space, every other one by U+FFFD, and each
// invalid UTF-8 byte by U+FFFD. The result is valid UTF-8 with no unsafe code
// point. Sets *changed (when given) to whether anything was replaced.
std::string ReplaceUnsafe(std::string_view utf8, bool* changed = nullptr);

// `text` made printable on one line: unsafe code points and invalid bytes
// are written as escapes ("\n", "\r", "\x1b", "\u202e"), and a backslash that
// would start such an escape is not touched (escapes are for people, not a
// reversible encoding). Text with nothing unsafe comes back unchanged.
std::string EscapeUnsafe(std::string_view text);

// Decodes the valid UTF-8 sequence at utf8[i] into *cp and returns its
// length, or 0 when it is invalid (overlong forms, surrogates, above
// U+10FFFF, truncated). REQUIRES: i < utf8.size().
size_t DecodeUtf8At(std::string_view utf8, size_t i, char32_t* cp);

// Whether `text` is valid UTF-8 (what ValidUtf8 returns unchanged), checked
// without a copy: ASCII a word at a time.
bool IsValidUtf8(std::string_view text);

// The length of the longest prefix of `utf8` (valid UTF-8) of at most `max`
// bytes that ends on a code point boundary.
size_t Utf8PrefixLength(std::string_view utf8, size_t max);

}  // namespace brandmon
