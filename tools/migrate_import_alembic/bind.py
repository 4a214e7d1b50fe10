"""op.get_bind() offline: a connection that writes what it is given.

Offline, Alembic's bind is SQLAlchemy's mock connection, which writes DDL
into the script and fails on anything else.  The importer's follows what a
revision does with it instead of guessing:

- statements it executes are written into the body, with their parameters
  inlined as literals (one statement per parameter set; a plain SQL string
  with DBAPI parameters as the driver fills it in);
- commit(), begin() ... commit and an AUTOCOMMIT isolation level make the
  revision non-transactional; rollback() and begin_nested() are refused;
- what a statement gives back is an UnreadResult, and reading it refuses
  the revision (reads rows of t, the result of an UPDATE), as does
  reflection (sa.inspect(bind), autoload_with=bind) and asking the dialect
  whether an object exists;
- checked DDL becomes a DO block, and a table's indexes come in name order
  (ddl.py).
"""

from __future__ import annotations

import contextlib
import re
from typing import Any, Callable, Dict, Iterator, List, Optional, Protocol, Sequence

from .ddl import existence_check, guarded_block, order_indexes
from .errors import refuse
from .literals import Unrenderable, driver_literal
from .sqltext import first_line, returns_rows, tables_named

THROUGH = "through the connection"


class Statements(Protocol):
    statements: List[str]


class Sink(Protocol):
    """What the offline connection reports to: the renderer."""
    nontransactional: bool
    used_connection: bool

    @property
    def log(self) -> Statements: ...

    def emit_verbatim(self, sql: str) -> None: ...


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

    def __init__(self, sink: "Sink") -> None:
        self.sink = sink
        self.committed = False

    def commit(self) -> None:
        self.sink.nontransactional = True
        self.committed = True

    def rollback(self) -> None:
        refuse("rolls back its own statements (a transaction of op.get_bind() "
               "rolled back): what stays depends on where that happens, which "
               "a body run by migrate cannot follow")

    def close(self) -> None:
        # closing a transaction that was not committed rolls it back
        if not self.committed:
            self.rollback()

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


def instrument(connection: Any, sink: Sink) -> None:
    """Make the offline connection (op.get_bind()) follow what the revision
    does with it; sink is told what it sees."""
    _executing(connection, sink)
    _transactions(connection, sink)
    _ddl(connection, sink)
    for name in ("has_table", "has_sequence", "has_index", "has_type", "has_schema"):
        if hasattr(connection.dialect, name):
            setattr(connection.dialect, name, _existence_question(name))
    register_inspection()


def _executing(connection: Any, sink: Sink) -> None:
    """execute() and its kin write the statement into the body, once per
    parameter set, and hand back an UnreadResult."""
    from sqlalchemy.schema import DDLElement

    emit: Callable[[Any], None] = connection.execute
    log = sink.log

    def execute(construct: Any, *multiparams: Any, **params: Any) -> Any:
        if isinstance(construct, DDLElement) and not multiparams and not params:
            emit(construct)
            return UnreadResult(None)
        sink.used_connection = True
        sets = parameter_sets(multiparams, params)
        start = len(log.statements)
        try:
            for values in sets or [None]:
                if isinstance(construct, str):
                    # a plain string goes to the driver as it is: no
                    # :name parameters parsed out of it
                    sink.emit_verbatim(construct if values is None
                                       else driver_sql(construct, values))
                else:
                    emit(construct if values is None else with_values(construct, values))
        except Unrenderable as e:
            refuse("executes %r through the connection with %s"
                   % (first_line(str(construct)), e))
        return UnreadResult(log.statements[-1] if len(log.statements) > start else None)

    def exec_driver_sql(statement: str, parameters: Any = None, execution_options: Any = None) -> Any:
        return execute(statement) if parameters is None else execute(statement, parameters)

    def scalar(construct: Any, *multiparams: Any, **params: Any) -> Any:
        return execute(construct, *multiparams, **params).scalar()

    def scalars(construct: Any, *multiparams: Any, **params: Any) -> Any:
        return execute(construct, *multiparams, **params).scalars()

    connection.execute = execute
    connection.exec_driver_sql = exec_driver_sql
    connection.scalar = scalar
    connection.scalars = scalars
    connection.close = lambda: None


def _transactions(connection: Any, sink: Sink) -> None:
    """commit(), begin(), AUTOCOMMIT: the revision's statements commit one
    by one (transactional => false); rollback() and savepoints are refused."""

    def commit() -> None:
        # what the connection ran so far is committed, and what follows
        # runs in a transaction of its own (Alembic 1.8+ with a future
        # engine: commit(), then autocommit_block())
        sink.nontransactional = True

    def rollback() -> None:
        OfflineTransaction(sink).rollback()

    def begin() -> OfflineTransaction:
        return OfflineTransaction(sink)

    def begin_nested() -> Any:
        refuse("takes a savepoint (op.get_bind().begin_nested()), to go on "
               "when a statement fails there: whether it does is decided "
               "by the database")

    def execution_options(**kw: Any) -> Any:
        if str(kw.get("isolation_level", "")).upper() == "AUTOCOMMIT":
            sink.nontransactional = True
        return connection

    connection.commit = commit
    connection.rollback = rollback
    connection.begin = begin
    connection.begin_nested = begin_nested
    connection.execution_options = execution_options


def _ddl(connection: Any, sink: Sink) -> None:
    """DDL through the connection (Enum.create(bind), Table.create(bind),
    create_all(bind)): a table's indexes in name order, and what
    SQLAlchemy checks for first as a DO block that makes the same check
    (ddl.py).  SQLAlchemy's offline connection would create and drop it
    unconditionally."""
    from sqlalchemy.sql import ddl

    base_visitor = connection._run_ddl_visitor
    log = sink.log
    depth = [0]

    def run_ddl_visitor(visitorcallable: Any, element: Any, connection: Any = None,
                        **kw: Any) -> None:
        order_indexes(element)
        # DDL that SQLAlchemy runs for a checked object (the types of a
        # table's columns, through its before_create event) is checked
        # as well: the visitor passes its own checkfirst on to them.
        checkfirst = kw.pop("checkfirst", False) or depth[0] > 0
        if not checkfirst:
            base_visitor(visitorcallable, element, **kw)
            return
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

    connection._run_ddl_visitor = run_ddl_visitor
    connection.create = lambda entity, **kw: run_ddl_visitor(ddl.SchemaGenerator, entity, **kw)
    connection.drop = lambda entity, **kw: run_ddl_visitor(ddl.SchemaDropper, entity, **kw)


def _existence_question(name: str) -> Callable[..., Any]:
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
