#!/usr/bin/env python3
"""Compares `brandmonctl parse` with Python's feedparser on the feed fixtures.

For every tests/daemon/feed/*.xml, parses it with both and reports, per field
(title, url, author, published), the entries where they differ. Differences are
expected where brandmon normalizes on purpose (plain-text titles, decoded
entities, collapsed whitespace, resolved links, one mention per duplicate id,
Google Alerts redirects unwrapped); anything else is worth a look.

    /usr/bin/python3 bench/feed/feedparser_compare.py build/bin/brandmonctl

Needs Debian's python3-feedparser.
"""
import glob
import json
import os
import subprocess
import sys
import time

import feedparser


def stamp(parsed):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", parsed) if parsed else None


def main():
    ctl = sys.argv[1] if len(sys.argv) > 1 else "build/bin/brandmonctl"
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    total, diffs = 0, {}
    for path in sorted(glob.glob(os.path.join(root, "tests/daemon/feed/*.xml"))):
        name = os.path.basename(path)
        theirs = feedparser.parse(path).entries
        out = subprocess.run([ctl, "parse", path], capture_output=True, text=True).stdout
        ours = [json.loads(line) for line in out.splitlines() if line.strip()]
        if len(ours) != len(theirs):
            print(f"{name}: {len(ours)} mentions, feedparser {len(theirs)} entries")
        for i, (e, o) in enumerate(zip(theirs, ours)):
            expected = {
                "title": (e.get("title") or "").strip(),
                "url": e.get("link", ""),
                "author": e.get("author", ""),
                "published": stamp(e.get("published_parsed") or e.get("updated_parsed")),
            }
            for field, want in expected.items():
                total += 1
                got = o.get(field) or ""
                if field == "published" and "." in got:
                    got = got.split(".")[0] + "Z"
                if got != (want or ""):
                    diffs.setdefault(field, []).append((name, i, got, want))
    print(f"fields compared: {total}, differing: {sum(len(v) for v in diffs.values())}")
    for field, rows in diffs.items():
        print(f"{field}: {len(rows)}")
        for row in rows:
            print("   ", row)


if __name__ == "__main__":
    main()
