"""DDL that SQLAlchemy and Alembic work out for themselves.

- Checked DDL: postgresql.ENUM(...).create(bind) and Sequence(...).create(bind)
  check by default, Table.create(bind, checkfirst=True) when told: against
  a database, SQLAlchemy's PostgreSQL dialect asks has_type(),
  has_sequence(), has_table() or has_index() first.  Offline there is
  nobody to ask, so the same question is written into the body: a DO block
  that runs the statements only if the object is missing (creating) or
  there (dropping), checking as the dialect checks.
- A table's indexes, created in the order of their names (IndexesByName).
- batch_alter_table() that recreates its table reflects it first: refused,
  with a reason that says so.
"""

from __future__ import annotations

from typing import Any, Iterator, List, Optional, Tuple

from .errors import refuse
from .sqltext import quote_dollar, sql_literal


def where_visible(alias: str, schema: Optional[str], visible: str) -> str:
    """A condition on the object of alias: in schema, or (no schema) found
    through the search_path, as SQLAlchemy's PostgreSQL dialect checks."""
    if schema is None:
        return "pg_catalog.%s(%s.oid)" % (visible, alias)
    return "n.nspname = %s" % sql_literal(schema)


def relation_exists(name: str, schema: Optional[str]) -> str:
    """has_table(): any relation of that name (table, view, ...)."""
    join = "" if schema is None else \
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
    return ("EXISTS (SELECT FROM pg_catalog.pg_class c%s WHERE c.relname = %s AND %s)"
            % (join, sql_literal(name), where_visible("c", schema, "pg_table_is_visible")))


def sequence_exists(name: str, schema: Optional[str]) -> str:
    """has_sequence(): without a schema, in the connection's default one."""
    nspname = "pg_catalog.current_schema()" if schema is None else sql_literal(schema)
    return ("EXISTS (SELECT FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND c.relname = %s "
            "AND n.nspname = %s)" % (sql_literal(name), nspname))


def index_exists(name: str, table: str, schema: Optional[str]) -> str:
    """has_index(): an index of that name on the table, not its primary key's."""
    join = "" if schema is None else \
        " JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace"
    return ("EXISTS (SELECT FROM pg_catalog.pg_index i "
            "JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
            "JOIN pg_catalog.pg_class t ON t.oid = i.indrelid%s "
            "WHERE ic.relname = %s AND t.relname = %s AND NOT i.indisprimary AND %s)"
            % (join, sql_literal(name), sql_literal(table),
               where_visible("t", schema, "pg_table_is_visible")))


def type_exists(name: str, schema: Optional[str]) -> str:
    """has_type()."""
    join = "" if schema is None else \
        " JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    return ("EXISTS (SELECT FROM pg_catalog.pg_type t%s WHERE t.typname = %s AND %s)"
            % (join, sql_literal(name), where_visible("t", schema, "pg_type_is_visible")))


def guarded_block(creating: bool, condition: str, statements: List[str]) -> str:
    """The statements, run only if condition says the object is missing
    (creating) or there (dropping): one DO block, each statement given to
    EXECUTE as a string, so that PL/pgSQL parses none of them."""
    executes = []
    for statement in statements:
        statement = statement.rstrip()
        if statement.endswith(";"):
            statement = statement[:-1].rstrip()
        executes.append("        EXECUTE %s;\n" % quote_dollar(statement, "sql"))
    block = ("\nBEGIN\n    IF %s%s THEN\n%s    END IF;\nEND\n"
             % ("NOT " if creating else "", condition, "".join(executes)))
    return "DO %s;" % quote_dollar(block, "checkfirst")


def existence_check(visitorcallable: Any, element: Any) -> Tuple[bool, str]:
    """What SQLAlchemy's PostgreSQL dialect asks the database before it
    creates or drops element with checkfirst, as a SQL condition that is
    true when the object exists.  Returns (creating, condition); refuses
    what cannot be asked in SQL."""
    import sqlalchemy as sa
    from sqlalchemy.types import TypeEngine

    name = visitorcallable.__name__
    if name.endswith("Generator"):
        creating = True
    elif name.endswith("Dropper"):
        creating = False
    else:
        refuse("runs %s with checkfirst=True, which the importer cannot "
               "render offline" % name)
    verb = "create" if creating else "drop"
    if isinstance(element, sa.MetaData):
        refuse("calls %s_all() with checkfirst=True: which tables it %ss "
               "depends on those the database has.  Pass checkfirst=False "
               "if that is known, or use op.%s_table()" % (verb, verb, verb))
    if isinstance(element, sa.Table):
        return creating, relation_exists(element.name, element.schema)
    if isinstance(element, sa.Sequence):
        return creating, sequence_exists(element.name, element.schema)
    if isinstance(element, sa.Index):
        table = element.table
        return creating, index_exists(element.name, table.name, table.schema)
    if isinstance(element, TypeEngine) and getattr(element, "name", None):
        return creating, type_exists(getattr(element, "name"), getattr(element, "schema", None))
    refuse("%ss %s with checkfirst=True: whether it does depends on the "
           "database, and the importer cannot ask that in SQL"
           % (verb, type(element).__name__))


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
