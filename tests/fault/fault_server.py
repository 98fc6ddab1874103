#!/usr/bin/env python3
"""Fault-injecting HTTP fixture server for brandmond (Python 3 standard library only).

Serves healthy feeds that change over time and endpoints that misbehave in the
ways real channels do. Paths (the query string tunes them):

  /feed/NAME.rss | .atom | .json   a healthy RSS 2.0, Atom 1.0 or JSON Feed document:
                                   `backlog` items (default 0) at the start, then one
                                   more every `period` seconds (default 7), the newest
                                   `window` (default 20) listed, every item
                                   naming Acme; ETag / If-None-Match answered by 304
  /fault/KIND/NAME                 the fault KIND until `heal` seconds after the
                                   server started (default: never), then NAME's
                                   healthy RSS feed; with `cycle`, the fault for the
                                   first half of every `cycle` seconds and the feed
                                   for the second half. KIND is one of
      hang          reads the request and never answers
      reset         sends the headers and part of the body, then a TCP RST
      5xx           500, 502, 503 and 504 in turn
      429           429 Too Many Requests with Retry-After: `retry_after` (default 60)
      huge          a `size`-byte body (default 64 MiB) announced by Content-Length
      huge_chunked  a `size`-byte body sent chunked, without a length
      gzip_bomb     a small gzip body that inflates to `size` bytes (default 64 MiB)
      drip          a body sent one byte per second
  /_admin/stats                    JSON: requests per path (with their times relative
                                   to the start) and the item ids served per feed

A TLS listener on another port serves the same paths with a self-signed
certificate (made by the openssl CLI at start-up; test-only), which a client
that verifies certificates must refuse.

Used by tests/fault/fault_test.py (imported) and, standalone, by
bench/soak/soak.sh and bench/idle/idle_cost.sh:

  tests/fault/fault_server.py --work DIR [--port N] [--ready-file PATH]
      [--config-out PATH --profile fault|soak|idle [--cycle 240] [--sources N] [--interval 5m]]

writes DIR/server.json ({"port", "tls_port"}) once listening (or --ready-file),
optionally a brandmond config using it, and serves until SIGTERM/SIGINT.
"""

import argparse
import email.utils
import json
import os
import re
import select
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TEMPLATES = (
    "Acme kettle {n} arrived today, works great, love it",
    "Acme support never answered my ticket #{n}, this is awful",
    "Does the Acme toaster {n} come in red?",
    "Acme posted a new recipe, number {n} in the series",
    "Terrible experience with Acme delivery {n}, broken box and rude courier",
    "Acme's new blender {n} is fantastic, best purchase this year",
)

DEFAULT_BOMB = 64 << 20
FAULT_KINDS = ("hang", "reset", "5xx", "429", "huge", "huge_chunked", "gzip_bomb", "drip", "loop")


def _int_arg(query, key, default):
    try:
        return int(query.get(key, [default])[0])
    except ValueError:
        return default


class FeedClock:
    """Which items a healthy feed lists at a given moment."""

    def __init__(self, start_wall):
        self.start_wall = start_wall

    def items(self, name, elapsed, period, window, backlog=0):
        """The items listed `elapsed` seconds after the start, newest first:
        `backlog` at the start, then one more every `period` seconds."""
        newest = backlog + int(elapsed // period)
        first = max(0, newest - window + 1)
        out = []
        for k in range(newest, first - 1, -1):
            out.append({
                "id": "%s-%d" % (name, k),
                "text": TEMPLATES[k % len(TEMPLATES)].format(n=k),
                "published": self.start_wall + (k - backlog) * period,
                "url": "http://fixture.test/%s/%d" % (name, k),
            })
        return newest, out


def render_rss(name, items):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>',
             "<title>%s</title><link>http://fixture.test/%s</link><description>fixture</description>" % (name, name)]
    for it in items:
        parts.append("<item><guid isPermaLink=\"false\">%s</guid><title>%s</title><link>%s</link>"
                     "<description>%s</description><pubDate>%s</pubDate></item>" %
                     (it["id"], it["text"][:40], it["url"], it["text"],
                      email.utils.formatdate(it["published"], usegmt=True)))
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8"), "application/rss+xml; charset=utf-8"


def _rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def render_atom(name, items):
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
             "<title>%s</title><id>urn:fixture:%s</id><updated>%s</updated>" %
             (name, name, _rfc3339(items[0]["published"] if items else 0))]
    for it in items:
        parts.append("<entry><id>%s</id><title>%s</title><link href=\"%s\"/><updated>%s</updated>"
                     "<content type=\"text\">%s</content></entry>" %
                     (it["id"], it["text"][:40], it["url"], _rfc3339(it["published"]), it["text"]))
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8"), "application/atom+xml; charset=utf-8"


def render_json(name, items):
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": name,
        "items": [{"id": it["id"], "url": it["url"], "content_text": it["text"],
                   "date_published": _rfc3339(it["published"])} for it in items],
    }
    return json.dumps(doc).encode("utf-8"), "application/feed+json"


RENDERERS = {"rss": render_rss, "atom": render_atom, "json": render_json}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-fixture/1"

    def log_message(self, fmt, *args):  # quiet: the owner reads the stats instead
        pass

    @property
    def fixture(self):
        return self.server.fixture

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        self.fixture.record(url.path)
        try:
            if parts[:1] == ["feed"] and len(parts) == 2:
                name, _, fmt = parts[1].rpartition(".")
                return self.serve_feed(name, fmt, query)
            if parts[:1] == ["fault"] and len(parts) == 3 and parts[1] in FAULT_KINDS:
                heal = _int_arg(query, "heal", -1)
                cycle = _int_arg(query, "cycle", 0)
                elapsed = self.fixture.elapsed()
                if 0 <= heal <= elapsed or (cycle > 0 and elapsed % cycle >= cycle / 2):
                    return self.serve_feed(parts[2], "rss", query)
                return getattr(self, "fault_" + parts[1])(query)
            if url.path == "/_admin/stats":
                return self.send_body(200, json.dumps(self.fixture.stats()).encode(), "application/json")
            return self.send_body(404, b"not found\n", "text/plain")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def send_body(self, code, body, ctype, headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def serve_feed(self, name, fmt, query):
        render = RENDERERS.get(fmt)
        if render is None or not name:
            return self.send_body(404, b"unknown feed format\n", "text/plain")
        period = max(1, _int_arg(query, "period", 7))
        window = max(1, _int_arg(query, "window", 20))
        newest, items = self.fixture.clock.items(name, self.fixture.elapsed(), period, window,
                                                 max(0, _int_arg(query, "backlog", 0)))
        etag = '"%s-%d"' % (name, newest)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, ctype = render(name, items)
        self.send_body(200, body, ctype, [("ETag", etag)])
        self.fixture.served(name, [it["id"] for it in items])

    # --- faults -------------------------------------------------------------

    def fault_hang(self, query):
        # Wait until the client gives up (EOF on the socket) or the server stops.
        self.close_connection = True
        deadline = time.monotonic() + _int_arg(query, "max", 600)
        while time.monotonic() < deadline and not self.fixture.stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 1.0)
            if readable and not self.connection.recv(4096):
                return

    def fault_reset(self, query):
        body, ctype = render_rss("reset", self.fixture.clock.items("reset", self.fixture.elapsed(), 7, 20)[1])
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) + 20000))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        # SO_LINGER with a zero timeout turns close() into a RST.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def fault_5xx(self, query):
        code = _int_arg(query, "code", 0) or (500, 502, 503, 504)[self.fixture.record("5xx-turn") % 4]
        self.close_connection = True
        self.send_body(code, b"<html><body>upstream trouble</body></html>\n", "text/html",
                       [("Connection", "close")])

    def fault_429(self, query):
        self.send_body(429, b'{"error": "rate limited"}\n', "application/json",
                       [("Retry-After", str(_int_arg(query, "retry_after", 60)))])

    def fault_loop(self, query):
        # A JSON API whose every page names a next page (c=1, 2, 3...):
        # pagination that never ends by itself. retry_after=N adds a
        # Retry-After header.
        page = _int_arg(query, "c", 0)
        body = json.dumps({"items": [{"id": "loop-%d" % page, "text": "acme loops"}], "next": str(page + 1)}).encode()
        headers = [("Retry-After", str(_int_arg(query, "retry_after", 0)))] if "retry_after" in query else []
        self.send_body(200, body, "application/json", headers)

    def fault_huge(self, query):
        size = _int_arg(query, "size", 64 << 20)
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self._stream(size, chunked=False)

    def fault_huge_chunked(self, query):
        size = _int_arg(query, "size", 64 << 20)
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._stream(size, chunked=True)

    def _stream(self, size, chunked):
        block = (b"<item><title>acme acme acme</title></item>" * 1600)[:65536]
        head = b'<?xml version="1.0"?><rss version="2.0"><channel>'
        sent = 0
        first = True
        while sent < size and not self.fixture.stopping.is_set():
            data = (head + block)[:65536] if first else block
            data = data[: size - sent]
            first = False
            if chunked:
                self.wfile.write(b"%x\r\n" % len(data) + data + b"\r\n")
            else:
                self.wfile.write(data)
            sent += len(data)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def fault_gzip_bomb(self, query):
        body = self.fixture.gzip_bomb(_int_arg(query, "size", DEFAULT_BOMB))
        self.close_connection = True
        self.send_body(200, body, "application/rss+xml", [("Content-Encoding", "gzip")])

    def fault_drip(self, query):
        body, ctype = render_rss("drip", self.fixture.clock.items("drip", self.fixture.elapsed(), 7, 20)[1])
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(len(body)):
            if self.fixture.stopping.wait(1.0):
                return
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, fixture, tls_context=None):
        self.fixture = fixture
        self.tls_context = tls_context
        super().__init__(addr, Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake happens on the request's own thread, so a client
        # that refuses the certificate never blocks the accept loop.
        if self.tls_context is not None:
            try:
                request = self.tls_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                self.fixture.record("tls-handshake-failed")
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass  # a client going away mid-fault is the point


def make_self_signed(directory):
    """Writes a test-only self-signed certificate and key for 127.0.0.1; returns their paths."""
    cert = os.path.join(directory, "fixture-cert.pem")
    key = os.path.join(directory, "fixture-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class FaultServer:
    """The fixture: a plain HTTP listener and a TLS one, both on 127.0.0.1.

    Thread-safe: requests are served on their own threads; record(), served()
    and stats() may be called from any thread.
    """

    def __init__(self, work_dir, port=0, tls_port=0):
        self.start_mono = time.monotonic()
        self.clock = FeedClock(time.time())
        self.stopping = threading.Event()
        self._mu = threading.Lock()
        self._requests = {}  # path -> [elapsed seconds]
        self._served = {}  # feed name -> {id: first elapsed served}
        self._bombs = {}
        cert, key = make_self_signed(work_dir)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.http = _Server(("127.0.0.1", port), self)
        self.https = _Server(("127.0.0.1", tls_port), self, ctx)
        self.port = self.http.server_address[1]
        self.tls_port = self.https.server_address[1]
        self._threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
                         for s in (self.http, self.https)]

    def start(self):
        # Compressing the bomb takes seconds: do it before the first request.
        self._threads.append(threading.Thread(target=self.gzip_bomb, args=(DEFAULT_BOMB,), daemon=True))
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        self.stopping.set()
        for s in (self.http, self.https):
            s.shutdown()
            s.server_close()

    def elapsed(self):
        return time.monotonic() - self.start_mono

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def tls_url(self, path):
        return "https://127.0.0.1:%d%s" % (self.tls_port, path)

    def record(self, path):
        """Counts a request to `path`; returns how many came before it."""
        with self._mu:
            times = self._requests.setdefault(path, [])
            times.append(self.elapsed())
            return len(times) - 1

    def served(self, name, ids):
        now = self.elapsed()
        with self._mu:
            seen = self._served.setdefault(name, {})
            for i in ids:
                seen.setdefault(i, now)

    def requests(self, path):
        with self._mu:
            return list(self._requests.get(path, []))

    def served_ids(self, name, before=None):
        with self._mu:
            return {i for i, t in self._served.get(name, {}).items() if before is None or t <= before}

    def stats(self):
        with self._mu:
            return {"elapsed": self.elapsed(),
                    "requests": {p: list(t) for p, t in self._requests.items()},
                    "served": {n: sorted(ids) for n, ids in self._served.items()}}

    def gzip_bomb(self, size):
        with self._mu:
            if size not in self._bombs:
                comp = zlib.compressobj(9, zlib.DEFLATED, 31)
                chunk = b"\0" * (1 << 20)
                out = [comp.compress(chunk) for _ in range(size >> 20)]
                out.append(comp.flush())
                self._bombs[size] = b"".join(out)
            return self._bombs[size]


# --- configurations ---------------------------------------------------------

def fault_sources(server, healthy_interval_s=(5, 10, 15)):
    """The sources of the fault scenario: (config entries, healthy intervals in
    seconds by name, expectations by failing source). Heal times are seconds
    after the server started."""
    h = [int(x) for x in healthy_interval_s]
    healthy = [
        {"name": "healthy_rss", "type": "feed", "url": server.url("/feed/healthy_rss.rss?period=4"),
         "interval": "%ds" % h[0]},
        {"name": "healthy_atom", "type": "feed", "url": server.url("/feed/healthy_atom.atom?period=6"),
         "interval": "%ds" % h[1]},
        {"name": "healthy_json", "type": "feed", "url": server.url("/feed/healthy_json.json?period=9"),
         "interval": "%ds" % h[2]},
    ]
    faults = [
        # name, path, heal time or None, a pattern every error it records must match
        # (a server that never answers, or drips, trips the stall detector after
        # 4 s; on a loaded machine the 8 s whole-transfer timeout may come first)
        ("hang", "/fault/hang/hang", None, r"/fault/hang/hang( stalled: under 16 bytes/s| \(.*timed out)"),
        ("reset", "/fault/reset/reset?heal=20", 20, r"/fault/reset/reset: .*\(curl error (18|56)\)"),
        ("storm_5xx", "/fault/5xx/storm_5xx?heal=45", 45, r"^http 50[0-4] from http://127\.0\.0\.1:\d+/fault/5xx/"),
        ("rate_limited", "/fault/429/rate_limited?retry_after=40&heal=30", 30, r"^http 429 from .*\(retry after 40s\)"),
        ("huge", "/fault/huge/huge?size=%d" % (64 << 20), None, r"/fault/huge/huge is larger than 1MiB"),
        ("huge_chunked", "/fault/huge_chunked/huge_chunked?size=%d" % (64 << 20), None,
         r"/huge_chunked is larger than 1MiB"),
        ("gzip_bomb", "/fault/gzip_bomb/gzip_bomb", None, r"/gzip_bomb is larger than 1MiB"),
        ("drip", "/fault/drip/drip", None, r"/fault/drip/drip( stalled: under 16 bytes/s for 4s| \(.*timed out)"),
    ]
    sources = list(healthy)
    expect = {}
    for name, path, healed, pattern in faults:
        sources.append({"name": name, "type": "feed", "url": server.url(path), "interval": "10s"})
        m = re.search(r"retry_after=(\d+)", path)
        expect[name] = {"heal": healed, "error": pattern, "path": path.split("?")[0],
                        "retry_after": int(m.group(1)) if m else None}
    sources.append({"name": "tls_untrusted", "type": "feed", "url": server.tls_url("/feed/tls_untrusted.rss"),
                    "interval": "10s"})
    expect["tls_untrusted"] = {"heal": None, "error": r"SSL certificate problem: .*\(curl error 60\)", "path": None,
                               "retry_after": None}
    sources.append({"name": "dns_invalid", "type": "feed", "url": "http://feeds.brandmon-fault.invalid/feed.rss",
                    "interval": "10s"})
    expect["dns_invalid"] = {"heal": None, "error": r"Could not resolve host: feeds\.brandmon-fault\.invalid",
                             "path": None, "retry_after": None}
    return sources, {s["name"]: int(s["interval"][:-1]) for s in healthy}, expect


def soak_sources(server, cycle=240):
    """The fault scenario for long runs: every HTTP fault comes and goes with
    period `cycle` (failing, backing off, recovering, again and again)."""
    sources, _, _ = fault_sources(server)
    for s in sources:
        if "/fault/" in s["url"]:
            s["url"] = re.sub(r"([?&])heal=\d+&?", r"\1", s["url"]).rstrip("?&")
            s["url"] += ("&" if "?" in s["url"] else "?") + "cycle=%d" % cycle
    return sources


# Short limits so that every fault ends within seconds, and enough transfers
# per host that the hanging ones cannot starve the others (they all share
# 127.0.0.1).
FAULT_FETCH = {"connect_timeout": "3s", "timeout": "8s", "low_speed_time": "4s", "max_body": "1MiB",
               "max_per_host": 16}


def daemon_config(work, sources, log_level="warn", fetch=None):
    config = {
        "daemon": {"state_dir": os.path.join(work, "state"), "runtime_dir": os.path.join(work, "run"),
                   "log_level": log_level, "shutdown_timeout": "5s"},
        "store": {"file": os.path.join(work, "state", "brandmon.db")},
        "publish": {"endpoints": ["ipc://alerts.sock"], "catchup_endpoints": ["ipc://catchup.sock"]},
        "sources": sources,
        "brands": [{"name": "acme"}],
    }
    if fetch:
        config["fetch"] = fetch
    return config


def idle_sources(server, n, interval):
    """`n` healthy feeds (RSS, Atom and JSON Feed in turn) polled every `interval`,
    each listing 20 items from the start and one more a minute."""
    fmts = ("rss", "atom", "json")
    return [{"name": "h%04d" % i, "type": "feed", "interval": interval,
             "url": server.url("/feed/h%04d.%s?period=60&backlog=19" % (i, fmts[i % 3]))} for i in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", required=True, help="directory for the certificate and server.json")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls-port", type=int, default=0)
    ap.add_argument("--ready-file", help="where to write {port, tls_port} (default WORK/server.json)")
    ap.add_argument("--config-out", help="write a brandmond config using this server here")
    ap.add_argument("--profile", choices=("fault", "soak", "idle"), default="fault")
    ap.add_argument("--sources", type=int, default=1000, help="idle profile: number of sources")
    ap.add_argument("--interval", default="5m", help="idle profile: poll interval")
    ap.add_argument("--cycle", type=int, default=240, help="soak profile: seconds per fault/healthy cycle")
    ap.add_argument("--log-level", default="warn")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    server = FaultServer(args.work, args.port, args.tls_port).start()
    if args.config_out:
        fetch = FAULT_FETCH
        if args.profile == "idle":
            sources, fetch = idle_sources(server, args.sources, args.interval), None
        elif args.profile == "soak":
            sources = soak_sources(server, args.cycle)
        else:
            sources = fault_sources(server)[0]
        with open(args.config_out, "w", encoding="utf-8") as f:
            json.dump(daemon_config(args.work, sources, args.log_level, fetch), f, indent=2)
    ready = args.ready_file or os.path.join(args.work, "server.json")
    with open(ready + ".tmp", "w", encoding="utf-8") as f:
        json.dump({"port": server.port, "tls_port": server.tls_port}, f)
    os.replace(ready + ".tmp", ready)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    while not done.wait(1.0):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
