#include <cstdlib>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/base/safe_text.h"
#include "daemon/cli/command.h"
#include "daemon/config/json_reader.h"
#include "daemon/feedparse/feed_parser.h"
#include "daemon/plugin/registry.h"

namespace brandmon::cli {
namespace {

// Prints each mention as one JSON line, normalized as the daemon would with
// the default limits; keeps warnings until the outcome is known, because
// unusable input gets a single error line instead.
class ParsedItemPrinter final : public Sink {
 public:
  explicit ParsedItemPrinter(std::ostream& out) : out_(out) {}
  void Emit(Mention mention) override {
    NormalizeMention(mention, MentionLimits{});
    out_ << MentionToJson(mention) << "\n";
  }
  void Warn(std::string message) override { warnings_.push_back(std::move(message)); }
  void PrintWarnings(std::ostream& err) const {
    for (const auto& w : warnings_) err << "brandmonctl parse: warning: " << EscapeUnsafe(w) << "\n";
  }

 private:
  std::ostream& out_;
  std::vector<std::string> warnings_;
};

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

}  // namespace

namespace {

// A JSON API response mapped by an http_json preset: the same plugin a
// configured source would use, fed the file instead of a fetched body.
Status ParseJsonApi(const std::string& bytes, const std::string& preset, const std::string& base_url,
                    const std::string& content_type, Sink& sink, std::ostream& err) {
  const plugin::PluginInfo* info = plugin::BuiltinRegistry().Find("http_json");
  if (info == nullptr) return Status::Internal("the http_json plugin is not built in");
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("preset");
  w.String(preset);
  w.EndObject();
  auto source = config::ParseConfigText(buf.GetString(), "--preset");
  if (!source.ok()) return source.status();
  config::Diagnostics diag;
  config::ApplyContext ctx{diag};
  plugin::ConfiguredPlugin configured = info->configure(*source, "", ctx);
  if (!diag.ok()) {
    // Options a real source must set (a query, a token) do not matter for parsing a file.
    std::string fatal;
    for (const auto& e : diag.errors()) {
      if (e.find("missing required option") == std::string::npos) fatal += e + "\n";
    }
    if (!fatal.empty()) {
      err << "brandmonctl parse: preset '" << preset << "':\n" << fatal;
      return Status::InvalidArgument("bad preset");
    }
  }
  std::unique_ptr<plugin::Plugin> p = configured.make();
  auto* http = dynamic_cast<plugin::HttpPlugin*>(p.get());
  if (http == nullptr) return Status::Internal("http_json is not an HTTP plugin");
  HttpResponse response;
  response.status = 200;
  response.url = base_url;
  response.body = bytes;
  if (!content_type.empty()) response.headers.emplace_back("content-type", content_type);
  plugin::SourceState state;
  return http->Parse(response, sink, state);
}

// What `brandmonctl parse` was asked to read, and how.
struct ParseCommandArgs {
  feedparse::FeedParseOptions options;
  std::string path;
  std::string preset;
  bool json_api = false;
  std::string content_type;
};

// Reads the arguments (FEED_URL and FEED_CONTENT_TYPE stand in for the
// missing flags); false after printing the usage error.
bool ReadParseArgs(Invocation& inv, ParseCommandArgs& parsed) {
  bool have_base = false, have_type = false;
  const auto& args = inv.args;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) {
        inv.err << "brandmonctl parse: " << a << " needs a value\n";
        return false;
      }
      out = args[++i];
      return true;
    };
    if (a == "--format") {
      std::string name;
      if (!value(name)) return false;
      if (name == "json") {
        parsed.json_api = true;
        continue;
      }
      auto format = feedparse::FeedFormatFromName(name);
      if (!format) {
        inv.err << "brandmonctl parse: unknown format '" << name
                << "' (expected auto, rss, atom, rdf, jsonfeed or json)\n";
        return false;
      }
      parsed.options.format = *format;
    } else if (a == "--preset") {
      if (!value(parsed.preset)) return false;
      parsed.json_api = true;
    } else if (a == "--base-url") {
      if (!value(parsed.options.base_url)) return false;
      have_base = true;
    } else if (a == "--content-type") {
      if (!value(parsed.content_type)) return false;
      have_type = true;
    } else if (a == "-" || a.empty() || a[0] != '-') {
      if (!parsed.path.empty()) {
        inv.err << "brandmonctl parse: only one input allowed, got '" << parsed.path << "' and '" << a << "'\n";
        return false;
      }
      parsed.path = a;
    } else {
      inv.err << "brandmonctl parse: unknown argument '" << a << "'\n";
      return false;
    }
  }
  if (parsed.path.empty()) {
    inv.err << "brandmonctl parse: missing input (a FILE, or - for stdin)\n";
    return false;
  }
  if (!have_base) {
    if (const char* v = Env("FEED_URL")) parsed.options.base_url = v;
  }
  if (!have_type) {
    if (const char* v = Env("FEED_CONTENT_TYPE")) parsed.content_type = v;
  }
  parsed.options.charset = feedparse::CharsetFromContentType(parsed.content_type);

  if (parsed.json_api && parsed.preset.empty()) {
    inv.err << "brandmonctl parse: --format json needs --preset NAME (a file in conf/presets/, or a path)\n";
    return false;
  }
  return true;
}

}  // namespace

int RunParse(Invocation& inv) {
  ParseCommandArgs parsed;
  if (!ReadParseArgs(inv, parsed)) return 2;
  feedparse::FeedParseOptions& options = parsed.options;
  const std::string& path = parsed.path;
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      inv.err << "brandmonctl parse: cannot open '" << path << "'\n";
      return 1;
    }
  }
  std::istream& input = path == "-" ? inv.in : file;
  // Feeds are read in parts, so memory stays bounded whatever the input size.
  feedparse::ReadChunk read = [&input, &path](char* buf, size_t cap) -> Result<size_t> {
    input.read(buf, static_cast<std::streamsize>(cap));
    if (input.bad()) return Status::Unavailable("cannot read '" + path + "'");
    return static_cast<size_t>(input.gcount());
  };
  ParsedItemPrinter sink(inv.out);
  Status status;
  if (parsed.json_api) {
    std::string bytes(std::istreambuf_iterator<char>(input), std::istreambuf_iterator<char>{});
    status = ParseJsonApi(bytes, parsed.preset, options.base_url, parsed.content_type, sink, inv.err);
    if (status.code() == Status::Code::kInvalidArgument) return 2;
  } else {
    status = feedparse::ParseFeedStream(read, options, sink);
  }
  if (status.ok()) sink.PrintWarnings(inv.err);
  if (!status.ok()) {
    inv.err << "brandmonctl parse: " << (path == "-" ? "stdin" : path) << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace brandmon::cli
