#!/usr/bin/env python3
"""Agreement of `brandmonctl parse` with feedparser over feedparser's own test suite.

feedparser's tests/wellformed and tests/illformed files each carry their
expectation in a header comment (`Expect: <python expression over the parse
result>`, optional `Header:` lines for the HTTP response). This takes every
file whose expectation is about entries and holds for the installed
feedparser (CDF documents aside: not a feed format brandmon reads), plus one
RSS document per date string of tests/test_date_parsers.py that feedparser
reads (the date its handler for that form gives, checked against the
installed feedparser, is the expected one),
parses each with `brandmonctl parse` and with feedparser, and compares per
entry the fields a user sees (title, url, id, author, published, text) the
way the conformance test does (tests/conformance/feed_conformance.py): a
field agrees when it is equal or when one of that test's documented
difference kinds explains it.

    /usr/bin/python3 bench/feed/feedparser_suite.py build/bin/brandmonctl /tmp/feedparser-src/tests [-v]

Prints the share of fields that agree, by field, and of files whose every
field agrees, overall and by folder; -v lists each disagreement. The tests
folder comes from feedparser's repository (github.com/kurtmckee/feedparser,
BSD-2-Clause), e.g. `git archive HEAD tests | tar -x -C /tmp/feedparser-src`.

Needs Debian's python3-feedparser.
"""
import argparse
import ast
import collections
import datetime
import html
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "conformance"))
import feed_conformance as fc  # noqa: E402
import feedparser  # noqa: E402
import feedparser.datetimes  # noqa: E402

DESC_RE = re.compile(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
HEADER_RE = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
# Microsoft's Channel Definition Format (1997), which feedparser also reads.
CDF_RE = re.compile(r"-->\s*<CHANNEL\b")
# The URL feedparser's own HTTP tests serve a file from.
TEST_SERVER = "http://127.0.0.1:8097/"


class Case:
    def __init__(self, group, path, base_url="", content_type=""):
        self.group, self.path, self.base_url, self.content_type = group, path, base_url, content_type
        self.published = None  # the expected date, when it does not come from feedparser.parse
        self.date = None


def header_case(tests_dir, path, text):
    """The case for one suite file, or None when its expectation is not about entries."""
    m = DESC_RE.search(text)
    if not m or "entries" not in m.group(2):
        return None, None
    headers = {k.strip().lower(): v.strip() for k, v in HEADER_RE.findall(text)}
    rel = os.path.relpath(path, tests_dir)
    base = ""
    if "content-location" in headers or "/http/" in "/" + rel:
        base = fc.urllib.parse.urljoin(TEST_SERVER + "tests/" + rel, headers.get("content-location", ""))
    group = os.path.dirname(rel)
    return Case(group, path, base, headers.get("content-type", "")), m.group(2)


def expectation_holds(case, expect):
    doc = their_doc(case)
    try:
        return bool(eval(expect, {"datetime": datetime}, doc))
    except Exception:  # an expectation about a field this feedparser does not set
        return False


def their_doc(case):
    headers = {}
    if case.base_url:
        headers["content-location"] = case.base_url
    if case.content_type:
        headers["content-type"] = case.content_type
    with open(case.path, "rb") as f:
        return feedparser.parse(f.read(), response_headers=headers)


def suite_cases(tests_dir):
    cases, skipped = [], collections.Counter()
    for folder in ("wellformed", "illformed"):
        for dirpath, _, names in sorted(os.walk(os.path.join(tests_dir, folder))):
            for name in sorted(names):
                if not name.endswith(".xml"):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    text = f.read().decode("utf-8", errors="ignore")
                case, expect = header_case(tests_dir, path, text)
                if case is None:
                    skipped["expectation not about entries"] += 1
                elif CDF_RE.search(text):
                    skipped["CDF, not a feed format brandmon reads"] += 1
                elif not expectation_holds(case, expect):
                    skipped["expectation fails with this feedparser"] += 1
                else:
                    cases.append(case)
    return cases, skipped


def date_expectations(tests_dir):
    """(input, expected) of test_date_parsers.py's parametrized cases that read a
    date, whose handler gives the expected value with the installed feedparser."""
    path = os.path.join(tests_dir, "test_date_parsers.py")
    if not os.path.exists(path):
        return [], 0
    out, failing = {}, 0
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if not (isinstance(node, ast.Tuple) and len(node.elts) == 3 and isinstance(node.elts[0], ast.Name)):
            continue
        try:
            value, expected = ast.literal_eval(node.elts[1]), ast.literal_eval(node.elts[2])
        except ValueError:
            continue
        handler = getattr(feedparser.datetimes, node.elts[0].id, None)
        if not isinstance(value, str) or not value.strip() or handler is None:
            continue
        try:
            got = handler(value)
        except Exception:
            got = None
        if expected is None:  # a form one handler rejects, which another may read
            continue
        if (tuple(got) if got else None) != expected:
            failing += 1
            continue
        out.setdefault(value, expected)
    return list(out.items()), failing


def date_cases(tests_dir, folder):
    cases = []
    expectations, failing = date_expectations(tests_dir)
    for i, (date, expected) in enumerate(expectations):
        path = os.path.join(folder, f"date_{i:03d}.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>dates</title>'
                    f'<item><guid isPermaLink="false">d{i}</guid><title>date {i}</title>'
                    f"<pubDate>{html.escape(date, quote=False)}</pubDate></item></channel></rss>\n")
        case = Case("test_date_parsers", path)
        # The reference is the handler the case names: feedparser's chain of
        # handlers may read the string with an earlier, looser one.
        case.published = fc.stamp(time.struct_time(expected)) if expected else ""
        case.date = date
        cases.append(case)
    return cases, failing


def compare(ctl, case):
    """[(entry, field, ours, theirs, kinds)] for one case (kinds: [] when equal, the
    difference kinds that explain a difference, None when none does), and
    brandmonctl's error."""
    ours, err = fc.run_ours(ctl, case.path, {"base_url": case.base_url, "content_type": case.content_type})
    doc = their_doc(case)
    theirs_list = [fc.theirs_of(e) for e in doc.entries]
    if case.published is not None:
        for t in theirs_list:
            t["published"] = case.published
    kept, seen = [], set()
    for i, t in enumerate(theirs_list):
        key = fc.identity(t)
        if key not in seen:
            seen.add(key)
            kept.append(i)
    if ours is None:
        ours = []
    rows = []
    with open(case.path, "rb") as f:
        raw = f.read().decode("utf-8", errors="replace")
    for n, i in enumerate(kept):
        t = theirs_list[i]
        mine = fc.ours_of(ours[n]) if n < len(ours) else None
        for field in fc.FIELDS:
            want = t[field]
            if mine is None:
                rows.append((i, field, None, want, None))
                continue
            got = mine[field]
            used = [] if got == want else fc.explain(field, want, got, {
                "entry": doc.entries[i], "doc": doc, "ours": mine, "raw": raw, "base_url": case.base_url})
            rows.append((i, field, got, want, used))
    for n in range(len(kept), len(ours)):
        for field in fc.FIELDS:
            rows.append((n, field, fc.ours_of(ours[n])[field], None, None))
    return rows, err


def pct(a, b):
    return f"{100.0 * a / b:5.1f}%" if b else "   - "


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("brandmonctl")
    ap.add_argument("tests", help="feedparser's tests folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every disagreement")
    args = ap.parse_args()

    cases, skipped = suite_cases(args.tests)
    with tempfile.TemporaryDirectory() as tmp:
        dates, skipped["date expectation fails with this feedparser"] = date_cases(args.tests, tmp)
        cases += dates
        field_total, field_ok = collections.Counter(), collections.Counter()
        field_equal, kinds = collections.Counter(), collections.Counter()
        group_total, group_ok = collections.Counter(), collections.Counter()
        files_ok = files_equal = 0
        for case in cases:
            rows, err = compare(args.brandmonctl, case)
            for _, field, _, _, used in rows:
                field_total[field] += 1
                field_ok[field] += used is not None
                field_equal[field] += used == []
                if used:
                    kinds["+".join(used)] += 1
            agrees = all(r[4] is not None for r in rows) and (bool(rows) or err is None)
            files_ok += agrees
            files_equal += agrees and all(r[4] == [] for r in rows)
            group_total[case.group] += 1
            group_ok[case.group] += agrees
            if args.verbose and not agrees:
                name = repr(case.date) if case.date is not None else os.path.basename(case.path)
                if err:
                    print(f"  {case.group}/{name}: brandmonctl parse failed: {err}")
                for i, field, got, want, used in rows:
                    if used is None:
                        print(f"  {case.group}/{name} #{i} {field}: ours {got!r}, feedparser {want!r}")

    print(f"feedparser {feedparser.__version__} test suite: {len(cases)} documents "
          f"({', '.join(f'{n} skipped: {why}' for why, n in sorted(skipped.items()))})")
    print(f"files agreeing: {files_ok}/{len(cases)} = {pct(files_ok, len(cases))} "
          f"(every field equal: {pct(files_equal, len(cases))})")
    print("by field: agreeing (equal, or a documented difference kind)  [equal]")
    for field in fc.FIELDS:
        print(f"  {field:10s} {pct(field_ok[field], field_total[field])}  ({field_ok[field]}/{field_total[field]})"
              f"  [{pct(field_equal[field], field_total[field])}]")
    all_ok, all_total, all_equal = sum(field_ok.values()), sum(field_total.values()), sum(field_equal.values())
    print(f"  {'all':10s} {pct(all_ok, all_total)}  ({all_ok}/{all_total})  [{pct(all_equal, all_total)}]")
    print("difference kinds used (fields):")
    for name, n in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print(f"  {n:5d}  {name}")
    print("files agreeing by folder:")
    for group in sorted(group_total):
        print(f"  {group:28s} {pct(group_ok[group], group_total[group])}  ({group_ok[group]}/{group_total[group]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
