#pragma once

// What `brandmonctl explain` and `brandmonctl replay` share: a config's
// brands, ready to read a mention the pipeline's way (assess, then the
// rules), so that neither can disagree with the daemon.

#include <memory>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/mention.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/status.h"
#include "daemon/match/matcher.h"
#include "daemon/rules/rule_set.h"
#include "daemon/sentiment/analyzer.h"
#include "daemon/settings/settings.h"

namespace brandmon::cli {

// The brands of one config as the pipeline reads mentions with them: the
// matcher, the sentiment analyzer with each brand's lexicon overrides, and
// a rule set of fresh state. Owned by one thread.
struct MentionReader {
  settings::Settings settings;
  std::unique_ptr<sentiment::Analyzer> analyzer;
  std::vector<sentiment::LexiconOverrides> overrides;  // parallel to settings.brands
  match::BrandMatcher matcher;
  match::MatchScratch scratch;
  std::unique_ptr<rules::RuleSet> rules;
};

// Loads the config at `path` and builds its brands; with `only` not empty,
// that brand alone. The rules read the time from `clock`, which must outlive
// the reader. Errors: the config's (file:line:col), the lexicons', and
// NotFound when the config has no brand named `only`.
Result<std::unique_ptr<MentionReader>> LoadMentionReader(const std::string& path, const Clock& clock,
                                                         const std::string& only = "");

// Gives `m` what the engine gives a mention before the pipeline sees it:
// normalized, and stamped by its source (kind, reply_to, lang) when the
// config has a source of that name.
void AsTheEngineWould(const settings::Settings& settings, Mention& m);

// One brand's reading of a mention: its scored mention and what the rules
// read from its words.
struct BrandReading {
  ScoredMention scored;
  rules::PreparedMention prepared;
  std::vector<sentiment::WeightedWord> words;  // with `trace`: the words that carried the score
};

// Every brand `m` names (or whose own account it answers), in the config's
// order, read as the pipeline reads it; with `trace`, with the words of each
// brand's score (assess::ScoreHit).
std::vector<BrandReading> ReadMention(MentionReader& reader, const Mention& m, bool trace = false);

}  // namespace brandmon::cli
