#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brandmon::text {

// A language guess: a BCP 47 primary code ("en", "gu", "zh"), or "und" when
// nothing can be told, with a confidence in [0, 1].
struct LanguageGuess {
  std::string code = "und";
  double confidence = 0.0;
};

// The decisive-script shortcut used before any statistics: text whose
// letters are mostly Gujarati, Devanagari, Arabic, Han, Kana, Hangul or Thai
// gets that script's language even when it is two words long, whatever Latin
// brand names it holds. Returns nullopt for Latin and other scripts.
// REQUIRES: `text` is valid UTF-8.
std::optional<LanguageGuess> GuessByScript(std::string_view text);

// The script shortcut, then CLD2. Thread-safe. REQUIRES: valid UTF-8.
LanguageGuess IdentifyLanguage(std::string_view text);

}  // namespace brandmon::text
