#include "daemon/sentiment/language_choice.h"

#include <algorithm>

namespace brandmon::sentiment {

bool EnglishIsClear(const LexiconSet& set, const LanguageEvidence& evidence) {
  if (set.english_latin < 0 || evidence.words == 0) return false;
  int english = evidence.stopwords[static_cast<size_t>(set.english_latin)];
  // Over the languages whose stopwords the text has, English left out: most
  // texts have few or none.
  int other = 0;
  for (unsigned bits = evidence.languages & ~(1u << set.english_latin); bits != 0; bits &= bits - 1) {
    other = std::max(other, evidence.stopwords[static_cast<size_t>(__builtin_ctz(bits))]);
  }
  // Every word known to English: two words or more, or one word that is
  // no other language's stopword ("Excellent!", "@acme lol"; not "No").
  if (evidence.english_words == evidence.words) return evidence.words >= 2 ? english >= other : other == 0;
  // No other language's stopword: one English stopword among three words or
  // more, half of them known to English, or two with a quarter known.
  if (other == 0 && english >= 1 && evidence.words >= 3 && 2 * evidence.english_words >= evidence.words) return true;
  if (other == 0 && english >= 2 && 4 * evidence.english_words >= evidence.words) return true;
  return english >= 2 && english >= 2 * other + 1 && 3 * evidence.english_words >= evidence.words;
}

bool HasLanguage(const LexiconSet& set, std::string_view code) {
  if (code == "en") return set.english != nullptr;  // most texts, without Find's walk
  if (code == "hi") return set.hindi != nullptr || set.Find("hi-latn") != nullptr;
  return set.Find(code) != nullptr;
}

LanguageChoice ChooseLanguage(const LexiconSet& set, std::string_view code) {
  LanguageChoice out;
  PackChoice& packs = out.packs;
  packs.english = set.english;
  packs.arabic = set.arabic;
  packs.devanagari = set.hindi;
  packs.gujarati = set.gujarati;
  packs.kana = set.japanese;
  packs.cyrillic = set.russian;
  packs.hangul = set.korean;
  if (code == "hi-latn") code = "hi";
  packs.latin = LatinPackFor(set, code);
  bool japanese = code == "ja";
  packs.han = japanese ? set.japanese : set.chinese;
  packs.han_fallback = japanese ? set.chinese : set.japanese;
  out.code = code;
  return out;
}

}  // namespace brandmon::sentiment
