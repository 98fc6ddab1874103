// brandmonctl export: the stored mentions of a filter as CSV or JSON Lines.

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iostream>

#include "daemon/base/errno_text.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/units.h"
#include "daemon/cli/command.h"
#include "daemon/cli/state_database.h"
#include "daemon/query/filter.h"
#include "daemon/query/json.h"
#include "daemon/query/reader.h"

namespace brandmon::cli {
namespace {

constexpr const char* kUsage =
    "brandmonctl export [--brand B[,B...]] [--since T] [--until T] [--label L] [--channel C] [--lang L]\n"
    "                   [--q TEXT] [--format csv|jsonl] [--bom] [--output FILE] [--config PATH | --database FILE]";

const ReadSideSpec& ExportSpec() {
  static const ReadSideSpec spec{"export",
                                 kUsage,
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
                                 {"--bom"}};
  return spec;
}

std::string Number(double value) {
  if (!std::isfinite(value)) return "";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string();
}

// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF,
// quotes doubled. Text from outside that a spreadsheet would run as a
// formula (starting with = + - @, tab or CR) gets a leading ' (OWASP's
// advice against CSV injection); numbers are written by us and kept as they are.
void CsvField(std::ostream& out, std::string_view raw, bool text) {
  std::string value = text ? ValidUtf8(raw) : std::string(raw);
  bool formula = text && !value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
  // The ' is written apart: gcc 12 sees a false overlap in string::insert.
  bool quoted = value.find_first_of(",\"\r\n") != std::string::npos;
  if (!quoted) {
    if (formula) out << '\'';
    out << value;
    return;
  }
  out << (formula ? "\"'" : "\"");
  for (char c : value) {
    if (c == '"') out << '"';
    out << c;
  }
  out << '"';
}

constexpr const char* kCsvHeader =
    "stored_at,published,brand,channel,lang,label,compound,target,pos,neu,neg,reach,url,author,title,text\r\n";

void CsvRow(std::ostream& out, const query::MentionRow& row) {
  const ScoredMention& sm = row.stored.scored;
  const Mention& m = sm.mention;
  const Sentiment& s = sm.sentiment;
  const std::pair<std::string, bool> fields[] = {
      {FormatRfc3339(row.stored.stored_at), false},
      {m.published ? FormatRfc3339(*m.published) : "", false},
      {sm.brand, true},
      {m.channel, true},
      {sm.lang, true},
      {s.label, true},
      {Number(s.compound), false},
      {s.target ? Number(*s.target) : "", false},
      {Number(s.pos), false},
      {Number(s.neu), false},
      {Number(s.neg), false},
      {Number(row.reach), false},
      {m.url, true},
      {m.author, true},
      {m.title, true},
      {m.text, true},
  };
  bool first = true;
  for (const auto& [value, text] : fields) {
    if (!first) out << ',';
    first = false;
    CsvField(out, value, text);
  }
  out << "\r\n";
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
  bool csv = args.format == "csv";
  if (args.Has("--bom")) out << "\xEF\xBB\xBF";
  if (csv) out << kCsvHeader;
  // Progress only for a person watching: never into a pipe or a log.
  bool progress = &inv.err == &std::cerr && isatty(STDERR_FILENO);
  int64_t rows = 0;
  Status s = reader.ForEachMention(filter, [&](const query::MentionRow& row) {
    if (csv) {
      CsvRow(out, row);
    } else {
      out << query::MentionJson(row) << '\n';
    }
    ++rows;
    if (progress && rows % 1000 == 0) inv.err << "\rexported " << rows << " mentions" << std::flush;
    return out.good();
  });
  if (progress && rows >= 1000) inv.err << "\rexported " << rows << " mentions\n";
  out.flush();
  if (!s.ok()) {
    inv.err << "brandmonctl export: " << s.message() << "\n";
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
