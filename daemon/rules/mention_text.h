#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/scored_mention.h"
#include "daemon/rules/text_cues.h"

namespace brandmon::text {
class Tokens;
}  // namespace brandmon::text

namespace brandmon::rules {

// One sentence of a mention as the rules read it. The title is read as one
// sentence of its own, ahead of the text's.
struct Sentence {
  uint32_t word_begin = 0;  // its words: [word_begin, word_end) of MentionText::words
  uint32_t word_end = 0;
  uint32_t cp_begin = 0;  // its code points [cp_begin, cp_end) in its field
  uint32_t cp_end = 0;
  bool title = false;     // the title, else a sentence of the text
  bool question = false;  // it holds a question mark (?, ¿, ؟ or the full-width one)
};

// The words of a mention, split once for every brand it matched: the title's
// words then the text's (AppendWords), and its sentences, the title first.
// A plain value type.
struct MentionText {
  WordList words;
  std::vector<Sentence> sentences;
};

// Splits a mention's title and text, read from their tokens (text::Tokens,
// split once for the sentiment analyzer too). Sentences follow
// text::SentenceStarts; code points are those of the tokens' text, which is
// the field itself unless it needed repair or normalization. Reads the
// tokens on the calling thread.
MentionText SplitMention(const text::Tokens& title, const text::Tokens& text);
// The same from the mention itself.
MentionText SplitMention(const Mention& mention);

// Where a brand is in a mention, and how central it is to it.
struct Focus {
  std::vector<uint32_t> sentences;  // the sentences naming the brand, ascending (indexes in MentionText)
  uint32_t named = 0;               // how many times the brand is named
  uint32_t text_sentences = 0;      // sentences of the text (the title left out)
  bool in_title = false;
  double salience = 0;  // Salience()
};

// The most sentences a text may have and still count as short: all of a
// short text is about what it names.
inline constexpr uint32_t kShortTextSentences = 3;

// How central the brand is, in [0, 1]: 1 when the title names it or the
// text is short (at most kShortTextSentences), else the larger of 0.75 when
// one of the text's first two sentences names it and twice the share of the
// text's sentences that name it (capped at 1). A brand named once in passing
// deep in a long text scores low.
double Salience(const Focus& focus, const std::vector<Sentence>& sentences);

// The focus of a brand whose matched terms are at `spans` and whose other
// names (handles, name, matched terms when there are no spans) occur at the
// word indexes `named_at` (ascending). Sets every field.
// REQUIRES: `sentences` are those of a MentionText, `named_at` indexes its
// words.
Focus FocusOf(const std::vector<Sentence>& sentences, const std::vector<TermSpan>& spans,
              const std::vector<uint32_t>& named_at);

// The index of the sentence holding word `word`, or the last one before it.
// REQUIRES: sentences is not empty.
uint32_t SentenceOfWord(const std::vector<Sentence>& sentences, uint32_t word);
// The index of the sentence of the text (or of the title, with `title`)
// holding code point `cp`; sentences.size() when there is none.
uint32_t SentenceAt(const std::vector<Sentence>& sentences, uint32_t cp, bool title);

// Sentences of a mention on one line, and where the brand's match is in
// it: what an alert quotes. A plain value type.
struct Quote {
  std::string line;   // valid UTF-8, each run of whitespace one space, none at the ends
  size_t length = 0;  // code points of `line`
  size_t anchor = 0;  // the code point of `line` where the match starts
  // The line when it has at most `max` code points, else cut at spaces where
  // it can around the anchor (kept in the first third) to at most `max`,
  // "..." marking each cut.
  std::string Cut(size_t max) const;
};

// The sentences [first, last] of a mention (both of its title or both of
// its text), with code point `anchor` of the field (the brand's match; its
// sentences' start when there is none) as the anchor. Empty when the indexes
// are out of range.
Quote QuoteOf(const Mention& mention, const std::vector<Sentence>& sentences, uint32_t first, uint32_t last,
              uint32_t anchor);
// QuoteOf(...).Cut(max).
std::string Excerpt(const Mention& mention, const std::vector<Sentence>& sentences, uint32_t first, uint32_t last,
                    uint32_t anchor, size_t max);

}  // namespace brandmon::rules
