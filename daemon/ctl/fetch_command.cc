#include <spdlog/spdlog.h>

#include <ostream>
#include <string>
#include <vector>

#include "daemon/base/safe_text.h"
#include "daemon/base/units.h"
#include "daemon/ctl/command.h"
#include "daemon/engine/engine.h"
#include "daemon/engine/settings.h"
#include "daemon/fetch/fetcher.h"
#include "daemon/fetch/http_headers.h"

namespace brandmon::ctl {
namespace {

// Prints mentions as JSON lines, normalized as the daemon would, and
// warnings on stderr as they come.
class PrintingSink final : public plugin::Sink {
 public:
  PrintingSink(std::ostream& out, std::ostream& err, const MentionLimits& limits)
      : out_(out), err_(err), limits_(limits) {}
  void Emit(Mention mention) override {
    ++count;
    NormalizeMention(mention, limits_);
    out_ << MentionToJson(mention) << "\n";
  }
  void Warn(std::string message) override { err_ << "brandmonctl fetch: warning: " << EscapeUnsafe(message) << "\n"; }
  size_t count = 0;

 private:
  std::ostream& out_;
  std::ostream& err_;
  const MentionLimits& limits_;
};

// The exchange as curl recorded it, with credentials hidden: header values
// that are secrets by name, query strings, and every ${env:…}/${file:…}/
// ${credential:…} value of the config.
std::string RedactTrace(const std::string& trace, const config::Redactor& redactor) {
  std::string out;
  size_t start = 0;
  while (start < trace.size()) {
    size_t nl = trace.find('\n', start);
    if (nl == std::string::npos) nl = trace.size();
    std::string line = trace.substr(start, nl - start);
    size_t colon = line.find(':');
    if (line.size() > 2 && colon != std::string::npos && fetch::IsSecretHeader(line.substr(2, colon - 2))) {
      line = line.substr(0, colon) + ": <redacted>";
    } else if (line.rfind("> ", 0) == 0 && line.find(" HTTP/") != std::string::npos && line.find('?') != line.npos) {
      size_t q = line.find('?'), sp = line.find(" HTTP/");
      line = line.substr(0, q) + "?<query redacted>" + line.substr(sp);
    }
    out += redactor.Redact(line) + "\n";
    start = nl + 1;
  }
  return out;
}

int FetchHttp(plugin::HttpPlugin& http, const engine::Settings& settings, const engine::SourceSettings& source,
              bool verbose, Invocation& inv) {
  plugin::SourceState state;
  PrintingSink sink(inv.out, inv.err, settings.limits);
  const fetch::FetchOptions& options = settings.fetch;
  for (int page = 0; page < engine::Engine::kMaxPages; ++page) {
    auto request = http.NextRequest(state, page);
    if (!request.ok()) {
      inv.err << "brandmonctl fetch: " << settings.redactor.Redact(request.status().message()) << "\n";
      return 1;
    }
    if (!request->has_value()) break;
    fetch::FetchRequest fr;
    fr.http = std::move(**request);
    fr.trace = verbose;
    fr.rules = source.plugin.address_rules;
    fetch::FetchResult result = fetch::FetchOnce(options, std::move(fr));
    if (verbose) {
      inv.err << RedactTrace(result.trace, settings.redactor) << "* " << result.response.body.size()
              << " body bytes in " << FormatDuration(result.elapsed) << "\n";
    }
    if (!result.status.ok()) {
      inv.err << "brandmonctl fetch: " << settings.redactor.Redact(result.status.message()) << "\n";
      return 1;
    }
    int code = result.response.status;
    if (code < 200 || code >= 300) {
      inv.err << "brandmonctl fetch: http " << code << " from " << fetch::LoggableUrl(result.response.url) << "\n";
      if (verbose && !result.response.body.empty()) {
        inv.err << settings.redactor.Redact(result.response.body.substr(0, 2000)) << "\n";
      }
      return 1;
    }
    Status parsed = http.Parse(result.response, sink, state);
    if (!parsed.ok()) {
      inv.err << "brandmonctl fetch: " << settings.redactor.Redact(parsed.message()) << "\n";
      return 1;
    }
  }
  if (verbose) inv.err << "* " << sink.count << " mentions\n";
  return 0;
}

}  // namespace

int RunFetch(Invocation& inv) {
  std::string name, config_path = "/etc/brandmon/brandmon.json";
  bool verbose = false;
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& a = inv.args[i];
    if ((a == "--config" || a == "-c") && i + 1 < inv.args.size()) {
      config_path = inv.args[++i];
    } else if (a == "-v" || a == "--verbose") {
      verbose = true;
    } else if (!a.empty() && a[0] != '-' && name.empty()) {
      name = a;
    } else {
      inv.err << "brandmonctl fetch: unexpected argument '" << a << "'\n";
      return 2;
    }
  }
  if (name.empty()) {
    inv.err << "brandmonctl fetch: which source? usage: brandmonctl fetch SOURCE [--config PATH] [-v]\n";
    return 2;
  }
  auto settings = engine::LoadSettings(config_path, config::ProcessEnv(), plugin::BuiltinRegistry());
  if (!settings.ok()) {
    inv.err << "brandmonctl fetch: invalid config:\n" << settings.status().message();
    return 1;
  }
  const engine::SourceSettings* source = nullptr;
  for (const auto& s : settings->sources) {
    if (s.name == name) source = &s;
  }
  if (source == nullptr) {
    inv.err << "brandmonctl fetch: no source named \"" << name << "\" in " << config_path << "\n";
    return 1;
  }
  if (!source->plugin.make) {
    inv.err << "brandmonctl fetch: source type \"" << source->type << "\" is not available\n";
    return 1;
  }
  std::unique_ptr<plugin::Plugin> p = source->plugin.make();
  plugin::PluginContext ctx{source->name, &SystemClock::Instance(), spdlog::default_logger(), settings->limits};
  if (Status s = p->Start(ctx); !s.ok()) {
    inv.err << "brandmonctl fetch: " << settings->redactor.Redact(s.message()) << "\n";
    return 1;
  }
  if (auto* http = dynamic_cast<plugin::HttpPlugin*>(p.get()))
    return FetchHttp(*http, *settings, *source, verbose, inv);
  auto* poll = dynamic_cast<plugin::PollPlugin*>(p.get());
  plugin::SourceState state;
  PrintingSink sink(inv.out, inv.err, settings->limits);
  Status s = poll ? poll->Poll(sink, state) : Status::Internal("unknown plugin kind");
  if (!s.ok()) {
    inv.err << "brandmonctl fetch: " << settings->redactor.Redact(s.message()) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace brandmon::ctl
