#include "daemon/report/render.h"

#include <string>
#include <string_view>

#include "daemon/report/format.h"

namespace brandmon::report {
namespace {

// Remote text as inert Markdown: the characters that start emphasis, code,
// links, tables, headings or strikethrough are backslash-escaped; <, > and &
// become entities, which both CommonMark and Slack decode to the character.
std::string Md(std::string_view text) {
  std::string clean = CleanText(text);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (char c : clean) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '[':
      case ']':
      case '|':
      case '~':
      case '#':
      case '!':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  return out;
}

// A link for http and https URLs, with the characters that could end the
// destination or a table cell percent-encoded; anything else as text.
std::string MdLink(std::string_view url, std::string_view text) {
  if (!IsWebUrl(url)) return Md(text);
  std::string dest;
  for (char c : url) {
    switch (c) {
      case '(': dest += "%28"; break;
      case ')': dest += "%29"; break;
      case '|': dest += "%7C"; break;
      default: dest += c;
    }
  }
  return "[" + Md(text) + "](" + dest + ")";
}

std::string MdRow(std::string_view name, double mentions, double pct_negative, double compound, double reach) {
  return "| " + std::string(name) + " | " + FormatCount(mentions) + " | " +
         FormatFixed(Clamp(pct_negative, 0, 100), 1) + "% | " + FormatSigned(Clamp(compound, -1, 1)) + " | " +
         FormatShort(NonNegative(reach)) + " |\n";
}

std::string MdHeader(const ReportData& data) {
  std::string brands;
  for (const std::string& b : data.brands) brands += (brands.empty() ? "" : ", ") + Md(b);
  if (brands.empty()) brands = "no brands";
  return "# Brand report: " + brands + "\n\n" + FormatUtc(data.since_ms, UtcStyle::kDateTime) + " to " +
         FormatUtc(data.until_ms, UtcStyle::kDateTime) + ", per " +
         (data.step_ms > 0 ? FormatStep(data.step_ms) : "bucket") + " · generated " +
         FormatUtc(data.generated_ms, UtcStyle::kDateTime) + "\n\n";
}

std::string MdFigures(const ReportData& data) {
  Kpis k = Summarize(data);
  std::string out = "| Brand | Mentions | Negative | Mean sentiment | Reach |\n|---|---:|---:|---:|---:|\n" +
                    MdRow("**All**", k.mentions, k.pct_negative, k.mean_compound, k.reach);
  for (const BrandSeries& s : data.series) {
    out += MdRow(Md(s.brand), NonNegative(static_cast<double>(s.total)), s.pct_negative, s.mean_compound, s.reach);
  }
  return out + "\n";
}

std::string MdCountTable(std::string_view heading, std::string_view column, const std::vector<Count>& counts) {
  std::string out = "## " + std::string(heading) + "\n\n";
  if (counts.empty()) return out + "None in this range.\n\n";
  out += "| " + std::string(column) + " | Mentions |\n|---|---:|\n";
  for (const Count& c : counts) {
    out += "| " + Md(c.key) + " | " + FormatCount(NonNegative(static_cast<double>(c.mentions))) + " |\n";
  }
  return out + "\n";
}

std::string MdTopMentions(const ReportData& data) {
  std::string out = "## Top mentions by reach\n\n";
  if (data.top.empty()) return out + "No mentions in this range.\n\n";
  int n = 0;
  for (const TopMention& m : data.top) {
    // Untitled posts (a toot, a comment) lead with their text instead.
    std::string title = m.title.empty() ? Shorten(m.text, 80) : Shorten(m.title, 200);
    bool text_in_title = m.title.empty() && title == CleanText(m.text);
    if (title.empty()) title = "(untitled)";
    out += std::to_string(++n) + ". " + MdLink(m.url, title) + " — " + Md(m.brand) + " · " + Md(m.channel) + " · " +
           Md(m.lang) + " · " + Md(FormatLabel(m.label, m.compound)) + " · reach " + FormatShort(NonNegative(m.reach)) +
           " · " + FormatUtc(m.published_ms, UtcStyle::kDateTime);
    if (!m.author.empty()) out += " · by " + Md(Shorten(m.author, 60));
    out += "\n";
    if (!m.url.empty() && !IsWebUrl(m.url)) out += "   Link not shown: " + Md(Shorten(m.url, 200)) + "\n";
    if (!m.text.empty() && !text_in_title) out += "   > " + Md(Shorten(m.text, 300)) + "\n";
  }
  return out + "\n";
}

std::string MdAlerts(const ReportData& data) {
  std::string out = "## Latest alerts\n\n";
  if (data.alerts.empty()) return out + "No alerts in this range.\n\n";
  out += "| Time (UTC) | Brand | Rule | Severity | Summary |\n|---|---|---|---|---|\n";
  for (const AlertRow& a : data.alerts) {
    out += "| " + FormatUtc(a.ts_ms, UtcStyle::kDateTime) + " | " + Md(a.brand) + " | " + Md(a.rule) + " | " +
           Md(a.severity) + " | " + Md(Shorten(a.summary, 300)) + " |\n";
  }
  return out + "\n";
}

std::string MdTerms(const ReportData& data) {
  std::string out = "## Emerging terms\n\n";
  if (data.emerging_terms.empty()) return out + "None in this range.\n\n";
  std::string list;
  for (const std::string& t : data.emerging_terms) list += (list.empty() ? "" : ", ") + Md(Shorten(t, 60));
  return out + list + "\n\n";
}

std::string MdSources(const ReportData& data) {
  std::string out = "## Sources\n\n";
  if (data.sources.empty()) return out + "No source has polled yet.\n\n";
  out += "| Source | Status | Last success (UTC) | Last error |\n|---|---|---|---|\n";
  for (int failing = 1; failing >= 0; --failing) {
    for (const SourceHealth& h : data.sources) {
      if ((h.failures > 0) != (failing == 1)) continue;
      std::string error = h.last_error_ms > 0 ? FormatUtc(h.last_error_ms, UtcStyle::kDateTime) + ": " : "";
      error = h.last_error.empty() ? "" : error + Md(Shorten(h.last_error, 200));
      out += "| " + Md(h.name) + " | " +
             (h.failures > 0 ? "failing (" + std::to_string(h.failures) + " in a row)" : std::string("ok")) + " | " +
             (h.last_success_ms > 0 ? FormatUtc(h.last_success_ms, UtcStyle::kDateTime) : std::string("never")) +
             " | " + error + " |\n";
    }
  }
  return out + "\n";
}

}  // namespace

std::string RenderMarkdown(const ReportData& data) {
  return MdHeader(data) + MdFigures(data) + MdCountTable("Channels", "Channel", data.channels) +
         MdCountTable("Languages", "Language", data.languages) + MdTopMentions(data) + MdAlerts(data) + MdTerms(data) +
         MdSources(data) + "All times are in UTC.\n";
}

}  // namespace brandmon::report
