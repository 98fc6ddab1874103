#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/sentiment/language_choice.h"
#include "daemon/sentiment/lexicon.h"
#include "daemon/sentiment/scratch.h"
#include "daemon/sentiment/term_map.h"
#include "daemon/sentiment/units.h"

namespace brandmon::sentiment {

// The state of one text while its units and sentences are built into a
// Scratch, and the steps both ways of building them share: the general path
// (general_path.h) and the ASCII pass (ascii_pass.h), which write its fields
// directly as they go. When the ASCII pass gives up, the general path goes
// on from the state it left (see TryAsciiPass). The steps are header-inline:
// they run once per word inside those loops. Lives for one Score() call on
// one thread; the lexicons and overrides belong to the Analyzer.
struct UnitBuilder {
  UnitBuilder(const LexiconSet& set, const TermMap<float>* brand, const TermMap<float>& global, Scratch& s)
      : set(set), brand(brand), global(global), s(s) {}

  const LexiconSet& set;
  const TermMap<float>* brand;   // the request's brand overrides, or null
  const TermMap<float>& global;  // the options' overrides
  Scratch& s;
  PackChoice packs;
  std::string_view lang;      // the language scored as (LanguageChoice::code)
  bool cap_diff = false;      // some words are all capitals, not all of them
  bool clause_break = false;  // punctuation since the last unit
  int lower_words = 0;        // words starting with a lower-case letter
  uint16_t sentence = 0;      // index of the last sentence in Scratch::sentences
  uint16_t letter_flags = 0;  // the TermInfo flags of the one-letter words, which have no unit
  bool link = false;          // the text holds a URL
  LanguageEvidence evidence;  // what the ASCII pass saw of the language

  // Overrides first (brand, then global), then `pack` (may be null).
  // Returns the entry, or null; *override_info receives synthesized entries.
  // REQUIRES: hash == HashTerm(key).
  const TermInfo* Lookup(std::string_view key, uint64_t hash, const LanguagePack* pack, TermInfo* override_info) const {
    const float* o = brand ? brand->FindHashed(key, hash) : nullptr;
    if (o == nullptr) o = global.FindHashed(key, hash);
    if (o != nullptr) {
      const TermInfo* base = pack ? pack->terms.FindHashed(key, hash) : nullptr;
      *override_info = base ? *base : TermInfo{};
      override_info->valence = *o;
      override_info->flags = static_cast<uint16_t>(
          (override_info->flags & ~(TermInfo::kValence | TermInfo::kNegator | TermInfo::kBooster)) |
          (*o != 0 ? TermInfo::kValence : 0));
      return override_info;
    }
    return pack ? pack->terms.FindHashed(key, hash) : nullptr;
  }

  // Opens a sentence at the next unit, unless the last one has no unit yet.
  // Inline: the ASCII pass calls it from one out-of-line place already.
  [[gnu::always_inline]] void StartSentence() {
    if (!s.sentences.empty() && s.sentences.back().begin == s.units.size()) return;
    if (!s.sentences.empty()) s.sentences.back().end = static_cast<uint32_t>(s.units.size());
    if (s.sentences.size() >= UINT16_MAX) return;  // the rest joins the last sentence
    SentenceStat st;
    st.begin = static_cast<uint32_t>(s.units.size());
    s.sentences.push_back(st);
    sentence = static_cast<uint16_t>(s.sentences.size() - 1);
  }

  // Closes the last sentence after the last unit.
  void EndSentences() {
    if (!s.sentences.empty()) s.sentences.back().end = static_cast<uint32_t>(s.units.size());
  }

  // A one-letter word gets no unit unless it scores ("I", "a").
  void NoteLetterWord(const TermInfo* info, uint32_t at, bool in_hashtag) {
    if (info != nullptr) letter_flags |= info->flags;
    if (in_hashtag) return;
    SentenceStat& st = s.sentences.back();
    st.letter_at = std::min(st.letter_at, at);
  }

  // Inline in the loops that call it: out of line, the vector's growth
  // beside it made every call save and restore six registers.
  [[gnu::always_inline]] Unit& AddUnit(uint32_t cp_begin, bool title, UnitKind kind) {
    Unit& u = s.units.emplace_back();
    u.cp_begin = cp_begin;
    u.title = title;
    u.kind = kind;
    u.clause_break = clause_break;
    clause_break = false;
    u.sentence = sentence;
    return u;
  }

  static void SetFromInfo(const TermInfo& info, const LanguagePack& pack, Unit* u) {
    u->negation_after = pack.negation_after;
    u->flags = info.flags;
    // Without branches: frequent words with no rating ("is", "my") would
    // otherwise make them hard to predict. `booster` is read only under
    // kBooster, and `valence` is 0 without kValence.
    u->booster = info.booster;
    bool function_word = info.flags & (TermInfo::kBooster | TermInfo::kContrast);
    u->valence = function_word ? 0.0f : info.valence;
    // A rated negator ("no") scores on its own unless it governs a rated
    // word right after it; see ClearGoverningNegators.
  }

  // "Club", "McDonald": an ASCII capital then at least one lower-case letter.
  static bool IsTitle(std::string_view w) {
    if (w.size() < 2 || !(w[0] >= 'A' && w[0] <= 'Z')) return false;
    for (size_t k = 1; k < w.size(); ++k) {
      if (w[k] >= 'a' && w[k] <= 'z') return true;
    }
    return false;
  }

  static bool IsSpaceByte(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
};

}  // namespace brandmon::sentiment
