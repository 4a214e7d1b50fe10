"""Rendering: one direction of one revision to PostgreSQL SQL.

Each revision's upgrade() and downgrade() run under Alembic's offline mode
(the machinery behind `alembic upgrade --sql`), in one migration context
made for the import that writes no BEGIN, COMMIT or version-table
statement.  Bound values are rendered as literals with the "named"
paramstyle, so that a '%' in SQL stays one '%'; values SQLAlchemy has no
literal for as the driver sends them (literals.py).

What the revision does through op.get_bind() is followed (bind.py); a
revision is refused exactly when it reads a row, reflects a table, asks
whether something exists, takes a savepoint to branch on a failure, asks
context.is_offline_mode(), or connects anywhere (guard.py), and the reason
says which, in words.  Statements that end a transaction, or cannot run in
one, make the revision non-transactional or are refused (body()).
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from .bind import instrument
from .ddl import order_indexes, refuse_batch_reflection
from .errors import REFUSALS, NotOffline, refuse, without_addresses
from .literals import Unrenderable, literal_compiler
from .sqltext import (OUTSIDE_TRANSACTION, PLAIN_COMMIT, TRANSACTION_CONTROL,
                      first_line, leading_sql)


@dataclass
class Rendered:
    """One direction of one revision: body is the SQL text ("" for a
    function that emits nothing, None for a missing or irreversible
    downgrade, or when refused), refusal why it cannot be rendered,
    nontransactional whether it must run outside a transaction."""
    body: Optional[str]
    refusal: Optional[str] = None
    nontransactional: bool = False


class StatementLog(io.TextIOBase):
    """Output buffer of the offline migration context: one write per
    statement ("SQL;" followed by a blank line)."""

    def __init__(self) -> None:
        super().__init__()
        self.statements: List[str] = []

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if s.endswith("\n\n"):
            s = s[:-2]
        self.statements.append(s)
        return len(s)


def describe(e: BaseException, path: Optional[str]) -> str:
    """An exception as "Type: message (at line N of path)", without object
    addresses."""
    text = "".join(traceback.format_exception_only(type(e), e)).strip()
    if path is not None:
        for frame in reversed(traceback.extract_tb(e.__traceback__)):
            if os.path.abspath(frame.filename) == os.path.abspath(path):
                text += " (at line %s)" % frame.lineno
                break
    return without_addresses(text)


def unbound_parameters(construct: Any) -> List[str]:
    """The names of the bind parameters in construct that need a value and
    have none (":x" in a text() without .bindparams(x=...))."""
    from sqlalchemy.sql import visitors
    from sqlalchemy.sql.elements import BindParameter

    names: List[str] = []
    for element in visitors.iterate(construct):
        if (isinstance(element, BindParameter) and element.required
                and element.value is None and element.callable is None
                and element.key not in names):
            names.append(element.key)
    return names


class Renderer:
    """The offline migration context every revision is rendered in (made
    once: building a dialect per revision would cost more than rendering
    it), and the instruments around it."""

    def __init__(self, environment: Any, metadata: Any) -> None:
        self.environment = environment
        self.log = StatementLog()
        self.nontransactional = False
        self.used_connection = False
        environment.configure(
            dialect_name="postgresql",
            as_sql=True,
            output_buffer=self.log,
            literal_binds=True,
            dialect_opts={"paramstyle": "named"},
            transactional_ddl=False,
            target_metadata=metadata,
        )
        self.context = environment.context.get_context()
        impl = self.context.impl
        dialect = self.context.dialect
        # Unconnected, SQLAlchemy assumes standard_conforming_strings = off
        # and doubles every backslash in a string literal (so does
        # `alembic upgrade --sql`).  Connected to a server with the default
        # of every release since 9.1, it does not: render as it would there.
        dialect._backslash_escapes = False
        dialect.statement_compiler = literal_compiler(dialect.statement_compiler)
        impl._exec = self.offline_exec
        base_create_table = impl.create_table

        def create_table(table: Any) -> None:
            order_indexes(table)
            base_create_table(table)

        impl.create_table = create_table
        self.context.autocommit_block = self.autocommit_block
        refuse_batch_reflection()
        instrument(self.context.connection, self)

    # -- one direction of one revision -----------------------------------

    def render(self, script: Any, direction: str) -> Rendered:
        from alembic.util.exc import CommandError

        fn = getattr(script.module, direction, None)
        if fn is None:
            if direction == "downgrade":
                return Rendered(None)
            return Rendered(None, "it has no upgrade() function")

        self.log.statements.clear()
        self.nontransactional = False
        self.used_connection = False
        REFUSALS.reset()
        self.environment.rendering = True
        try:
            fn()
        except NotOffline as e:
            return Rendered(None, "%s() %s" % (direction, REFUSALS.first or e))
        except (Exception, SystemExit) as e:
            if REFUSALS.first is not None:
                # refused, then the revision raised something else
                return Rendered(None, "%s() %s" % (direction, REFUSALS.first))
            tb = traceback.extract_tb(e.__traceback__)
            own = bool(tb) and os.path.abspath(tb[-1].filename) == os.path.abspath(script.path)
            if (direction == "downgrade" and not self.log.statements and own
                    and not self.used_connection
                    and (isinstance(e, (NotImplementedError, RuntimeError, CommandError))
                         or type(e) is Exception)):
                # the usual way of saying "irreversible"
                return Rendered(None)
            reason = "%s() fails when rendered offline: %s" % (direction, describe(e, script.path))
            if self.used_connection:
                reason += " (it uses the connection from op.get_bind())"
            return Rendered(None, reason)
        finally:
            self.environment.rendering = False
        if REFUSALS.first is not None:
            # the revision caught the refusal and went on
            return Rendered(None, "%s() %s" % (direction, REFUSALS.first))
        return self.body(direction)

    def body(self, direction: str) -> Rendered:
        nontransactional = self.nontransactional
        statements = []
        for statement in self.log.statements:
            head = leading_sql(statement)
            if PLAIN_COMMIT.match(head):
                # op.execute("COMMIT") before what cannot run in a
                # transaction: each statement will commit on its own
                nontransactional = True
                continue
            if TRANSACTION_CONTROL.match(head):
                return Rendered(None, "%s() emits %r: a revision's statements run in "
                                "transactions migrate manages" % (direction, first_line(head)))
            if OUTSIDE_TRANSACTION.match(head):
                nontransactional = True
            if "\x00" in statement:
                return Rendered(None, "%s() emits a NUL character" % direction)
            statements.append(statement)
        if not statements:
            return Rendered("", None, nontransactional)
        return Rendered("\n" + "\n\n".join(statements) + "\n", None, nontransactional)

    @contextlib.contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Rendered without transaction statements (transactional_ddl is
        off), a block's statements are the revision's like any others; the
        revision as a whole runs outside a transaction."""
        self.nontransactional = True
        yield

    # -- statements --------------------------------------------------------

    def offline_exec(self, construct: Any, execution_options: Any = None,
                     multiparams: Sequence[Any] = (), params: Any = None) -> None:
        """Alembic's offline DefaultImpl._exec() without its one change to
        the SQL: it turns every tab into four spaces (in string literals and
        function bodies too), which the statement run against a database
        keeps.  A bind parameter without a value, which SQLAlchemy refuses
        against a database, is refused here instead of being written as
        NULL; a value SQLAlchemy has no literal for is written as the
        driver would send it (literals.py)."""
        from sqlalchemy import text
        from sqlalchemy.schema import DDLElement

        if isinstance(construct, str):
            construct = text(construct)
        if multiparams or params:
            # Alembic itself passes none offline (bulk_insert() inlines its
            # rows); the connection's execute() binds them before this
            refuse("executes %r with parameters through Alembic's "
                   "implementation, which the importer cannot follow"
                   % first_line(str(construct)))
        impl = self.context.impl
        compile_kw: Dict[str, Any] = {}
        if impl.literal_binds and not isinstance(construct, DDLElement):
            compile_kw = dict(compile_kwargs={"literal_binds": True})
            missing = unbound_parameters(construct)
            if missing:
                refuse(
                    "executes %r, which has the bind parameter%s %s and no "
                    "value for %s: against a database SQLAlchemy refuses it "
                    "(\"A value is required for bind parameter\"), offline "
                    "it would be written as NULL.  Give the value "
                    "(sa.text(...).bindparams(...)), or write \\: for a "
                    "colon that is not a parameter"
                    % (first_line(str(construct)), "s" if len(missing) > 1 else "",
                       ", ".join(":" + m for m in missing),
                       "them" if len(missing) > 1 else "it"))
        try:
            sql = str(construct.compile(dialect=impl.dialect, **compile_kw)).strip()
        except Unrenderable as e:
            refuse("executes %r with %s" % (first_line(str(construct)), e))
        impl.static_output(sql + impl.command_terminator)

    def emit_verbatim(self, sql: str) -> None:
        """A plain SQL string, as the connection sends it (no parameters
        parsed out of it), terminated: on a line of its own when its last
        line may end in a -- comment."""
        impl = self.context.impl
        sql = sql.strip()
        if not sql.endswith(impl.command_terminator):
            last_line = sql.rsplit("\n", 1)[-1]
            sql += ("\n" if "--" in last_line else "") + impl.command_terminator
        impl.static_output(sql)

def render_direction(renderer: Renderer, scripts: Sequence[Any], direction: str) -> List[Rendered]:
    """One direction of every revision, in one Operations context (as
    Alembic runs a whole upgrade in one)."""
    from alembic.operations import Operations

    with Operations.context(renderer.context):
        return [renderer.render(s, direction) for s in scripts]


def render_all(renderer: Renderer, scripts: Sequence[Any]) -> List[Tuple[Rendered, Rendered]]:
    """(upgrade, downgrade) of every revision.

    Where the platform can fork, the downgrades are rendered in a child
    process while this one renders the upgrades: each direction then
    starts from the modules as Alembic loaded them, as when Alembic runs
    one direction per command (a revision whose upgrade() changes a
    module-level Table does not change what its downgrade() renders), and
    on two free cores the import takes about the time of one direction.  If
    the child fails, the downgrades are rendered here after the upgrades."""
    child = _fork_downgrades(renderer, scripts)
    upgrades = render_direction(renderer, scripts, "upgrade")
    downgrades = _child_result(child, len(scripts))
    if downgrades is None:
        downgrades = render_direction(renderer, scripts, "downgrade")
    return list(zip(upgrades, downgrades))


def _fork_downgrades(renderer: Renderer, scripts: Sequence[Any]) -> Optional[Tuple[int, int]]:
    """A child rendering the downgrades into a pipe: (pid, read end), or
    None where there is no fork()."""
    if not hasattr(os, "fork"):
        return None
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid > 0:
        os.close(write_fd)
        return pid, read_fd
    status = 1
    try:
        os.close(read_fd)
        data = pickle.dumps(render_direction(renderer, scripts, "downgrade"))
        with os.fdopen(write_fd, "wb") as f:
            f.write(data)
        status = 0
    finally:
        # nothing of the parent's (atexit, buffers it flushed already) runs
        # twice
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _child_result(child: Optional[Tuple[int, int]], count: int) -> Optional[List[Rendered]]:
    if child is None:
        return None
    pid, read_fd = child
    with os.fdopen(read_fd, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    downgrades: List[Rendered] = pickle.loads(data)
    return downgrades if len(downgrades) == count else None
