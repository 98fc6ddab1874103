// brandmonctl export: the stored mentions of a filter as CSV or JSON Lines.

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>

#include "daemon/base/errno_text.h"
#include "daemon/cli/command.h"
#include "daemon/cli/state_database.h"
#include "daemon/query/export.h"
#include "daemon/query/filter.h"
#include "daemon/query/reader.h"

namespace brandmon::cli {
namespace {

constexpr const char* kExportUsage =
    "brandmonctl export [--brand B[,B...]] [--since T] [--until T] [--label L] [--channel C] [--lang L]\n"
    "                   [--q TEXT] [--format csv|jsonl] [--bom] [--output FILE] [--config PATH | --database FILE]";

const ReadSideSpec& ExportSpec() {
  static const ReadSideSpec spec{"export",
                                 kExportUsage,
                                 {{"--brand", "brand"},
                                  {"--since", "since"},
                                  {"--until", "until"},
                                  {"--label", "label"},
                                  {"--channel", "channel"},
                                  {"--lang", "lang"},
                                  {"--q", "q"},
                                  {"--min-reach", "min_reach"}},
                                 {"csv", "jsonl"},
                                 {},
                                 {"--bom"},
                                 {}};
  return spec;
}

int Export(Invocation& inv, const ReadSideArgs& args, query::Reader& reader, const query::Filter& filter) {
  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      inv.err << "brandmonctl export: cannot write " << args.output << ": " << ErrnoText(errno) << "\n";
      return 1;
    }
  }
  std::ostream& out = args.output.empty() ? inv.out : file;
  query::ExportOptions options;
  options.format = *query::ParseExportFormat(args.format);
  options.bom = args.Has("--bom");
  // Progress only for a person watching: never into a pipe or a log.
  if (&inv.err == &std::cerr && isatty(STDERR_FILENO)) {
    options.progress = [&](int64_t rows) { inv.err << "\rexported " << rows << " mentions" << std::flush; };
  }
  auto rows = query::ExportMentions(reader, filter, options, [&](std::string_view block) {
    out.write(block.data(), static_cast<std::streamsize>(block.size()));
    return out.good();
  });
  if (options.progress && rows.ok() && *rows >= 1000) inv.err << "\rexported " << *rows << " mentions\n";
  out.flush();
  if (!rows.ok()) {
    inv.err << "brandmonctl export: " << rows.status().message() << "\n";
    return 1;
  }
  if (!out.good()) {
    inv.err << "brandmonctl export: cannot write " << (args.output.empty() ? "stdout" : args.output) << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int RunExport(Invocation& inv) {
  ReadSideArgs args;
  if (!ParseReadSideArgs(inv.args, ExportSpec(), args, inv.err)) return 2;
  auto filter = query::ParseFilter(args.params, SystemClock::Instance().Now());
  if (!filter.ok()) {
    inv.err << "brandmonctl export: " << OptionError(filter.status().message()) << "\n";
    return 2;
  }
  auto db = FindStateDatabase(args.database, args.config_path);
  if (!db.ok()) {
    inv.err << "brandmonctl export: " << db.status().message() << "\n";
    return 1;
  }
  auto reader = OpenStateDatabase(*db);
  if (!reader.ok()) {
    inv.err << "brandmonctl export: " << reader.status().message() << "\n";
    return 1;
  }
  return Export(inv, args, *reader, *filter);
}

}  // namespace brandmon::cli
