#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace brandmon::text {

// A language guess: an ISO 639-1 code ("en", "gu", "zh"), "hi-latn" for Hindi
// written in Latin script, or "und" when nothing can be told, with a
// confidence in [0, 1].
struct LanguageGuess {
  std::string code = "und";
  double confidence = 0.0;
};

// Fewer letters than this (handles, hashtags and URLs not counted) make "und".
inline constexpr int kMinLetters = 3;
// A Latin-script text of three words or more whose likeliest language leads
// the next by less than this many nats is "und": too short or too mixed to
// tell (two words need twice the lead, one word six times).
inline constexpr double kMinMargin = 1.0;

// The decisive-script shortcut used before any statistics: text whose
// letters (in handles, hashtags and URLs not counted) are mostly Gujarati,
// Devanagari, Arabic, Han, Kana, Hangul, Thai or Cyrillic gets that script's
// language even when it is two words long, whatever Latin brand names it
// holds: within Cyrillic and Arabic script, the language whose own letters
// the text uses (uk, be, kk, mk, sr; ur, fa), Bulgarian by CLD2, else ru or
// ar. Returns nullopt for Latin and other scripts.
// REQUIRES: `text` is valid UTF-8.
std::optional<LanguageGuess> GuessByScript(std::string_view text);

// The language of a short, noisy post: the script shortcut, then for Latin
// script the compiled-in model (ClassifyLatin, latin_model.h), for other
// scripts CLD2; "und" when too short or too mixed to tell. Thread-safe; no
// allocation for Latin-script text. REQUIRES: valid UTF-8.
LanguageGuess IdentifyLanguage(std::string_view text);

}  // namespace brandmon::text
