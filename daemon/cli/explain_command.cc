// brandmonctl explain: what the rules of a config make of a mention, and why.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/assess/assess.h"
#include "daemon/cli/command.h"
#include "daemon/config/loader.h"
#include "daemon/plugin/registry.h"
#include "daemon/rules/rule_set.h"
#include "daemon/scheduler/scheduler.h"
#include "daemon/text/tokens.h"

namespace brandmon::cli {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// The config's brands as the pipeline reads mentions with them.
struct Reader {
  settings::Settings settings;
  std::unique_ptr<sentiment::Analyzer> analyzer;
  std::vector<sentiment::LexiconOverrides> overrides;  // parallel to settings.brands
  match::BrandMatcher matcher;
  match::MatchScratch scratch;
  std::unique_ptr<rules::RuleSet> rules;
};

Result<std::unique_ptr<Reader>> Load(const std::string& path) {
  auto reader = std::make_unique<Reader>();
  auto settings = settings::LoadSettings(path, config::ProcessEnv(), plugin::BuiltinRegistry());
  if (!settings.ok()) return settings.status();
  reader->settings = std::move(settings).value();
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
  reader->rules =
      std::make_unique<rules::RuleSet>(assess::RuleBrands(reader->settings.brands), SystemClock::Instance());
  return reader;
}

// The mention as the engine hands it to the pipeline: normalized, and
// stamped by its source when the config has a source of that name.
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

void WriteValue(Writer& w, std::string_view value) {
  std::string valid = ValidUtf8(value);
  w.String(valid.data(), static_cast<rapidjson::SizeType>(valid.size()));
}

void WriteString(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  WriteValue(w, value);
}

void WriteFocus(const rules::PreparedMention& p, Writer& w) {
  const rules::Focus& f = p.focus;
  w.Key("salience");
  w.Double(f.salience);
  w.Key("in_title");
  w.Bool(f.in_title);
  // Sentences are numbered as people count them: the title 0, the text's from 1.
  bool titled = !p.sentences.empty() && p.sentences[0].title;
  w.Key("named_in_sentences");
  w.StartArray();
  for (uint32_t s : f.sentences) w.Uint(titled ? s : s + 1);
  w.EndArray();
  w.Key("text_sentences");
  w.Uint(f.text_sentences);
  w.Key("own_account");
  w.Bool(p.own);
  w.Key("replies_to_brand");
  w.Bool(p.replies_to_brand);
}

void WriteBrand(const ScoredMention& sm, const rules::PreparedMention& p,
                const std::vector<std::pair<std::string, rules::Verdict>>& verdicts, Writer& w) {
  w.StartObject();
  WriteString(w, "brand", sm.brand);
  w.Key("matched_terms");
  w.StartArray();
  for (const auto& t : sm.matched_terms) WriteValue(w, t);
  w.EndArray();
  w.Key("spans");
  w.StartArray();
  for (const TermSpan& s : sm.spans) {
    w.StartObject();
    WriteString(w, "field", s.title ? "title" : "text");
    w.Key("start");
    w.Uint(s.start);
    w.Key("end");
    w.Uint(s.end);
    w.EndObject();
  }
  w.EndArray();
  WriteString(w, "lang", sm.lang);
  w.Key("sentiment");
  w.StartObject();
  w.Key("compound");
  w.Double(sm.sentiment.compound);
  WriteString(w, "label", sm.sentiment.label);
  if (sm.sentiment.target) {
    w.Key("target");
    w.Double(*sm.sentiment.target);
  }
  w.EndObject();
  WriteFocus(p, w);
  w.Key("rules");
  w.StartArray();
  for (const auto& [rule, verdict] : verdicts) {
    w.StartObject();
    WriteString(w, "rule", rule);
    w.Key("alert");
    w.Bool(verdict.alert);
    WriteString(w, "why", verdict.why);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// One line of output for one line of input.
std::string Explain(Reader& r, const std::string& line) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetMaxDecimalPlaces(4);
  auto parsed = MentionFromJson(line);
  w.StartObject();
  if (!parsed.ok()) {
    WriteString(w, "error", parsed.status().message());
    w.EndObject();
    return buf.GetString();
  }
  Mention m = std::move(parsed).value();
  AsTheEngineWould(r.settings, m);
  WriteString(w, "source", m.source);
  WriteString(w, "id", m.id);
  WriteString(w, "kind", ChannelKindName(m.kind));
  std::vector<match::BrandHit> hits = r.matcher.Match(assess::MatchInputOf(m), r.scratch);
  if (!m.reply_to.empty()) assess::AddRepliedBrands(m.reply_to, r.settings.brands, hits);
  text::Tokens title(m.title), text(m.text);
  w.Key("brands");
  w.StartArray();
  for (match::BrandHit& hit : hits) {
    size_t b = hit.brand;
    ScoredMention sm = assess::ScoreHit(*r.analyzer, r.settings.brands[b], r.overrides[b], m, hit, title, text);
    sm.mention = m;
    if (!sm.mention.lang && !sm.lang.empty()) sm.mention.lang = sm.lang;
    rules::PreparedMention p = r.rules->Prepare(sm, rules::SplitMention(title, text));
    WriteBrand(sm, p, r.rules->Judge(sm, p), w);
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

}  // namespace

int RunExplain(Invocation& inv) {
  std::optional<std::string> config;
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& a = inv.args[i];
    if (a == "--config" && i + 1 < inv.args.size()) {
      config = inv.args[++i];
    } else {
      inv.err << "brandmonctl explain: unexpected argument '" << a << "' (usage: brandmonctl explain --config PATH)\n";
      return 2;
    }
  }
  if (!config) {
    inv.err << "brandmonctl explain: --config PATH is required: the brands and rules to explain with\n";
    return 2;
  }
  auto reader = Load(*config);
  if (!reader.ok()) {
    inv.err << "brandmonctl explain: " << reader.status().message() << "\n";
    return 1;
  }
  bool failed = false;
  std::string line;
  while (std::getline(inv.in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::string out = Explain(**reader, line);
    failed = failed || out.starts_with("{\"error\"");
    inv.out << out << "\n";
  }
  inv.out.flush();
  return failed ? 1 : 0;
}

}  // namespace brandmon::cli
