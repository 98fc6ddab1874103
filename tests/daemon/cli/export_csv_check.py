#!/usr/bin/env python3
"""Reads the CSV golden of `brandmonctl export` with Python's csv module and
checks that each row holds the same mention as the JSON Lines golden: every
field, CR/LF, quotes and commas included, with the ' that defuses a formula.

Usage: export_csv_check.py ALL.csv ALL.jsonl
"""

import csv
import json
import sys

TEXT = ["brand", "channel", "lang", "label", "url", "author", "title", "text"]
NUMBERS = ["compound", "target", "pos", "neu", "neg", "reach"]


def defused(value):
    return "'" + value if value and value[0] in "=+-@\t\r" else value


def expected_row(m):
    s = m["sentiment"]
    row = {
        "stored_at": m["stored_at"],
        "published": m["published"] or "",
        "brand": m["brand"],
        "channel": m["channel"],
        "lang": m.get("lang") or "",
        "label": s["label"],
        "url": m["url"],
        "author": m["author"],
        "title": m["title"],
        "text": m["text"],
    }
    for name in TEXT:
        row[name] = defused(row[name])
    numbers = {"compound": s["compound"], "target": s.get("target"), "pos": s["pos"], "neu": s["neu"],
               "neg": s["neg"], "reach": m["reach"]}
    return row, numbers


def main():
    csv_path, jsonl_path = sys.argv[1], sys.argv[2]
    with open(jsonl_path, encoding="utf-8") as f:
        mentions = [json.loads(line) for line in f]
    with open(csv_path, encoding="utf-8", newline="") as f:
        raw = f.read()
    if not raw.endswith("\r\n") or not raw.split("\n", 1)[0].endswith("\r"):
        print("records must end with CRLF")
        return 1
    rows = list(csv.DictReader(raw.splitlines(keepends=True), strict=True))
    if len(rows) != len(mentions) or not mentions:
        print(f"{len(rows)} CSV rows, {len(mentions)} JSON lines")
        return 1
    failures = 0
    for i, (row, m) in enumerate(zip(rows, mentions)):
        want, numbers = expected_row(m)
        for key, value in want.items():
            if row[key] != value:
                print(f"row {i + 1} {key}: csv {row[key]!r} != {value!r}")
                failures += 1
        for key, value in numbers.items():
            got = float(row[key]) if row[key] != "" else None
            if (got is None) != (value is None) or (got is not None and got != value):
                print(f"row {i + 1} {key}: csv {row[key]!r} != {value!r}")
                failures += 1
    print(f"{len(rows)} rows checked, {failures} differences")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
