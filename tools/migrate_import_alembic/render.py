"""Rendering: one direction of one revision to PostgreSQL SQL.

Each revision's upgrade() and downgrade() run under Alembic's offline mode
(the machinery behind `alembic upgrade --sql`), one at a time, in one
migration context of their own that writes no BEGIN, COMMIT or
version-table statement.  Bound values are rendered as literals with the
"named" paramstyle, so that a '%' in SQL stays one '%'.

What the revision does through op.get_bind() is followed, not guessed:
statements it executes are written into the body, with their parameters
inlined as literals (one statement per parameter set); a commit() or an
AUTOCOMMIT isolation level makes the revision non-transactional.  The
result of a statement is handed back as an object that refuses to be read:
a revision is refused exactly when it reads a row, reflects a table, asks
whether something exists, takes a savepoint to branch on a failure, asks
context.is_offline_mode(), or connects anywhere (guard.py); the reason says
which, in words.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import re
import sys
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from .checkfirst import existence_check, guarded_block
from .errors import REFUSALS, NotOffline, refuse, without_addresses
from .literals import Unrenderable, driver_literal, literal_compiler
from .sqltext import (OUTSIDE_TRANSACTION, PLAIN_COMMIT, TRANSACTION_CONTROL,
                      first_line, leading_sql, returns_rows, tables_named)

THROUGH = "through the connection"


@dataclass
class Rendered:
    """One direction of one revision: body is the SQL text ("" for a
    function that emits nothing, None for a missing or irreversible
    downgrade, or when refused), refusal why it cannot be rendered, outside
    whether it must run outside a transaction."""
    body: Optional[str]
    refusal: Optional[str] = None
    outside: bool = False


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


def parameter_sets(multiparams: Sequence[Any], params: Dict[str, Any]) -> List[Any]:
    """The parameter sets of a Connection.execute() call, as SQLAlchemy 1.4
    reads its arguments: [dict, ...] for named ones, [tuple] for positional
    ones, [] for none."""
    if params:
        return [dict(params)]
    if not multiparams:
        return []
    if len(multiparams) == 1:
        only = multiparams[0]
        if isinstance(only, dict):
            return [only] if only else []
        if isinstance(only, (list, tuple)):
            if only and all(isinstance(p, (dict, list, tuple)) for p in only):
                return [p if isinstance(p, dict) else tuple(p) for p in only]
            return [tuple(only)] if only else []
        return [(only,)]
    if all(isinstance(p, dict) for p in multiparams):
        return list(multiparams)
    return [tuple(multiparams)]


_PYFORMAT = re.compile(r"%\(([^)]*)\)s|%s|%%")


def driver_sql(sql: str, values: Any) -> str:
    """A plain SQL string with DBAPI (psycopg2 "pyformat") parameters,
    the values written in as the driver would."""
    position = [0]

    def replace(m: "re.Match[str]") -> str:
        if m.group(0) == "%%":
            return "%"
        if m.group(1) is not None:
            if not isinstance(values, dict) or m.group(1) not in values:
                raise Unrenderable("no value for the parameter %%(%s)s" % m.group(1))
            return driver_literal(values[m.group(1)])
        if isinstance(values, dict) or position[0] >= len(values):
            raise Unrenderable("no value for a %s parameter")
        position[0] += 1
        return driver_literal(values[position[0] - 1])

    return _PYFORMAT.sub(replace, sql)


def with_values(construct: Any, values: Any) -> Any:
    """construct with one parameter set bound into it: text() parameters
    by name; for a Core statement, its bindparam()s by key, and the other
    keys as the columns an INSERT or UPDATE sets (as SQLAlchemy reads
    execute(table.insert(), {...}))."""
    from sqlalchemy.sql import expression, visitors
    from sqlalchemy.sql.dml import ValuesBase
    from sqlalchemy.sql.elements import BindParameter

    if not isinstance(values, dict):
        raise Unrenderable("positional parameters for a SQLAlchemy statement")
    if isinstance(construct, expression.TextClause):
        known = {k: v for k, v in values.items() if k in construct._bindparams}
        return construct.bindparams(**known) if known else construct
    keys = {e.key for e in visitors.iterate(construct) if isinstance(e, BindParameter)}

    def bind_value(bind: Any) -> None:
        if bind.key in values:
            bind.value = values[bind.key]
            bind.callable = None
            bind.required = False

    bound = visitors.cloned_traverse(construct, {"maintain_key": True},
                                     {"bindparam": bind_value})
    rest = {k: v for k, v in values.items() if k not in keys}
    if rest and isinstance(bound, ValuesBase):
        bound = bound.values(**rest)
    return bound


class UnreadResult:
    """What the offline connection's execute() returns: the statement is in
    the body, but what it gives back exists only against a database, so
    reading any of it refuses the revision."""

    METHODS = ("fetchall", "fetchone", "fetchmany", "first", "one", "one_or_none",
               "scalar", "scalar_one", "scalar_one_or_none", "scalars", "all",
               "mappings", "keys", "partitions", "columns", "tuples")

    def __init__(self, sql: Optional[str]) -> None:
        self._sql = sql

    def _read(self, what: str) -> Any:
        sql = (self._sql or "").strip().rstrip(";").rstrip()
        if returns_rows(sql):
            tables = tables_named(sql)
            refuse("reads rows%s %s: %s of %r"
                   % (" of " + ", ".join(tables) if tables else "", THROUGH,
                      what, first_line(sql)))
        refuse("reads the result of %r %s (%s)" % (first_line(sql), THROUGH, what))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._read("." + name + ("()" if name in self.METHODS else ""))

    def __iter__(self) -> Iterator[Any]:
        self._read("a loop over it")
        return iter(())

    def __enter__(self) -> "UnreadResult":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def close(self) -> None:
        return None


class OfflineTransaction:
    """What begin() gives offline: committing it is a commit (the revision
    is non-transactional); rolling it back cannot be written."""

    def __init__(self, renderer: "Renderer") -> None:
        self.renderer = renderer

    def commit(self) -> None:
        self.renderer.outside = True

    def rollback(self) -> None:
        refuse("rolls back its own statements (a transaction of op.get_bind() "
               "rolled back): what stays depends on where that happens, which "
               "a body run by migrate cannot follow")

    close = commit

    def __enter__(self) -> "OfflineTransaction":
        return self

    def __exit__(self, kind: Any, *rest: Any) -> None:
        if kind is None:
            self.commit()


class OfflineInspector:
    """sa.inspect(op.get_bind()) offline: every question is reflection."""

    TABLE_ARGUMENT = ("get_columns", "get_pk_constraint", "get_foreign_keys",
                      "get_indexes", "get_unique_constraints",
                      "get_check_constraints", "get_table_comment",
                      "get_table_options", "get_view_definition",
                      "get_sorted_table_and_fkc_names")

    @contextlib.contextmanager
    def _inspection_context(self) -> Iterator["OfflineInspector"]:
        # what Table(..., autoload_with=bind) asks for first
        yield self

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)

        def ask(*args: Any, **kw: Any) -> Any:
            first = args[0] if args else None
            if name == "reflect_table" and first is not None:
                refuse("reflects table %s (sa.inspect(bind).reflect_table(), "
                       "Table(..., autoload_with=bind))" % getattr(first, "name", first))
            if name == "has_table" and isinstance(first, str):
                refuse("asks the database whether table %s exists "
                       "(sa.inspect(bind).has_table())" % first)
            if name in self.TABLE_ARGUMENT and isinstance(first, str):
                refuse("reflects table %s (sa.inspect(bind).%s())" % (first, name))
            refuse("reflects the database (sa.inspect(bind).%s())" % name)

        if name in ("default_schema_name", "dialect", "bind", "engine"):
            refuse("reflects the database (sa.inspect(bind).%s)" % name)
        return ask


_inspection_registered = False


def register_inspection() -> None:
    """sa.inspect() of the offline connection gives an OfflineInspector
    (SQLAlchemy's own fails on it with an AttributeError that says
    nothing of reflection)."""
    global _inspection_registered
    if _inspection_registered:
        return
    from sqlalchemy import inspection
    from sqlalchemy.engine.mock import MockConnection

    inspection._registrars[MockConnection] = lambda conn: OfflineInspector()
    _inspection_registered = True


_batch_patched = False


def refuse_batch_reflection() -> None:
    """batch_alter_table() that recreates its table without copy_from
    reflects the table first (Alembic then fails offline with "requires a
    live database connection"): say so as a refusal that names it."""
    global _batch_patched
    if _batch_patched:
        return
    from alembic.operations.batch import BatchOperationsImpl

    base_flush = BatchOperationsImpl.flush

    def flush(self: Any) -> None:
        if self.copy_from is None and self._should_recreate():
            refuse("reflects table %s: batch_alter_table() recreates it (recreate=%r), "
                   "copying the table the database has; give the table with "
                   "copy_from=sa.Table(...) to render it" % (self.table_name, self.recreate))
        base_flush(self)

    setattr(BatchOperationsImpl, "flush", flush)
    _batch_patched = True


class IndexesByName(set):  # type: ignore[type-arg]
    """A table's indexes, iterated in the order of their names.

    Table.indexes is a set of objects hashed by address, so that what
    SQLAlchemy and Alembic do "for index in table.indexes" (op.create_table
    with index=True columns, Table.create(), create_all()) happens in an
    order that differs from run to run, against a database as offline.  The
    schema is the same whatever the order; the file must be too."""

    def __iter__(self) -> Iterator[Any]:
        items = list(set.__iter__(self))
        items.sort(key=lambda ix: (str(ix.name) if ix.name is not None else "",
                                   getattr(ix, "_creation_order", 0)))
        return iter(items)


def order_indexes(element: Any) -> None:
    """Make the indexes of a table (or of each table of a MetaData)
    iterate by name."""
    import sqlalchemy as sa

    tables = element.tables.values() if isinstance(element, sa.MetaData) else [element]
    for table in tables:
        indexes = getattr(table, "indexes", None)
        if isinstance(indexes, set) and not isinstance(indexes, IndexesByName):
            table.indexes = IndexesByName(indexes)


class Renderer:
    """The offline migration context every revision is rendered in (made
    once: building a dialect per revision would cost more than rendering
    it), and the instruments around it."""

    def __init__(self, environment: Any, metadata: Any) -> None:
        self.environment = environment
        self.log = StatementLog()
        self.outside = False
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
        for name in ("has_table", "has_sequence", "has_index", "has_type", "has_schema"):
            if hasattr(dialect, name):
                setattr(dialect, name, self.existence_question(name))
        impl._exec = self.offline_exec
        base_create_table = impl.create_table

        def create_table(table: Any) -> None:
            order_indexes(table)
            base_create_table(table)

        impl.create_table = create_table
        self.context.autocommit_block = self.autocommit_block
        register_inspection()
        refuse_batch_reflection()
        self.instrument_connection(self.context.connection)

    # -- one direction of one revision -----------------------------------

    def render(self, script: Any, direction: str) -> Rendered:
        from alembic.util.exc import CommandError

        fn = getattr(script.module, direction, None)
        if fn is None:
            if direction == "downgrade":
                return Rendered(None)
            return Rendered(None, "it has no upgrade() function")

        self.log.statements = []
        self.outside = False
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
        outside = self.outside
        statements = []
        for statement in self.log.statements:
            head = leading_sql(statement)
            if PLAIN_COMMIT.match(head):
                # op.execute("COMMIT") before what cannot run in a
                # transaction: each statement will commit on its own
                outside = True
                continue
            if TRANSACTION_CONTROL.match(head):
                return Rendered(None, "%s() emits %r: a revision's statements run in "
                                "transactions migrate manages" % (direction, first_line(head)))
            if OUTSIDE_TRANSACTION.match(head):
                outside = True
            if "\x00" in statement:
                return Rendered(None, "%s() emits a NUL character" % direction)
            statements.append(statement)
        if not statements:
            return Rendered("", None, outside)
        return Rendered("\n" + "\n\n".join(statements) + "\n", None, outside)

    @contextlib.contextmanager
    def autocommit_block(self) -> Iterator[None]:
        """Rendered without transaction statements (transactional_ddl is
        off), a block's statements are the revision's like any others; the
        revision as a whole runs outside a transaction."""
        self.outside = True
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
        parsed out of it)."""
        impl = self.context.impl
        sql = sql.strip()
        if not sql.endswith(impl.command_terminator):
            sql += impl.command_terminator
        impl.static_output(sql)

    # -- op.get_bind() -----------------------------------------------------

    def instrument_connection(self, connection: Any) -> None:
        """op.get_bind() is, offline, a connection that writes what it is
        given into the body and gives nothing back (UnreadResult): DDL
        through it renders (sa.Enum(...).create(op.get_bind())), a write
        with parameters renders, a query whose rows the revision reads does
        not.

        It also honours checkfirst: SQLAlchemy's offline connection creates
        and drops unconditionally what, against a database, is created only
        if missing (postgresql.ENUM(...).create(bind), which checks first by
        default; Table.create(bind, checkfirst=True)) or dropped only if
        there.  Such DDL is written inside a DO block that makes the same
        check when the body runs (checkfirst.py)."""
        from sqlalchemy.schema import DDLElement
        from sqlalchemy.sql import ddl

        emit: Callable[[Any], None] = connection.execute
        log = self.log

        def execute(construct: Any, *multiparams: Any, **params: Any) -> Any:
            if isinstance(construct, DDLElement) and not multiparams and not params:
                emit(construct)
                return UnreadResult(None)
            self.used_connection = True
            sets = parameter_sets(multiparams, params)
            start = len(log.statements)
            try:
                if isinstance(construct, str):
                    for values in sets or [None]:
                        self.emit_verbatim(construct if values is None
                                           else driver_sql(construct, values))
                else:
                    for values in sets or [None]:
                        emit(construct if values is None else with_values(construct, values))
            except Unrenderable as e:
                refuse("executes %r through the connection with %s"
                       % (first_line(str(construct)), e))
            return UnreadResult(log.statements[-1] if len(log.statements) > start else None)

        def exec_driver_sql(statement: str, parameters: Any = None, execution_options: Any = None) -> Any:
            if parameters is None:
                return execute(statement)
            return execute(statement, parameters)

        def scalar(construct: Any, *multiparams: Any, **params: Any) -> Any:
            return execute(construct, *multiparams, **params).scalar()

        def scalars(construct: Any, *multiparams: Any, **params: Any) -> Any:
            return execute(construct, *multiparams, **params).scalars()

        def commit() -> None:
            # what the connection ran so far is committed, and what follows
            # runs in a transaction of its own (Alembic 1.8+ with a future
            # engine: commit(), then autocommit_block())
            self.outside = True

        def rollback() -> None:
            OfflineTransaction(self).rollback()

        def begin() -> OfflineTransaction:
            return OfflineTransaction(self)

        def begin_nested() -> Any:
            refuse("takes a savepoint (op.get_bind().begin_nested()), to go on "
                   "when a statement fails there: whether it does is decided "
                   "by the database")

        def execution_options(**kw: Any) -> Any:
            if str(kw.get("isolation_level", "")).upper() == "AUTOCOMMIT":
                self.outside = True
            return connection

        connection.execute = execute
        connection.exec_driver_sql = exec_driver_sql
        connection.scalar = scalar
        connection.scalars = scalars
        connection.commit = commit
        connection.rollback = rollback
        connection.begin = begin
        connection.begin_nested = begin_nested
        connection.execution_options = execution_options
        connection.close = lambda: None

        base_visitor = connection._run_ddl_visitor
        depth = [0]

        def run_ddl_visitor(visitorcallable: Any, element: Any, connection: Any = None,
                            **kw: Any) -> None:
            order_indexes_of(element)
            # DDL that SQLAlchemy runs for a checked object (the types of a
            # table's columns, through its before_create event) is checked
            # as well: the visitor passes its own checkfirst on to them.
            checkfirst = kw.pop("checkfirst", False) or depth[0] > 0
            if not checkfirst:
                base_visitor(visitorcallable, element, **kw)
                return None
            creating, condition = existence_check(visitorcallable, element)
            start = len(log.statements)
            depth[0] += 1
            try:
                base_visitor(visitorcallable, element, **kw)
            finally:
                depth[0] -= 1
            statements = log.statements[start:]
            del log.statements[start:]
            if statements:
                log.statements.append(guarded_block(creating, condition, statements))
            return None

        def order_indexes_of(element: Any) -> None:
            import sqlalchemy as sa
            if isinstance(element, (sa.Table, sa.MetaData)):
                order_indexes(element)

        connection._run_ddl_visitor = run_ddl_visitor
        connection.create = lambda entity, **kw: run_ddl_visitor(ddl.SchemaGenerator, entity, **kw)
        connection.drop = lambda entity, **kw: run_ddl_visitor(ddl.SchemaDropper, entity, **kw)

    def existence_question(self, name: str) -> Callable[..., Any]:
        """dialect.has_table(bind, "t") and the like: a question for the
        database."""
        what = {"has_table": "table", "has_sequence": "sequence", "has_index": "index",
                "has_type": "type", "has_schema": "schema"}[name]

        def ask(connection: Any = None, object_name: Any = None, *args: Any, **kw: Any) -> Any:
            if name == "has_index" and args:
                object_name = args[0]
            refuse("asks the database whether %s %s exists (dialect.%s())"
                   % (what, object_name, name))

        return ask


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
    on two cores the import takes about the time of one direction.  If the
    child fails, the downgrades are rendered here after the upgrades."""
    downgrades: Optional[List[Rendered]] = None
    pid = -1
    read_fd = -1
    if hasattr(os, "fork"):
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                os.close(read_fd)
                data = pickle.dumps(render_direction(renderer, scripts, "downgrade"))
                with os.fdopen(write_fd, "wb") as f:
                    f.write(data)
                status = 0
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        os.close(write_fd)
    upgrades = render_direction(renderer, scripts, "upgrade")
    if pid > 0:
        with os.fdopen(read_fd, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        if status == 0 and data:
            downgrades = pickle.loads(data)
    if downgrades is None or len(downgrades) != len(scripts):
        downgrades = render_direction(renderer, scripts, "downgrade")
    return list(zip(upgrades, downgrades))
