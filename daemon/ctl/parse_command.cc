#include <cstdlib>
#include <fstream>
#include <istream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/ctl/command.h"
#include "daemon/feed/feed_parser.h"

namespace brandmon::ctl {
namespace {

// Prints each mention as one JSON line; keeps warnings until the outcome is
// known, because unusable input gets a single error line instead.
class PrintingSink final : public plugin::Sink {
 public:
  explicit PrintingSink(std::ostream& out) : out_(out) {}
  void Emit(Mention mention) override { out_ << MentionToJson(mention) << "\n"; }
  void Warn(std::string message) override { warnings_.push_back(std::move(message)); }
  void PrintWarnings(std::ostream& err) const {
    for (const auto& w : warnings_) err << "brandmonctl parse: warning: " << w << "\n";
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

int RunParse(Invocation& inv) {
  feed::FeedParseOptions options;
  std::string path;
  std::string content_type;
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
      if (!value(name)) return 2;
      if (name == "json") {
        inv.err << "brandmonctl parse: --format json (with --preset) is not available yet; use auto, rss, atom, "
                   "rdf or jsonfeed\n";
        return 2;
      }
      auto format = feed::FeedFormatFromName(name);
      if (!format) {
        inv.err << "brandmonctl parse: unknown format '" << name << "' (expected auto, rss, atom, rdf or jsonfeed)\n";
        return 2;
      }
      options.format = *format;
    } else if (a == "--preset") {
      inv.err << "brandmonctl parse: --preset is not available yet\n";
      return 2;
    } else if (a == "--base-url") {
      if (!value(options.base_url)) return 2;
      have_base = true;
    } else if (a == "--content-type") {
      if (!value(content_type)) return 2;
      have_type = true;
    } else if (a == "-" || a.empty() || a[0] != '-') {
      if (!path.empty()) {
        inv.err << "brandmonctl parse: only one input allowed, got '" << path << "' and '" << a << "'\n";
        return 2;
      }
      path = a;
    } else {
      inv.err << "brandmonctl parse: unknown argument '" << a << "'\n";
      return 2;
    }
  }
  if (path.empty()) {
    inv.err << "brandmonctl parse: missing input (a FILE, or - for stdin)\n";
    return 2;
  }
  if (!have_base) {
    if (const char* v = Env("FEED_URL")) options.base_url = v;
  }
  if (!have_type) {
    if (const char* v = Env("FEED_CONTENT_TYPE")) content_type = v;
  }
  options.charset = feed::CharsetFromContentType(content_type);

  std::string bytes;
  if (path == "-") {
    bytes.assign(std::istreambuf_iterator<char>(inv.in), std::istreambuf_iterator<char>());
  } else {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
      inv.err << "brandmonctl parse: cannot open '" << path << "'\n";
      return 1;
    }
    std::ostringstream ss;
    ss << file.rdbuf();
    bytes = std::move(ss).str();
  }
  PrintingSink sink(inv.out);
  Status status = feed::ParseFeed(bytes, options, sink);
  if (status.ok()) sink.PrintWarnings(inv.err);
  if (!status.ok()) {
    inv.err << "brandmonctl parse: " << (path == "-" ? "stdin" : path) << ": " << status.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace brandmon::ctl
