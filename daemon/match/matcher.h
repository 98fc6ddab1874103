#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/config/options.h"

namespace brandmon::text {
class Tokens;
}  // namespace brandmon::text

namespace brandmon::match {

// Per-brand matching options; the config wires MatchOptionTable() into each
// brand's object.
struct MatchOptions {
  bool diacritic_insensitive = true;
};
const config::OptionTable<MatchOptions>& MatchOptionTable();

// One brand to match: its name, its query (see query.h) and options.
struct BrandSpec {
  std::string name;
  std::string query;
  MatchOptions options;
};

// The query used when a brand has none: its name as a phrase OR its handles
// OR its hashtags, e.g. "Acme Corp" OR @acme OR #acme. Handles and hashtags
// may be given with or without their '@' or '#'. Empty when all are empty.
std::string DefaultBrandQuery(std::string_view name, const std::vector<std::string>& handles,
                              const std::vector<std::string>& hashtags);

// Tells the language of a mention whose source gave none, for lang:
// filters. The daemon and `brandmonctl match` both give the sentiment
// analyzer's reading (assess::MentionLanguage), so that a lang: query and the
// language stored with a mention never disagree. Used on the thread that
// calls Match.
class LanguageSource {
 public:
  // A BCP 47 code ("es", "hi-latn"), "und" or empty when it cannot tell.
  virtual std::string Language() const = 0;

 protected:
  ~LanguageSource() = default;
};

// The parts of a mention a query can look at. Views; the caller keeps the
// strings (and the tokens and the language source) alive during Match.
struct MatchInput {
  std::string_view text;
  std::string_view title;
  std::string_view author;
  std::string_view url;
  std::string_view lang;     // BCP 47, e.g. "es" or "pt-BR"; empty when unknown
  std::string_view channel;  // e.g. "reddit"
  // When `lang` is empty, a lang: filter asks this source (at most once per
  // Match, and only when a query that is evaluated has such a filter); with
  // neither, the language is unknown.
  const LanguageSource* lang_source = nullptr;
  // The text's and the title's text::Tokens when the caller reads them too
  // (of `text` and `title` exactly): the matcher scans their fold
  // (Tokens::Folded), so a mention is repaired, normalized and folded once
  // for every reader. Without them the matcher folds through tokens of its
  // own, alike.
  const text::Tokens* text_tokens = nullptr;
  const text::Tokens* title_tokens = nullptr;
};

enum class Field : uint8_t { kText, kTitle, kAuthor, kUrl };

// Where a term matched: [start, end) in Unicode code points of the original
// (unfolded) string of `field`.
struct Span {
  Field field = Field::kText;
  uint32_t start = 0;
  uint32_t end = 0;
  friend bool operator==(const Span&, const Span&) = default;
};

// A brand whose query matched a mention.
struct BrandHit {
  size_t brand = 0;  // index in the specs given to Build
  std::string name;
  std::vector<Span> spans;         // the matched terms, by field then start; distinct
  std::vector<std::string> terms;  // the matched terms as written in the query: acme, "acme corp", nestle*
};

// Reusable working memory for BrandMatcher::Match, so that matching a stream
// allocates nothing in steady state. Owned by one thread at a time; usable
// with any matcher.
class MatchScratch {
 public:
  MatchScratch();
  ~MatchScratch();
  MatchScratch(MatchScratch&&) noexcept;
  MatchScratch& operator=(MatchScratch&&) noexcept;

 private:
  friend class BrandMatcher;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Finds which brands a mention talks about. All brands' terms are folded
// (case, compatibility forms, optionally diacritics) and compiled into one
// Aho-Corasick automaton per fold mode, so a mention is scanned once whatever
// the number of brands; only brands with a term hit (or a site: filter) then
// have their boolean query evaluated. Immutable after Build; Match is const
// and thread-safe given one MatchScratch per thread.
class BrandMatcher {
 public:
  BrandMatcher();
  ~BrandMatcher();
  BrandMatcher(BrandMatcher&&) noexcept;
  BrandMatcher& operator=(BrandMatcher&&) noexcept;

  // Parses and compiles every brand's query.
  // Errors: InvalidArgument "brands[I].query:LINE:COL: message" for the first
  // bad query, where I is the index in `brands`.
  static Result<BrandMatcher> Build(const std::vector<BrandSpec>& brands);

  // The brands that match `in`, by ascending brand index.
  std::vector<BrandHit> Match(const MatchInput& in, MatchScratch& scratch) const;
  // Same, with a scratch of its own (allocates on every call).
  std::vector<BrandHit> Match(const MatchInput& in) const;

  size_t brand_count() const;
  const std::string& brand_name(size_t index) const;

 private:
  struct Impl;
  std::unique_ptr<const Impl> impl_;
};

}  // namespace brandmon::match
