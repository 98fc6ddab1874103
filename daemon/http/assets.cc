#include "daemon/http/assets.h"

#include <string>

#include "daemon/report/render.h"

namespace brandmon::http {
namespace {

// What the dashboard adds to the report's style sheet: the forms, the
// search results and the live line. Phones first: everything wraps.
constexpr std::string_view kDashboardCss = R"(
header.top{display:flex;flex-wrap:wrap;align-items:baseline;gap:0 1em}
form.pick{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:flex-end;margin:.5em 0}
fieldset{border:1px solid #ccc;border-radius:6px;padding:4px 10px 6px;margin:0;display:flex;flex-wrap:wrap;gap:4px 14px}
legend{font-weight:600;padding:0 4px}
label{white-space:nowrap}
input,button{font:inherit}
input[type=search]{flex:1 1 220px;min-width:0;padding:4px 6px}
button{padding:4px 14px;border:1px solid #005a8c;border-radius:6px;background:#0072B2;color:#fff;cursor:pointer}
a.button{display:inline-block;padding:4px 14px;border:1px solid #005a8c;border-radius:6px;background:#0072B2;color:#fff;text-decoration:none}
form.search{display:flex;flex-wrap:wrap;gap:8px;max-width:640px}
ol.results{padding-left:1.4em}
ol.results li{margin:0 0 .8em}
.error{border:1px solid #D55E00;border-radius:6px;padding:6px 10px;overflow-wrap:anywhere}
.live{color:#555;font-size:.9em}
code{font-family:ui-monospace,monospace;font-size:.9em;overflow-wrap:anywhere}
@media print{form,.live,#search{display:none}}
)";

// Progressive enhancement only: the page works without it. Remote text is
// only ever set as textContent, links only for http(s) URLs.
constexpr std::string_view kDashboardJs = R"JS('use strict';
(function () {
  var body = document.body;
  var brands = JSON.parse(body.getAttribute('data-brands') || '[]');
  var since = body.getAttribute('data-since');
  var until = body.getAttribute('data-until');
  var LIVE_MS = 15000;

  function query(extra) {
    var p = new URLSearchParams();
    brands.forEach(function (b) { p.append('brand', b); });
    p.set('since', since);
    if (until) p.set('until', until);
    Object.keys(extra).forEach(function (k) { if (extra[k] !== '') p.set(k, extra[k]); });
    return p.toString();
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // As the server decides: absolute http(s) with a host, no space, quote,
  // angle bracket, backslash or backtick.
  function webUrl(u) {
    if (typeof u !== 'string' || !/^https?:\/\/[^\s"'<>\\`]+$/i.test(u)) return false;
    try { return new URL(u).host !== ''; } catch (e) { return false; }
  }

  function shorten(text, n) {
    var chars = Array.from(String(text || '').replace(/\s+/g, ' '));
    return chars.length <= n ? chars.join('') : chars.slice(0, n).join('') + '\u2026';
  }

  // As the server quotes for a POSIX shell: bare when safe, else in ''.
  function shellWord(text) {
    if (/^[A-Za-z0-9_.,:@%+=\/-]+$/.test(text)) return text;
    return "'" + text.replace(/'/g, "'\\''") + "'";
  }

  function utc(ts) { return ts ? ts.slice(0, 10) + ' ' + ts.slice(11, 16) + ' UTC' : ''; }

  function getJson(path) {
    return fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j && j.error ? j.error : 'HTTP ' + r.status);
        return j;
      });
    });
  }

  // ---- Latest alerts, live --------------------------------------------
  var alerts = document.getElementById('alerts');
  var live = el('p', '', 'live');
  live.id = 'alerts-live';

  function alertRow(a) {
    var m = a.alert || {};
    var topic = String(a.topic || '').split('.');
    var tr = el('tr');
    tr.appendChild(el('td', utc(a.ts), 'num'));
    tr.appendChild(el('td', m.brand || topic.slice(1, -1).join('.')));
    tr.appendChild(el('td', m.rule || topic[topic.length - 1]));
    tr.appendChild(el('td', m.severity || ''));
    tr.appendChild(el('td', shorten(m.summary || '(the stored alert cannot be read)', 300)));
    return tr;
  }

  function showAlerts(page) {
    while (alerts.children.length > 1) alerts.removeChild(alerts.lastChild);
    if (!page.alerts.length) {
      alerts.appendChild(el('p', 'No alerts in this range.'));
    } else {
      var table = el('table');
      var head = el('tr');
      ['Time (UTC)', 'Brand', 'Rule', 'Severity', 'Summary'].forEach(function (h) { head.appendChild(el('th', h)); });
      table.appendChild(el('thead')).appendChild(head);
      var tbody = table.appendChild(el('tbody'));
      page.alerts.forEach(function (a) { tbody.appendChild(alertRow(a)); });
      alerts.appendChild(el('div', null, 'wrap')).appendChild(table);
    }
    live.textContent = 'Updated live from /api/v1/alerts at ' + new Date().toISOString().slice(11, 19) + ' UTC.';
    alerts.appendChild(live);
  }

  function refreshAlerts() {
    getJson('/api/v1/alerts?' + query({ limit: String(alerts.getAttribute('data-limit') || 20) }))
      .then(showAlerts)
      .catch(function (e) {
        live.textContent = 'Live update failed: ' + e.message;
        alerts.appendChild(live);
      });
  }

  if (alerts && !until) {
    refreshAlerts();
    setInterval(refreshAlerts, LIVE_MS);
  }

  // ---- Mention search ---------------------------------------------------
  var form = document.getElementById('search-form');
  var results = document.getElementById('results');
  var exportLink = document.getElementById('export');
  var exportCommand = document.getElementById('export-command');
  var exportCsv = document.getElementById('export-csv');

  // As the server writes it (report::FormatLabel): a mention in a language
  // without a lexicon ("scored": false) is unscored, with no score.
  function labelText(s) {
    if (s.scored === false) return 'unscored';
    var score = typeof s.target === 'number' ? s.target : s.compound;
    if (typeof score !== 'number') return s.label || '';
    score = Math.max(-1, Math.min(1, score));
    var fixed = score.toFixed(2) === '-0.00' ? '0.00' : score.toFixed(2);
    return (s.label || '') + ' (' + (score > 0.0005 ? '+' : '') + fixed + ')';
  }

  function mentionItem(m) {
    var li = el('li');
    var title = m.title || shorten(m.text, 80) || '(untitled)';
    var head = li.appendChild(el('div', null, 'title'));
    if (webUrl(m.url)) {
      var a = el('a', shorten(title, 200));
      a.href = m.url;
      a.rel = 'nofollow noopener noreferrer';
      head.appendChild(a);
    } else {
      head.textContent = shorten(title, 200);
    }
    li.appendChild(el('div', [m.brand, m.channel, m.lang || '', labelText(m.sentiment || {}), utc(m.stored_at)]
      .join(' \u00b7 '), 'meta'));
    if (m.text && m.title) li.appendChild(el('p', shorten(m.text, 300), 'text'));
    return li;
  }

  function showResults(q, page) {
    results.textContent = '';
    var n = page.mentions.length;
    results.appendChild(el('p', n === 0 ? 'No mentions found.' :
      (n === 20 ? 'The 20 newest' : n + (n === 1 ? ' mention' : ' mentions')) + (q ? ' matching \u201c' + q + '\u201d.' : '.'),
      'meta'));
    var ol = results.appendChild(el('ol', null, 'results'));
    page.mentions.forEach(function (m) { ol.appendChild(mentionItem(m)); });
    exportLink.href = '/api/v1/mentions?' + query({ q: q, limit: '1000' });
    exportCsv.href = '/api/v1/export?' + query({ q: q });
    var cmd = 'brandmonctl export' + brands.map(function (b) { return ' --brand ' + shellWord(b); }).join('') +
      ' --since ' + since + (until ? ' --until ' + until : '') + (q ? ' --q ' + shellWord(q) : '') +
      ' --format csv --output mentions.csv';
    exportCommand.textContent = cmd;
  }

  if (form && results) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var q = form.elements.q.value.trim();
      results.setAttribute('aria-busy', 'true');
      getJson('/api/v1/mentions?' + query({ q: q, limit: '20' }))
        .then(function (page) {
          showResults(q, page);
          var url = new URL(window.location.href);
          url.searchParams.set('q', q);
          history.replaceState(null, '', url.pathname + url.search + '#search');
        })
        .catch(function (e) {
          results.textContent = '';
          results.appendChild(el('p', 'Search failed: ' + e.message, 'error'));
        })
        .then(function () { results.removeAttribute('aria-busy'); });
    });
  }
})();
)JS";

// A speech bubble in the sentiment colours: browsers ask for an icon, and
// an answer keeps their consoles free of a 404.
constexpr std::string_view kIcon =
    R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M2 2h12v9H7l-3 3v-3H2z" fill="#0072B2"/>)"
    R"(<path d="M5 6h6M5 8h4" stroke="#fff" stroke-width="1.2"/></svg>)";

}  // namespace

std::optional<Asset> FindAsset(std::string_view path) {
  if (path == "/assets/dashboard.css") {
    static const std::string css = std::string(report::HtmlStyle()) + std::string(kDashboardCss);
    return Asset{"text/css; charset=utf-8", css};
  }
  if (path == "/assets/dashboard.js") return Asset{"text/javascript; charset=utf-8", kDashboardJs};
  if (path == "/assets/icon.svg") return Asset{"image/svg+xml", kIcon};
  return std::nullopt;
}

}  // namespace brandmon::http
