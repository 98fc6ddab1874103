#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/config/options.h"

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

// The parts of a mention a query can look at. Views; the caller keeps the
// strings alive during Match.
struct MatchInput {
  std::string_view text;
  std::string_view title;
  std::string_view author;
  std::string_view url;
  std::string_view lang;     // BCP 47, e.g. "es" or "pt-BR"; empty when unknown
  std::string_view channel;  // e.g. "reddit"
  // When `lang` is empty, a lang: filter looks at the language identified
  // from the text (or the title when there is no text) by
  // text::IdentifyLanguage, at most once per Match and only when a query that
  // is evaluated has such a filter. The daemon and `brandmonctl match` both
  // set it, so a lang: query reads a mention the same way in both.
  bool detect_lang = false;
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
