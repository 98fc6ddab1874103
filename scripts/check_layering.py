#!/usr/bin/env python3
"""Checks the include graph of daemon/ against the module order.

The order is the one daemon/CMakeLists.txt adds the modules in (the data flow,
docs/architecture.md). A module may include only modules added before it; on
top of that, brandmonctl's subcommands (cli) must not include the daemon
process (process) or the pipeline, and neither the feed parser (feedparse) nor
the fetcher (fetch) may include the plugin API (plugin).

Usage: scripts/check_layering.py [--graph] [--doc FILE]
  --graph     print the module graph
  --doc FILE  also check that FILE (docs/architecture.md) shows this graph
Exit status 0 when every include is allowed (and the doc is current), 1
otherwise (each offending include is printed as file:line).
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORBIDDEN = {
    "cli": {"process", "pipeline"},
    "feedparse": {"plugin"},
    "fetch": {"plugin"},
}


def module_order():
    text = open(os.path.join(ROOT, "daemon", "CMakeLists.txt")).read()
    m = re.search(r"foreach\(mod ([^)]*)\)", text)
    if not m:
        sys.exit("check_layering: no `foreach(mod ...)` in daemon/CMakeLists.txt")
    return m.group(1).split()


def main():
    order = module_order()
    rank = {name: i for i, name in enumerate(order)}
    include = re.compile(r'#include "daemon/([a-z_]+)/')
    graph = {name: set() for name in order}
    errors = []
    for name in order:
        folder = os.path.join(ROOT, "daemon", name)
        for file in sorted(os.listdir(folder)):
            if not file.endswith((".h", ".cc")):
                continue
            path = os.path.join(folder, file)
            for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
                m = include.match(line)
                if not m or m.group(1) == name:
                    continue
                dep = m.group(1)
                graph[name].add(dep)
                where = f"daemon/{name}/{file}:{lineno}"
                if dep not in rank:
                    errors.append(f"{where}: includes daemon/{dep}/, which is not a module")
                elif dep in FORBIDDEN.get(name, ()):
                    errors.append(f"{where}: {name} must not include {dep}")
                elif rank[dep] > rank[name]:
                    errors.append(f"{where}: {name} includes {dep}, which comes later in the flow")
    lines = []
    for name in order[1:]:
        deps = sorted((d for d in graph[name] if d != "base"), key=lambda d: -rank.get(d, -1))
        lines.append(f"{name:<9} -> {' '.join(deps)}".rstrip())
    args = sys.argv[1:]
    if "--graph" in args:
        print("\n".join(lines))
    if "--doc" in args:
        doc = args[args.index("--doc") + 1]
        if "\n".join(lines) not in open(doc, encoding="utf-8").read():
            errors.append(f"{doc}: its module graph is out of date; put in the output of "
                          "scripts/check_layering.py --graph")
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
