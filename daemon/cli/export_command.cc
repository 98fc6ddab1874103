// brandmonctl export: the stored mentions of a filter as CSV or JSON Lines.

#include <unistd.h>

#include <algorithm>
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

constexpr const char* kUsage =
    "brandmonctl export [--brand B[,B...]] [--since T] [--until T] [--label L] [--channel C] [--lang L]\n"
    "                   [--q TEXT] [--format csv|jsonl] [--bom] [--output FILE] [--config PATH | --database FILE]";

struct ExportArgs {
  query::Params params;
  std::string format = "csv";
  bool bom = false;
  std::string output;
  std::string config_path;
  std::string database;
};

// Returns false (after saying why on `err`) for a usage error.
bool ParseExportArgs(const std::vector<std::string>& args, ExportArgs& out, std::ostream& err) {
  static const std::vector<std::pair<std::string, std::string>> kFilterOptions = {
      {"--brand", "brand"},     {"--since", "since"}, {"--until", "until"}, {"--label", "label"},
      {"--channel", "channel"}, {"--lang", "lang"},   {"--q", "q"},         {"--min-reach", "min_reach"}};
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--bom") {
      out.bom = true;
      continue;
    }
    if (i + 1 >= args.size()) {
      err << "brandmonctl export: " << (a.starts_with("-") ? "'" + a + "' needs a value" : "unexpected '" + a + "'")
          << "\nusage: " << kUsage << "\n";
      return false;
    }
    const std::string& value = args[++i];
    auto filter =
        std::find_if(kFilterOptions.begin(), kFilterOptions.end(), [&](const auto& o) { return o.first == a; });
    if (filter != kFilterOptions.end()) {
      out.params.emplace(filter->second, value);
    } else if (a == "--format") {
      out.format = value;
    } else if (a == "--output" || a == "-o") {
      out.output = value;
    } else if (a == "--config" || a == "-c") {
      out.config_path = value;
    } else if (a == "--database") {
      out.database = value;
    } else {
      err << "brandmonctl export: unknown option '" << a << "'\nusage: " << kUsage << "\n";
      return false;
    }
  }
  if (!query::ParseExportFormat(out.format)) {
    err << "brandmonctl export: --format must be csv or jsonl, got '" << out.format << "'\n";
    return false;
  }
  return true;
}

int Export(Invocation& inv, const ExportArgs& args, query::Reader& reader, const query::Filter& filter) {
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
  options.bom = args.bom;
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
  ExportArgs args;
  if (!ParseExportArgs(inv.args, args, inv.err)) return 2;
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
