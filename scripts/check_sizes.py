#!/usr/bin/env python3
"""Checks the size of the hand-written C++ sources: files and functions.

Limits (STYLE: a function does one thing; a file holds one part):
  * a source file (.cc, .h) of daemon/ or plugins/ has at most --max-file lines;
  * a function body (signature to closing brace, lambdas inside included) has
    at most --max-function lines.
Data tables are exempt: a file may opt out by naming itself in EXEMPT below
with the reason.

Usage: scripts/check_sizes.py [--max-file 800] [--max-function 80] [--top N] [PATH...]
  --top N   print the N largest files and functions (for reports), then check
Exit status 0 when every file and function is within the limits, 1 otherwise.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Files that are data, not logic, with the reason (none today).
EXEMPT = {}
NOT_FUNCTIONS = re.compile(r"^\s*(namespace|class|struct|union|enum|extern)\b|=\s*\{?\s*$|^\s*(static\s+)?const")


def strip_code(text):
    """`text` with comments and string/char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():  # digit separator 1'000
                out.append(c)
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """(name, first line, line count) of each function body in `path`."""
    code = strip_code(open(path, encoding="utf-8").read()).split("\n")
    found = []
    depth = 0
    scopes = []  # (kind, depth at open, start line, name)
    for lineno, line in enumerate(code, 1):
        for ch in line:
            if ch == "{":
                kind, name, start = "block", "", lineno
                if not any(k == "function" for k, _, _, _ in scopes):
                    # What opened this brace: the text since the last ; { or }.
                    head = " ".join(code[max(0, lineno - 6):lineno - 1] + [line[:line.index("{")] if "{" in line else line])
                    head = re.split(r"[;{}]", head)[-1]
                    m = re.search(r"([~\w:]+(?:<[^()]*>)?)\s*\([^;]*\)\s*(const)?[^;()]*$", head)
                    if m and not NOT_FUNCTIONS.search(head) and not re.match(r"^(if|for|while|switch|catch)$",
                                                                             m.group(1).split("::")[-1]):
                        kind, name = "function", m.group(1)
                        start = lineno - head.count("\n")
                        # The signature may start lines above the brace.
                        for back in range(lineno - 1, max(0, lineno - 6), -1):
                            if m.group(1) in code[back - 1]:
                                start = back
                                break
                scopes.append((kind, depth, start, name))
                depth += 1
            elif ch == "}":
                depth -= 1
                if scopes:
                    kind, _, start, name = scopes.pop()
                    if kind == "function":
                        found.append((name, start, lineno - start + 1))
    return found


def sources(paths):
    for base in paths:
        for folder, _, files in os.walk(os.path.join(ROOT, base)):
            for f in sorted(files):
                if f.endswith((".cc", ".h")):
                    yield os.path.relpath(os.path.join(folder, f), ROOT)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max-file", type=int, default=800)
    ap.add_argument("--max-function", type=int, default=80)
    ap.add_argument("--top", type=int, default=0)
    ap.add_argument("paths", nargs="*", default=["daemon", "plugins"])
    args = ap.parse_args()
    files, funcs = [], []
    for rel in sources(args.paths):
        lines = open(os.path.join(ROOT, rel), encoding="utf-8").read().count("\n")
        files.append((lines, rel))
        for name, start, count in functions(os.path.join(ROOT, rel)):
            funcs.append((count, f"{rel}:{start}", name))
    if args.top:
        print("largest files (lines):")
        for lines, rel in sorted(files, reverse=True)[:args.top]:
            print(f"  {lines:5d}  {rel}")
        print("largest functions (lines):")
        for count, where, name in sorted(funcs, reverse=True)[:args.top]:
            print(f"  {count:5d}  {where}  {name}")
    errors = [f"{rel}: {lines} lines (at most {args.max_file})" for lines, rel in files
              if lines > args.max_file and rel not in EXEMPT]
    errors += [f"{where}: {name} is {count} lines (at most {args.max_function})" for count, where, name in funcs
               if count > args.max_function and where.split(":")[0] not in EXEMPT]
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
