#pragma once

#include <string_view>
#include <utility>

#include "daemon/sentiment/unit_builder.h"

namespace brandmon::sentiment {

// The ASCII pass: most texts are ASCII and English. One pass over the text
// splits it as text::Tokenize would (AsciiLexer), looks each word up once
// in LexiconSet::ascii_words for its English entry, and builds the units with the English pack as it goes, which is
// what BuildGeneralUnits would build for such a text. What the look-ups
// tell of the text's language goes to b->evidence (EnglishIsClear).
//
// Sets *ascii to whether `text` is ASCII (as IsAscii). Returns true when the
// units and sentences are built, with b->lang "en" and the '!' and '?'
// counts in *marks. Returns false when English is not loaded or has
// inflection rules, when `language` (the text's, as decided by the caller)
// is not "en", or in a case the pass does not follow. The general path must then score the
// text: b is back to the state it starts from, except that b->letter_flags
// and b->link keep what the pass saw (the general path adds to them) and
// b->packs is half set (the general path sets it over). Uses only b and its
// scratch: thread-safe for distinct builders.
bool TryAsciiPass(UnitBuilder* b, std::string_view text, std::string_view language, bool* ascii,
                  std::pair<int, int>* marks);

// What TryAsciiPass puts in b->evidence, for an ASCII text it did not
// score (it gave up, or the general path was asked for), so that both
// paths tell the same language. Uses s->folded. REQUIRES: `text` is ASCII.
LanguageEvidence AsciiEvidence(const LexiconSet& set, std::string_view text, Scratch* s);

}  // namespace brandmon::sentiment
