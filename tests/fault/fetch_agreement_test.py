#!/usr/bin/env python3
"""`brandmonctl fetch SOURCE` and the daemon read every HTTP outcome alike.

Against the fault-injecting fixture server (tests/fault/fault_server.py), for
each source below the driver runs `brandmonctl fetch SOURCE` and one poll of
the daemon (`brandmond --once`, whose errors land in the state database's
source_state.last_error), then checks that both

  * fail or succeed together, with the same error text: a 429 with
    Retry-After ("http 429 from URL (retry after 40s)"), a 503, a 404;
  * send the same number of requests: a page loop (each page names the same
    next page) stops at the 20-page cap, and a Retry-After on a page that
    parsed ends the pagination after that page.

Exit status 0 when every check holds, 1 otherwise.

Usage:
  tests/fault/fetch_agreement_test.py --brandmond build/bin/brandmond --brandmonctl build/bin/brandmonctl
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fault_server  # noqa: E402

LOOP_FIELDS = {"items": "/items", "fields": {"id": "/id", "text": "/text"}, "next_cursor": "/next",
               "cursor_param": "c", "max_pages": 20}

# name, path, source options beyond the URL, expected: (ok, error text format, requests).
# Each page of a loop names the next one (c=1, 2, 3...), so only the page cap ends it.
CASES = [
    ("rate_limited", "/fault/429/rate_limited?retry_after=40", {"type": "feed"},
     (False, "http 429 from {url} (retry after 40s)", 1)),
    ("unavailable", "/fault/5xx/unavailable?code=503", {"type": "feed"},
     (False, "http 503 from {url}", 1)),
    ("missing", "/nothing/here.rss", {"type": "feed"},
     (False, "http 404 from {url}", 1)),
    ("page_loop", "/fault/loop/page_loop", dict(type="http_json", **LOOP_FIELDS), (True, "", 20)),
    ("held_loop", "/fault/loop/held_loop?retry_after=30", dict(type="http_json", **LOOP_FIELDS), (True, "", 1)),
]


def text(value):
    """A column value as text (databases from before schema version 4 hold bytes)."""
    return value.decode("utf-8") if isinstance(value, bytes) else value


def run(cmd, timeout=60):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--brandmond", required=True)
    ap.add_argument("--brandmonctl", required=True)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="brandmon-fetch-agreement-")
    server = fault_server.FaultServer(work).start()
    failures = []
    try:
        sources = []
        for name, path, options, _ in CASES:
            sources.append(dict(name=name, url=server.url(path), interval="1h", **options))
        config = fault_server.daemon_config(work, sources, fetch={"timeout": "10s"})
        config_path = os.path.join(work, "brandmon.json")
        with open(config_path, "w") as f:
            json.dump(config, f, indent=2)

        fetched = {}
        for name, path, _, _ in CASES:
            before = len(server.requests(path.split("?")[0]))
            r = run([args.brandmonctl, "fetch", name, "--config", config_path])
            error = ""
            for line in r.stderr.splitlines():
                if line.startswith("brandmonctl fetch: ") and "warning:" not in line:
                    error = line[len("brandmonctl fetch: "):]
            fetched[name] = (r.returncode == 0, error, len(server.requests(path.split("?")[0])) - before)

        before = {path: len(server.requests(path.split("?")[0])) for _, path, _, _ in CASES}
        r = run([args.brandmond, "--once", "--config", config_path], timeout=120)
        if r.returncode not in (0, 4):
            failures.append("brandmond --once exited %d: %s" % (r.returncode, r.stderr[-2000:]))
        db = sqlite3.connect(config["store"]["file"])
        errors = {text(s): text(e) for s, e in db.execute("SELECT source, last_error FROM source_state")}
        failing = {text(row[0]) for row in db.execute("SELECT source FROM source_state WHERE failures > 0")}
        db.close()

        for name, path, _, (ok, error_format, requests) in CASES:
            url = server.url(path.split("?")[0])
            expected_error = error_format.format(url=url)
            daemon = (name not in failing, errors.get(name, "") if name in failing else "",
                      len(server.requests(path.split("?")[0])) - before[path])
            want = (ok, expected_error, requests)
            for who, got in (("brandmonctl fetch", fetched[name]), ("brandmond", daemon)):
                if got != want:
                    failures.append("%s: %s read it as (ok, error, requests) = %r, expected %r" %
                                    (name, who, got, want))
            print("%-13s fetch %-60r daemon %r" % (name, fetched[name], daemon))
    finally:
        server.stop()
    if failures:
        print("\n".join(failures), file=sys.stderr)
        print("work directory kept: " + work, file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
