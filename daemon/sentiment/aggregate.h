#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/sentiment/analyzer.h"
#include "daemon/sentiment/lexicon.h"
#include "daemon/sentiment/units.h"

namespace brandmon::sentiment {

// What a text's score needs to know beyond its rated units and sentences.
struct TextTraits {
  int exclamations = 0;
  int questions = 0;
  bool link = false;          // the text holds a URL
  uint16_t letter_flags = 0;  // TermInfo flags of its one-letter words, which have no unit
  // The language scored as, and where its pack is: the reporting rule
  // applies only to languages that mark first-person words.
  const LexiconSet* set = nullptr;
  std::string_view lang = {};
};

// Sums rated sentences (RateSentences) into out's compound, pos, neu and
// neg: long texts are averaged past three rated sentences, a shared link
// without first-person words weighs half, '!' and repeated '?' add emphasis,
// and the compound is normalized into [-1, 1]. Leaves out's other fields.
// Pure functions of their arguments (TargetScore writes only *targeted):
// thread-safe for distinct outputs.
void Aggregate(const TextTraits& traits, const std::vector<Unit>& units, const std::vector<SentenceStat>& sentences,
               SentimentScore* out);

// The brand-targeted compound: sums the clauses the `targets` fall on (a
// unit inside each span, else the last before it), each clause once, taking
// the whole sentence's score for a clause that carries none. *targeted is
// scratch space. 0 when no unit is found. *at (when not null) is set to the
// code point where the clause that weighs most in the sum's direction starts
// (the first targeted one when none weighs), and left alone when no unit is
// found.
double TargetScore(std::span<const CodePointSpan> targets, const std::vector<Unit>& units,
                   const std::vector<SentenceStat>& sentences, std::vector<std::pair<uint16_t, uint16_t>>* targeted,
                   std::optional<uint32_t>* at = nullptr);

}  // namespace brandmon::sentiment
