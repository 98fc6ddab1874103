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

// True when `s` starts with `lower_prefix` in any ASCII case; `lower_prefix`
// is lowercase letters and characters that case folding leaves alone.
inline bool StartsWithAsciiNoCase(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    if ((s[i] | 0x20) != lower_prefix[i]) return false;
  }
  return true;
}

// A copy of `s` with every invalid sequence replaced by U+FFFD. Never fails.
std::string RepairUtf8(std::string_view s);

// Number of code points in `s`, counting each invalid byte as one.
size_t CountCodePoints(std::string_view s);

}  // namespace brandmon::text
