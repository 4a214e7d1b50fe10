"""doc/reference.md against the installed extension.

Every function and procedure of schema migrate has an entry whose
signature (argument names, types, defaults; the result) is the catalog's,
headed "### CALL migrate.NAME" for a procedure, with who may call it as its
privileges say; every view and table has one whose columns and types are
the catalog's, in order, with who may read it; and no entry names what does
not exist.  Connection: libpq's environment (PGDATABASE and the rest).
"""
import re
import sys

import psycopg2

DOC = sys.argv[1]

problems = []


def norm(text):
    text = re.sub(r"\s+", " ", text.strip())
    text = re.sub(r"\s*([(),])\s*", r"\1", text)
    return text.replace(",", ", ")


def read_doc(path):
    """Entries: {name: {kind, signature, who, columns}}; a view or table's
    name is followed by its kind: "status (view)"."""
    entries = {}
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    current = None
    while i < len(lines):
        line = lines[i]
        m = re.match(r"^### (CALL )?migrate\.([a-z_]+)( \((view|table)\))?$", line)
        if m:
            kind = m.group(4) or ("procedure" if m.group(1) else "function")
            name = m.group(2) + (f" ({kind})" if kind in ("view", "table") else "")
            if name in entries:
                problems.append(f"{name}: two entries")
            current = entries[name] = {"kind": kind, "signature": None, "who": None, "columns": []}
        elif line.startswith("## "):
            current = None
        elif current is not None and line == "```sql" and current["signature"] is None:
            j = i + 1
            block = []
            while lines[j] != "```":
                block.append(lines[j])
                j += 1
            current["signature"] = norm(" ".join(block))
            i = j
        elif current is not None and (line.startswith("**Who may call it:**") or
                                      line.startswith("**Who may read it:**")):
            # the role; what follows a ";", "(" or "." explains it
            current["who"] = re.split(r";| \(|\.( |$)", line.split(":**", 1)[1].strip())[0]
        elif current is not None and current["kind"] in ("view", "table") and line.startswith("| `"):
            cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
            current["columns"].append((cells[0], cells[1]))
        i += 1
    return entries


def who_from_acl(acl, owner_only):
    """PUBLIC, `migrate_admin`, or the extension's owner, from an ACL."""
    if acl is None:
        return "the extension's owner" if owner_only else "PUBLIC"
    grantees = set()
    for item in acl:
        grantee, rights = item.split("=", 1)
        rights = rights.split("/", 1)[0]
        if "X" in rights or "r" in rights:
            grantees.add(grantee)
    if "" in grantees:
        return "PUBLIC"
    if "migrate_admin" in grantees:
        return "`migrate_admin`"
    return "the extension's owner"


def acl_list(value):
    if value is None:
        return None
    return value.strip("{}").split(",") if value != "{}" else []


doc = read_doc(DOC)
conn = psycopg2.connect("")
cur = conn.cursor()
cur.execute("""
    SELECT p.proname, p.prokind, pg_catalog.pg_get_function_arguments(p.oid),
           pg_catalog.pg_get_function_result(p.oid), p.proacl::text,
           p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype
      FROM pg_catalog.pg_proc p
     WHERE p.pronamespace = 'migrate'::pg_catalog.regnamespace
     ORDER BY 1""")
seen = set()
for name, kind, args, result, acl, is_trigger in cur.fetchall():
    seen.add(name)
    entry = doc.get(name)
    if entry is None:
        problems.append(f"{name}: no entry")
        continue
    args = re.sub(r"(^|, )(IN|INOUT|OUT) ", lambda m: m.group(1) + ("" if m.group(2) == "IN" else m.group(2) + " "), args)
    args = re.sub(r"::[a-z][a-z0-9_ ]*?(\[\])?(?=,|$)", "", args)
    expected = f"migrate.{name}({args})"
    if kind != "p":
        expected += f" RETURNS {result}"
    expected = norm(expected)
    if entry["kind"] != {"p": "procedure", "f": "function"}[kind]:
        problems.append(f"{name}: documented as a {entry['kind']}")
    if entry["signature"] != expected:
        problems.append(f"{name}: signature\n    doc:     {entry['signature']}\n    catalog: {expected}")
    who = who_from_acl(acl_list(acl), is_trigger)
    if entry["who"] != who:
        problems.append(f"{name}: who may call it: doc says {entry['who']!r}, the privileges say {who!r}")

cur.execute("""
    SELECT c.relname, c.relkind::text, c.relacl::text,
           pg_catalog.array_agg(a.attname::text ORDER BY a.attnum),
           pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE c.relnamespace = 'migrate'::pg_catalog.regnamespace AND c.relkind IN ('r', 'v')
     GROUP BY 1, 2, 3 ORDER BY 1""")
for name, kind, acl, names, types in cur.fetchall():
    want_kind = {"r": "table", "v": "view"}[kind]
    name = f"{name} ({want_kind})"
    seen.add(name)
    entry = doc.get(name)
    if entry is None:
        problems.append(f"{name}: no entry")
        continue
    columns = list(zip(names, types))
    if entry["columns"] != columns:
        problems.append(f"{name}: columns\n    doc:     {entry['columns']}\n    catalog: {columns}")
    who = who_from_acl(acl_list(acl), False)
    if entry["who"] != who:
        problems.append(f"{name}: who may read it: doc says {entry['who']!r}, the privileges say {who!r}")

for name in sorted(set(doc) - seen):
    problems.append(f"{name}: documented, but the extension has no such object")

for p in problems:
    print("FAIL:", p)
print(f"reference: {len(doc)} entries, {len(seen)} objects, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
