// brandmonctl explain: what the rules of a config make of a mention, and why.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/base/units.h"
#include "daemon/cli/command.h"
#include "daemon/cli/line_input.h"
#include "daemon/cli/mention_reader.h"
#include "daemon/config/loader.h"
#include "daemon/query/reader.h"
#include "daemon/settings/paths.h"
#include "daemon/store/rule_state.h"
#include "daemon/store/store_options.h"

namespace brandmon::cli {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

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

// The words that carried a score, in text order: the kMaxWords that weigh
// most when there are more.
constexpr size_t kMaxWords = 50;

void WriteWords(std::vector<sentiment::WeightedWord> words, Writer& w) {
  size_t omitted = words.size() > kMaxWords ? words.size() - kMaxWords : 0;
  if (omitted > 0) {
    std::vector<sentiment::WeightedWord> kept = words;
    std::nth_element(kept.begin(), kept.begin() + kMaxWords - 1, kept.end(),
                     [](const auto& a, const auto& b) { return std::abs(a.weight) > std::abs(b.weight); });
    double least = std::abs(kept[kMaxWords - 1].weight);
    std::erase_if(words, [&](const auto& x) { return std::abs(x.weight) < least; });
    words.resize(std::min(words.size(), kMaxWords));
  }
  w.Key("words");
  w.StartArray();
  for (const sentiment::WeightedWord& word : words) {
    w.StartObject();
    WriteString(w, "word", word.text);
    w.Key("at");
    w.Uint(word.at);
    // The lexicons hold floats: 1.9 rather than 1.8999.
    w.Key("valence");
    w.Double(std::round(word.valence * 1000) / 1000);
    w.Key("weight");
    w.Double(std::round(word.weight * 1000) / 1000);
    w.Key("targeted");
    w.Bool(word.targeted);
    w.EndObject();
  }
  w.EndArray();
  if (omitted > 0) {
    w.Key("words_omitted");
    w.Uint64(omitted);
  }
}

void WriteSentiment(const BrandReading& reading, Writer& w) {
  const ScoredMention& sm = reading.scored;
  w.Key("sentiment");
  w.StartObject();
  w.Key("compound");
  w.Double(sm.sentiment.compound);
  WriteString(w, "label", sm.sentiment.label);
  if (sm.sentiment.target) {
    w.Key("target");
    w.Double(*sm.sentiment.target);
  }
  // The field scored: the text, or the title of a mention without one.
  WriteString(w, "field", sm.mention.text.empty() ? "title" : "text");
  WriteWords(reading.words, w);
  w.EndObject();
}

void WriteBrand(const BrandReading& reading, const std::vector<std::pair<std::string, rules::Verdict>>& verdicts,
                Writer& w) {
  const ScoredMention& sm = reading.scored;
  const rules::PreparedMention& p = reading.prepared;
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
  WriteSentiment(reading, w);
  WriteFocus(p, w);
  w.Key("rules");
  w.StartArray();
  for (const auto& [rule, verdict] : verdicts) {
    w.StartObject();
    WriteString(w, "rule", rule);
    w.Key("alert");
    w.Bool(verdict.alert);
    WriteString(w, "why", verdict.why);
    if (!verdict.held.empty()) {
      // The rule's cooldown, as the daemon last committed it, keeps it quiet.
      w.Key("cooldown");
      w.StartObject();
      WriteString(w, "key", verdict.held);
      WriteString(w, "until", FormatRfc3339(FromUnixMillis(verdict.held_until_ms)));
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// One line of output for one mention.
std::string Explain(MentionReader& r, Mention m) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetMaxDecimalPlaces(4);
  w.StartObject();
  AsTheEngineWould(r.settings, m);
  WriteString(w, "source", m.source);
  WriteString(w, "id", m.id);
  WriteString(w, "kind", ChannelKindName(m.kind));
  w.Key("brands");
  w.StartArray();
  for (const BrandReading& reading : ReadMention(r, m, /*trace=*/true)) {
    WriteBrand(reading, r.rules->Judge(reading.scored, reading.prepared), w);
  }
  w.EndArray();
  w.EndObject();
  return buf.GetString();
}

std::string ErrorLine(const std::string& message) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  WriteString(w, "error", message);
  w.EndObject();
  return buf.GetString();
}

struct ExplainArgs {
  std::string config;
  std::string database;  // with source and id: the state database to read the mention from
  std::optional<std::string> source;
  std::optional<std::string> id;
};

constexpr char kExplainUsage[] = "usage: brandmonctl explain --config PATH [--source NAME --id ID [--database FILE]]";

std::optional<ExplainArgs> ParseExplainArgs(const std::vector<std::string>& args, std::ostream& err) {
  ExplainArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string* value = a == "--config" ? &out.config : a == "--database" ? &out.database : nullptr;
    std::optional<std::string>* optional = a == "--source" ? &out.source : a == "--id" ? &out.id : nullptr;
    if ((value == nullptr && optional == nullptr) || i + 1 >= args.size()) {
      err << "brandmonctl explain: unexpected argument '" << a << "' (" << kExplainUsage << ")\n";
      return std::nullopt;
    }
    (value ? *value : optional->emplace()) = args[++i];
  }
  if (out.config.empty() || out.source.has_value() != out.id.has_value()) {
    err << "brandmonctl explain: "
        << (out.config.empty() ? "--config PATH is required" : "--source and --id go together") << " (" << kExplainUsage
        << ")\n";
    return std::nullopt;
  }
  return out;
}

// The rules' state as the daemon last committed it, read-only: their
// cooldowns, without counting the stored mentions again (explain reads no
// trend rule).
class CommittedRuleState : public store::RuleStateReader {
 public:
  explicit CommittedRuleState(query::Reader& db) : db_(db) {}
  Result<std::vector<store::RuleStateEntry>> LoadRuleState() override { return db_.RuleState(); }
  Result<std::vector<store::StoredMention>> ReadMentions(int64_t, size_t) override {
    return std::vector<store::StoredMention>();
  }

 private:
  query::Reader& db_;
};

// The stored mention of --source and --id, from --database or the config's
// state database, whose rule state (cooldowns) `r`'s rules take.
Result<Mention> StoredMention(const ExplainArgs& args, MentionReader& r) {
  std::string path = args.database;
  if (path.empty()) {
    path = store::ResolveStorePath(r.settings.store,
                                   settings::ResolvePaths(r.settings.daemon, config::ProcessEnv()).state_dir);
  }
  auto db = query::Reader::Open(path);
  if (!db.ok()) return db.status();
  auto row = db->FindMention(*args.source, *args.id);
  if (!row.ok()) return row.status().WithContext(path);
  if (!*row)
    return Status::NotFound("no mention of source '" + *args.source + "' with id '" + *args.id + "' in " + path);
  CommittedRuleState state(*db);
  if (auto s = r.rules->Restore(state); !s.ok()) return s.WithContext(path);
  return (*row)->stored.scored.mention;
}

}  // namespace

int RunExplain(Invocation& inv) {
  auto args = ParseExplainArgs(inv.args, inv.err);
  if (!args) return 2;
  auto reader = LoadMentionReader(args->config, SystemClock::Instance());
  if (!reader.ok()) {
    inv.err << "brandmonctl explain: " << reader.status().message() << "\n";
    return 1;
  }
  if (args->source) {
    auto stored = StoredMention(*args, **reader);
    if (!stored.ok()) {
      inv.err << "brandmonctl explain: " << stored.status().message() << "\n";
      return 1;
    }
    inv.out << Explain(**reader, std::move(stored).value()) << "\n";
    return 0;
  }
  bool failed = false;
  std::string line;
  while (ReadLine(inv.in, inv.out, line)) {
    if (line.empty()) continue;
    auto mention = MentionFromJson(line);
    failed = failed || !mention.ok();
    inv.out << (mention.ok() ? Explain(**reader, std::move(mention).value()) : ErrorLine(mention.status().message()))
            << "\n";
  }
  inv.out.flush();
  return failed ? 1 : 0;
}

}  // namespace brandmon::cli
