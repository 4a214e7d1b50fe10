#!/usr/bin/env python3
"""Check the layering of the graph module that src/graph/graph_int.h states.

graph_int.h lists the module's files by concern and says that each calls
only files listed above it, except resolve.c and relative.c, which call
each other.  This reads that list and the object files one compiler built
(run_checks.sh's compile stage: build/objs-CC/*.o), and reports every call
that goes down the list, and every file the list leaves out.

usage: layers.py OBJDIR
The last line is "layers: N passed, M failed" (one check per file).
"""

import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "..", "src", "graph")
# the one pair graph_int.h allows to call each other
MUTUAL = {("resolve.c", "relative.c"), ("relative.c", "resolve.c")}


def listed_order():
    text = open(os.path.join(SRC, "graph_int.h")).read()
    return re.findall(r"^ \*\t([a-z_]+\.c)\t", text, re.M)


def symbols(obj):
    out = subprocess.run(["nm", "-g", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, undefined


def main():
    objdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "build", "objs-cc")
    order = listed_order()
    sources = sorted(os.path.basename(p) for p in glob.glob(os.path.join(SRC, "*.c")))
    passed = failed = 0
    owner = {}
    files = {}
    for src in sources:
        obj = os.path.join(objdir, src[:-2] + ".o")
        if not os.path.exists(obj):
            print(f"layers: {obj} missing (run the compile stage first)")
            print("layers: 0 passed, 1 failed")
            return 1
        files[src] = symbols(obj)
        for s in files[src][0]:
            owner[s] = src
    for src in sources:
        problems = []
        if src not in order:
            problems.append("not in graph_int.h's list of files")
        else:
            for s in sorted(files[src][1]):
                dep = owner.get(s)
                if dep is None or dep == src or (src, dep) in MUTUAL:
                    continue
                if dep not in order or order.index(dep) > order.index(src):
                    problems.append(f"calls {s} of {dep}, listed below it")
        if problems:
            failed += 1
            for p in problems:
                print(f"layers: {src}: {p}")
        else:
            passed += 1
    for name in order:
        if name not in sources:
            failed += 1
            print(f"layers: graph_int.h lists {name}, which does not exist")
    print(f"layers: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
