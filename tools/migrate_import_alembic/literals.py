"""Values as SQL literals, where SQLAlchemy has no literal renderer.

Against a database, a value reaches PostgreSQL as a parameter: the column
type's bind processor turns it into what the driver sends (JSON into its
text, an ARRAY's items one by one, an Enum member into its name), and the
driver (psycopg2) quotes that.  Offline, SQLAlchemy 1.4 renders literals
only for the types that have a literal processor (strings, numbers,
booleans, UUID); a JSONB, ARRAY, date, timestamp or interval value stops
the rendering ("No literal value renderer is available").

LiteralCompiler keeps SQLAlchemy's literal wherever it renders one (so that
files written before stay byte-identical) and otherwise writes what the
driver would have sent: the bind processor's result, quoted as psycopg2
quotes it, with the same casts (`'2024-03-01'::date`).
"""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from typing import Any, Type


class Unrenderable(Exception):
    """A value no literal can stand for (the driver could not send it
    either)."""


def quote(text: str) -> str:
    """A string literal for a server with standard_conforming_strings on,
    the default since PostgreSQL 9.1 (as the rest of each body assumes)."""
    if "\x00" in text:
        raise Unrenderable("a string holding a NUL character")
    return "'" + text.replace("'", "''") + "'"


def _interval(value: datetime.timedelta) -> str:
    return "'%d days %d.%06d seconds'::interval" % (
        value.days, value.seconds, value.microseconds)


def driver_literal(value: Any) -> str:
    """value as psycopg2 would write it into a statement."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "'NaN'::float"
        if math.isinf(value):
            return "'Infinity'::float" if value > 0 else "'-Infinity'::float"
        return repr(value)
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return "'NaN'::numeric"
        if value.is_infinite():
            return "'Infinity'::numeric" if value > 0 else "'-Infinity'::numeric"
        return str(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "'\\x%s'::bytea" % bytes(value).hex()
    if isinstance(value, datetime.datetime):
        cast = "timestamptz" if value.tzinfo is not None else "timestamp"
        return "%s::%s" % (quote(value.isoformat()), cast)
    if isinstance(value, datetime.date):
        return "%s::date" % quote(value.isoformat())
    if isinstance(value, datetime.time):
        cast = "timetz" if value.tzinfo is not None else "time"
        return "%s::%s" % (quote(value.isoformat()), cast)
    if isinstance(value, datetime.timedelta):
        return _interval(value)
    if isinstance(value, uuid.UUID):
        return "%s::uuid" % quote(str(value))
    if isinstance(value, list):
        if not value:
            return "'{}'"
        return "ARRAY[%s]" % ", ".join(driver_literal(v) for v in value)
    if isinstance(value, tuple):
        return "(%s)" % ", ".join(driver_literal(v) for v in value)
    raise Unrenderable("a %s value, which the driver cannot send as a "
                       "parameter either (give the column's type, e.g. "
                       "sa.bindparam(..., type_=JSONB))" % type(value).__name__)


def bound_literal(value: Any, type_: Any, dialect: Any) -> str:
    """What the driver would send for value as a parameter of type_."""
    from sqlalchemy.types import NullType

    if not isinstance(type_, NullType):
        processor = type_._cached_bind_processor(dialect)
        if processor is not None:
            value = processor(value)
    return driver_literal(value)


def literal_compiler(base: Type[Any]) -> Type[Any]:
    """A subclass of the dialect's statement compiler that falls back to
    bound_literal() where SQLAlchemy has no literal for a value."""

    class LiteralCompiler(base):  # type: ignore[misc]
        def render_literal_value(self, value: Any, type_: Any) -> str:
            try:
                return str(super().render_literal_value(value, type_))
            except Exception:
                pass
            return bound_literal(value, type_, self.dialect)

    return LiteralCompiler
