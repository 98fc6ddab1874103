#include "daemon/query/export.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "daemon/base/safe_text.h"
#include "daemon/base/scored_mention.h"
#include "daemon/base/units.h"
#include "daemon/query/json.h"
#include "daemon/store/fields.h"

namespace brandmon::query {
namespace {

void AppendNumber(std::string& out, double value) {
  if (!std::isfinite(value)) return;
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec == std::errc()) out.append(buf, end);
}

// Whether a field must be quoted: it holds a comma, quote, CR or LF.
bool NeedsQuotes(std::string_view value) {
  for (char c : value) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
  }
  return false;
}

// One text field: quoted when it must be, quotes doubled; defused when it
// starts like a formula. Valid UTF-8, the usual case, is written without a
// copy.
void AppendText(std::string& out, std::string_view raw) {
  std::string repaired;
  std::string_view value = raw;
  if (!IsValidUtf8(raw)) value = repaired = ValidUtf8(raw);
  bool formula = !value.empty() && std::string_view("=+-@\t\r").find(value.front()) != std::string_view::npos;
  bool quoted = NeedsQuotes(value);
  if (quoted) out += '"';
  if (formula) out += '\'';
  if (!quoted) {
    out += value;
    return;
  }
  for (size_t start = 0;;) {
    size_t quote = value.find('"', start);
    out.append(value.substr(start, quote == std::string_view::npos ? quote : quote + 1 - start));
    if (quote == std::string_view::npos) break;
    out += '"';
    start = quote + 1;
  }
  out += '"';
}

constexpr size_t kBlockBytes = 256 * 1024;

}  // namespace

void AppendCsvRow(std::string& out, const MentionRow& row) {
  const ScoredMention& sm = row.stored.scored;
  const Mention& m = sm.mention;
  const Sentiment& s = sm.sentiment;
  AppendRfc3339(out, row.stored.stored_at);
  out += ',';
  if (m.published) AppendRfc3339(out, *m.published);
  for (std::string_view text :
       {std::string_view(sm.brand), std::string_view(m.channel), std::string_view(sm.lang), store::StoredLabel(s)}) {
    out += ',';
    AppendText(out, text);
  }
  out += ',';
  AppendNumber(out, s.compound);
  out += ',';
  if (s.target) AppendNumber(out, *s.target);
  for (double v : {s.pos, s.neu, s.neg, row.reach}) {
    out += ',';
    AppendNumber(out, v);
  }
  for (std::string_view text :
       {std::string_view(m.url), std::string_view(m.author), std::string_view(m.title), std::string_view(m.text)}) {
    out += ',';
    AppendText(out, text);
  }
  out += "\r\n";
}

std::optional<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "csv") return ExportFormat::kCsv;
  if (name == "jsonl") return ExportFormat::kJsonl;
  return std::nullopt;
}

Result<int64_t> ExportMentions(Reader& reader, const Filter& filter, const ExportOptions& options,
                               const std::function<bool(std::string_view block)>& write) {
  std::string block;
  if (options.bom) block += "\xEF\xBB\xBF";
  if (options.format == ExportFormat::kCsv) block += kCsvHeader;
  int64_t rows = 0;
  bool open = true;  // the reader still takes what is written
  MentionFields fields = options.format == ExportFormat::kCsv ? MentionFields::kCsv : MentionFields::kAll;
  Status s = reader.ForEachMention(
      filter,
      [&](const MentionRow& row) {
        if (options.limit >= 0 && rows >= options.limit) return false;
        if (options.format == ExportFormat::kCsv) {
          AppendCsvRow(block, row);
        } else {
          block += MentionJson(row);
          block += '\n';
        }
        ++rows;
        if (options.progress && rows % 1000 == 0) options.progress(rows);
        if (block.size() < kBlockBytes) return true;
        open = write(block);
        block.clear();
        return open;
      },
      fields);
  if (!s.ok()) return s;
  if (open && !block.empty()) write(block);
  return rows;
}

}  // namespace brandmon::query
