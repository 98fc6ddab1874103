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
bool StartsHandleTagOrUrl(std::string_view s) {
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
      if (token_start && StartsHandleTagOrUrl(text.substr(i))) skipping = true;
      bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
      token_start = space;
      if (space) skipping = false;
      if (skipping || space) {
        ++i;
        continue;
      }
      // ASCII (most of most texts) needs no decoding.
      auto byte = static_cast<unsigned char>(c);
      Script s = ScriptOf(byte < 0x80 ? static_cast<char32_t>(text[i++]) : DecodeUtf8(text, &i));
      if (s == Script::kCommon) continue;
      ++counts[static_cast<size_t>(s)];
      ++letters;
    }
  }
  int operator[](Script s) const { return counts[static_cast<size_t>(s)]; }
};

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

// Letters that only some of the languages of a script use. The first
// language of a script with at least two of its letters in the text (one in
// a Cyrillic post under 30 letters), at least one in fifty of the script's
// letters, and in Cyrillic more of them than of Russian's own letters, is
// the text's: one Ukrainian place name in a Russian post, or one Persian
// letter in a dialect Arabic post, does not make the post Ukrainian or
// Persian.
struct Tell {
  std::u32string_view letters;
  const char* code;
  Script script;
  bool writes_russian_letters = false;  // ы, э or ё are also this language's
};
constexpr Tell kTells[] = {
    {U"\u045E", "be", Script::kCyrillic, true},                          // ў
    {U"\u04D9\u0493\u049B\u04B1\u04BB", "kk", Script::kCyrillic, true},  // ә ғ қ ұ һ
    {U"\u0456\u0457\u0454\u0491", "uk", Script::kCyrillic},              // і ї є ґ
    {U"\u0453\u045C\u0455", "mk", Script::kCyrillic},                    // ѓ ќ ѕ
    {U"\u0452\u045B\u0458\u0459\u045A\u045F", "sr", Script::kCyrillic},  // ђ ћ ј љ њ џ
    {U"\u0679\u0688\u0691\u06BA\u06D2\u06BE", "ur", Script::kArabic},    // ٹ ڈ ڑ ں ے ھ
    {U"\u067E\u0686\u0698\u06AF\u06A9\u06CC", "fa", Script::kArabic},    // پ چ ژ گ ک ی
};
// Letters Russian uses and Bulgarian, Macedonian and Serbian do not.
constexpr std::u32string_view kRussianOnly = U"\u044B\u044D\u0451";  // ы э ё
// What CLD2 may answer for Cyrillic text without telling letters.
constexpr std::string_view kCyrillicLanguages[] = {"bg", "ru", "uk", "sr", "mk", "be", "kk", "mn", "ky", "tg"};

char32_t LowerCyrillic(char32_t cp) {
  // Cyrillic capitals: А-Я (0x410-0x42F) and Ѐ-Џ (0x400-0x40F); the
  // extended letters alternate capital (even) and small (odd).
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  if (cp >= 0x490 && cp <= 0x4FF && cp % 2 == 0) return cp + 1;
  return cp;
}

// Which language of its script `guess` (from GuessByCounts) is, by the
// letters of `text`; unchanged when nothing tells.
void WithinScript(std::string_view text, Script script, int script_letters, LanguageGuess& guess) {
  std::array<int, std::size(kTells)> hits{};
  int russian_only = 0;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = LowerCyrillic(DecodeUtf8(text, &i));
    if (cp < 0x400) continue;
    for (size_t t = 0; t < std::size(kTells); ++t) {
      if (kTells[t].script == script && kTells[t].letters.find(cp) != std::u32string_view::npos) ++hits[t];
    }
    if (kRussianOnly.find(cp) != std::u32string_view::npos) ++russian_only;
  }
  for (size_t t = 0; t < std::size(kTells); ++t) {
    // In Cyrillic, Russian's own letters speak against the others, and a
    // short post has room for one telling letter only ("Жахливий сервіс").
    bool cyrillic = script == Script::kCyrillic;
    int needed = cyrillic && script_letters < 30 ? 1 : 2;
    bool against = cyrillic && !kTells[t].writes_russian_letters && russian_only >= hits[t];
    if (hits[t] >= needed && hits[t] * 50 >= script_letters && !against) {
      guess.code = kTells[t].code;
      return;
    }
  }
  if (script != Script::kCyrillic || russian_only > 0) return;
  // Bulgarian, and Serbian or Macedonian written without their own letters,
  // share Russian's alphabet: CLD2 reads their words.
  LanguageGuess cld2 = GuessByCld2(text);
  for (std::string_view code : kCyrillicLanguages) {
    if (cld2.code == code && cld2.confidence >= 0.5) {
      guess.code = cld2.code;
      return;
    }
  }
}

std::optional<LanguageGuess> GuessByCounts(const ScriptCounts& count, std::string_view text) {
  if (count.letters == 0) return std::nullopt;
  // Japanese writes Han and Kana together; any Kana among Han makes it Japanese.
  int cjk = count[Script::kHan] + count[Script::kKana];
  struct Candidate {
    Script script;
    int letters;
    const char* code;
  };
  // Russian and Arabic stand for their scripts until WithinScript (below)
  // looks at the letters.
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
  if (best->script == Script::kCyrillic || best->script == Script::kArabic) {
    WithinScript(text, best->script, best->letters, guess);
  }
  return guess;
}

LanguageGuess GuessByModel(std::string_view text) {
  LatinVerdict verdict = ClassifyLatin(text);
  LanguageGuess guess;
  // Fewer letters than a short word, or a lead too thin to stand on, says
  // nothing: a guess there would be wrong as often as right.
  // One or two words need a wider lead: "JERK" or "Yay!" read a little
  // more Dutch or Turkish than English, which tells nothing. On one word a
  // lead under six nats is wrong more often than right (held-out halves of
  // the tweet sets' train splits, cut into posts of one to four words).
  double needed = verdict.words >= 3 ? kMinMargin : verdict.words == 2 ? 2 * kMinMargin : 6 * kMinMargin;
  if (verdict.letters < kMinLetters || verdict.margin < needed) return guess;
  guess.code = verdict.code;
  guess.confidence = verdict.margin / (verdict.margin + 2.0);
  return guess;
}

}  // namespace

std::optional<LanguageGuess> GuessByScript(std::string_view text) { return GuessByCounts(ScriptCounts(text), text); }

LanguageGuess IdentifyLanguage(std::string_view text) {
  if (IsAscii(text)) return GuessByModel(text);
  ScriptCounts counts(text);
  if (auto by_script = GuessByCounts(counts, text)) return *by_script;
  // Greek, Hebrew, Armenian and the other scripts the model does not read.
  if (counts[Script::kOther] > counts[Script::kLatin]) return GuessByCld2(text);
  return GuessByModel(text);
}

}  // namespace brandmon::text
