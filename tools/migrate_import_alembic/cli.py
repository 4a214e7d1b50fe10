"""The command line: options, the run, the report, the exit status."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from typing import Any, List, Optional, Sequence

from . import guard
from .errors import OutputError, ProjectError
from .files import PROG, RevisionFile, Written, file_names, revision_file, write_outdir
from .project import Project, alembic_config, flask_app
from .render import Renderer, render_all
from .sqltext import LINE_BREAK

EXIT_OK = 0
EXIT_NOT_RENDERABLE = 1
EXIT_USAGE = 2
EXIT_PROJECT = 3
EXIT_OUTPUT = 4

EPILOG = """\
Writes one file per revision into OUTDIR, NNNN_<revision>.sql numbered in
the order Alembic loads the version files (L.NNNN_<revision>.sql, numbered
within each location L, when version_locations names several), each one
migrate.register(...) call; load them in file-name order, then migrate:

  cat OUTDIR/*.sql | psql -X -v ON_ERROR_STOP=1 -1
  psql -c "SELECT * FROM migrate.upgrade('heads', 'PROJECT')"

A database that Alembic already migrated is taken over, without running any
body, with SELECT * FROM migrate.adopt_alembic(NULL, 'PROJECT').

With --omit-project, the calls name no project: they register into the one
the loader sets, migrate-bootstrap --project PROJECT OUTDIR, or

  (echo "SET migrate.project = 'PROJECT';"; cat OUTDIR/*.sql) | psql -X -v ON_ERROR_STOP=1 -1

The import connects nowhere: whatever URL env.py or a revision holds, every
connection the importer's process would open (a database, Redis, any
socket) is refused, and a revision that tries is listed as one that "opens
its own connection".

env.py is run in offline mode, as `alembic upgrade --sql` runs it, with
context.configure() recorded and the revisions rendered inside its
context.run_migrations(): the target_metadata it passes on gives the naming
convention that names the constraints and indexes the operations create.
When env.py cannot run offline, give what it needs (-x, environment
variables, --app), or --target-metadata MODULE:ATTRIBUTE (none: no
metadata).

A Flask-Migrate project is read as `flask db` reads it: -d DIR (the
migrations directory, whose alembic.ini has no script_location) and
--app module:create_app (default: $FLASK_APP), whose application context
is pushed for the whole import.

Statements a revision executes through op.get_bind() are written into its
body, parameters inlined as literals.  DDL that SQLAlchemy runs only after
checking the database (postgresql.ENUM(...).create(bind), Sequence(...)
.create(bind), Table.create(bind, checkfirst=True)) is written inside a DO
block that makes the same check when the body runs.

A revision whose statements must run outside a transaction (it uses
autocommit_block() or op.get_bind().commit(), or emits COMMIT, CREATE INDEX
CONCURRENTLY, VACUUM and the like) is registered with transactional =>
false: CALL migrate.apply() runs its statements one by one, each committing
on its own -- all of them, not only those inside the block.

A revision that cannot be rendered offline (it reads rows or the result of
a statement through the connection, reflects a table, asks whether an
object exists, takes a savepoint, asks context.is_offline_mode(), opens
its own connection, emits BEGIN or ROLLBACK, or fails when rendered) is
listed with the reason, and its file is written for you to finish: an
upgrade() that cannot be rendered becomes a body that fails, naming the
revision; a downgrade() that cannot be rendered becomes NULL
(irreversible).  Write the revision's SQL there (add transactional => false
if it must run outside a transaction); the importer keeps a file once it
differs from what the importer writes.  Every other revision is written as
usual.

A downgrade() that is missing, or that raises NotImplementedError (or
raises from the revision file before it emits anything), gives a NULL
downgrade: migrate refuses to downgrade through it.

Running the importer again rewrites only files whose content changed, adds
the new ones and removes its own files for revisions that are gone.

exit status:
  0  every revision written (those that cannot be rendered with SQL you
     wrote, or, with --allow-manual, as the importer wrote them)
  1  every revision written, but some cannot be rendered offline (listed)
     and their files still hold the importer's failing body or NULL
     downgrade
  2  bad command line
  3  the Alembic project cannot be read (missing or broken ini file, no
     such section, Alembic's own error for the script directory such as a
     cycle or a missing parent, a revision id or branch label migrate
     cannot hold, an env.py or application that cannot be loaded offline
     or that connects somewhere); nothing written
  4  OUTDIR cannot be used: it holds files the importer did not write for
     PROJECT and --force was not given, or a file the importer would write
     is there already and is not its own (even with --force), or it cannot
     be written
"""


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write one migrate.register() file per revision of an Alembic\n"
                    "project, with bodies rendered by Alembic's offline mode.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-c", "--config", metavar="alembic.ini",
                       help="the project's Alembic configuration file")
    where.add_argument("-d", "--directory", metavar="DIR",
                       help="a Flask-Migrate migrations directory (DIR/alembic.ini, "
                            "DIR the script location), as flask db -d DIR")
    parser.add_argument("--app", metavar="MODULE:NAME",
                        help="the Flask application (module:app, module:create_app, "
                             "as flask --app), its app context pushed for the whole "
                             "import; with -d, default $FLASK_APP")
    parser.add_argument("-n", "--name", default="alembic", metavar="SECTION",
                        help="section of the configuration file (default: alembic)")
    parser.add_argument("-x", action="append", metavar="KEY=VALUE",
                        help="passed to the revisions as Alembic's -x "
                             "(context.get_x_argument()); repeatable")
    parser.add_argument("--project", required=True,
                        help="the migrate project to register the revisions in")
    parser.add_argument("--omit-project", action="store_true",
                        help="write register() calls without a project argument: "
                             "they register into the project the loader sets "
                             "(migrate.project; migrate-bootstrap --project PROJECT), "
                             "which should be PROJECT")
    parser.add_argument("--target-metadata", metavar="MODULE:ATTRIBUTE",
                        help="the MetaData whose naming convention the revisions "
                             "use, instead of running env.py to read it; 'none' "
                             "for none")
    parser.add_argument("-o", "--outdir", required=True, metavar="OUTDIR",
                        help="directory for the .sql files (created if missing)")
    parser.add_argument("--allow-manual", action="store_true",
                        help="exit 0 even when revisions that cannot be rendered "
                             "offline are written with a failing upgrade body or "
                             "a NULL downgrade (they are written either way: write "
                             "their SQL there, and add transactional => false when "
                             "it must run outside a transaction, as the revision's "
                             "autocommit_block() or commit() did)")
    parser.add_argument("--force", action="store_true",
                        help="write into OUTDIR even if it holds other files "
                             "(never over them)")
    args = parser.parse_args(argv)
    if not args.project or len(args.project.encode("utf-8")) > 255 or "\x00" in args.project:
        parser.error("--project must be 1 to 255 bytes")
    if args.omit_project and LINE_BREAK.search(args.project):
        parser.error("--omit-project: the project name goes into a comment "
                     "line, and cannot hold a line break")
    if args.app is None and args.directory is not None:
        args.app = os.environ.get("FLASK_APP") or None
    if args.config is None and args.directory is None and args.app is None:
        parser.error("give the project: -c alembic.ini, or -d DIR (Flask-Migrate)")
    return args


def import_project(args: argparse.Namespace, app: Any) -> int:
    config_file = args.config
    directory = args.directory
    if config_file is None:
        if directory is None:
            # --app alone: the directory the application's Migrate names,
            # as flask db uses it
            migrate = getattr(app, "extensions", {}).get("migrate")
            directory = getattr(migrate, "directory", None) or "migrations"
        config_file = os.path.join(directory, "alembic.ini")
    config = alembic_config(config_file, args.name, args.x or [], directory, app)
    project = Project(config, config_file)
    project.load()
    # What is loaded now lives to the end of the run.  Frozen (moved out of
    # the collector's generations), it is not scanned again, nor are its
    # pages written to by collections in the child that renders the
    # downgrades (render_all()); what rendering leaves behind (a Table and
    # its MetaData per operation, in cycles) is collected as usual.
    gc.freeze()
    gc.enable()
    names = file_names(project.scripts, project.locations)

    def render(metadata: Any) -> List[RevisionFile]:
        renderer = Renderer(project.environment, metadata)
        return [revision_file(script, names[script.revision], project.source(script),
                              args.project, args.omit_project, upgrade, downgrade)
                for script, (upgrade, downgrade)
                in zip(project.scripts, render_all(renderer, project.scripts))]

    files = project.run(args.target_metadata, render)
    done = write_outdir(args.outdir, files, args.force, args.project)
    print("%s: %d revisions in %s: %d written, %d unchanged, %d removed%s"
          % (PROG, len(files), args.outdir, done.written, done.unchanged, done.removed,
             ", %d kept with hand-written SQL (%s)" % (len(done.kept), ", ".join(done.kept))
             if done.kept else ""))
    sys.stdout.flush()
    return report_unfinished(args, files, done)


def report_unfinished(args: argparse.Namespace, files: List[RevisionFile], done: Written) -> int:
    """List the refused revisions whose files are still as the importer
    wrote them (or hold its failing body); the exit status."""
    todo = [f for f in files
            if f.refusals and (f.name not in done.kept or f.name in done.still_placeholder)]
    if not todo:
        return EXIT_OK
    out = sys.stderr
    print("%s: %d revision(s) cannot be rendered offline; their files in %s are "
          "written for you to finish:" % (PROG, len(todo), args.outdir), file=out)
    for f in todo:
        for reason in f.refusals:
            print("  %s (%s): %s" % (f.revision, f.source,
                                     "\n    ".join(LINE_BREAK.split(reason))), file=out)
        print("    -> %s" % os.path.join(args.outdir, f.name), file=out)
    print("Write their SQL in those files, in place of the failing upgrade body "
          "or the NULL downgrade (the importer keeps a file once you change it; "
          "add transactional => false if that SQL must run outside a "
          "transaction), or change the revisions so that they render, and "
          "import again.", file=out)
    return EXIT_OK if args.allow_manual else EXIT_NOT_RENDERABLE


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Loading SQLAlchemy, Alembic and the revisions makes objects that live
    # to the end of the run: the cyclic collector would scan them over and
    # over (a tenth of the time of a small import) to free a few hundred.
    # import_project() turns it on again once the revisions are loaded.
    gc.disable()
    # before anything of the project is loaded: its modules may bind the
    # drivers' connect() when imported
    guard.install()
    try:
        app = flask_app(args.app) if args.app else None
        with app.app_context() if app is not None else contextlib.nullcontext():
            return import_project(args, app)
    except ProjectError as e:
        print("%s: %s\nNothing was written." % (PROG, e), file=sys.stderr)
        return EXIT_PROJECT
    except OutputError as e:
        print("%s: %s" % (PROG, e), file=sys.stderr)
        return EXIT_OUTPUT
