#include "daemon/report/render.h"

#include <string>
#include <string_view>

#include "daemon/report/format.h"
#include "daemon/report/svg_charts.h"

namespace brandmon::report {
namespace {

// Charts side by side from 620 px, one per row below; each chart at most
// 640 px wide so its text never grows past print size.
constexpr std::string_view kCss = R"(
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#222;background:#fff}
header,main,footer{max-width:980px;margin:0 auto;padding:10px 14px}
h1{font-size:1.4em;margin:.2em 0;overflow-wrap:anywhere}
h2{font-size:1.15em;margin:1.4em 0 .5em;padding-bottom:.2em;border-bottom:1px solid #ddd;overflow-wrap:anywhere}
.meta{color:#555;margin:.15em 0;overflow-wrap:anywhere}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px;margin:.6em 0}
.kpi{border:1px solid #ccc;border-radius:6px;padding:6px 10px}
.kpi b{display:block;font-size:1.5em;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px}
figure{margin:0}
svg.chart{display:block;width:100%;height:auto;max-width:640px}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #e4e4e4;vertical-align:top}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
ol.top{padding-left:1.4em}
ol.top li{margin:0 0 .8em}
.title{font-weight:600;overflow-wrap:anywhere}
.text{margin:.2em 0;overflow-wrap:anywhere}
.url{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
a{color:#0050a0;overflow-wrap:anywhere}
ul.terms{display:flex;flex-wrap:wrap;gap:6px;list-style:none;padding:0}
ul.terms li{border:1px solid #bbb;border-radius:12px;padding:1px 9px}
footer{color:#555;font-size:.9em;border-top:1px solid #ddd;margin-top:1.5em}
@media print{
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-size:10.5pt}
header,main,footer{max-width:none;padding:0 0 6px}
h2{break-after:avoid}
section.brand,figure,tr,ol.top li,.kpi{break-inside:avoid}
.charts{grid-template-columns:1fr 1fr}
a{color:#000}
a[href]::after{content:" <" attr(href) ">";font-size:.85em;color:#444}
}
)";

// A strict policy on top of the escaping: no script, style only inline, and
// nothing fetched (images, fonts, frames) or submitted.
constexpr std::string_view kPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'";

std::string Esc(std::string_view text) { return EscapeXml(text); }

std::string JoinBrands(const ReportData& data) {
  std::string out;
  for (const std::string& b : data.brands) out += (out.empty() ? "" : ", ") + b;
  return out.empty() ? "no brands" : out;
}

std::string Link(std::string_view url, std::string_view text) {
  if (!IsWebUrl(url)) return Esc(text);
  return "<a href=\"" + Esc(url) + "\" rel=\"nofollow noopener noreferrer\">" + Esc(text) + "</a>";
}

std::string Head(const ReportData& data) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"" +
         std::string(kPolicy) + "\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>" +
         Esc(HtmlHeading(data)) + "</title>\n<style>" + std::string(kCss) + "</style>\n</head>\n";
}

std::string Header(const ReportData& data) {
  return "<header>\n<h1>" + Esc(HtmlHeading(data)) + "</h1>\n<p class=\"meta\">" +
         Esc(FormatUtc(data.since_ms, UtcStyle::kDateTime)) + " to " +
         Esc(FormatUtc(data.until_ms, UtcStyle::kDateTime)) + ", per " +
         Esc(data.step_ms > 0 ? FormatStep(data.step_ms) : "bucket") + "</p>\n<p class=\"meta\">Generated " +
         Esc(FormatUtc(data.generated_ms, UtcStyle::kDateTime)) + "</p>\n</header>\n";
}

std::string Tile(std::string_view name, const std::string& value) {
  return "<div class=\"kpi\">" + std::string(name) + "<b>" + Esc(value) + "</b></div>";
}

// A tile is 140 px on a phone: counts of a million and more go short ("1.2M").
std::string KpiTiles(const ReportData& data) {
  Kpis k = Summarize(data);
  return "<section id=\"kpis\" aria-label=\"Key figures\">\n<div class=\"kpis\">" +
         Tile("Mentions", k.mentions < 1e6 ? FormatCount(k.mentions) : FormatShort(k.mentions)) +
         Tile("Negative", FormatFixed(k.pct_negative, 1) + "%") +
         Tile("Mean sentiment", FormatSigned(k.mean_compound)) + Tile("Reach", FormatShort(k.reach)) +
         "</div>\n</section>\n";
}

std::string BrandSection(const BrandSeries& s, const TimeRange& range) {
  double total = s.total > 0 ? static_cast<double>(s.total) : 0;
  return "<section class=\"brand\">\n<h2>" + Esc(s.brand) + "</h2>\n<p class=\"meta\">" + FormatCount(total) +
         " mentions, " + FormatFixed(Clamp(s.pct_negative, 0, 100), 1) + "% negative, mean sentiment " +
         FormatSigned(Clamp(s.mean_compound, -1, 1)) + ", reach " + FormatShort(NonNegative(s.reach)) +
         "</p>\n<div class=\"charts\">\n<figure>" + VolumeChart(s, range) + "</figure>\n<figure>" +
         SentimentChart(s, range) + "</figure>\n</div>\n</section>\n";
}

std::string Charts(const ReportData& data) {
  TimeRange range{data.since_ms, data.until_ms, data.step_ms};
  std::string out = "<section id=\"share\">\n<h2>Share of voice</h2>\n<figure>" + ShareOfVoiceChart(data.series) +
                    "</figure>\n</section>\n";
  for (const BrandSeries& s : data.series) out += BrandSection(s, range);
  out += "<section id=\"channels\">\n<h2>Channels and languages</h2>\n<div class=\"charts\">\n<figure>" +
         BarListChart("Channels", data.channels) + "</figure>\n<figure>" + BarListChart("Languages", data.languages) +
         "</figure>\n</div>\n</section>\n";
  return out;
}

std::string Mention(const TopMention& m) {
  // Untitled posts (a toot, a comment) lead with their text instead.
  std::string title = m.title.empty() ? Shorten(m.text, 80) : Shorten(m.title, 200);
  bool text_in_title = m.title.empty() && title == CleanText(m.text);
  if (title.empty()) title = "(untitled)";
  std::string out = "<li>\n<div class=\"title\">" + Link(m.url, title) + "</div>\n<div class=\"meta\">" + Esc(m.brand) +
                    " · " + Esc(m.channel) + " · " + Esc(m.lang) + " · " + Esc(FormatLabel(m.label, m.compound)) +
                    " · reach " + FormatShort(NonNegative(m.reach)) + " · " +
                    Esc(FormatUtc(m.published_ms, UtcStyle::kDateTime));
  if (!m.author.empty()) out += " · by " + Esc(Shorten(m.author, 60));
  out += "</div>\n";
  if (!m.url.empty() && !IsWebUrl(m.url)) {
    out += "<div class=\"meta\">Link not shown: <span class=\"url\">" + Esc(Shorten(m.url, 200)) + "</span></div>\n";
  }
  if (!m.text.empty() && !text_in_title) out += "<p class=\"text\">" + Esc(Shorten(m.text, 300)) + "</p>\n";
  return out + "</li>\n";
}

std::string TopMentions(const ReportData& data) {
  std::string out = "<section id=\"top\">\n<h2>Top mentions by reach</h2>\n";
  if (data.top.empty()) return out + "<p>No mentions in this range.</p>\n</section>\n";
  out += "<ol class=\"top\">\n";
  for (const TopMention& m : data.top) out += Mention(m);
  return out + "</ol>\n</section>\n";
}

std::string Alerts(const ReportData& data) {
  std::string out = "<section id=\"alerts\">\n<h2>Latest alerts</h2>\n";
  if (data.alerts.empty()) return out + "<p>No alerts in this range.</p>\n</section>\n";
  out +=
      "<div class=\"wrap\"><table>\n<thead><tr><th>Time (UTC)</th><th>Brand</th><th>Rule</th><th>Severity</th>"
      "<th>Summary</th></tr></thead>\n<tbody>\n";
  for (const AlertRow& a : data.alerts) {
    out += "<tr><td class=\"num\">" + Esc(FormatUtc(a.ts_ms, UtcStyle::kDateTime)) + "</td><td>" + Esc(a.brand) +
           "</td><td>" + Esc(a.rule) + "</td><td>" + Esc(a.severity) + "</td><td>" + Esc(Shorten(a.summary, 300)) +
           "</td></tr>\n";
  }
  return out + "</tbody>\n</table></div>\n</section>\n";
}

std::string Terms(const ReportData& data) {
  std::string out = "<section id=\"terms\">\n<h2>Emerging terms</h2>\n";
  if (data.emerging_terms.empty()) return out + "<p>None in this range.</p>\n</section>\n";
  out += "<ul class=\"terms\">";
  for (const std::string& t : data.emerging_terms) out += "<li>" + Esc(Shorten(t, 60)) + "</li>";
  return out + "</ul>\n</section>\n";
}

// Failing sources first: they are why a channel went quiet.
std::string Sources(const ReportData& data) {
  std::string out = "<section id=\"sources\">\n<h2>Sources</h2>\n";
  if (data.sources.empty()) return out + "<p>No source has polled yet.</p>\n</section>\n";
  out +=
      "<div class=\"wrap\"><table>\n<thead><tr><th>Source</th><th>Status</th><th>Last success (UTC)</th>"
      "<th>Last error</th></tr></thead>\n<tbody>\n";
  for (int failing = 1; failing >= 0; --failing) {
    for (const SourceHealth& h : data.sources) {
      if ((h.failures > 0) != (failing == 1)) continue;
      std::string status = h.failures > 0 ? "failing (" + std::to_string(h.failures) + " in a row)" : "ok";
      std::string success = h.last_success_ms > 0 ? FormatUtc(h.last_success_ms, UtcStyle::kDateTime) : "never";
      std::string error = h.last_error_ms > 0 ? FormatUtc(h.last_error_ms, UtcStyle::kDateTime) + ": " : "";
      out += "<tr><td>" + Esc(h.name) + "</td><td>" + Esc(status) + "</td><td>" + Esc(success) + "</td><td>" +
             (h.last_error.empty() ? "" : Esc(error + Shorten(h.last_error, 200))) + "</td></tr>\n";
    }
  }
  return out + "</tbody>\n</table></div>\n</section>\n";
}

}  // namespace

std::string_view HtmlStyle() { return kCss; }

std::string HtmlHeading(const ReportData& data) { return "Brand report: " + JoinBrands(data); }

std::string HtmlSections(const ReportData& data) {
  return KpiTiles(data) + Charts(data) + TopMentions(data) + Alerts(data) + Terms(data) + Sources(data);
}

std::string RenderHtml(const ReportData& data) {
  return Head(data) + "<body>\n" + Header(data) + "<main>\n" + HtmlSections(data) +
         "</main>\n<footer>\n<p>All times are in UTC. Generated by brandmon at " +
         Esc(FormatUtc(data.generated_ms, UtcStyle::kDateTime)) + ".</p>\n</footer>\n</body>\n</html>\n";
}

}  // namespace brandmon::report
