#pragma once

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "daemon/sentiment/lexicon.h"
#include "daemon/text/tokenizer.h"

namespace brandmon::sentiment {

// Stopword hits per Latin-script language, indexed as LexiconSet::latin_packs.
using StopwordCounts = std::array<int, 16>;

// The packs used for one text: Latin-script words look in `latin` first and
// then in English (code-switching); other scripts in their own language.
// Plain data; the packs belong to the LexiconSet.
struct PackChoice {
  const LanguagePack* latin = nullptr;
  const LanguagePack* english = nullptr;
  const LanguagePack* arabic = nullptr;
  const LanguagePack* devanagari = nullptr;
  const LanguagePack* gujarati = nullptr;
  const LanguagePack* han = nullptr;
  const LanguagePack* han_fallback = nullptr;
  const LanguagePack* kana = nullptr;

  // The pack a word of `script` is looked up in first, or null.
  const LanguagePack* For(text::Script script) const {
    switch (script) {
      case text::Script::kLatin: return latin;
      case text::Script::kArabic: return arabic;
      case text::Script::kDevanagari: return devanagari;
      case text::Script::kGujarati: return gujarati;
      case text::Script::kHan: return han;
      case text::Script::kKana: return kana;
      default: return nullptr;
    }
  }

  // The pack a word of `script` missing from For(script) is tried in next,
  // or null: English for another Latin-script language, the other of
  // Chinese and Japanese for Han.
  const LanguagePack* FallbackFor(text::Script script) const {
    if (script == text::Script::kLatin) return latin != english ? english : nullptr;
    if (script == text::Script::kHan) return han_fallback;
    return nullptr;
  }
};

// The language a text is scored as, and the packs that follow from it.
struct LanguageChoice {
  PackChoice packs;
  std::string_view code;  // a pack's code, `pinned` or *storage
};

// Chooses the language of `text`: `pinned` when not empty, else the script's
// own language for non-Latin scripts (not checked when `ascii`), else the
// Latin-script vote over `counts` (VoteLatin). *storage receives a code
// that has no pack ("ko"); the answer may point into it, into `pinned` or
// into `set`. Pure; thread-safe.
LanguageChoice ChooseLanguage(const LexiconSet& set, std::string_view pinned, std::string_view text, bool ascii,
                              const StopwordCounts& counts, std::string* storage);

// Picks the language of a text whose letters are Latin by its stopword
// counts: the most hits wins, English wins ties, CLD2 settles ties between
// other languages and guesses when no stopword was seen (except in an ASCII
// text, which is then English). Returns a pack's code or "en".
std::string_view VoteLatin(const LexiconSet& set, const StopwordCounts& counts, std::string_view text, bool ascii);

// Whether VoteLatin answers "en": no stopword was seen, or English is among
// the leaders. Cheaper than VoteLatin: no CLD2. Inline: the ASCII pass asks
// it of every text.
inline bool EnglishLeads(const LexiconSet& set, const StopwordCounts& counts) {
  auto end = counts.begin() + static_cast<long>(set.latin_packs.size());
  int best = *std::max_element(counts.begin(), end);
  return best == 0 || (set.english_latin >= 0 && counts[static_cast<size_t>(set.english_latin)] == best);
}

// The Latin-script pack for `code` ("hi" reads as "hi-latn"), or English.
inline const LanguagePack* LatinPackFor(const LexiconSet& set, std::string_view code) {
  std::string_view c = code == "hi" ? std::string_view("hi-latn") : code;
  for (size_t idx : set.latin_packs) {
    if (set.packs[idx]->code == c) return set.packs[idx].get();
  }
  return set.english;
}

}  // namespace brandmon::sentiment
