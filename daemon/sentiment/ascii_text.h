#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "daemon/text/utf8.h"

namespace brandmon::sentiment {

// Byte-level helpers for ASCII text, header-inline for the scoring loops.
// Pure functions; thread-safe.

// text::IsAscii, by its short name in the scoring loops.
using text::IsAscii;

// Lower-cases `in` into `out` (in.size() bytes), eight bytes at a time, and
// returns whether `in` is ASCII. When it is not, `out` holds garbage: the
// lanes carry into each other.
inline bool LowerAscii(std::string_view in, char* out) {
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  const char* p = in.data();
  size_t n = in.size();
  uint64_t any = 0;
  for (; n >= 8; p += 8, out += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    any |= w;
    uint64_t at_least_a = w + kOnes * (0x80 - 'A');   // high bit: byte >= 'A'
    uint64_t above_z = w + kOnes * (0x80 - 'Z' - 1);  // high bit: byte > 'Z'
    uint64_t upper = (at_least_a ^ above_z) & (kOnes * 0x80);
    w |= upper >> 2;  // 0x80 >> 2 == 0x20, the case bit
    std::memcpy(out, &w, 8);
  }
  for (; n > 0; ++p, ++out, --n) {
    any |= static_cast<unsigned char>(*p);
    *out = static_cast<char>(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  }
  return (any & 0x8080808080808080ull) == 0;
}

// s == literal, with the length known so that the comparison inlines.
template <size_t N>
bool Is(std::string_view s, const char (&literal)[N]) {
  return s.size() == N - 1 && std::memcmp(s.data(), literal, N - 1) == 0;
}

}  // namespace brandmon::sentiment
