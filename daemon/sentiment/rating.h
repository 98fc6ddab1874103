#pragma once

#include <vector>

#include "daemon/sentiment/units.h"

namespace brandmon::sentiment {

// What the rating rules need to know of a text beyond its units.
struct RatingContext {
  bool english = false;   // scored as English: the name rule is English only
  bool cap_diff = false;  // some words are all capitals, not all of them
  int lower_words = 0;    // words starting with a lower-case letter
};

// Rates each sentence's units by the VADER-style rules (a rated negator
// before a rated word in its sentence negates it instead of scoring itself;
// names, caps,
// boosters and negators up to three units back, negators after the word in
// negation-after languages, the contrastive "but", questions) and sums each
// sentence's raw score: fills Unit::clause, value and weighted, and
// SentenceStat::raw. A sentence opening with a contrast word also halves the
// sentences before it.
// REQUIRES: the sentences' [begin, end) ranges index into *units, in order.
// Touches only its arguments: thread-safe for distinct vectors.
void RateSentences(const RatingContext& context, std::vector<Unit>* units, std::vector<SentenceStat>* sentences);

}  // namespace brandmon::sentiment
