#include "daemon/text/script.h"

namespace brandmon::text {

Script ScriptOf(char32_t cp) {
  if (cp < 0x80) {
    return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') ? Script::kLatin : Script::kCommon;
  }
  if (cp < 0x250) return (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7) ? Script::kLatin : Script::kCommon;
  if (cp < 0x300) return Script::kLatin;   // IPA extensions, spacing modifiers
  if (cp < 0x370) return Script::kCommon;  // combining diacritics
  if (cp >= 0x400 && cp < 0x530) return Script::kCyrillic;
  if ((cp >= 0x600 && cp < 0x700) || (cp >= 0x750 && cp < 0x780) || (cp >= 0x8A0 && cp < 0x900) ||
      (cp >= 0xFB50 && cp < 0xFE00) || (cp >= 0xFE70 && cp < 0xFF00)) {
    // The Arabic comma, semicolon and question mark belong to the script too.
    return Script::kArabic;
  }
  if (cp >= 0x900 && cp < 0x980) return (cp == 0x964 || cp == 0x965) ? Script::kCommon : Script::kDevanagari;
  if (cp >= 0xA80 && cp < 0xB00) return Script::kGujarati;
  if (cp >= 0xE00 && cp < 0xE80) return Script::kThai;
  if (cp >= 0x1100 && cp < 0x1200) return Script::kHangul;
  if (cp >= 0x1E00 && cp < 0x1F00) return Script::kLatin;
  if (cp >= 0x3040 && cp < 0x3100) return Script::kKana;
  if ((cp >= 0x3400 && cp < 0x4DC0) || (cp >= 0x4E00 && cp < 0xA000) || (cp >= 0xF900 && cp < 0xFB00) ||
      (cp >= 0x20000 && cp < 0x32000) || cp == 0x3005) {
    return Script::kHan;
  }
  if (cp >= 0x31F0 && cp < 0x3200) return Script::kKana;
  if (cp >= 0xFF66 && cp < 0xFFA0) return Script::kKana;  // halfwidth katakana
  if (cp >= 0xAC00 && cp < 0xD7B0) return Script::kHangul;
  if (cp >= 0x2000 && cp < 0x3040) return Script::kCommon;  // punctuation, symbols, CJK punctuation
  if (cp >= 0xFF00 && cp < 0xFF66) return Script::kCommon;  // fullwidth forms (folded by NFKC)
  if (cp >= 0x1F000) return Script::kCommon;                // emoji and symbols
  return Script::kOther;
}

std::string_view ScriptName(Script script) {
  switch (script) {
    case Script::kCommon: return "common";
    case Script::kLatin: return "latin";
    case Script::kArabic: return "arabic";
    case Script::kDevanagari: return "devanagari";
    case Script::kGujarati: return "gujarati";
    case Script::kHan: return "han";
    case Script::kKana: return "kana";
    case Script::kHangul: return "hangul";
    case Script::kThai: return "thai";
    case Script::kCyrillic: return "cyrillic";
    case Script::kOther: return "other";
  }
  return "other";
}

}  // namespace brandmon::text
