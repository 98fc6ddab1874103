#pragma once

#include <cstdint>
#include <string_view>

namespace brandmon::text {

// The writing systems brandmon tells apart; kCommon covers digits,
// punctuation, symbols and marks shared by all scripts.
enum class Script : uint8_t {
  kCommon,
  kLatin,
  kArabic,
  kDevanagari,
  kGujarati,
  kHan,
  kKana,  // Hiragana and Katakana
  kHangul,
  kThai,
  kCyrillic,
  kOther,
};

// The script of one code point; fast table of ranges, no ICU call.
Script ScriptOf(char32_t cp);

// The lower-case name of a script, e.g. "gujarati".
std::string_view ScriptName(Script script);

// True for scripts written without spaces between words.
inline bool IsUnspacedScript(Script s) { return s == Script::kHan || s == Script::kKana || s == Script::kThai; }

}  // namespace brandmon::text
