#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/sentiment/lexicon.h"
#include "daemon/sentiment/options.h"

namespace brandmon::text {
class Tokens;
}  // namespace brandmon::text

namespace brandmon::sentiment {

// The sentiment of one text. `compound` is in [-1, 1]; pos + neu + neg = 1.
struct SentimentScore {
  double compound = 0;
  double pos = 0;
  double neu = 1;
  double neg = 0;
  // The text's language (the pinned code; else "en" for an ASCII text whose
  // words settle it (EnglishIsClear), else text::IdentifyLanguage): "en",
  // "gu", "hi" (also for Hindi in Latin script), "ru", or "und" when too
  // short or mixed to tell, which is scored as English.
  std::string lang = "und";
  // False when `lang` has no lexicon: the text is not scored (compound 0,
  // label neutral) and rules that need a sentiment must not read it as one.
  bool scored = true;
  std::optional<double> target;  // the brand-targeted compound, when spans were given
  // Where the clause that weighs most in `target` starts, as a code-point
  // offset into the text scored (see TargetScore).
  std::optional<uint32_t> target_at;

  // "positive" at compound >= 0.05, "negative" at <= -0.05, else "neutral".
  std::string_view label() const;
};

// A brand match: code-point offsets [begin, end) into the scored text, as
// `brandmonctl match` prints them.
struct CodePointSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
};

// One rated word (or phrase) of a scored text and how it weighed, for
// people who tune a lexicon (brandmonctl explain). A plain value.
struct WeightedWord {
  std::string text;       // as written; a phrase's words joined by spaces
  uint32_t at = 0;        // code-point offset in the text given to Trace
  double valence = 0;     // its rating: a brand's override, else the lexicon's
  double weight = 0;      // after boosters, caps and negation: what it adds to its clause
  bool targeted = false;  // in a clause the brand-targeted score sums
};

// A score and the rated words behind it, in text order.
struct ScoreTrace {
  SentimentScore score;
  std::vector<WeightedWord> words;
};

// Valence overrides for one brand ({"sick": 2} for a skate brand), consulted
// before the global lexicon without copying it. Build with
// Analyzer::MakeOverrides; immutable, thread-safe to share.
class LexiconOverrides {
 public:
  const float* Find(std::string_view key) const { return terms_.Find(key); }
  size_t size() const { return terms_.size(); }

 private:
  friend class Analyzer;
  TermMap<float> terms_;
};

// What to score a text with beyond its bytes.
struct ScoreRequest {
  std::string_view lang = "auto";               // "auto" or a pinned code ("en", "gu", "hi")
  const LexiconOverrides* overrides = nullptr;  // a brand's overrides, or none
  std::span<const CodePointSpan> targets;       // brand matches: fills SentimentScore::target
  // Scores an ASCII text through the general path instead of the faster
  // ASCII one. The scores are the same either way; tests compare the two.
  bool general_path = false;
};

// Scores text with a rule-based valence model in the style of VADER
// (boosters, dampeners, negation, contrastive "but", caps and punctuation
// emphasis, idioms, emoji) over per-language lexicons, aggregating long texts
// over sentences. Immutable once built; Score() is thread-safe and allocates
// nothing per token (each thread reuses its own scratch buffers).
class Analyzer {
 public:
  // Loads the lexicons from ResolveDataDir(options.data_dir), then the
  // options' lexicon files and overrides. NotFound when no data dir has
  // lexicons; Corrupt for a malformed data or lexicon file.
  static Result<Analyzer> Create(const SentimentOptions& options);
  // Same, from `data_dir` (the folder holding sentiment/).
  static Result<Analyzer> Load(const std::string& data_dir, const SentimentOptions& options);

  Analyzer(Analyzer&&) noexcept;
  Analyzer& operator=(Analyzer&&) noexcept;
  ~Analyzer();

  // Scores `text`, any bytes: invalid UTF-8 is repaired, not rejected.
  // Splits it into text::Tokens when it must, then scores it as below.
  SentimentScore Score(std::string_view text, const ScoreRequest& request = {}) const;
  // Scores the text of `tokens` (its input()), reading the tokens already
  // split for other readers of the same text instead of splitting it again.
  // `tokens` is read on the calling thread.
  SentimentScore Score(const text::Tokens& tokens, const ScoreRequest& request = {}) const;

  // The language Score(tokens) reports with the language left to find
  // ("auto"): the one pinned by the options, else the text's as the scoring
  // reads it (SentimentScore::lang). Costs a Score().
  std::string Language(const text::Tokens& tokens) const;

  // Score(tokens, request) and the rated words that carried it. For tools:
  // Score() reads nothing back, so the pipeline pays nothing for this.
  ScoreTrace Trace(const text::Tokens& tokens, const ScoreRequest& request = {}) const;

  // Builds a brand's overrides. InvalidArgument naming the term when a
  // valence is outside -4..4.
  Result<LexiconOverrides> MakeOverrides(const std::map<std::string, double>& terms) const;

  // The language codes with a lexicon, e.g. "ar", "en", "hi-latn".
  std::vector<std::string> Languages() const;
  // Heap bytes held by the lexicons.
  size_t MemoryBytes() const;
  const std::string& data_dir() const { return data_dir_; }

 private:
  struct Impl;
  // Score() but for its scratch buffers, which it leaves holding the units
  // and sentences of the text, and the tokens of the text scored (`tokens`,
  // or its character references decoded) in *scored. With `trace`, the
  // shifts of decoded references are kept even without targets.
  SentimentScore ScoreHere(const text::Tokens& tokens, const ScoreRequest& request, bool trace,
                           const text::Tokens** scored) const;
  Analyzer(std::unique_ptr<LexiconSet> set, LexiconOverrides global, std::string data_dir, std::string language);

  std::unique_ptr<LexiconSet> set_;
  LexiconOverrides global_;
  std::string data_dir_;
  std::string language_;
};

// Maps a compound score to its label per DESIGN.md: >= 0.05 positive,
// <= -0.05 negative, neutral between.
std::string_view LabelFor(double compound);

}  // namespace brandmon::sentiment
