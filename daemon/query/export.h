#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/query/reader.h"

namespace brandmon::query {

// The CSV of stored mentions that `brandmonctl export` and /api/v1/export
// write alike: RFC 4180, CRLF line ends, one row per mention with its
// scores. Strings are written as valid UTF-8; text from outside that a
// spreadsheet would run as a formula (starting with = + - @, tab or CR)
// gets a leading ' (OWASP's advice against CSV injection).

// The header line, CRLF included.
inline constexpr std::string_view kCsvHeader =
    "stored_at,published,brand,channel,lang,label,compound,target,pos,neu,neg,reach,url,author,title,text\r\n";

// Appends the row of `row`, CRLF included, to `out`.
void AppendCsvRow(std::string& out, const MentionRow& row);

// What an export writes: CSV (above) or JSON Lines (MentionJson per line).
enum class ExportFormat { kCsv, kJsonl };
// "csv" or "jsonl".
std::optional<ExportFormat> ParseExportFormat(std::string_view name);

struct ExportOptions {
  ExportFormat format = ExportFormat::kCsv;
  bool bom = false;    // a UTF-8 byte order mark first, for spreadsheet programs
  int64_t limit = -1;  // at most this many rows; -1: all
  // Called after every 1000 rows with the count so far.
  std::function<void(int64_t rows)> progress;
};

// Writes the mentions of `filter`, newest first, in `options.format` (the
// CSV with its header) in blocks of about 256 kB handed to `write`, so that
// memory stays constant whatever the count. Stops early when `write`
// returns false (the reader went away). Returns the rows written.
// Errors: those of the query.
Result<int64_t> ExportMentions(Reader& reader, const Filter& filter, const ExportOptions& options,
                               const std::function<bool(std::string_view block)>& write);

}  // namespace brandmon::query
