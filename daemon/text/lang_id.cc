#include "daemon/text/lang_id.h"

#include <cld2/public/compact_lang_det.h>

#include <array>

#include "daemon/text/script.h"
#include "daemon/text/utf8.h"

namespace brandmon::text {

std::optional<LanguageGuess> GuessByScript(std::string_view text) {
  std::array<int, static_cast<size_t>(Script::kOther) + 1> counts{};
  int letters = 0;
  size_t i = 0;
  while (i < text.size()) {
    Script s = ScriptOf(DecodeUtf8(text, &i));
    if (s == Script::kCommon) continue;
    ++counts[static_cast<size_t>(s)];
    ++letters;
  }
  if (letters == 0) return std::nullopt;
  auto count = [&](Script s) { return counts[static_cast<size_t>(s)]; };
  // Japanese writes Han and Kana together; any Kana among Han makes it Japanese.
  int cjk = count(Script::kHan) + count(Script::kKana);
  struct Candidate {
    Script script;
    int letters;
    const char* code;
  };
  const std::array<Candidate, 6> candidates = {{
      {Script::kGujarati, count(Script::kGujarati), "gu"},
      {Script::kDevanagari, count(Script::kDevanagari), "hi"},
      {Script::kArabic, count(Script::kArabic), "ar"},
      {Script::kHan, cjk, count(Script::kKana) > 0 ? "ja" : "zh"},
      {Script::kHangul, count(Script::kHangul), "ko"},
      {Script::kThai, count(Script::kThai), "th"},
  }};
  const Candidate* best = nullptr;
  for (const auto& c : candidates) {
    if (c.letters > 0 && (best == nullptr || c.letters > best->letters)) best = &c;
  }
  if (best == nullptr) return std::nullopt;
  // One CJK character carries as much as a Latin word; an Indic or Arabic
  // letter (often a consonant with its vowel) about two Latin ones.
  int weight = best->script == Script::kHan ? 3 : 2;
  int latin = count(Script::kLatin);
  if (best->letters * weight * 3 < latin) return std::nullopt;
  LanguageGuess guess;
  guess.code = best->code;
  guess.confidence = static_cast<double>(best->letters) / letters;
  return guess;
}

LanguageGuess IdentifyLanguage(std::string_view text) {
  if (auto by_script = GuessByScript(text)) return *by_script;
  CLD2::Language language3[3];
  int percent3[3] = {0, 0, 0};
  int text_bytes = 0;
  bool reliable = false;
  CLD2::Language lang = CLD2::DetectLanguageSummary(text.data(), static_cast<int>(text.size()), /*is_plain_text=*/true,
                                                    language3, percent3, &text_bytes, &reliable);
  LanguageGuess guess;
  if (lang == CLD2::UNKNOWN_LANGUAGE || text_bytes == 0) return guess;
  std::string_view code = CLD2::LanguageCode(lang);
  // CLD2 names traditional Chinese "zh-Hant"; brandmon keys lexicons by primary code.
  guess.code = std::string(code.substr(0, code.find('-')));
  guess.confidence = (percent3[0] / 100.0) * (reliable ? 1.0 : 0.5);
  return guess;
}

}  // namespace brandmon::text
