#include "daemon/sentiment/language_choice.h"

#include <algorithm>
#include <cstdint>

#include "daemon/text/lang_id.h"

namespace brandmon::sentiment {

std::string_view VoteLatin(const LexiconSet& set, const StopwordCounts& counts, std::string_view text, bool ascii) {
  const auto& latin = set.latin_packs;
  int best_count = *std::max_element(counts.begin(), counts.begin() + static_cast<long>(latin.size()));
  if (best_count == 0) {
    // No stopword at all: let CLD2 try when the text has accents that
    // English lacks; otherwise English, the common case, stays cheap.
    if (ascii) return "en";
    return LatinPackFor(set, text::IdentifyLanguage(text).code)->code;
  }
  size_t first = SIZE_MAX, leaders = 0;
  for (size_t b = 0; b < latin.size(); ++b) {
    if (counts[b] != best_count) continue;
    if (set.packs[latin[b]].get() == set.english) return "en";  // English wins ties
    if (first == SIZE_MAX) first = b;
    ++leaders;
  }
  if (leaders == 1) return set.packs[latin[first]]->code;
  text::LanguageGuess guess = text::IdentifyLanguage(text);
  std::string_view cld = guess.code == "hi" ? std::string_view("hi-latn") : std::string_view(guess.code);
  for (size_t b = 0; b < latin.size(); ++b) {
    if (counts[b] == best_count && set.packs[latin[b]]->code == cld) return set.packs[latin[b]]->code;
  }
  return set.packs[latin[first]]->code;
}

LanguageChoice ChooseLanguage(const LexiconSet& set, std::string_view pinned, std::string_view text, bool ascii,
                              const StopwordCounts& counts, std::string* storage) {
  LanguageChoice out;
  PackChoice& packs = out.packs;
  packs.english = set.english;
  packs.arabic = set.arabic;
  packs.devanagari = set.hindi;
  packs.gujarati = set.gujarati;
  packs.kana = set.japanese;
  std::string_view code;
  if (!pinned.empty()) {
    code = pinned;
  } else if (!ascii) {
    if (auto guess = text::GuessByScript(text)) {
      *storage = std::move(guess->code);
      code = *storage;
    }
  }
  if (code.empty()) code = VoteLatin(set, counts, text, ascii);
  if (code == "hi-latn") code = "hi";
  packs.latin = LatinPackFor(set, code);
  bool japanese = code == "ja";
  packs.han = japanese ? set.japanese : set.chinese;
  packs.han_fallback = japanese ? set.chinese : set.japanese;
  out.code = code;
  return out;
}

}  // namespace brandmon::sentiment
