#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/cli/command.h"
#include "daemon/cli/line_input.h"
#include "daemon/match/matcher.h"
#include "daemon/sentiment/analyzer.h"
#include "daemon/text/fold.h"
#include "daemon/text/utf8.h"

namespace brandmon::cli {

namespace {

struct ScoreArgs {
  std::string lang = "auto";
  std::string data_dir;
  std::vector<std::string> targets;
};

bool ParseScoreArgs(Invocation& inv, ScoreArgs* args) {
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& a = inv.args[i];
    std::string* dest = a == "--lang" ? &args->lang : a == "--data-dir" ? &args->data_dir : nullptr;
    if (dest != nullptr || a == "--target") {
      if (i + 1 >= inv.args.size()) {
        inv.err << "brandmonctl score: " << a << " needs a value\n";
        return false;
      }
      if (dest != nullptr) {
        *dest = inv.args[++i];
      } else {
        args->targets.push_back(inv.args[++i]);
      }
      continue;
    }
    inv.err << "brandmonctl score: unknown argument '" << a << "'\n";
    return false;
  }
  if (args->lang.empty()) {
    inv.err << "brandmonctl score: --lang must be 'auto' or a language code\n";
    return false;
  }
  return true;
}

// The targets as a brand's query: each one a phrase, so that a line's target
// spans are those the daemon's matcher would find for a brand with these
// terms (word boundaries, case and accents folded).
Result<match::BrandMatcher> TargetMatcher(const std::vector<std::string>& targets) {
  std::string query;
  for (const auto& t : targets) {
    if (t.find('"') != std::string::npos) {
      return Status::InvalidArgument("--target '" + t + "' cannot contain '\"'");
    }
    if (!text::HasWordChar(t)) return Status::InvalidArgument("--target '" + t + "' has no letter or digit");
    query += query.empty() ? "\"" : " OR \"";
    query += t;
    query += '"';
  }
  return match::BrandMatcher::Build({match::BrandSpec{"target", query, {}}});
}

void FindTargets(std::string_view line, const match::BrandMatcher& matcher, match::MatchScratch& scratch,
                 std::vector<sentiment::CodePointSpan>* spans) {
  spans->clear();
  match::MatchInput input;
  input.text = line;
  for (const auto& hit : matcher.Match(input, scratch)) {
    for (const auto& span : hit.spans) {
      if (span.field == match::Field::kText) spans->push_back({span.start, span.end});
    }
  }
}

void WriteScore(const sentiment::SentimentScore& s, bool with_target, rapidjson::StringBuffer* buf) {
  buf->Clear();
  rapidjson::Writer<rapidjson::StringBuffer> w(*buf);
  w.SetMaxDecimalPlaces(4);
  w.StartObject();
  w.Key("compound");
  w.Double(s.compound);
  w.Key("pos");
  w.Double(s.pos);
  w.Key("neu");
  w.Double(s.neu);
  w.Key("neg");
  w.Double(s.neg);
  w.Key("label");
  std::string_view label = s.label();
  w.String(label.data(), static_cast<rapidjson::SizeType>(label.size()));
  w.Key("lang");
  w.String(s.lang);
  // Only when false, so that scored lines keep the contract's fields.
  if (!s.scored) {
    w.Key("scored");
    w.Bool(false);
  }
  if (with_target) {
    w.Key("target");
    w.Double(s.target.value_or(s.compound));
  }
  w.EndObject();
}

}  // namespace

int RunScore(Invocation& inv) {
  ScoreArgs args;
  if (!ParseScoreArgs(inv, &args)) return 2;
  sentiment::SentimentOptions options;
  options.data_dir = args.data_dir;
  Result<sentiment::Analyzer> analyzer = sentiment::Analyzer::Create(options);
  if (!analyzer.ok()) {
    inv.err << "brandmonctl score: " << analyzer.status().message() << "\n";
    return 1;
  }
  std::optional<match::BrandMatcher> targets;
  if (!args.targets.empty()) {
    Result<match::BrandMatcher> built = TargetMatcher(args.targets);
    if (!built.ok()) {
      inv.err << "brandmonctl score: " << built.status().message() << "\n";
      return 2;
    }
    targets = std::move(built).value();
  }
  match::MatchScratch scratch;
  sentiment::ScoreRequest request;
  request.lang = args.lang;
  std::string line;
  std::vector<sentiment::CodePointSpan> spans;
  rapidjson::StringBuffer buf;
  while (ReadLine(inv.in, inv.out, line)) {
    if (targets) {
      // Spans count code points of the text the analyzer reads: repaired.
      std::string repaired = text::IsValidUtf8(line) ? std::string() : text::RepairUtf8(line);
      const std::string& read = repaired.empty() ? line : repaired;
      FindTargets(read, *targets, scratch, &spans);
      request.targets = spans;
    }
    sentiment::SentimentScore score = analyzer->Score(line, request);
    WriteScore(score, targets.has_value(), &buf);
    inv.out.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
    inv.out.put('\n');
  }
  inv.out.flush();
  return 0;
}

}  // namespace brandmon::cli
