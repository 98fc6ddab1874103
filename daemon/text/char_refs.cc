#include "daemon/text/char_refs.h"

#include <algorithm>
#include <cstring>

#include "daemon/text/utf8.h"

namespace brandmon::text {

namespace {

// The code point of the reference starting at text[pos] ('&'), and its
// length in bytes; 0 when there is none.
char32_t ReferenceAt(std::string_view text, size_t pos, size_t* length) {
  constexpr size_t kLongest = 10;  // "&#x10FFFF;"
  size_t semi = text.substr(0, pos + kLongest).find(';', pos + 1);
  if (semi == std::string_view::npos || semi == pos + 1) return 0;
  std::string_view body = text.substr(pos + 1, semi - pos - 1);
  *length = semi - pos + 1;
  if (body[0] != '#') {
    struct Named {
      std::string_view name;
      char32_t cp;
    };
    static constexpr Named kNamed[] = {{"amp", '&'},  {"lt", '<'},    {"gt", '>'},
                                       {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}};
    for (const Named& n : kNamed) {
      if (body == n.name) return n.cp;
    }
    return 0;
  }
  bool hex = body.size() > 1 && (body[1] == 'x' || body[1] == 'X');
  std::string_view digits = body.substr(hex ? 2 : 1);
  if (digits.empty()) return 0;
  uint32_t cp = 0;
  for (char c : digits) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      d = static_cast<uint32_t>((c | 0x20) - 'a' + 10);
    } else {
      return 0;
    }
    cp = cp * (hex ? 16 : 10) + d;
    if (cp > 0x10FFFF) return 0;
  }
  if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return cp;
}

}  // namespace

bool DecodeCharRefs(std::string_view text, std::string* out, std::vector<CharRefShift>* shifts) {
  size_t amp = text.find('&');
  size_t length = 0;
  char32_t cp = 0;
  for (; amp != std::string_view::npos; amp = text.find('&', amp + 1)) {
    if ((cp = ReferenceAt(text, amp, &length)) != 0) break;
  }
  if (amp == std::string_view::npos) return false;
  // Both are reused by the caller: clearing keeps their capacity.
  out->clear();
  if (shifts != nullptr) shifts->clear();
  size_t copied = 0;  // bytes of `text` already in *out
  uint32_t cp_at_copied = 0;
  uint32_t removed = 0;
  while (amp != std::string_view::npos) {
    if (cp != 0) {
      std::string_view before = text.substr(copied, amp - copied);
      out->append(before);
      AppendUtf8(cp, out);
      if (shifts != nullptr) {
        uint32_t cp_begin = cp_at_copied + static_cast<uint32_t>(CountCodePoints(before));
        // A reference is ASCII: its bytes are its code points.
        removed += static_cast<uint32_t>(length) - 1;
        shifts->push_back({cp_begin, cp_begin + static_cast<uint32_t>(length), removed});
        cp_at_copied = cp_begin + static_cast<uint32_t>(length);
      }
      copied = amp + length;
    }
    amp = text.find('&', std::max(copied, amp + 1));
    if (amp != std::string_view::npos) cp = ReferenceAt(text, amp, &length);
  }
  out->append(text.substr(copied));
  return true;
}

uint32_t MapDecodedOffset(uint32_t cp, const std::vector<CharRefShift>& shifts) {
  // The last reference that begins before cp.
  auto it = std::upper_bound(shifts.begin(), shifts.end(), cp,
                             [](uint32_t v, const CharRefShift& s) { return v <= s.cp_begin; });
  if (it == shifts.begin()) return cp;
  const CharRefShift& last = *(it - 1);
  if (cp < last.cp_end) return last.cp_end - last.removed - 1;  // inside it: its character
  return cp - last.removed;
}

uint32_t MapOriginalOffset(uint32_t cp, const std::vector<CharRefShift>& shifts) {
  uint32_t removed = 0;
  for (const CharRefShift& s : shifts) {
    // The reference decodes to one character, at its '&' less what went before.
    uint32_t decoded_at = s.cp_begin - (s.removed - (s.cp_end - s.cp_begin - 1));
    if (cp < decoded_at) break;
    if (cp == decoded_at) return s.cp_begin;
    removed = s.removed;
  }
  return cp + removed;
}

}  // namespace brandmon::text
