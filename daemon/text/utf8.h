#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace brandmon::text {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point at s[*pos] and advances *pos past it. An invalid or
// truncated sequence (overlong, surrogate, above U+10FFFF, stray continuation
// byte) decodes as U+FFFD and advances by one byte, so callers always make
// progress. REQUIRES: *pos < s.size().
char32_t DecodeUtf8(std::string_view s, size_t* pos);

// Appends the UTF-8 encoding of `cp` (U+FFFD for surrogates or values above
// U+10FFFF) to *out.
void AppendUtf8(char32_t cp, std::string* out);

// True when `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// True when every byte of `s` is below 0x80. Eight bytes at a time, and
// header-inline: most posts are ASCII, and scoring asks of each.
inline bool IsAscii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t any = 0;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    any |= w;
  }
  for (; n > 0; ++p, --n) any |= static_cast<unsigned char>(*p);
  return (any & 0x8080808080808080ull) == 0;
}

// A copy of `s` with every invalid sequence replaced by U+FFFD. Never fails.
std::string RepairUtf8(std::string_view s);

// Number of code points in `s`, counting each invalid byte as one.
size_t CountCodePoints(std::string_view s);

}  // namespace brandmon::text
