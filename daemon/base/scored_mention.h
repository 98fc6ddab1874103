#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/mention.h"

namespace brandmon {

// The sentiment of one text (DESIGN.md, `brandmonctl score`), plus the score
// aimed at the brand itself when the scorer could isolate it.
struct Sentiment {
  double compound = 0;  // in [-1, 1]
  double pos = 0;
  double neu = 1;
  double neg = 0;
  std::string label = "neutral";  // "positive", "neutral" or "negative"
  std::optional<double> target;   // brand-targeted compound in [-1, 1]
  // False when the mention's language has no lexicon: the figures above are
  // those of a neutral text, not a reading of it, and rules that need a
  // sentiment skip the mention.
  bool scored = true;

  // The score rules should judge: the targeted one when present.
  double Effective() const { return target ? *target : compound; }
};

// The label the contract gives a compound score: >= 0.05 positive,
// <= -0.05 negative, neutral between.
std::string_view SentimentLabel(double compound);

// Where a matched term of a brand is in a mention: code points [start, end)
// of its title or its text, as `brandmonctl match` prints spans.
struct TermSpan {
  uint32_t start = 0;
  uint32_t end = 0;
  bool title = false;  // in the title, else in the text
  friend bool operator==(const TermSpan&, const TermSpan&) = default;
};

// A mention matched to one brand and scored. A mention that matches several
// brands yields one ScoredMention per brand. A plain value type;
// thread-compatible.
struct ScoredMention {
  Mention mention;
  std::string brand;
  Sentiment sentiment;
  std::string lang;                        // detected or pinned language; empty when unknown
  std::vector<std::string> matched_terms;  // the query terms that matched, as written in the text
  // Where the brand's terms matched in the title and the text, by field then
  // start; empty when not known (a mention read back from the store). Not
  // published.
  std::vector<TermSpan> spans;
  // Where the clause that weighs most in sentiment.target starts: a
  // code-point offset into the scored field (the text, or the title when
  // there is no text). The rules quote its sentence. Not published.
  std::optional<uint32_t> target_at;
};

// `text` with each invalid UTF-8 sequence replaced by U+FFFD, so that JSON
// written for subscribers is always valid UTF-8.
std::string ValidUtf8(std::string_view text);
// The same without a copy of a valid text: `text` itself when it is valid
// UTF-8, else the repair, made in `repaired` (the view is valid until
// `repaired` changes).
std::string_view ValidUtf8(std::string_view text, std::string& repaired);

// One compact JSON object: the Mention fields, then "brand", "lang",
// "matched_terms" and "sentiment" {compound, pos, neu, neg, label[, target]}.
std::string ScoredMentionToJson(const ScoredMention& scored);

}  // namespace brandmon
