#include "daemon/http/dashboard.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "daemon/base/time_parse.h"
#include "daemon/query/report_builder.h"
#include "daemon/report/format.h"
#include "daemon/report/render.h"
#include "daemon/store/fields.h"

namespace brandmon::http {
namespace {

using query::Params;
using report::EscapeXml;

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kSearchRows = 20;
constexpr int64_t kExportRows = 1000;

struct Range {
  std::string_view value;
  std::string_view label;
};
constexpr Range kRanges[] = {{"24h", "24 hours"}, {"7d", "7 days"}, {"30d", "30 days"}, {"custom", "custom"}};

// What a request asks to see.
struct View {
  query::Filter filter;  // brands, since, until
  std::string range = "7d";
  bool live = true;  // until is now: the alerts update
  bool searched = false;
  std::string q;
  std::string since_text, until_text;  // custom: as typed
};

bool IsDate(std::string_view text) {
  return text.size() == 10 && text[4] == '-' && text[7] == '-' && ParseRfc3339(text).has_value();
}

// The custom range's since and until as the filter reads them; a date as
// "until" means the whole of that day.
Result<query::Filter> CustomRange(const Params& params, View& view, WallTime now) {
  Params times;
  auto since = query::Single(params, "since");
  if (!since.ok()) return since.status();
  view.since_text = since->value_or("");
  if (view.since_text.empty()) return Status::InvalidArgument("since: required with range=custom");
  times.emplace("since", view.since_text);
  auto until = query::Single(params, "until");
  if (!until.ok()) return until.status();
  view.until_text = until->value_or("");
  if (!view.until_text.empty()) times.emplace("until", view.until_text);
  auto filter = query::ParseFilter(times, now);
  if (!filter.ok()) return filter.status();
  if (IsDate(view.until_text)) filter->until_ms += kDayMs;
  view.live = view.until_text.empty();
  return filter;
}

Result<View> ParseView(const Params& params, WallTime now) {
  if (auto s = query::CheckKnown(params, {"brand", "range", "since", "until", "q"}); !s.ok()) return s;
  View view;
  auto range = query::Single(params, "range");
  if (!range.ok()) return range.status();
  view.range = range->value_or("7d");
  if (std::none_of(std::begin(kRanges), std::end(kRanges), [&](const Range& r) { return r.value == view.range; })) {
    return Status::InvalidArgument("range: must be 24h, 7d, 30d or custom, got '" + report::Shorten(view.range, 40) +
                                   "'");
  }
  Result<query::Filter> times =
      view.range == "custom" ? CustomRange(params, view, now) : query::ParseFilter({{"since", view.range}}, now);
  if (!times.ok()) return times.status();
  Params rest;
  for (const auto& [name, value] : params) {
    if (name == "brand" || name == "q") rest.emplace(name, value);
  }
  auto filter = query::ParseFilter(rest, now);
  if (!filter.ok()) return filter.status();
  view.filter = *times;
  view.filter.brands = std::move(filter->brands);
  view.q = filter->q;
  view.searched = params.count("q") > 0;
  return view;
}

// ---- Text for URLs, the shell and JSON -----------------------------------

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A word for a POSIX shell: bare when safe, else in single quotes (the
// script quotes the same way).
std::string ShellWord(std::string_view text) {
  bool bare = !text.empty() && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || std::string_view("_.,:@%+=/-").find(static_cast<char>(c)) != std::string_view::npos;
  });
  if (bare) return std::string(text);
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string JsonList(const std::vector<std::string>& values) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const std::string& v : values) {
    std::string clean = report::CleanText(v);
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  }
  w.EndArray();
  return std::string(buf.GetString(), buf.GetSize());
}

std::string Rfc3339(int64_t ms) { return report::FormatUtc(ms, report::UtcStyle::kRfc3339); }

// The API query of the page's brands and range, plus `extra`.
std::string ApiQuery(const report::ReportData& data, const View& view, const std::vector<std::string>& extra = {}) {
  std::string out;
  for (const std::string& b : data.brands) out += (out.empty() ? "brand=" : "&brand=") + UrlEncode(b);
  out += (out.empty() ? "since=" : "&since=") + UrlEncode(Rfc3339(data.since_ms));
  if (!view.live) out += "&until=" + UrlEncode(Rfc3339(data.until_ms));
  for (const std::string& e : extra) out += "&" + e;
  return out;
}

// ---- The page ------------------------------------------------------------

std::string Head(std::string_view title) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n<title>" +
         EscapeXml(title) +
         "</title>\n<link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\">\n"
         "<link rel=\"stylesheet\" href=\"/assets/dashboard.css\">\n"
         "<script src=\"/assets/dashboard.js\" defer></script>\n</head>\n";
}

std::string Checkbox(std::string_view name, std::string_view value, std::string_view label, bool checked,
                     std::string_view type = "checkbox") {
  return "<label><input type=\"" + std::string(type) + "\" name=\"" + std::string(name) + "\" value=\"" +
         EscapeXml(value) + "\"" + (checked ? " checked" : "") + "> " + EscapeXml(label) + "</label>\n";
}

std::string PickForm(const std::vector<std::string>& all_brands, const std::vector<std::string>& shown,
                     const View& view) {
  std::string out = "<form class=\"pick\" method=\"get\" action=\"/\">\n<fieldset><legend>Brands</legend>\n";
  for (const std::string& b : all_brands) {
    out += Checkbox("brand", b, b, std::find(shown.begin(), shown.end(), b) != shown.end());
  }
  if (all_brands.empty()) out += "<span>No brand has mentions yet.</span>\n";
  out += "</fieldset>\n<fieldset><legend>Range</legend>\n";
  for (const Range& r : kRanges) out += Checkbox("range", r.value, r.label, r.value == view.range, "radio");
  bool custom = view.range == "custom";
  out += "<label>From <input type=\"date\" name=\"since\" value=\"" +
         EscapeXml(custom && IsDate(view.since_text) ? view.since_text : "") +
         "\"></label>\n<label>To <input type=\"date\" name=\"until\" value=\"" +
         EscapeXml(custom && IsDate(view.until_text) ? view.until_text : "") + "\"></label>\n";
  return out + "</fieldset>\n<button type=\"submit\">Show</button>\n</form>\n";
}

std::string Hidden(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + EscapeXml(value) + "\">";
}

std::string ResultItem(const query::MentionRow& row) {
  const ScoredMention& sm = row.stored.scored;
  const Mention& m = sm.mention;
  std::string title = m.title.empty() ? report::Shorten(m.text, 80) : report::Shorten(m.title, 200);
  if (title.empty()) title = "(untitled)";
  std::string head =
      report::IsWebUrl(m.url)
          ? "<a href=\"" + EscapeXml(m.url) + "\" rel=\"nofollow noopener noreferrer\">" + EscapeXml(title) + "</a>"
          : EscapeXml(title);
  std::string label =
      report::FormatLabel(store::StoredLabel(sm.sentiment), sm.sentiment.target.value_or(sm.sentiment.compound));
  std::string out = "<li>\n<div class=\"title\">" + head + "</div>\n<div class=\"meta\">" + EscapeXml(sm.brand) +
                    " · " + EscapeXml(m.channel) + " · " + EscapeXml(sm.lang) + " · " + EscapeXml(label) + " · " +
                    report::FormatUtc(ToUnixMillis(row.stored.stored_at), report::UtcStyle::kDateTime) + "</div>\n";
  if (!m.text.empty() && !m.title.empty())
    out += "<p class=\"text\">" + EscapeXml(report::Shorten(m.text, 300)) + "</p>\n";
  return out + "</li>\n";
}

// The results of a search made without script (the script fills the same
// list in place).
Result<std::string> Results(query::Reader& reader, const report::ReportData& data, const View& view) {
  if (!view.searched) return std::string();
  query::Filter filter = view.filter;
  filter.since_ms = data.since_ms;
  filter.brands = data.brands;
  filter.q = view.q;
  auto page = reader.Mentions(filter, {"", kSearchRows});
  if (!page.ok()) return page.status();
  size_t n = page->mentions.size();
  std::string count = n == 0                                  ? "No mentions found"
                      : n == static_cast<size_t>(kSearchRows) ? "The 20 newest"
                                                              : std::to_string(n) + (n == 1 ? " mention" : " mentions");
  std::string out = "<p class=\"meta\">" + EscapeXml(count + (view.q.empty() ? "" : " matching “" + view.q + "”")) +
                    ".</p>\n<ol class=\"results\">\n";
  for (const query::MentionRow& row : page->mentions) out += ResultItem(row);
  return out + "</ol>\n";
}

std::string ExportCommand(const report::ReportData& data, const View& view) {
  std::string cmd = "brandmonctl export";
  for (const std::string& b : data.brands) cmd += " --brand " + ShellWord(b);
  cmd += " --since " + Rfc3339(data.since_ms);
  if (!view.live) cmd += " --until " + Rfc3339(data.until_ms);
  if (!view.q.empty()) cmd += " --q " + ShellWord(view.q);
  return cmd + " --format csv --output mentions.csv";
}

std::string ReportCommand(const report::ReportData& data, const View& view) {
  std::string cmd = "brandmonctl report";
  std::string brands;
  for (const std::string& b : data.brands) brands += (brands.empty() ? "" : ",") + b;
  if (!brands.empty()) cmd += " --brand " + ShellWord(brands);
  cmd += " --since " + Rfc3339(data.since_ms);
  if (!view.live) cmd += " --until " + Rfc3339(data.until_ms);
  return cmd + " --output report.html";
}

Result<std::string> SearchSection(query::Reader& reader, const report::ReportData& data, const View& view) {
  auto results = Results(reader, data, view);
  if (!results.ok()) return results.status();
  std::string hidden;
  for (const std::string& b : data.brands) hidden += Hidden("brand", b);
  hidden += Hidden("range", view.range);
  if (view.range == "custom") hidden += Hidden("since", view.since_text) + Hidden("until", view.until_text);
  std::string q = view.q.empty() ? "" : "q=" + UrlEncode(view.q);
  return "<section id=\"search\">\n<h2>Search mentions</h2>\n"
         "<form id=\"search-form\" class=\"search\" method=\"get\" action=\"/#search\">" +
         hidden + "<input type=\"search\" name=\"q\" value=\"" + EscapeXml(view.q) +
         "\" maxlength=\"1000\" placeholder=\"words, each required\" aria-label=\"Words the mentions hold\">"
         "<button type=\"submit\">Search</button></form>\n<div id=\"results\" aria-live=\"polite\">\n" +
         *results + "</div>\n<p class=\"meta\"><a id=\"export-csv\" class=\"button\" download href=\"/api/v1/export?" +
         EscapeXml(ApiQuery(data, view, q.empty() ? std::vector<std::string>{} : std::vector<std::string>{q})) +
         "\">Export CSV</a> of the mentions found (up to 1,000,000 rows; the same rows as <code "
         "id=\"export-command\">" +
         EscapeXml(ExportCommand(data, view)) + "</code>), or <a id=\"export\" href=\"/api/v1/mentions?" +
         EscapeXml(ApiQuery(data, view, {q.empty() ? "limit=1000" : q + "&limit=" + std::to_string(kExportRows)})) +
         "\">the first 1,000 as JSON</a>.</p>\n</section>\n";
}

std::string Body(const report::ReportData& data, const View& view, const std::vector<std::string>& all_brands,
                 const std::string& search) {
  std::string range = report::FormatUtc(data.since_ms, report::UtcStyle::kDateTime) + " to " +
                      (view.live ? std::string("now") : report::FormatUtc(data.until_ms, report::UtcStyle::kDateTime)) +
                      ", per " + report::FormatStep(data.step_ms);
  return "<body data-brands=\"" + EscapeXml(JsonList(data.brands)) + "\" data-since=\"" + Rfc3339(data.since_ms) +
         "\" data-until=\"" + (view.live ? "" : Rfc3339(data.until_ms)) + "\">\n<header>\n<h1>" +
         EscapeXml(report::HtmlHeading(data)) + "</h1>\n<p class=\"meta\">" + EscapeXml(range) + "</p>\n" +
         PickForm(all_brands, data.brands, view) + "</header>\n<main>\n" + report::HtmlSections(data) + search +
         "</main>\n<footer>\n<p>All times are in UTC. Generated by brandmon at " +
         report::FormatUtc(data.generated_ms, report::UtcStyle::kDateTime) + "; the same page for a file: <code>" +
         EscapeXml(ReportCommand(data, view)) + "</code>.</p>\n</footer>\n</body>\n</html>\n";
}

}  // namespace

Reply DashboardError(int status, std::string_view message) {
  std::string title = status == 400 ? "Bad request" : "Dashboard unavailable";
  return {status, "text/html; charset=utf-8",
          Head("brandmon: " + title) + "<body>\n<header>\n<h1>" + title +
              "</h1>\n</header>\n<main>\n<p class=\"error\">" + EscapeXml(message) +
              "</p>\n<p><a href=\"/\">The dashboard of the last 7 days</a></p>\n</main>\n</body>\n"
              "</html>\n"};
}

Reply DashboardPage(query::Reader& reader, const query::Params& params, WallTime now,
                    const config::Redactor& redactor) {
  auto view = ParseView(params, now);
  if (!view.ok()) return DashboardError(400, view.status().message());
  auto data = query::BuildReport(reader, view->filter, query::AutoStep(view->filter), now);
  if (!data.ok()) return DashboardError(500, data.status().message());
  for (report::SourceHealth& s : data->sources) s.last_error = redactor.Redact(s.last_error);
  auto brands = reader.Brands();
  if (!brands.ok()) return DashboardError(500, brands.status().message());
  for (const std::string& b : data->brands) {
    if (std::find(brands->begin(), brands->end(), b) == brands->end()) brands->push_back(b);
  }
  auto search = SearchSection(reader, *data, *view);
  if (!search.ok()) return DashboardError(500, search.status().message());
  return {200, "text/html; charset=utf-8",
          Head("brandmon: " + report::HtmlHeading(*data)) + Body(*data, *view, *brands, *search)};
}

}  // namespace brandmon::http
