#include "daemon/sentiment/language_choice.h"

namespace brandmon::sentiment {

bool HasLanguage(const LexiconSet& set, std::string_view code) {
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
  if (code == "hi-latn") code = "hi";
  packs.latin = LatinPackFor(set, code);
  bool japanese = code == "ja";
  packs.han = japanese ? set.japanese : set.chinese;
  packs.han_fallback = japanese ? set.chinese : set.japanese;
  out.code = code;
  return out;
}

}  // namespace brandmon::sentiment
