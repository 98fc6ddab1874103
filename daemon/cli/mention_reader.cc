#include "daemon/cli/mention_reader.h"

#include <algorithm>
#include <utility>

#include "daemon/assess/assess.h"
#include "daemon/config/loader.h"
#include "daemon/plugin/registry.h"
#include "daemon/scheduler/scheduler.h"
#include "daemon/text/tokens.h"

namespace brandmon::cli {

namespace {

// Keeps the brand `only` of `settings` alone. Errors: NotFound when there is
// none of that name.
Status KeepOnly(const std::string& path, const std::string& only, settings::Settings& settings) {
  auto it = std::find_if(settings.brands.begin(), settings.brands.end(), [&](const auto& b) { return b.name == only; });
  if (it == settings.brands.end()) return Status::NotFound("no brand '" + only + "' in " + path);
  settings::BrandSettings brand = std::move(*it);
  settings.brands.clear();
  settings.brands.push_back(std::move(brand));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<MentionReader>> LoadMentionReader(const std::string& path, const Clock& clock,
                                                         const std::string& only) {
  auto reader = std::make_unique<MentionReader>();
  auto settings = settings::LoadSettings(path, config::ProcessEnv(), plugin::BuiltinRegistry());
  if (!settings.ok()) return settings.status();
  reader->settings = std::move(settings).value();
  if (!only.empty()) {
    if (auto s = KeepOnly(path, only, reader->settings); !s.ok()) return s;
  }
  auto analyzer = sentiment::Analyzer::Create(reader->settings.sentiment);
  if (!analyzer.ok()) return analyzer.status().WithContext("cannot load the sentiment lexicons");
  reader->analyzer = std::make_unique<sentiment::Analyzer>(std::move(analyzer).value());
  for (const auto& b : reader->settings.brands) {
    auto overrides = reader->analyzer->MakeOverrides(b.lexicon);
    if (!overrides.ok()) return overrides.status().WithContext("brand '" + b.name + "' lexicon");
    reader->overrides.push_back(std::move(overrides).value());
  }
  auto matcher = match::BrandMatcher::Build(assess::BrandSpecs(reader->settings.brands));
  if (!matcher.ok()) return matcher.status().WithContext(path);
  reader->matcher = std::move(matcher).value();
  reader->rules = std::make_unique<rules::RuleSet>(assess::RuleBrands(reader->settings.brands), clock);
  return reader;
}

void AsTheEngineWould(const settings::Settings& settings, Mention& m) {
  NormalizeMention(m, settings.limits);
  for (const auto& source : settings.sources) {
    if (source.name == m.source) {
      scheduler::StampMention(source, m);
      return;
    }
  }
  m.kind = ResolveKind(m);
}

std::vector<BrandReading> ReadMention(MentionReader& r, const Mention& m, bool trace) {
  std::vector<BrandReading> out;
  text::Tokens title(m.title), text(m.text);
  assess::MentionLanguage lang(*r.analyzer, title, text);
  std::vector<match::BrandHit> hits = r.matcher.Match(assess::MatchInputOf(m, title, text, lang), r.scratch);
  if (!m.reply_to.empty()) assess::AddRepliedBrands(m.reply_to, r.settings.brands, hits);
  if (hits.empty()) return out;
  for (match::BrandHit& hit : hits) {
    size_t b = hit.brand;
    BrandReading reading;
    reading.scored = assess::ScoreHit(*r.analyzer, r.settings.brands[b], r.overrides[b], m, hit, title, text,
                                      trace ? &reading.words : nullptr);
    ScoredMention& sm = reading.scored;
    sm.mention = m;
    if (!sm.mention.lang && !sm.lang.empty()) sm.mention.lang = sm.lang;
    reading.prepared = r.rules->Prepare(sm, rules::SplitMention(title, text));
    out.push_back(std::move(reading));
  }
  return out;
}

}  // namespace brandmon::cli
