#include "daemon/assess/assess.h"

#include <algorithm>
#include <string>

#include "daemon/text/tokens.h"

namespace brandmon::assess {

std::vector<match::BrandSpec> BrandSpecs(const std::vector<settings::BrandSettings>& brands) {
  std::vector<match::BrandSpec> specs;
  for (const auto& b : brands) {
    std::string query = b.query.empty() ? match::DefaultBrandQuery(b.name, b.handles, b.hashtags) : b.query;
    specs.push_back({b.name, query, {b.diacritic_insensitive}});
  }
  return specs;
}

std::vector<rules::BrandRules> RuleBrands(const std::vector<settings::BrandSettings>& brands) {
  std::vector<rules::BrandRules> out;
  for (const auto& b : brands) out.push_back({b.name, b.handles, b.hashtags, b.rules});
  return out;
}

std::string MentionLanguage::Language() const {
  // The field ScoreHit scores.
  return analyzer_.Language(text_.input().empty() ? title_ : text_);
}

match::MatchInput MatchInputOf(const Mention& m, const text::Tokens& title, const text::Tokens& text,
                               const match::LanguageSource& lang) {
  match::MatchInput in;
  in.text = m.text;
  in.title = m.title;
  in.author = m.author;
  in.url = m.url;
  in.lang = m.lang ? std::string_view(*m.lang) : std::string_view();
  in.channel = m.channel;
  in.lang_source = &lang;
  in.text_tokens = &text;
  in.title_tokens = &title;
  return in;
}

void AddRepliedBrands(std::string_view reply_to, const std::vector<settings::BrandSettings>& brands,
                      std::vector<match::BrandHit>& hits) {
  for (size_t b = 0; b < brands.size(); ++b) {
    const std::vector<std::string>& handles = brands[b].handles;
    if (std::none_of(handles.begin(), handles.end(), [&](const auto& h) { return SameAccount(h, reply_to); })) continue;
    auto at = std::lower_bound(hits.begin(), hits.end(), b,
                               [](const match::BrandHit& hit, size_t index) { return hit.brand < index; });
    if (at != hits.end() && at->brand == b) continue;
    match::BrandHit hit;
    hit.brand = b;
    hit.name = brands[b].name;
    hits.insert(at, std::move(hit));
  }
}

ScoredMention ScoreHit(const sentiment::Analyzer& analyzer, const settings::BrandSettings& brand,
                       const sentiment::LexiconOverrides& overrides, const Mention& m, match::BrandHit& hit,
                       const text::Tokens& title, const text::Tokens& text,
                       std::vector<sentiment::WeightedWord>* words) {
  ScoredMention sm;
  // Brand-targeted scoring needs spans in the scored text, so score the body
  // (or the title when there is none) and pass that field's spans.
  bool use_title = m.text.empty();
  std::vector<sentiment::CodePointSpan> targets;
  for (const auto& span : hit.spans) {
    if (span.field == (use_title ? match::Field::kTitle : match::Field::kText)) {
      targets.push_back({span.start, span.end});
    }
    if (span.field == match::Field::kText || span.field == match::Field::kTitle) {
      sm.spans.push_back({span.start, span.end, span.field == match::Field::kTitle});
    }
  }
  sentiment::ScoreRequest req;
  std::string lang = !brand.lang.empty() ? brand.lang : m.lang.value_or("auto");
  req.lang = lang;
  req.overrides = &overrides;
  req.targets = targets;
  const text::Tokens& scored = use_title ? title : text;
  sentiment::SentimentScore score;
  if (words == nullptr) {
    score = analyzer.Score(scored, req);
  } else {
    sentiment::ScoreTrace trace = analyzer.Trace(scored, req);
    score = std::move(trace.score);
    *words = std::move(trace.words);
  }
  sm.brand = brand.name;
  sm.sentiment = {score.compound, score.pos,   score.neu, score.neg, std::string(score.label()),
                  score.target,   score.scored};
  sm.target_at = score.target_at;
  sm.lang = score.lang;
  sm.matched_terms = std::move(hit.terms);
  return sm;
}

}  // namespace brandmon::assess
