#!/usr/bin/env python3
"""Compares `brandmonctl parse` with Python's feedparser, field by field.

The comparison is the conformance test (ctest FeedConformance.*, script
tests/conformance/feed_conformance.py); this runs it verbosely: every
difference with the kind that explains it, and the kinds with their reasons.

    /usr/bin/python3 bench/feed/feedparser_compare.py build/bin/brandmonctl [--pending]

Needs Debian's python3-feedparser.
"""
import os
import subprocess
import sys


def main():
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ctl = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "build", "bin", "brandmonctl")
    script = os.path.join(root, "tests", "conformance", "feed_conformance.py")
    samples = os.path.join(root, "..", "shared", "samples", "feeds")
    return subprocess.call([sys.executable, script, ctl, "--samples", samples, "-v"] + sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
