#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "daemon/cli/command.h"
#include "daemon/sentiment/analyzer.h"
#include "daemon/text/normalize.h"
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

// Code-point spans of every case-insensitive occurrence of the targets. Simple
// case folding maps one code point to one, so offsets in the folded line are
// offsets in the line.
void FindTargets(std::string_view line, const std::vector<std::string>& folded_targets, std::string* folded,
                 std::vector<sentiment::CodePointSpan>* spans) {
  spans->clear();
  folded->clear();
  text::AppendFolded(line, folded);
  for (const auto& t : folded_targets) {
    if (t.empty()) continue;
    for (size_t at = folded->find(t); at != std::string::npos; at = folded->find(t, at + t.size())) {
      auto begin = static_cast<uint32_t>(text::CountCodePoints(std::string_view(*folded).substr(0, at)));
      spans->push_back({begin, begin + static_cast<uint32_t>(text::CountCodePoints(t))});
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
  std::vector<std::string> folded_targets;
  for (const auto& t : args.targets) {
    std::string f;
    text::AppendFolded(text::RepairUtf8(t), &f);
    folded_targets.push_back(std::move(f));
  }
  sentiment::ScoreRequest request;
  request.lang = args.lang;
  std::string line, folded;
  std::vector<sentiment::CodePointSpan> spans;
  rapidjson::StringBuffer buf;
  while (std::getline(inv.in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!folded_targets.empty()) {
      std::string repaired = text::IsValidUtf8(line) ? std::string() : text::RepairUtf8(line);
      FindTargets(repaired.empty() ? std::string_view(line) : std::string_view(repaired), folded_targets, &folded,
                  &spans);
      request.targets = spans;
    }
    sentiment::SentimentScore score = analyzer->Score(line, request);
    WriteScore(score, !folded_targets.empty(), &buf);
    inv.out.write(buf.GetString(), static_cast<std::streamsize>(buf.GetSize()));
    inv.out.put('\n');
  }
  inv.out.flush();
  return 0;
}

}  // namespace brandmon::cli
