"""Writing: one migrate.register() file per revision, and the output
directory kept in step with the project.

Files are numbered in the order Alembic loads the version files (location by
location, file names sorted); registering them in that order gives migrate
the tie-breaking Alembic has.  The same project gives byte-identical files.
A file written for a revision that cannot be rendered (a failing upgrade
body, a NULL downgrade) is the user's to finish: once it differs from what
the importer writes, later imports keep it.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence

from .errors import OutputError
from .render import Rendered
from .sqltext import comment, plpgsql_string, quote_dollar

PROG = "migrate-import-alembic"
HEADER = "-- Imported from Alembic by %s" % PROG
MANUAL_MARK = "-- MANUAL:"
# what the failing body of a revision that is still to be written says
PLACEHOLDER = "was not imported from Alembic"
# how a file names the project it registers into: the register() argument,
# or with --omit-project a comment (the project the loader is to set)
PROJECT_ARGUMENT = "    project       => "
PROJECT_COMMENT = "-- project => "
PROJECT_LINE = re.compile(r"^(?:%s|%s)(\$project(?:_[0-9]+)?\$)(.*?)\1"
                          % (re.escape(PROJECT_ARGUMENT), re.escape(PROJECT_COMMENT)),
                          re.M | re.S)
OWN_FILE = re.compile(r"^([0-9]+\.)?[0-9]{4,}_[A-Za-z0-9_.]+\.sql$")
OUTSIDE_ADVICE = (
    "If the SQL you write must run outside a transaction (CREATE INDEX "
    "CONCURRENTLY, VACUUM, ALTER TYPE ... ADD VALUE used in the same "
    "revision, or what the revision ran in autocommit_block() or after "
    "op.get_bind().commit()), add transactional => false to the call.")


@dataclass
class RevisionFile:
    """What the importer writes for one revision."""
    revision: str
    name: str
    source: str
    content: str
    refusals: List[str] = field(default_factory=list)


def file_names(scripts: Sequence[Any], locations: Sequence[int]) -> Dict[str, str]:
    """NNNN_<revision>.sql, numbered in load order.  With several version
    locations, L.NNNN_<revision>.sql, numbered within each location: a new
    file in one location (which sorts last there, with a dated
    file_template) then leaves the names of the others alone."""
    several = len(set(locations)) > 1
    counts: Dict[int, int] = {}
    for loc in locations:
        counts[loc] = counts.get(loc, 0) + 1
    width = max(4, len(str(max(counts.values()))))
    loc_width = len(str(max(locations) + 1))
    names = {}
    seen: Dict[int, int] = {}
    for script, loc in zip(scripts, locations):
        seen[loc] = seen.get(loc, 0) + 1
        number = "%0*d" % (width, seen[loc])
        if several:
            number = "%0*d.%s" % (loc_width, loc + 1, number)
        names[script.revision] = "%s_%s.sql" % (number, script.revision)
    return names


def body_literal(body: Optional[str], tag: str) -> str:
    if body is None:
        return "NULL"
    if body == "":
        return "''"
    return quote_dollar(body, tag)


def manual_body(revision: str, project: str, reason: str) -> str:
    """An upgrade body that fails, naming the revision and why it is not
    there."""
    message = ("revision %s of project %s was not imported from Alembic: "
               "its upgrade() cannot be rendered offline" % (revision, project))
    hint = ("Write the SQL of its upgrade() in place of this body, in the file "
            "%s wrote for it, or change the revision so that it renders "
            "and import again." % PROG)
    block = ("\nBEGIN\n    RAISE EXCEPTION USING\n"
             "        MESSAGE = %s,\n        DETAIL = %s,\n        HINT = %s;\nEND\n"
             % (plpgsql_string(message), plpgsql_string("Its " + reason + "."),
                plpgsql_string(hint)))
    # the reason may quote anything the revision holds, $manual$ too
    return "\nDO %s;\n" % quote_dollar(block, "manual")


def revision_file(script: Any, name: str, source: str, project: str, omit_project: bool,
                  upgrade: Rendered, downgrade: Rendered) -> RevisionFile:
    """The register() call for one revision.  A refused upgrade is a body
    that fails; a refused downgrade is NULL (irreversible) until written."""
    from alembic.util.langhelpers import to_tuple

    module = script.module
    rev = script.revision
    down = to_tuple(module.down_revision, default=())
    depends = to_tuple(getattr(module, "depends_on", None), default=())
    labels = to_tuple(getattr(module, "branch_labels", None), default=())
    refusals = [r.refusal for r in (upgrade, downgrade) if r.refusal is not None]

    lines = [HEADER, comment("-- Alembic revision %s, from %s." % (rev, source))]
    if omit_project:
        lines.append("%s%s (none in the call: the loader sets migrate.project, "
                     "as migrate-bootstrap --project does)."
                     % (PROJECT_COMMENT, quote_dollar(project, "project")))
    if refusals:
        for reason in refusals:
            lines.append(comment("%s %s" % (MANUAL_MARK, reason)))
        todo = []
        if upgrade.refusal is not None:
            todo.append("Replace the failing upgrade body below with the "
                        "revision's SQL.")
        if downgrade.refusal is not None:
            todo.append("The downgrade is NULL (irreversible) until you write "
                        "its SQL in its place.")
        todo.append("The importer keeps this file once you have changed it.")
        todo.append(OUTSIDE_ADVICE)
        lines.extend("-- " + line for line in textwrap.wrap(" ".join(todo), 74))
    else:
        lines.append("-- Regenerated by the importer: change the revision, not this file.")

    upgrade_body = upgrade.body
    if upgrade.refusal is not None:
        upgrade_body = manual_body(rev, project, upgrade.refusal)
    args = ["    revision      => '%s'" % rev]
    if script.doc:
        args.append("    message       => %s" % quote_dollar(script.doc, "msg"))
    if down:
        args.append("    down_revision => '%s'" % ", ".join(down))
    if depends:
        args.append("    depends_on    => '%s'" % ", ".join(depends))
    if labels:
        args.append("    branch_labels => '%s'" % ", ".join(labels))
    if not omit_project:
        args.append("%s%s" % (PROJECT_ARGUMENT, quote_dollar(project, "project")))
    args.append("    upgrade       => %s" % body_literal(upgrade_body, "up"))
    args.append("    downgrade     => %s" % body_literal(downgrade.body, "down"))
    if upgrade.nontransactional or downgrade.nontransactional:
        args.append("    transactional => false")
    lines.append("SELECT migrate.register(")
    lines.append(",\n".join(args) + ");")
    return RevisionFile(rev, name, source, "\n".join(lines) + "\n", refusals)


def file_project(path: str) -> Optional[str]:
    """The project a file the importer wrote registers into (named by its
    project argument, or by the comment --omit-project writes), or None
    for a file the importer did not write."""
    try:
        with open(path, encoding="utf-8") as f:
            if f.readline().rstrip("\n") != HEADER:
                return None
            m = PROJECT_LINE.search(f.read())
    except (OSError, UnicodeDecodeError):
        return None
    return m.group(2) if m else None


@dataclass
class Written:
    """What write_outdir() did."""
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    # files of refused revisions kept as the user changed them, and which
    # of those still hold a failing placeholder body
    kept: List[str] = field(default_factory=list)
    still_placeholder: List[str] = field(default_factory=list)


def write_file(path: str, data: bytes) -> None:
    """Write a file whole or not at all: into a temporary file beside it,
    renamed over it (a crash leaves the old file or the new one)."""
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, ".%s.tmp" % name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    os.replace(tmp, path)


def write_outdir(outdir: str, files: Sequence[RevisionFile], force: bool,
                 project: str) -> Written:
    """Write the files, touching only those whose content changes; remove
    the importer's files of this project for revisions that are gone.  A
    file written for a revision that cannot be rendered is kept if it was
    changed.  Files the importer wrote for another project are someone
    else's: like any other file, they are left alone (with --force) and
    never overwritten."""
    if os.path.exists(outdir) and not os.path.isdir(outdir):
        raise OutputError("%s exists and is not a directory" % outdir)
    existing = sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []
    own: Dict[str, str] = {}
    others: List[str] = []
    other_projects = set()
    for entry in existing:
        path = os.path.join(outdir, entry)
        owner = file_project(path) if OWN_FILE.match(entry) and os.path.isfile(path) else None
        if owner == project:
            own[entry.split("_", 1)[1]] = entry
        else:
            others.append(entry)
            if owner is not None:
                other_projects.add(owner)

    def listing(names: List[str]) -> str:
        return ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")

    if others and not force:
        raise OutputError(
            "%s holds files the importer did not write%s: %s; use an empty "
            "directory (one per Alembic environment), or --force to write "
            "beside them"
            % (outdir, " for project %s" % project if other_projects else "",
               listing(others)))
    in_the_way = sorted(f.name for f in files if f.name in others)
    if in_the_way:
        raise OutputError(
            "%s holds files of the same names that the importer did not write%s: "
            "%s; --force writes beside other files, never over them: move them "
            "away, or import into another directory"
            % (outdir, " for project %s" % project if other_projects else "",
               listing(in_the_way)))

    # plan first, so that nothing is written when something is in the way
    done = Written()
    wanted = {f.name: f.content for f in files}
    for f in sorted(files, key=lambda f: f.name):
        old = own.get(f.name.split("_", 1)[1])
        if not f.refusals or old is None:
            continue
        with open(os.path.join(outdir, old), encoding="utf-8", newline="") as g:
            content = g.read()
        if content != f.content:
            wanted[f.name] = content      # the user's SQL, under the new number
            done.kept.append(f.name)
            if PLACEHOLDER in content:
                done.still_placeholder.append(f.name)

    try:
        os.makedirs(outdir, exist_ok=True)
        present = set(existing)
        for name in sorted(wanted):
            path = os.path.join(outdir, name)
            data = wanted[name].encode("utf-8")
            if name in present and os.path.isfile(path):
                with open(path, "rb") as current:
                    if current.read() == data:
                        done.unchanged += 1
                        continue
            write_file(path, data)
            done.written += 1
        for entry in sorted(own.values()):
            if entry not in wanted:
                os.unlink(os.path.join(outdir, entry))
                done.removed += 1
    except OSError as e:
        raise OutputError("cannot write %s: %s" % (outdir, e))
    return done
