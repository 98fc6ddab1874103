#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "daemon/rules/rule.h"

namespace brandmon::rules::rule_test {

constexpr int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

inline BrandRules AcmeRules() {
  BrandRules r;
  r.name = "acme";
  r.handles = {"@acmecorp"};
  r.hashtags = {"#acme"};
  r.options = DefaultRulesOptions();
  return r;
}

inline ScoredMention Mention(std::string id, std::string text, std::string author = "bob") {
  ScoredMention sm;
  sm.brand = "acme";
  sm.mention.source = "feed";
  sm.mention.channel = "reddit";
  sm.mention.id = std::move(id);
  sm.mention.text = std::move(text);
  sm.mention.author = std::move(author);
  sm.matched_terms = {"acme"};
  return sm;
}

// Runs one rule over one mention as a RuleSet would, with the phrases of
// the brand found in its words. Returns the alerts.
inline std::vector<Alert> RunOne(Rule& rule, const Brand& brand, const ScoredMention& sm, double score,
                                 Cooldowns& cooldowns, WallTime now, const std::vector<uint32_t>& found_ids = {}) {
  PreparedMention p;
  p.words = Words(sm.mention.text);
  p.matched = MatchedPhrases(sm);
  p.found.assign(kFirstKeywordPhrase + brand.keyword_terms.size(), 0);
  for (uint32_t id : found_ids) p.found[id] = 1;
  for (size_t k = 0; k < brand.keyword_terms.size(); ++k) {
    const Phrase& phrase = brand.keyword_terms[k].second;
    if (std::search(p.words.begin(), p.words.end(), phrase.begin(), phrase.end()) != p.words.end()) {
      p.found[kFirstKeywordPhrase + k] = 1;
    }
  }
  rule.Prepare(sm, p);
  std::vector<Alert> out;
  MentionInput in{sm, p, now, score, Reach(sm.mention)};
  rule.OnMention(in, cooldowns, out);
  rule.Count(in);
  return out;
}

}  // namespace brandmon::rules::rule_test
