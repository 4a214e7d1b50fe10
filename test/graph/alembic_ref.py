#!/usr/bin/env python3
"""Run driver scripts (format: driver_core.c) through the real Alembic.

This is the reference side of the differential test.  Nothing here
re-implements Alembic's rules: revisions are alembic.script.revision.Revision
objects in a RevisionMap built from a generator that yields them in script
order (so Alembic's map order is our registration order), targets are
resolved by ScriptDirectory._upgrade_revs / _downgrade_revs / _stamp_revs,
and the version rows are kept by Alembic's own MigrationContext and
HeadMaintainer in an in-memory SQLite database.  What this file adds is the
glue the alembic.command functions would otherwise provide (they need a
config file and an env.py): the "Range revision not allowed" check of
command.upgrade/downgrade, the "current" substitution of command.history,
and the transaction around each command.

One thing is pinned: Alembic keeps a revision's normalized dependencies in
a Python set, so their order (which decides the upgrade order when a
revision has several) depends on string hashing.  After the map is built
we order them as they were declared, which is the tie-break migrate
documents.

Usage as a program: alembic_ref.py SCRIPT prints what Alembic does, in the
driver's output format (steps show the rows after them instead of the row
operations, which Alembic keeps in sets).
"""

import sys
import types
import warnings

import sqlalchemy as sa
from alembic import util
from alembic.runtime.migration import MigrationContext
from alembic.script.base import ScriptDirectory
from alembic.script.revision import Revision
from alembic.script.revision import RevisionMap
from alembic.script.revision import _relative_destination

warnings.simplefilter("ignore")


class Crash(Exception):
    """Alembic failed with something other than its own errors."""


def classify(exc):
    """(code, message, detail) for an exception raised by Alembic."""
    if not isinstance(exc, (util.CommandError,)) and not type(
        exc
    ).__module__.startswith("alembic"):
        return ("CRASH", "%s: %s" % (type(exc).__name__, exc), None)
    msg = str(exc.args[0]) if exc.args else str(exc)
    cause = exc.__cause__
    detail = str(cause.args[0]) if cause is not None and cause.args else None
    table = [
        ("Range revision not allowed", "RANGE_NOT_ALLOWED"),
        ("Multiple head revisions are present", "MULTIPLE_HEADS"),
        ("Multiple heads are present", "MULTIPLE_HEADS"),
        ("Relative revision", "RELATIVE_RANGE"),
        ("Walked too far", "RELATIVE_RANGE"),
        ("Ambiguous walk", "AMBIGUOUS_WALK"),
        ("Ambiguous upgrade", "AMBIGUOUS_UPGRADE"),
        ("Destination ", "NOT_VALID_TARGET"),
        ("Not a valid downgrade target", "NOT_VALID_TARGET"),
        ("Requested range", "NOT_VALID_TARGET"),
        ("Requested revision", "OVERLAP"),
        ("Dependency self-loop", "DEP_SELF_LOOP"),
        ("Dependency cycle", "DEP_CYCLE"),
        ("Self-loop", "SELF_LOOP"),
        ("Cycle is detected", "CYCLE"),
        ("Branch name", "LABEL_CONFLICT"),
        ("Character(s)", "BAD_ID"),
        ("History range requires", "BAD_TARGET"),
        ("Online migration expected", "CRASH"),
    ]
    if msg.startswith("Can't locate revision identified by"):
        d = detail or ""
        if d.startswith("No such revision or branch"):
            return ("UNKNOWN_REVISION", msg, detail)
        if d.startswith("Multiple revisions start with"):
            return ("AMBIGUOUS_PREFIX", msg, detail)
        if d.startswith("No such branch"):
            return ("NO_SUCH_BRANCH", msg, detail)
        if "is not a member of branch" in d:
            return ("NOT_BRANCH_MEMBER", msg, detail)
        return ("CRASH", msg, detail)
    for prefix, code in table:
        if msg.startswith(prefix):
            return (code, msg, None)
    return ("CRASH", "%s: %s" % (type(exc).__name__, msg), None)


class RefRevision(Revision):
    def __init__(self, rid, down, deps, labels, log):
        Revision.__init__(
            self,
            rid,
            tuple(down) if down else None,
            dependencies=tuple(deps) if deps else None,
            branch_labels=tuple(labels) if labels else None,
        )
        self.doc = ""
        self.module = types.SimpleNamespace(
            upgrade=lambda: log.append(("upgrade", rid)),
            downgrade=lambda: log.append(("downgrade", rid)),
        )


def parse_rev(line):
    parts = line.split()
    rid = parts[1]
    fields = {"down": [], "deps": [], "labels": []}
    for p in parts[2:]:
        key, _, val = p.partition("=")
        fields[key] = [x for x in val.split(",")] if val else []
    return rid, fields["down"], fields["deps"], fields["labels"]


class AlembicRef:
    """One graph and one version table, driven command by command."""

    def __init__(self):
        self.engine = sa.create_engine("sqlite://")
        self.conn = self.engine.connect()
        self.revdefs = []
        self.reset()

    def reset(self):
        self.revdefs = []
        self.map = None
        self.sd = None
        self.build_error = None
        self.log = []
        self.set_rows([])

    # -- graph ---------------------------------------------------------
    def add_rev(self, line):
        self.revdefs.append(parse_rev(line))

    def build(self):
        if self.map is not None or self.build_error is not None:
            return self.build_error
        try:
            revs = [
                RefRevision(rid, down, deps, labels, self.log)
                for rid, down, deps, labels in self.revdefs
            ]
            rm = RevisionMap(lambda: iter(revs))
            rm.heads  # the map (and its validation) is built lazily
            for r in revs:
                order = list(r._resolved_dependencies)
                r._normalized_resolved_dependencies = tuple(
                    sorted(
                        r._normalized_resolved_dependencies,
                        key=order.index,
                    )
                )
            self.map = rm
            self.sd = ScriptDirectory("/")
            self.sd.revision_map = rm
            self.revs = {r.revision: r for r in revs}
            self.order = [r.revision for r in revs]
        except Exception as e:  # noqa: BLE001 - any failure is a result
            self.build_error = classify(e)
        return self.build_error

    # -- version table -------------------------------------------------
    def set_rows(self, rows):
        with self.conn.begin():
            self.conn.exec_driver_sql(
                "CREATE TABLE IF NOT EXISTS alembic_version "
                "(version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
            )
            self.conn.exec_driver_sql("DELETE FROM alembic_version")
            for r in rows:
                self.conn.exec_driver_sql(
                    "INSERT INTO alembic_version VALUES (?)", (r,)
                )

    def rows(self):
        return tuple(
            r[0]
            for r in self.conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            )
        )

    def _run(self, fn, purge=False):
        """Run a migration function as Alembic's runtime does; returns
        ("steps", [(kind, rev, rows)], rows) or ("error", ...)."""
        self.log.clear()
        steps = []

        def on_apply(ctx, step, heads, run_args):
            if step.is_stamp:
                steps.append(("stamp", None, frozenset(heads)))
            else:
                kind, rev = self.log[-1]
                steps.append((kind, rev, frozenset(heads)))

        trans = self.conn.begin()
        try:
            ctx = MigrationContext.configure(
                connection=self.conn,
                opts={"fn": fn, "on_version_apply": [on_apply], "purge": purge},
            )
            ctx.run_migrations()
        except Exception as e:  # noqa: BLE001
            trans.rollback()
            return {"error": classify(e)}
        trans.commit()
        return {"steps": steps, "rows": frozenset(self.rows())}

    # -- commands ------------------------------------------------------
    def command(self, cmd, arg):
        sd = self.sd
        try:
            if cmd == "upgrade":
                if ":" in arg:
                    raise util.CommandError("Range revision not allowed")
                return self._run(lambda heads, ctx: sd._upgrade_revs(arg, heads))
            if cmd == "downgrade":
                if ":" in arg:
                    raise util.CommandError("Range revision not allowed")
                return self._run(
                    lambda heads, ctx: sd._downgrade_revs(arg, heads)
                )
            if cmd == "stamp":
                a = arg or ""
                purge = False
                if a == "purge":
                    purge, a = True, ""
                elif a.endswith(" purge"):
                    purge, a = True, a[: -len(" purge")]
                targets = tuple(a.split(",")) if a else ()
                return self._run(
                    lambda heads, ctx: sd._stamp_revs(targets, heads), purge
                )
            if cmd == "current":
                cur = sd.get_all_current(self.rows())
                return {"set": frozenset(r.revision for r in cur)}
            if cmd == "heads":
                return {"list": list(sd.get_heads())}
            if cmd == "realheads":
                return {"list": [r.revision for r in sd.get_revisions("heads")]}
            if cmd == "bases":
                return {"list": list(sd.get_bases())}
            if cmd == "realbases":
                return {"list": list(self.map._real_bases)}
            if cmd == "branchpoints":
                return {
                    "set": frozenset(
                        r for r in self.order if self.revs[r].is_branch_point
                    )
                }
            if cmd == "history":
                return {"list": self.history(arg)}
            if cmd == "show":
                out = []
                for r in sd.get_revisions(arg):
                    if r.revision not in out:
                        out.append(r.revision)
                return {"list": out}
            if cmd == "labels":
                r = self.revs[arg]
                return {
                    "labels": (
                        frozenset(r._orig_branch_labels),
                        frozenset(r.branch_labels),
                    )
                }
            if cmd == "parents":
                return {"list": list(self.revs[arg]._versioned_down_revisions)}
            if cmd == "deps":
                return {
                    "list": list(
                        util.unique_list(self.revs[arg]._resolved_dependencies)
                    )
                }
        except Exception as e:  # noqa: BLE001
            return {"error": classify(e)}
        raise ValueError("unknown command %r" % cmd)

    def history(self, rev_range):
        """command.history without the printing."""
        sd = self.sd
        if rev_range is not None:
            if ":" not in rev_range:
                raise util.CommandError(
                    "History range requires [start]:[end], [start]:, or :[end]"
                )
            base, head = rev_range.strip().split(":")
        else:
            base = head = None
        rows = self.rows()
        if head == "current":
            head = rows
        elif base == "current":
            base = rows
        return [
            sc.revision
            for sc in sd.walk_revisions(base=base or "base", head=head or "heads")
        ]

    # helpers for the differential test
    def relative_downgrade_from_several_heads(self, target):
        """Would this downgrade hit Alembic's 'downgrade -1 from multiple
        heads' path (which migrate refuses)?"""
        m = _relative_destination.match(target)
        if not m:
            return False
        branch, symbol, relative = m.groups()
        return (
            int(relative) < 0
            and symbol is None
            and branch is None
            and len(set(self.rows())) > 1
        )

    def ancestors(self, rid):
        """Ancestors of a revision following every edge (for row checks)."""
        return {
            r.revision
            for r in self.map._get_ancestor_nodes([self.revs[rid]])
            if r.revision != rid
        }


def fmt_result(cmd, res, out):
    if "error" in res:
        code, msg, detail = res["error"]
        out.append("error %s: %s" % (code, msg))
        if detail:
            out.append("  detail: %s" % detail)
    if "steps" in res:
        for kind, rev, rows in res["steps"]:
            out.append(
                "%s %s | rows=%s" % (kind, rev or "-", ",".join(sorted(rows)))
            )
    if "list" in res:
        out.append("%s: %s" % (cmd, " ".join(res["list"])))
    if "set" in res:
        out.append("%s: %s" % (cmd, " ".join(sorted(res["set"]))))
    if "labels" in res:
        own, spread = res["labels"]
        out.append(
            "labels: own=%s spread=%s"
            % (",".join(sorted(own)), ",".join(sorted(spread)))
        )


def run_script(lines):
    ref = AlembicRef()
    out = []
    for line in lines:
        line = line.rstrip("\r\n")
        if not line or line.startswith("#"):
            continue
        if line.startswith("rev "):
            ref.add_rev(line)
            continue
        out.append("> " + line)
        if line == "reset":
            ref.reset()
            continue
        err = ref.build()
        if err:
            out.append("build error %s: %s" % (err[0], err[1]))
            continue
        cmd, _, arg = line.partition(" ")
        if cmd == "rows":
            ref.set_rows([x for x in arg.split(",") if x])
            out.append("rows: %s" % " ".join(sorted(ref.rows())))
            continue
        res = ref.command(cmd, arg if " " in line else None)
        fmt_result(cmd, res, out)
        if cmd in ("upgrade", "downgrade", "stamp"):
            out.append("rows: %s" % " ".join(sorted(ref.rows())))
    return out


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        text = f.read()
    # accept unit-test case files: only the part before "----"
    text = text.split("\n----\n")[0]
    print("\n".join(run_script(text.splitlines())))
