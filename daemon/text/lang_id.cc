#include "daemon/text/lang_id.h"

#include <cld2/public/compact_lang_det.h>

#include <array>

#include "daemon/text/latin_model.h"
#include "daemon/text/script.h"
#include "daemon/text/utf8.h"

namespace brandmon::text {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Whether the token at the start of `s` is a handle, a hashtag or a URL, as
// the model (latin_model.cc) reads them.
bool IsHandleTagOrUrl(std::string_view s) {
  return s[0] == '@' || s[0] == '#' || StartsWith(s, "http://") || StartsWith(s, "https://") || StartsWith(s, "www.");
}

// Letters per script, handles, hashtags and URLs left out: "@Nestlé" or a
// link in a Hindi post says nothing of the post's language.
struct ScriptCounts {
  std::array<int, static_cast<size_t>(Script::kOther) + 1> counts{};
  int letters = 0;

  explicit ScriptCounts(std::string_view text) {
    size_t i = 0;
    bool token_start = true;
    bool skipping = false;
    while (i < text.size()) {
      char c = text[i];
      if (token_start && IsHandleTagOrUrl(text.substr(i))) skipping = true;
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      token_start = space;
      if (space) skipping = false;
      if (skipping || space) {
        ++i;
        continue;
      }
      Script s = ScriptOf(DecodeUtf8(text, &i));
      if (s == Script::kCommon) continue;
      ++counts[static_cast<size_t>(s)];
      ++letters;
    }
  }
  int operator[](Script s) const { return counts[static_cast<size_t>(s)]; }
};

std::optional<LanguageGuess> GuessByCounts(const ScriptCounts& count) {
  if (count.letters == 0) return std::nullopt;
  // Japanese writes Han and Kana together; any Kana among Han makes it Japanese.
  int cjk = count[Script::kHan] + count[Script::kKana];
  struct Candidate {
    Script script;
    int letters;
    const char* code;
  };
  // Russian stands for the Cyrillic script: the other languages written in
  // it are not told apart yet.
  const std::array<Candidate, 7> candidates = {{
      {Script::kGujarati, count[Script::kGujarati], "gu"},
      {Script::kDevanagari, count[Script::kDevanagari], "hi"},
      {Script::kArabic, count[Script::kArabic], "ar"},
      {Script::kHan, cjk, count[Script::kKana] > 0 ? "ja" : "zh"},
      {Script::kHangul, count[Script::kHangul], "ko"},
      {Script::kThai, count[Script::kThai], "th"},
      {Script::kCyrillic, count[Script::kCyrillic], "ru"},
  }};
  const Candidate* best = nullptr;
  for (const auto& c : candidates) {
    if (c.letters > 0 && (best == nullptr || c.letters > best->letters)) best = &c;
  }
  if (best == nullptr) return std::nullopt;
  // One CJK character carries as much as a Latin word; an Indic or Arabic
  // letter (often a consonant with its vowel) about two Latin ones; a
  // Cyrillic letter one.
  int weight = best->script == Script::kHan ? 3 : best->script == Script::kCyrillic ? 1 : 2;
  if (best->letters * weight * 3 < count[Script::kLatin]) return std::nullopt;
  LanguageGuess guess;
  guess.code = best->code;
  guess.confidence = static_cast<double>(best->letters) / count.letters;
  return guess;
}

LanguageGuess GuessByCld2(std::string_view text) {
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

LanguageGuess GuessByModel(std::string_view text) {
  LatinVerdict verdict = ClassifyLatin(text);
  LanguageGuess guess;
  // Fewer letters than a short word, or a lead too thin to stand on, says
  // nothing: a guess there would be wrong as often as right.
  // One or two words need a wider lead: "JERK" or "Yay!" read a little
  // more Dutch or Turkish than English, which tells nothing.
  double needed = verdict.words >= 3 ? kMinMargin : verdict.words == 2 ? 2 * kMinMargin : 4 * kMinMargin;
  if (verdict.letters < kMinLetters || verdict.margin < needed) return guess;
  guess.code = verdict.code;
  guess.confidence = verdict.margin / (verdict.margin + 2.0);
  return guess;
}

}  // namespace

std::optional<LanguageGuess> GuessByScript(std::string_view text) { return GuessByCounts(ScriptCounts(text)); }

LanguageGuess IdentifyLanguage(std::string_view text) {
  if (IsAscii(text)) return GuessByModel(text);
  ScriptCounts counts(text);
  if (auto by_script = GuessByCounts(counts)) return *by_script;
  // Greek, Hebrew, Armenian and the other scripts the model does not read.
  if (counts[Script::kOther] > counts[Script::kLatin]) return GuessByCld2(text);
  return GuessByModel(text);
}

}  // namespace brandmon::text
