#!/usr/bin/env python3
"""The dashboard in a real browser: Debian's Chromium, headless.

Starts the built brandmond on a JSON Lines file of mentions (one of them
hostile: <script>, <img onerror>, javascript: links), waits until they are
stored, then loads http://127.0.0.1:PORT/ in Chromium and checks, through the
DevTools protocol (a WebSocket client from the standard library, below):

- no console error, no uncaught exception, no failed request and no response
  of 400 or more, the script's requests (live alerts, a search) included;
- the numbers shown equal the database's (read with sqlite3): mentions, share
  of voice, the points and sums of every volume chart, alerts, sources;
- each chart holds one point per hour of the range;
- the hostile text shows as text and runs nothing (nothing set window.__pwned,
  no <img>, no javascript: link), before and after a search by the script;
- at 375 px nothing is wider than the screen;
- "Export CSV" after the search downloads the rows of the `brandmonctl
  export` command the page shows beside it (both read back with Python's csv
  module), the hostile text as it was stored.

It writes dashboard.png and dashboard-phone.png (DevTools) and
dashboard-cli.png (`chromium --screenshot`) to --artifacts, and checks the DOM
`chromium --dump-dom` prints after the script ran.

Usage: dashboard_browser_test.py --brandmond PATH --brandmonctl PATH --artifacts DIR [--chromium PATH]
"""

import argparse
import base64
import calendar
import csv
import io
import json
import math
import os
import shlex
import shutil
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from html.parser import HTMLParser

HOSTILE_TITLE = "<script>window.__pwned='title'</script> acme recall"
HOSTILE_TEXT = ("acme <img src=x onerror=\"window.__pwned='text'\"> "
                "<a href=\"javascript:window.__pwned='link'\">click</a>")
MENTIONS = [
    {"id": "1", "channel": "x", "author": "@jen", "url": "https://x.example/jen/1",
     "text": "Absolutely love my new acme kettle, best purchase this year!", "metrics": {"followers": 1200}},
    {"id": "2", "channel": "x", "author": "@nik", "url": "https://x.example/nik/2",
     "text": "acme is terrible, awful support, my toaster broke and nobody answers", "metrics": {"followers": 300}},
    {"id": "3", "channel": "news", "title": "Globex opens an office", "url": "https://news.example/globex",
     "text": "globex opened a new office in Springfield today", "metrics": {"followers": 50}},
    {"id": "4", "channel": "reviews", "author": "ana", "url": "https://reviews.example/4",
     "text": "globex support was quick and friendly, very happy", "metrics": {"likes": 20}},
    {"id": "5", "channel": "forum", "author": "<b onmouseover=\"window.__pwned='author'\">mallory</b>",
     "url": "javascript:window.__pwned='url'", "title": HOSTILE_TITLE, "text": HOSTILE_TEXT,
     "metrics": {"followers": 90000}},
    # Finnish, a language without a lexicon: stored `unscored`, shown so, never as neutral.
    {"id": "6", "channel": "forum", "author": "aino", "url": "https://forum.example/6", "lang": "fi",
     "text": "acme vedenkeitin on ollut keittiössä eilisestä asti", "metrics": {"followers": 700}},
]
BRANDS = ["acme", "globex"]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, masked
    from the client, fragments joined, pings answered."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, _, path = url[5:].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError("websocket handshake refused: " + head.decode(errors="replace"))

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("websocket closed")
            data += chunk
        return data

    def _send(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + body)

    def send(self, text):
        self._send(0x1, text.encode())

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self._send(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("websocket closed by the browser")
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    """Headless Chromium driven over the DevTools protocol; records console
    errors, exceptions and failed requests as they come."""

    def __init__(self, chromium, profile):
        self.proc = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--remote-debugging-port=0",
             "--user-data-dir=" + profile, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            check(time.time() < deadline and self.proc.poll() is None, "chromium did not start")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        _, body = get(f"http://127.0.0.1:{port}/json/list")
        page = next(t for t in json.loads(body) if t["type"] == "page")
        self.ws = WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0
        self.problems = []
        self.requests = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(domain + ".enable")

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def _event(self, event):
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.problems.append("exception: " + json.dumps(params["exceptionDetails"])[:500])
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self.problems.append("console.error: " + json.dumps(params["args"])[:500])
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.problems.append("log: " + params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            self.problems.append("request failed: " + params.get("errorText", "") + " " +
                                 params.get("blockedReason", ""))
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            self.problems.append(f"HTTP {params['response']['status']}: {params['response']['url']}")

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == my_id:
                if "error" in message:
                    fail(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            fail(f"evaluating {expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, what, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.js(expression):
                return
            time.sleep(0.2)
        fail("timed out waiting for " + what)

    def screenshot(self, path, width, height):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1,
                  mobile=width < 500)
        full = self.js("document.documentElement.scrollHeight")
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                         clip={"x": 0, "y": 0, "width": width, "height": min(full, 6000), "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))


def start_daemon(brandmond, tmp, port):
    feed = os.path.join(tmp, "mentions.jsonl")
    with open(feed, "w") as f:
        for m in MENTIONS:
            f.write(json.dumps(m) + "\n")
    config = {
        "daemon": {"state_dir": os.path.join(tmp, "state"), "runtime_dir": os.path.join(tmp, "run")},
        "publish": {"endpoints": ["ipc://" + os.path.join(tmp, "alerts.sock")],
                    "catchup_endpoints": ["ipc://" + os.path.join(tmp, "catchup.sock")]},
        "http": {"listen": f"127.0.0.1:{port}"},
        "sources": [{"name": "social", "type": "file", "path": feed, "interval": "1h"}],
        "brands": [{"name": b} for b in BRANDS],
    }
    path = os.path.join(tmp, "brandmon.json")
    with open(path, "w") as f:
        json.dump(config, f)
    log = open(os.path.join(tmp, "brandmond.log"), "w")
    return subprocess.Popen([brandmond, "--config", path], stdout=log, stderr=log)


def wait_stored(base, n):
    """Until the API lists `n` mentions and the search index holds them."""
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            _, all_rows = get(base + "/api/v1/mentions?limit=100")
            _, found = get(base + "/api/v1/mentions?q=acme&limit=100")
            if len(json.loads(all_rows)["mentions"]) == n and json.loads(found)["mentions"]:
                return
        except OSError:
            pass
        time.sleep(0.3)
    fail(f"the daemon did not store {n} mentions in time")


def database_figures(db_path):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    by_brand = dict(db.execute("SELECT brand, count(*) FROM mentions GROUP BY brand").fetchall())
    figures = {
        "mentions": sum(by_brand.values()),
        "by_brand": by_brand,
        "alerts": db.execute("SELECT count(*) FROM alerts").fetchone()[0],
        "sources": db.execute("SELECT count(*) FROM source_state").fetchone()[0],
    }
    db.close()
    return figures


PAGE_FIGURES = """(() => {
  const charts = Array.from(document.querySelectorAll('section.brand')).map(s => ({
    brand: s.querySelector('h2').textContent,
    volume: Array.from(s.querySelectorAll('svg g[data-total]'))
      .map(g => Number(g.getAttribute('data-total'))),
    sentiment: s.querySelectorAll('svg rect[data-pct-negative]').length,
  }));
  return {
    tiles: Array.from(document.querySelectorAll('.kpi b')).map(b => b.textContent),
    share: Object.fromEntries(Array.from(document.querySelectorAll('svg rect[data-brand]'))
      .map(r => [r.getAttribute('data-brand'), Number(r.getAttribute('data-mentions'))])),
    charts: charts,
    alerts: document.querySelectorAll('#alerts tbody tr').length,
    sources: document.querySelectorAll('#sources tbody tr').length,
    since: document.body.getAttribute('data-since'),
  };
})()"""

SAFETY = """(() => ({
  pwned: window.__pwned === undefined ? null : String(window.__pwned),
  imgs: document.querySelectorAll('img').length,
  scripts: Array.from(document.querySelectorAll('script')).map(s => s.getAttribute('src')),
  jsLinks: Array.from(document.querySelectorAll('a[href]')).filter(a => !/^(https?:|\\/)/.test(a.getAttribute('href'))).length,
  handlers: Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes)
    .some(a => a.name.toLowerCase().startsWith('on'))).length,
  topTitle: document.querySelector('#top li .title').textContent,
}))()"""


def check_page(browser, figures, opened_at_ms):
    page = browser.js(PAGE_FIGURES)
    check(page["tiles"][0] == str(figures["mentions"]),
          f"mentions tile {page['tiles'][0]} != {figures['mentions']} in the database")
    check(page["share"] == figures["by_brand"], f"share of voice {page['share']} != {figures['by_brand']}")
    since_ms = calendar.timegm(time.strptime(page["since"], "%Y-%m-%dT%H:%M:%SZ")) * 1000
    expected_points = math.ceil((opened_at_ms - since_ms) / 3_600_000)
    check(len(page["charts"]) == len(BRANDS), f"{len(page['charts'])} brand sections")
    for chart in page["charts"]:
        brand = chart["brand"]
        check(len(chart["volume"]) == expected_points,
              f"{brand}: {len(chart['volume'])} volume points, expected {expected_points} (one per hour)")
        check(chart["sentiment"] == expected_points, f"{brand}: {chart['sentiment']} sentiment points")
        check(sum(chart["volume"]) == figures["by_brand"][brand],
              f"{brand}: the volume chart adds up to {sum(chart['volume'])}, the database holds "
              f"{figures['by_brand'][brand]}")
    check(page["alerts"] == min(20, figures["alerts"]), f"{page['alerts']} alerts shown, {figures['alerts']} stored")
    check(page["sources"] == figures["sources"], f"{page['sources']} sources shown")
    return expected_points


def check_safe(browser, when):
    safety = browser.js(SAFETY)
    check(safety["pwned"] is None, f"{when}: hostile text ran: window.__pwned = {safety['pwned']}")
    check(safety["imgs"] == 0, f"{when}: an <img> was made from remote text")
    check(safety["scripts"] == ["/assets/dashboard.js"], f"{when}: scripts {safety['scripts']}")
    check(safety["jsLinks"] == 0, f"{when}: a link that is not http(s)")
    check(safety["handlers"] == 0, f"{when}: an element with an on* attribute")
    check(safety["topTitle"] == HOSTILE_TITLE, f"{when}: the top mention's title reads {safety['topTitle']!r}")


class CodeText(HTMLParser):
    """The text of <code id="export-command">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "code" and ("id", "export-command") in attrs

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.text += data


LISTED = """((list) => Array.from(document.querySelectorAll(list + ' li')).map(li => ({
  title: li.querySelector('.title').textContent,
  meta: li.querySelector('.meta').textContent,
})))"""


def shown_title(title, text):
    """The title a list shows: the title, else the text's first 80 characters."""
    if title:
        return title
    chars = " ".join(text.split())
    return chars if len(chars) <= 80 else chars[:80] + "\u2026"


def check_labels(items, db_path, where):
    """Each mention listed shows the label it is stored with: `unscored` (a
    language without a lexicon) as itself, with no score, never as neutral."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    stored = {shown_title(t, x): label for t, x, label in db.execute("SELECT title, text, label FROM mentions")}
    db.close()
    check("unscored" in stored.values(), f"no mention was stored unscored: {stored}")
    labels = {}
    for item in items:
        fields = item["meta"].split(" \u00b7 ")
        check(len(fields) >= 5 and item["title"] in stored, f"{where}: an item reads {item}")
        labels[item["title"]] = fields[3]
        want = stored[item["title"]]
        shown = fields[3].split(" (")[0]
        check(shown == want, f"{where}: {item['title']!r} shows the label {shown!r}, stored {want!r}")
        check(want != "unscored" or "(" not in fields[3], f"{where}: the unscored {item['title']!r} shows a score")
    check("unscored" in labels.values(), f"{where}: no unscored mention listed: {labels}")


class ResultItems(HTMLParser):
    """The title and meta line of each <li> in the server's <div id="results">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items = []
        self.field = None
        self.inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("id") == "results":
            self.inside = True
        elif self.inside and tag == "li":
            self.items.append({"title": "", "meta": ""})
        elif self.inside and self.items and tag == "div" and attrs.get("class") in ("title", "meta"):
            self.field = attrs["class"]

    def handle_endtag(self, tag):
        if tag == "div":
            self.field = None

    def handle_data(self, data):
        if self.field:
            self.items[-1][self.field] += data


def search(browser, url, db_path):
    """A search through the script: the results come from /api/v1/mentions,
    and say what the same search without script says; both show each
    mention's stored label."""
    browser.js("document.querySelector('#search-form input[name=q]').value = 'acme'; "
               "document.getElementById('search-form').requestSubmit(); true")
    browser.wait_for("document.querySelector('#results p.meta') !== null && "
                     "!document.getElementById('results').hasAttribute('aria-busy')", "the search results")
    titles = browser.js("Array.from(document.querySelectorAll('#results li .title')).map(t => t.textContent)")
    check(HOSTILE_TITLE in titles, f"the search results {titles} miss the hostile mention as text")
    check(any(u.startswith("http://127.0.0.1") and "/api/v1/mentions?" in u and "q=acme" in u
              for u in browser.requests), "the search did not ask /api/v1/mentions")
    href = browser.js("document.getElementById('export').getAttribute('href')")
    check(href.startswith("/api/v1/mentions?") and "q=acme" in href, f"export link {href}")
    command = browser.js("document.getElementById('export-command').textContent")
    server = CodeText()
    html = get(url + "&q=acme")[1].decode()
    server.feed(html)
    check(command == server.text, f"the script's export command {command!r} != the page's {server.text!r}")
    check_labels(browser.js(LISTED + "('#results')"), db_path, "the script's search results")
    results = ResultItems()
    results.feed(html)
    check_labels(results.items, db_path, "the search results without script")


def export_csv(browser, brandmonctl, db_path, downloads):
    """Clicks "Export CSV" and reads the downloaded file back with the csv
    module: the rows of the command the page shows, run on the database."""
    os.makedirs(downloads, exist_ok=True)
    browser.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=downloads, eventsEnabled=True)
    href = browser.js("document.getElementById('export-csv').getAttribute('href')")
    check(href.startswith("/api/v1/export?") and "q=acme" in href, f"Export CSV link {href}")
    browser.js("document.getElementById('export-csv').click(); true")
    path = os.path.join(downloads, "mentions.csv")
    deadline = time.time() + 30
    while not (os.path.exists(path) and os.path.getsize(path) > 0):
        check(time.time() < deadline, f"no {path} downloaded (found {os.listdir(downloads)})")
        time.sleep(0.2)
        browser.js("true")  # takes the download's events
    time.sleep(0.5)
    with open(path, "rb") as f:
        downloaded = f.read()
    command = shlex.split(browser.js("document.getElementById('export-command').textContent"))
    check(command[0] == "brandmonctl" and command[-2:] == ["--output", "mentions.csv"], f"command {command}")
    expected = subprocess.run([brandmonctl] + command[1:-2] + ["--database", db_path], capture_output=True,
                              timeout=60)
    check(expected.returncode == 0, f"{command}: {expected.stderr.decode()}")
    rows = list(csv.DictReader(io.StringIO(downloaded.decode("utf-8"), newline="")))
    want = list(csv.DictReader(io.StringIO(expected.stdout.decode("utf-8"), newline="")))
    check(rows == want, f"the download's rows {rows} != brandmonctl export's {want}")
    check(rows and all("acme" in (r["title"] + r["text"]).lower() for r in rows), f"rows of q=acme: {rows}")
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        stored = db.execute("SELECT text FROM mentions WHERE title = ?", (HOSTILE_TITLE,)).fetchone()[0]
    check(any(r["text"] == stored for r in rows), "the hostile text is not in the download as stored")
    return len(rows)


class DomCounter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1


def check_cli_modes(chromium, url, artifacts, profile):
    common = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile]
    dom = subprocess.run(common + ["--virtual-time-budget=3000", "--dump-dom", url], capture_output=True,
                         text=True, timeout=120).stdout
    counter = DomCounter()
    counter.feed(dom)
    check(counter.tags.get("script") == 1 and "img" not in counter.tags, f"--dump-dom: tags {counter.tags}")
    check("&lt;script&gt;window.__pwned='title'&lt;/script&gt;" in dom, "--dump-dom: the hostile title is not text")
    shot = os.path.join(artifacts, "dashboard-cli.png")
    subprocess.run(common + ["--window-size=390,1600", "--screenshot=" + shot, url], capture_output=True,
                   timeout=120)
    with open(shot, "rb") as f:
        check(f.read(8) == b"\x89PNG\r\n\x1a\n", "--screenshot wrote no PNG")


def run(args, tmp):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    daemon = start_daemon(args.brandmond, tmp, port)
    browser = None
    try:
        wait_stored(base, len(MENTIONS))
        figures = database_figures(os.path.join(tmp, "state", "brandmon.db"))
        browser = Browser(args.chromium, os.path.join(tmp, "profile"))
        browser.call("Emulation.setDeviceMetricsOverride", width=1280, height=900, deviceScaleFactor=1,
                     mobile=False)
        url = base + "/?range=24h&" + "&".join("brand=" + b for b in BRANDS)
        opened_at_ms = int(time.time() * 1000)
        browser.call("Page.navigate", url=url)
        browser.wait_for("document.readyState === 'complete' && document.getElementById('alerts-live') !== null &&"
                         " document.getElementById('alerts-live').textContent.startsWith('Updated live')",
                         "the page and its live alerts")
        points = check_page(browser, figures, opened_at_ms)
        check_safe(browser, "after load")
        db_path = os.path.join(tmp, "state", "brandmon.db")
        check_labels(browser.js(LISTED + "('#top')"), db_path, "the top mentions")
        search(browser, url, db_path)
        check_safe(browser, "after a search")
        exported = export_csv(browser, args.brandmonctl, os.path.join(tmp, "state", "brandmon.db"),
                              os.path.join(tmp, "downloads"))
        browser.screenshot(os.path.join(args.artifacts, "dashboard.png"), 1280, 900)
        browser.screenshot(os.path.join(args.artifacts, "dashboard-phone.png"), 375, 800)
        wide = browser.js("document.documentElement.scrollWidth")
        check(wide <= 375, f"at 375 px the page is {wide} px wide")
        browser.js("true")  # collects the events the screenshots raised
        check(not browser.problems, "the browser reported:\n  " + "\n  ".join(browser.problems))
        browser_requests = browser.requests
        browser.close()
        browser = None
        check_cli_modes(args.chromium, url, args.artifacts, os.path.join(tmp, "profile-cli"))
        print(f"ok: {figures['mentions']} mentions, {figures['alerts']} alerts, {points} points per chart, "
              f"{len(browser_requests)} requests, {exported} rows exported, no browser errors; "
              f"screenshots in {args.artifacts}")
    finally:
        if browser:
            browser.close()
        daemon.terminate()
        daemon.wait(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brandmond", required=True)
    parser.add_argument("--brandmonctl", required=True)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--artifacts", required=True)
    args = parser.parse_args()
    check(shutil.which(args.chromium) is not None or os.path.exists(args.chromium),
          "no chromium: scripts/setup.sh --packages-only installs Debian's")
    os.makedirs(args.artifacts, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="brandmon-browser-") as tmp:
        run(args, tmp)


if __name__ == "__main__":
    main()
