#!/usr/bin/python3
"""Check that the C layout is what src/migrate.h says it is.

Run by `make test` after the build, on the object files:

  1. layers by folder: src/sql/ (the SQL entry points) calls into
     src/exec/ (running bodies), which calls into src/store/ (the
     extension's tables), which calls into src/util/ (helpers) -- never the
     other way; no file of src/sql/ calls another, nor exports anything but
     SQL entry points; inside a folder, each file uses only those
     src/migrate.h lists above it, and no two files call each other
     (cycles); src/migrate.c, the module, may set up every layer, and what
     the others use of it is its settings (data) only;
  2. the map is complete and true: every function a server file exports
     is declared in src/migrate.h under that file's heading, and nothing
     is declared there that the file does not define;
  3. names: only SQL entry points (with PG_FUNCTION_INFO_V1) are named
     migrate_<name>, and every C function the install scripts name exists.

The schema model (src/schema/) is a module of its own: its files call
nothing of the rest but the helpers of src/util/, do not call each other in
a cycle either, and what they export is declared in its headers (schema.h
for the other files, schema_int.h and diff_int.h inside the module).  The
helpers of src/util/ sit below everything: they call no other file, and
each is declared in its own header.

Prints what it checked; exits non-zero on the first kind of problem found.
"""

import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.chdir(ROOT)

# the layers, from the top: a file may call into its own folder and those
# after it (graph/ and schema/ are modules of their own, checked below)
LAYERS = ["sql/", "exec/", "store/", "util/"]
# what any layer may call besides the layers below it
MODULES = ("graph/", "schema/")


def layer(f):
    """The folder of file f ("sql/", ...), or f itself at the top of src/."""
    return f[:f.index("/") + 1] if "/" in f else f


def symbols(obj):
    """(defined functions, defined data, undefined) global symbols of obj."""
    out = subprocess.run(["nm", "-g", obj], check=True, capture_output=True,
                         text=True).stdout
    funcs, data, undef = set(), set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undef.add(parts[1])
        elif len(parts) == 3:
            (funcs if parts[1] == "T" else data).add(parts[2])
    return funcs, data, undef


def main():
    objs = sorted(glob.glob("src/*.o") + glob.glob("src/*/*.o"))
    if not objs:
        print("layout: no object files; build first", file=sys.stderr)
        return 2
    files = {}
    owner = {}
    for o in objs:
        name = os.path.relpath(o, "src")[:-2] + ".c"
        if name.startswith("graph/"):
            name = "graph/"		# one unit: graph.h is its interface
        funcs, data, undef = symbols(o)
        if name in files:
            funcs |= files[name][0]
            data |= files[name][1]
            undef |= files[name][2]
        files[name] = (funcs, data, undef)
        for s in funcs | data:
            owner[s] = name
    problems = []

    # 1. dependencies between files
    deps = {f: set() for f in files}
    for f, (_, _, undef) in files.items():
        for s in undef:
            if s in owner and owner[s] != f:
                if owner[s] == "store/graph_pg.c" and s.startswith("mg_"):
                    continue	# the allocator the host gives the graph module
                deps[f].add(owner[s])
    # any cycle, by depth-first search
    state = {}

    def visit(f, path):
        state[f] = 1
        for d in sorted(deps[f]):
            if state.get(d) == 1:
                problems.append("cycle: " + " -> ".join(path + [f, d]))
            elif d not in state:
                visit(d, path + [f])
        state[f] = 2

    for f in sorted(files):
        if f not in state:
            visit(f, [])
    # the order the header's comment gives: each file uses only those above
    order = re.findall(r"^ \*\t([a-z_]+/[a-z_]+\.c|graph/)\s", open("src/migrate.h").read(), re.M)
    rank = {}
    for f in files:
        if f in order:
            rank[f] = order.index(f)
    for f, r in rank.items():
        for d in deps[f]:
            if d in rank and rank[d] > r:
                problems.append(f"{f} calls into {d}, which src/migrate.h lists below it")
    for f in files:
        for d in deps[f]:
            lf, ld = layer(f), layer(d)
            if f == "migrate.c":
                continue		# the module: _PG_init sets up every layer
            if d == "migrate.c":
                used = files[f][2] & (files[d][0] | files[d][1])
                if used & files[d][0]:
                    problems.append(f"{f} calls {', '.join(sorted(used & files[d][0]))} "
                                    "of migrate.c: only its settings are for the other files")
                continue
            if lf == "graph/":
                problems.append(f"{f} calls into {d}: the graph module uses nothing of the server")
                continue
            if lf == "schema/":
                if ld not in ("schema/", "util/"):
                    problems.append(f"{f} calls into {d}: the schema model uses nothing of the rest but util/")
                continue
            if lf == "util/":
                problems.append(f"{f} calls into {d}: the helpers of src/util use no other file")
                continue
            if lf not in LAYERS:
                problems.append(f"{f} is in no layer: put it in one of {', '.join(LAYERS)}")
                continue
            if ld in MODULES:
                continue
            if ld not in LAYERS or LAYERS.index(ld) < LAYERS.index(lf):
                problems.append(f"{f} calls into {d}, a layer above its own")
            elif lf == "sql/" and ld == "sql/":
                problems.append(f"entry-point file {f} calls into {d}")
    # 2. the map in migrate.h
    header = open("src/migrate.h").read()
    declared = {}
    section = None
    for line in header.splitlines():
        m = re.match(r"/\* ([a-z_/]+\.c)(:.*)? \*/", line.strip())
        if m:
            section = m.group(1)
            continue
        m = re.search(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", line)
        if section and line.lstrip().startswith(("extern", "pg_noreturn")) and m:
            declared[m.group(1)] = section
        m = re.match(r"extern [^(]*\b([a-z_]+);", line.strip())
        if section and m:
            declared[m.group(1)] = section
    schema_declared = set()
    for h in glob.glob("src/schema/*.h") + glob.glob("src/util/*.h"):
        schema_declared |= set(re.findall(r"^(?:pg_noreturn )?extern\b[^(;\[]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*[(;\[]",
                                          open(h).read(), re.M))
    for f, (funcs, data, _) in files.items():
        if f == "graph/":
            continue			# the graph module: graph.h and graph_int.h declare it
        if f.startswith(("schema/", "util/")):
            for s in sorted(funcs | data):
                if not (s.startswith("migrate_") and "pg_finfo_" + s in funcs) and \
                        not s.startswith("pg_finfo_") and s not in schema_declared:
                    problems.append(f"{f} exports {s}, which no header of its folder declares")
            continue			# the schema model: its own headers declare it
        for s in sorted(funcs | data):
            if s.startswith(("pg_finfo_", "Pg_magic_func")) or s == "_PG_init":
                continue
            if s.startswith("migrate_") and "pg_finfo_" + s in funcs:
                continue		# an SQL entry point
            if f == "store/graph_pg.c" and s.startswith("mg_"):
                continue		# provided to the graph module (graph.h)
            if f.startswith("sql/"):
                problems.append(f"{f} exports {s}: the files of src/sql export SQL entry points only")
            elif declared.get(s) != f:
                problems.append(f"{f} exports {s}, which src/migrate.h does not list under {f}")
    for s, f in sorted(declared.items()):
        if owner.get(s) != f:
            problems.append(f"src/migrate.h lists {s} under {f}, which does not define it")

    # 3. names
    for f, (funcs, _, _) in files.items():
        for s in sorted(funcs):
            if s.startswith("migrate_") and "pg_finfo_" + s not in funcs:
                problems.append(f"{f}: {s} is named like an SQL entry point but is not one")
    called = set()
    for script in glob.glob("*.sql"):
        called |= set(re.findall(r"'MODULE_PATHNAME',\s*'([a-z_]+)'", open(script).read()))
    for s in sorted(called):
        if s not in owner:
            problems.append(f"the install script names C function {s}, which no file defines")

    for p in problems:
        print("layout: " + p)
    nedges = sum(len(v) for v in deps.values())
    print(f"layout: {len(files)} files, {nedges} dependencies between them, "
          f"{len(declared)} declarations in src/migrate.h, {len(called)} C functions "
          f"named by the install scripts: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
