#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "daemon/rules/rule.h"
#include "daemon/rules/rule_set.h"

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

// Runs one rule over one mention as a RuleSet would, read as a RuleSet of
// `brand` prepares it (its words, sentences and phrases). Returns the alerts.
inline std::vector<Alert> RunOne(Rule& rule, const Brand& brand, const ScoredMention& sm, double score,
                                 Cooldowns& cooldowns, WallTime now) {
  FakeClock clock;
  RuleSet set({brand.rules}, clock);
  PreparedMention p = set.Prepare(sm);
  p.terms.clear();  // the rule under test prepares its own
  rule.Prepare(sm, p);
  std::vector<Alert> out;
  MentionInput in{sm, p, now, score, Reach(sm.mention)};
  rule.OnMention(in, cooldowns, out);
  rule.Count(in);
  return out;
}

}  // namespace brandmon::rules::rule_test
