#include "daemon/base/safe_text.h"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace brandmon {
size_t DecodeUtf8At(std::string_view s, size_t i, char32_t* cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  char32_t value = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
    value = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    value = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    value = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 1; k < len; ++k) {
    if (k > 1 && (byte(i + k) < 0x80 || byte(i + k) > 0xBF)) return 0;
    value = (value << 6) | (byte(i + k) & 0x3F);
  }
  *cp = value;
  return len;
}

namespace {

bool IsLineBreak(char32_t cp) {
  return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// Printable ASCII and tab pass as they are; any other byte is decoded.
bool AsciiSafe(unsigned char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; }

}  // namespace

bool IsUnsafeCodePoint(char32_t cp) {
  if (cp < 0x20) return cp != '\t';
  if (cp >= 0x7F && cp <= 0x9F) return true;
  if (cp == 0x2028 || cp == 0x2029) return true;
  if (cp >= 0x202A && cp <= 0x202E) return true;
  return cp >= 0x2066 && cp <= 0x2069;
}

std::string ReplaceUnsafe(std::string_view utf8, bool* changed) {
  std::string out;
  out.reserve(utf8.size());
  bool replaced = false;
  size_t i = 0;
  while (i < utf8.size()) {
    auto c = static_cast<unsigned char>(utf8[i]);
    if (AsciiSafe(c)) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    char32_t cp = 0;
    size_t len = DecodeUtf8At(utf8, i, &cp);
    if (len == 0) {
      out.append(kReplacement);
      replaced = true;
      ++i;
      continue;
    }
    if (IsUnsafeCodePoint(cp)) {
      if (IsLineBreak(cp)) {
        out.push_back(' ');
      } else {
        out.append(kReplacement);
      }
      replaced = true;
    } else {
      out.append(utf8.substr(i, len));
    }
    i += len;
  }
  if (changed != nullptr) *changed = replaced;
  return out;
}

std::string EscapeUnsafe(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && AsciiSafe(static_cast<unsigned char>(text[i]))) ++i;
  if (i == text.size()) return std::string(text);
  std::string out(text.substr(0, i));
  out.reserve(text.size() + 16);
  char buf[16];
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (AsciiSafe(c)) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    char32_t cp = 0;
    size_t len = DecodeUtf8At(text, i, &cp);
    if (len == 0) {
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out.append(buf);
      ++i;
      continue;
    }
    if (!IsUnsafeCodePoint(cp)) {
      out.append(text.substr(i, len));
    } else if (cp == '\n') {
      out.append("\\n");
    } else if (cp == '\r') {
      out.append("\\r");
    } else if (cp < 0x80) {
      std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned>(cp));
      out.append(buf);
    } else {
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(cp));
      out.append(buf);
    }
    i += len;
  }
  return out;
}

size_t Utf8PrefixLength(std::string_view utf8, size_t max) {
  if (utf8.size() <= max) return utf8.size();
  size_t end = max;
  // Back up over continuation bytes to the start of the cut code point.
  while (end > 0 && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) --end;
  return end;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    char32_t cp = 0;
    size_t len = DecodeUtf8At(text, i, &cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace brandmon
