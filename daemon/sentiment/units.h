#pragma once

#include <cstdint>

namespace brandmon::sentiment {

// What a unit stands for.
enum class UnitKind : uint8_t { kWord, kTagWord, kNumber, kHandle, kSymbol };  // kTagWord: in a hashtag

// One scored piece of a text: a word or phrase, a number, a handle or a
// symbol, with its rating as each step leaves it. Plain data, built per text
// in the thread's Scratch.
struct Unit {
  float valence = 0;  // rating, 0 when the unit carries none
  float booster = 0;
  float value = 0;     // after boosters, caps and negation
  float weighted = 0;  // after the contrast rule
  uint32_t cp_begin = 0;
  uint16_t sentence = 0;
  uint16_t clause = 0;
  uint16_t flags = 0;  // TermInfo::Flag bits; not a char type, so stores to it alias nothing else
  bool caps = false;
  bool clause_break = false;  // a ',' ';' ':' or dash between the previous unit and this one
  bool title = false;         // its (first) token is capitalized: "Club", "McDonald"
  UnitKind kind = UnitKind::kWord;
  bool negation_after = false;
  bool rated() const { return valence != 0; }
};

// One sentence of a text: its units [begin, end) and its score. Plain data.
struct SentenceStat {
  uint32_t begin = 0;  // unit indices
  uint32_t end = 0;
  double raw = 0;
  bool question = false;     // ends with '?'
  bool exclamation = false;  // ends with '!'
  // Where its first one-letter word is ("I"): such a word has no unit, yet it
  // may be the sentence's first word. Offsets as Unit::cp_begin's.
  uint32_t letter_at = UINT32_MAX;
};

}  // namespace brandmon::sentiment
