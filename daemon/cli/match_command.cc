#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdlib>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "daemon/assess/assess.h"
#include "daemon/cli/command.h"
#include "daemon/cli/line_input.h"
#include "daemon/config/loader.h"
#include "daemon/match/matcher.h"
#include "daemon/match/query.h"
#include "daemon/plugin/registry.h"
#include "daemon/sentiment/analyzer.h"
#include "daemon/settings/settings.h"
#include "daemon/text/tokens.h"

namespace brandmon::cli {

namespace {

struct MatchArgs {
  std::optional<std::string> query;
  std::optional<std::string> config;
  // Set by --diacritic-insensitive or --exact-diacritics for every brand;
  // unset: each brand's own setting (diacritics ignored by default).
  std::optional<bool> diacritic_insensitive;
  std::string lang;
  std::string channel;
};

// Reads "--name VALUE" or "--name=VALUE" at args[*i]; advances *i past it.
bool TakeValue(const std::vector<std::string>& args, size_t* i, std::string_view name, std::string* value,
               std::ostream& err, bool* failed) {
  const std::string& a = args[*i];
  if (a == name) {
    if (*i + 1 >= args.size()) {
      err << "brandmonctl match: " << name << " needs a value\n";
      *failed = true;
      return true;
    }
    *value = args[++*i];
    return true;
  }
  if (a.size() > name.size() && a.compare(0, name.size(), name) == 0 && a[name.size()] == '=') {
    *value = a.substr(name.size() + 1);
    return true;
  }
  return false;
}

std::optional<MatchArgs> ParseMatchArgs(const std::vector<std::string>& args, std::ostream& err) {
  MatchArgs out;
  bool failed = false;
  for (size_t i = 0; i < args.size() && !failed; ++i) {
    std::string value;
    if (TakeValue(args, &i, "--query", &value, err, &failed)) {
      out.query = value;
    } else if (TakeValue(args, &i, "--config", &value, err, &failed)) {
      out.config = value;
    } else if (TakeValue(args, &i, "--lang", &value, err, &failed)) {
      out.lang = value;
    } else if (TakeValue(args, &i, "--channel", &value, err, &failed)) {
      out.channel = value;
    } else if (args[i] == "--diacritic-insensitive") {
      out.diacritic_insensitive = true;
    } else if (args[i] == "--exact-diacritics") {
      out.diacritic_insensitive = false;
    } else {
      err << "brandmonctl match: unknown argument '" << args[i] << "'\n";
      return std::nullopt;
    }
  }
  if (failed) return std::nullopt;
  if (out.query.has_value() == out.config.has_value()) {
    err << "brandmonctl match: give either --query QUERY or --config PATH\n";
    return std::nullopt;
  }
  return out;
}

// Shows where a one-line query went wrong: the query, then a caret under the
// column named by `message` ("1:14: ...").
void PrintQueryError(const std::string& query, const std::string& message, std::ostream& err) {
  err << "brandmonctl match: --query:" << message << "\n";
  if (query.find('\n') != std::string::npos || message.compare(0, 2, "1:") != 0) return;
  size_t col = std::strtoul(message.c_str() + 2, nullptr, 10);
  if (col == 0) return;
  err << "  " << query << "\n  " << std::string(col - 1, ' ') << "^\n";
}

// The language of a line for lang: filters, read as the daemon reads a
// mention's (assess::MentionLanguage). The analyzer is loaded on the first
// question, so that queries without lang: never need the lexicons.
class LineLanguage final : public match::LanguageSource {
 public:
  LineLanguage(sentiment::SentimentOptions options, const text::Tokens& line)
      : options_(std::move(options)), line_(line) {}

  std::string Language() const override {
    if (!analyzer_) {
      auto analyzer = sentiment::Analyzer::Create(options_);
      if (!analyzer.ok()) {
        error_ = analyzer.status().message();
        return "";
      }
      analyzer_ = std::make_unique<sentiment::Analyzer>(std::move(analyzer).value());
    }
    return assess::MentionLanguage(*analyzer_, empty_, line_).Language();
  }
  // Why the lexicons could not be loaded; empty when they were (or were
  // not needed).
  const std::string& error() const { return error_; }

 private:
  sentiment::SentimentOptions options_;
  const text::Tokens& line_;
  text::Tokens empty_;  // the title: a line has none
  mutable std::unique_ptr<sentiment::Analyzer> analyzer_;
  mutable std::string error_;
};

Result<match::BrandMatcher> BuildFromConfig(const std::string& path, std::optional<bool> diacritic_insensitive,
                                            sentiment::SentimentOptions* sentiment) {
  auto settings = settings::LoadSettings(path, config::ProcessEnv(), plugin::BuiltinRegistry());
  if (!settings.ok()) return settings.status();
  *sentiment = settings->sentiment;
  std::vector<match::BrandSpec> specs = assess::BrandSpecs(settings->brands);
  if (diacritic_insensitive) {
    for (auto& spec : specs) spec.options.diacritic_insensitive = *diacritic_insensitive;
  }
  auto matcher = match::BrandMatcher::Build(specs);
  if (!matcher.ok()) return matcher.status().WithContext(path);
  return matcher;
}

void WriteLine(const std::vector<match::BrandHit>& hits, bool with_brands, std::ostream& out) {
  std::vector<match::Span> spans;
  for (const auto& h : hits) {
    for (const auto& s : h.spans) {
      if (s.field == match::Field::kText) spans.push_back(s);
    }
  }
  std::sort(spans.begin(), spans.end(), [](const match::Span& a, const match::Span& b) {
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  spans.erase(std::unique(spans.begin(), spans.end()), spans.end());

  std::string line = hits.empty() ? "{\"match\": false" : "{\"match\": true";
  if (with_brands) {
    line += ", \"brands\": [";
    for (size_t i = 0; i < hits.size(); ++i) {
      rapidjson::StringBuffer buf;
      rapidjson::Writer<rapidjson::StringBuffer> w(buf);
      w.String(hits[i].name);
      line += (i ? ", " : "") + std::string(buf.GetString(), buf.GetSize());
    }
    line += "]";
  }
  line += ", \"spans\": [";
  for (size_t i = 0; i < spans.size(); ++i) {
    line += (i ? ", [" : "[") + std::to_string(spans[i].start) + ", " + std::to_string(spans[i].end) + "]";
  }
  line += "]}\n";
  out << line;
}

}  // namespace

int RunMatch(Invocation& inv) {
  auto args = ParseMatchArgs(inv.args, inv.err);
  if (!args) return 2;
  Result<match::BrandMatcher> matcher = Status::Internal("no matcher");
  sentiment::SentimentOptions sentiment;  // the config's, else the defaults
  if (args->query) {
    if (auto parsed = match::ParseQuery(*args->query); !parsed.ok()) {
      PrintQueryError(*args->query, parsed.status().message(), inv.err);
      return 1;
    }
    matcher = match::BrandMatcher::Build({{"query", *args->query, {args->diacritic_insensitive.value_or(true)}}});
  } else {
    matcher = BuildFromConfig(*args->config, args->diacritic_insensitive, &sentiment);
  }
  if (!matcher.ok()) {
    inv.err << "brandmonctl match: " << matcher.status().message() << "\n";
    return 1;
  }
  match::MatchScratch scratch;
  text::Tokens tokens;
  LineLanguage language(std::move(sentiment), tokens);
  match::MatchInput input;
  input.lang = args->lang;
  input.channel = args->channel;
  input.lang_source = &language;  // as the daemon does for a mention without a language
  input.text_tokens = &tokens;
  std::string line;
  while (ReadLine(inv.in, inv.out, line)) {
    input.text = line;
    tokens.Reset(line);
    std::vector<match::BrandHit> hits = matcher->Match(input, scratch);
    if (!language.error().empty()) {
      inv.err << "brandmonctl match: lang: needs the sentiment lexicons: " << language.error() << "\n";
      return 1;
    }
    WriteLine(hits, !args->query, inv.out);
  }
  inv.out.flush();
  return 0;
}

}  // namespace brandmon::cli
