#pragma once

// The report in its three formats, from plain data (report_data.h): a
// self-contained HTML5 page for browsers and print, Markdown for chat, and
// JSON for programs. Remote text never becomes markup in any of them: it is
// cleaned (format.h: CleanText) and escaped, and only http and https URLs
// become links. All times are UTC. Pure functions, safe from any thread.

#include <string>
#include <string_view>

#include "daemon/report/report_data.h"

namespace brandmon::report {

// The figures of the KPI tiles, over every series of a report. Never NaN.
struct Kpis {
  double mentions = 0;
  double pct_negative = 0;   // 0..100, weighted by each series' mentions
  double mean_compound = 0;  // -1..1, weighted by each series' mentions
  double reach = 0;
};

// The KPIs of `data` (negative, NaN and infinite inputs count as 0).
Kpis Summarize(const ReportData& data);

// One HTML5 document: inline CSS and SVG charts, no script, no external
// resource (its Content-Security-Policy forbids both), readable from 360 px
// wide, with print styles. Sections: header (brands, range, generation time),
// KPI tiles, share of voice, each brand's volume and sentiment charts,
// channels and languages, top mentions by reach, latest alerts, emerging
// terms, the sources' health, and a footer saying times are UTC.
std::string RenderHtml(const ReportData& data);

// The parts of RenderHtml, for a page that frames them itself (the daemon's
// dashboard serves the style sheet as a file of its own): the style sheet,
// the page's heading ("Brand report: acme, globex") as plain text, and the
// sections from the KPI tiles to the sources, each a <section> with an id
// (kpis, share, channels, top, alerts, terms, sources; a brand's has none).
std::string_view HtmlStyle();
std::string HtmlHeading(const ReportData& data);
std::string HtmlSections(const ReportData& data);

// The same sections as Markdown tables and lists for chat (GitHub flavour):
// Markdown and HTML characters in remote text are escaped; links only for
// http and https URLs.
std::string RenderMarkdown(const ReportData& data);

// The whole of `data` as a JSON object (pretty-printed), with each time also
// as RFC 3339 text; strings cleaned as in the other formats, non-finite
// numbers written as null.
std::string RenderJson(const ReportData& data);

}  // namespace brandmon::report
