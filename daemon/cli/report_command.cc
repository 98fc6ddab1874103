// brandmonctl report: the dashboard's picture of brands over a range as one
// HTML page, Markdown or JSON, from the state database.

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <iostream>

#include "daemon/base/errno_text.h"
#include "daemon/cli/command.h"
#include "daemon/cli/state_database.h"
#include "daemon/query/filter.h"
#include "daemon/query/report_builder.h"
#include "daemon/report/render.h"

namespace brandmon::cli {
namespace {

constexpr const char* kReportUsage =
    "brandmonctl report [--brand B[,B...]] [--since T] [--until T] [--step D] [--channel C] [--lang L]\n"
    "                   [--format html|md|json] [--output FILE] [--config PATH | --database FILE]";

const ReadSideSpec& ReportSpec() {
  static const ReadSideSpec spec{"report",
                                 kReportUsage,
                                 {{"--brand", "brand"},
                                  {"--since", "since"},
                                  {"--until", "until"},
                                  {"--step", "step"},
                                  {"--channel", "channel"},
                                  {"--lang", "lang"}},
                                 {"html", "md", "json"},
                                 {"-f"},
                                 {},
                                 {}};
  return spec;
}

// A line on stderr naming the step under way, for a person watching a
// report that takes a while: only on a terminal, and only from a second on.
class Progress {
 public:
  explicit Progress(std::ostream& err) : err_(err), shown_(&err == &std::cerr && isatty(STDERR_FILENO)) {}
  ~Progress() {
    if (printed_) err_ << "\r\033[K" << std::flush;
  }
  void Step(std::string_view what) {
    if (!shown_ || std::chrono::steady_clock::now() - start_ < std::chrono::seconds(1)) return;
    err_ << "\r\033[Kreport: " << what << "..." << std::flush;
    printed_ = true;
  }

 private:
  std::ostream& err_;
  const bool shown_;
  bool printed_ = false;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::string Render(const report::ReportData& data, const std::string& format) {
  if (format == "md") return report::RenderMarkdown(data);
  if (format == "json") return report::RenderJson(data);
  return report::RenderHtml(data);
}

int Write(Invocation& inv, const ReadSideArgs& args, const std::string& text) {
  if (args.output.empty()) {
    inv.out << text << std::flush;
    if (inv.out.good()) return 0;
    inv.err << "brandmonctl report: cannot write stdout\n";
    return 1;
  }
  std::ofstream file(args.output, std::ios::binary | std::ios::trunc);
  if (!file) {
    inv.err << "brandmonctl report: cannot write " << args.output << ": " << ErrnoText(errno) << "\n";
    return 1;
  }
  file << text;
  file.close();
  if (!file) {
    inv.err << "brandmonctl report: cannot write " << args.output << ": " << ErrnoText(errno) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int RunReport(Invocation& inv) {
  ReadSideArgs args;
  if (!ParseReadSideArgs(inv.args, ReportSpec(), args, inv.err)) return 2;
  WallTime now = SystemClock::Instance().Now();
  auto filter = query::ParseFilter(args.params, now);
  if (!filter.ok()) {
    inv.err << "brandmonctl report: " << OptionError(filter.status().message()) << "\n";
    return 2;
  }
  Duration step = query::AutoStep(*filter);
  if (args.params.count("step") > 0) {
    auto parsed = query::ParseStep(args.params, *filter);
    if (!parsed.ok()) {
      inv.err << "brandmonctl report: " << OptionError(parsed.status().message()) << "\n";
      return 2;
    }
    step = *parsed;
  }
  auto db = FindStateDatabase(args.database, args.config_path);
  if (!db.ok()) {
    inv.err << "brandmonctl report: " << db.status().message() << "\n";
    return 1;
  }
  auto reader = OpenStateDatabase(*db);
  if (!reader.ok()) {
    inv.err << "brandmonctl report: " << reader.status().message() << "\n";
    return 1;
  }
  Progress progress(inv.err);
  auto data = query::BuildReport(*reader, *filter, step, now, {}, [&](std::string_view what) { progress.Step(what); });
  if (!data.ok()) {
    inv.err << "brandmonctl report: " << data.status().message() << "\n";
    return 1;
  }
  // A source's error may quote a URL that carries a secret of the config.
  for (report::SourceHealth& s : data->sources) s.last_error = db->redactor.Redact(s.last_error);
  progress.Step("rendering");
  std::string text = Render(*data, args.format);
  return Write(inv, args, text);
}

}  // namespace brandmon::cli
