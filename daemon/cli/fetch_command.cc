#include <spdlog/spdlog.h>

#include <ostream>
#include <string>
#include <vector>

#include "daemon/base/safe_text.h"
#include "daemon/base/units.h"
#include "daemon/cli/command.h"
#include "daemon/fetch/fetcher.h"
#include "daemon/fetch/http_headers.h"
#include "daemon/scheduler/http_poll.h"
#include "daemon/scheduler/scheduler.h"
#include "daemon/settings/settings.h"

namespace brandmon::cli {
namespace {

// Prints mentions as JSON lines, normalized and stamped with the source's
// settings as the daemon would, and warnings on stderr as they come.
class FetchedItemPrinter final : public Sink {
 public:
  FetchedItemPrinter(std::ostream& out, std::ostream& err, const MentionLimits& limits,
                     const settings::SourceSettings& source)
      : out_(out), err_(err), limits_(limits), source_(source) {}
  void Emit(Mention mention) override {
    ++count;
    NormalizeMention(mention, limits_);
    scheduler::StampMention(source_, mention);
    out_ << MentionToJson(mention) << "\n";
  }
  void Warn(std::string message) override { err_ << "brandmonctl fetch: warning: " << EscapeUnsafe(message) << "\n"; }
  size_t count = 0;

 private:
  std::ostream& out_;
  std::ostream& err_;
  const MentionLimits& limits_;
  const settings::SourceSettings& source_;
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

// One poll, run through the scheduler's HttpPoll: the same pages,
// validators, rate-limit stop and failure classes as the daemon.
int FetchHttp(plugin::HttpPlugin& http, const settings::Settings& settings, const settings::SourceSettings& source,
              bool verbose, Invocation& inv) {
  plugin::SourceState state;
  FetchedItemPrinter sink(inv.out, inv.err, settings.limits, source);
  scheduler::HttpPoll poll(http, state, {}, source.plugin.address_rules, sink, SystemClock::Instance());
  while (true) {
    auto request = poll.NextRequest();
    if (!request.ok() || !request->has_value()) break;
    fetch::FetchRequest fr = std::move(**request);
    fr.trace = verbose;
    fetch::FetchResult result = fetch::FetchOnce(settings.fetch, std::move(fr));
    if (verbose) {
      inv.err << RedactTrace(result.trace, settings.redactor) << "* " << result.response.body.size()
              << " body bytes in " << FormatDuration(result.elapsed) << "\n";
      int code = result.response.status;
      if (result.status.ok() && (code < 200 || code >= 300) && code != 304 && !result.response.body.empty()) {
        inv.err << settings.redactor.Redact(result.response.body.substr(0, 2000)) << "\n";
      }
    }
    poll.OnResult(result);
  }
  if (verbose) {
    inv.err << "* " << poll.pages() << (poll.pages() == 1 ? " page, " : " pages, ") << sink.count << " mentions\n";
    if (poll.hold()) {
      inv.err << "* the server asks for no poll before "
              << FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(*poll.hold())) << "\n";
    }
  }
  if (!poll.status().ok()) {
    inv.err << "brandmonctl fetch: " << settings.redactor.Redact(poll.status().message()) << "\n";
    return 1;
  }
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
  auto settings = settings::LoadSettings(config_path, config::ProcessEnv(), plugin::BuiltinRegistry());
  if (!settings.ok()) {
    inv.err << "brandmonctl fetch: invalid config:\n" << settings.status().message();
    return 1;
  }
  const settings::SourceSettings* source = nullptr;
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
  plugin::PluginContext ctx{source->name, &SystemClock::Instance(), spdlog::default_logger(), settings->limits,
                            source->channel};
  if (Status s = p->Start(ctx); !s.ok()) {
    inv.err << "brandmonctl fetch: " << settings->redactor.Redact(s.message()) << "\n";
    return 1;
  }
  if (auto* http = dynamic_cast<plugin::HttpPlugin*>(p.get()))
    return FetchHttp(*http, *settings, *source, verbose, inv);
  auto* poll = dynamic_cast<plugin::PollPlugin*>(p.get());
  plugin::SourceState state;
  FetchedItemPrinter sink(inv.out, inv.err, settings->limits, *source);
  Status s = poll ? poll->Poll(sink, state) : Status::Internal("unknown plugin kind");
  if (!s.ok()) {
    inv.err << "brandmonctl fetch: " << settings->redactor.Redact(s.message()) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace brandmon::cli
