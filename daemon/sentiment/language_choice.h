#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "daemon/sentiment/lexicon.h"
#include "daemon/text/tokenizer.h"

namespace brandmon::sentiment {

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
  const LanguagePack* cyrillic = nullptr;
  const LanguagePack* hangul = nullptr;

  // The pack a word of `script` is looked up in first, or null.
  const LanguagePack* For(text::Script script) const {
    switch (script) {
      case text::Script::kLatin: return latin;
      case text::Script::kArabic: return arabic;
      case text::Script::kDevanagari: return devanagari;
      case text::Script::kGujarati: return gujarati;
      case text::Script::kHan: return han;
      case text::Script::kKana: return kana;
      case text::Script::kCyrillic: return cyrillic;
      case text::Script::kHangul: return hangul;
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
  std::string_view code;  // `code` as given, "hi" for "hi-latn"
};

// The packs for a text in language `code` (text::IdentifyLanguage's answer,
// or a pinned code): Latin-script words in the language's pack and then
// English, other scripts in their own language. "und" or a code without a
// pack reads Latin script as English. Pure; thread-safe; the answer points
// into `set` or `code`.
LanguageChoice ChooseLanguage(const LexiconSet& set, std::string_view code);

// What the ASCII pass saw of an ASCII text's language, from the one look-up
// per word it makes anyway (LexiconSet::ascii_words): its words outside
// hashtags, handles and URLs, those English knows (a term of the English
// pack or an English stopword), and each Latin-script language's stopwords.
// Plain data.
struct LanguageEvidence {
  int words = 0;
  int english_words = 0;
  std::array<int, 16> stopwords{};  // per LexiconSet::latin_packs entry; 0 past them
  uint16_t languages = 0;           // bit i set when stopwords[i] > 0
};

// Whether `evidence` settles an ASCII text as English without the n-gram
// model (text::IdentifyLanguage):
// - every word known to English: two words or more with no other
//   language's stopwords outnumbering English's, or one word that is no
//   other language's stopword (on one word the model is wrong about one
//   time in three);
// - no other language's stopword, and one English stopword among three
//   words or more half of which English knows, or two among words a quarter
//   of which it knows;
// - two English stopwords or more, more than twice any other language's
//   plus one, among words a third of which English knows.
// Most English posts pass; a post in another language rarely has the
// English stopwords to. Pure; thread-safe.
bool EnglishIsClear(const LexiconSet& set, const LanguageEvidence& evidence);

// Whether some pack scores text in `code` ("hi" and "hi-latn" are Hindi's).
bool HasLanguage(const LexiconSet& set, std::string_view code);

// The Latin-script pack for `code` ("hi" reads as "hi-latn"), or English.
inline const LanguagePack* LatinPackFor(const LexiconSet& set, std::string_view code) {
  std::string_view c = code == "hi" ? std::string_view("hi-latn") : code;
  for (size_t idx : set.latin_packs) {
    if (set.packs[idx]->code == c) return set.packs[idx].get();
  }
  return set.english;
}

}  // namespace brandmon::sentiment
