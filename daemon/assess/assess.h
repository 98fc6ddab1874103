#pragma once

// What a mention says of each brand it names, read one way for the pipeline
// and for `brandmonctl explain`, so that the two never disagree: the brands'
// queries matched (and the replies to a brand's own accounts), the
// sentiment aimed at each brand, and the rules' view of the brands.

#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/mention.h"
#include "daemon/base/scored_mention.h"
#include "daemon/match/matcher.h"
#include "daemon/rules/rule.h"
#include "daemon/sentiment/analyzer.h"
#include "daemon/settings/settings.h"

namespace brandmon::text {
class Tokens;
}  // namespace brandmon::text

namespace brandmon::assess {

// The matcher's spec of each brand: its query, or the default one of its
// name, handles and hashtags (match::DefaultBrandQuery).
std::vector<match::BrandSpec> BrandSpecs(const std::vector<settings::BrandSettings>& brands);

// What the rules know of each brand: its name, handles, hashtags and rules.
std::vector<rules::BrandRules> RuleBrands(const std::vector<settings::BrandSettings>& brands);

// The language of a mention as the pipeline stores it when its source gives
// none: the sentiment analyzer's reading of the field it scores (the text,
// or the title when there is no text; Analyzer::Language). The matcher's
// lang: filters ask it, so that they read a mention as its stored `lang`
// does. Holds references to its arguments; used on one thread.
class MentionLanguage final : public match::LanguageSource {
 public:
  MentionLanguage(const sentiment::Analyzer& analyzer, const text::Tokens& title, const text::Tokens& text)
      : analyzer_(analyzer), title_(title), text_(text) {}
  std::string Language() const override;

 private:
  const sentiment::Analyzer& analyzer_;
  const text::Tokens& title_;
  const text::Tokens& text_;
};

// The parts of `m` a query looks at, read through the tokens of its title
// and text (of m.title and m.text, split once for every reader), with
// `lang` telling the language of a mention that has none. Views into the
// arguments, which must outlive them.
match::MatchInput MatchInputOf(const Mention& m, const text::Tokens& title, const text::Tokens& text,
                               const match::LanguageSource& lang);

// A reply to one of a brand's own accounts is a mention of that brand
// whether it names it or not: adds a hit without spans for each such brand
// of `brands` (by index, as the matcher's), keeping `hits` by ascending
// brand index.
void AddRepliedBrands(std::string_view reply_to, const std::vector<settings::BrandSettings>& brands,
                      std::vector<match::BrandHit>& hits);

// The sentiment of `m` for `brand` (matched as `hit`), aimed at its matches
// in the text (or in the title when there is no text), with the hit's terms
// and spans, which are moved from `hit`. `title` and `text` are m's split
// once for every reader; the caller sets the result's mention. With `words`
// (not null, for tools), the score is traced (Analyzer::Trace) and *words
// gets the rated words that carried it, offsets in the field scored. Thread-
// safe for distinct hits, as Analyzer::Score is.
ScoredMention ScoreHit(const sentiment::Analyzer& analyzer, const settings::BrandSettings& brand,
                       const sentiment::LexiconOverrides& overrides, const Mention& m, match::BrandHit& hit,
                       const text::Tokens& title, const text::Tokens& text,
                       std::vector<sentiment::WeightedWord>* words = nullptr);

}  // namespace brandmon::assess
