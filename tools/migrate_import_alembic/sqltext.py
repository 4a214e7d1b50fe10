"""SQL text: quoting, comments, and what a statement starts with."""

from __future__ import annotations

import re

# what ends a -- comment in PostgreSQL's lexer
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def quote_dollar(text: str, tag: str) -> str:
    """Dollar-quote text with a tag that cannot end the string early.

    The closing delimiter is the first occurrence of $tag$ after the opening
    one, so the tag must occur neither in the text nor across its end (text
    ending in "$tag" followed by the closing "$tag$")."""
    n = 0
    while True:
        delim = "$%s$" % (tag if n == 0 else "%s_%d" % (tag, n))
        if (text + delim).find(delim) == len(text):
            return delim + text + delim
        n += 1


def plpgsql_string(text: str) -> str:
    """An E'' literal, safe whatever standard_conforming_strings says."""
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def sql_literal(text: str) -> str:
    """A string literal for a name in a generated condition."""
    if "\\" in text:
        return plpgsql_string(text)
    return "'" + text.replace("'", "''") + "'"


def comment(text: str) -> str:
    """text as SQL comment lines: text starts with "--", and every line
    break in it (a multi-line exception message, say) starts another."""
    return "\n--   ".join(LINE_BREAK.split(text))


def leading_sql(statement: str) -> str:
    """The statement without leading blanks and -- or /* */ comments."""
    s = statement
    while True:
        s = s.lstrip()
        if s.startswith("--"):
            s = s.partition("\n")[2]
        elif s.startswith("/*"):
            s = s.partition("*/")[2]
        else:
            return s


def first_line(sql: str) -> str:
    """The statement's first line, cut at 60 characters, for a message."""
    line = sql.strip().splitlines()[0] if sql.strip() else ""
    return line if len(line) <= 60 else line[:57] + "..."


# Statements that end a transaction block; those that must run outside one
# make the revision non-transactional (transactional => false: CALL
# migrate.apply() runs its statements one by one, each on its own).
TRANSACTION_CONTROL = re.compile(
    r"^(BEGIN|COMMIT|ROLLBACK|END|ABORT|START\s+TRANSACTION|SAVEPOINT|RELEASE"
    r"|PREPARE\s+TRANSACTION)\b", re.I)
# a COMMIT alone (what op.execute("COMMIT") emits before a statement that
# cannot run in a transaction): the revision's statements commit one by one
PLAIN_COMMIT = re.compile(r"^(COMMIT|END)(\s+(WORK|TRANSACTION))?\s*;?\s*$", re.I)
OUTSIDE_TRANSACTION = re.compile(
    r"^((CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\b.*?)\s+CONCURRENTLY"
    r"|VACUUM|CREATE\s+DATABASE|DROP\s+DATABASE|CREATE\s+TABLESPACE"
    r"|DROP\s+TABLESPACE|ALTER\s+SYSTEM)\b", re.I | re.S)

_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_READS_FROM = re.compile(
    r"\b(?:FROM|JOIN)\s+((?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][\w$]*)"
    r"(?:\s*\.\s*(?:\"(?:[^\"]|\"\")+\"|[A-Za-z_][\w$]*))?)", re.I)
_ROWS = re.compile(r"^(SELECT|WITH|VALUES|TABLE|SHOW|EXPLAIN|FETCH)\b", re.I)
_RETURNING = re.compile(r"\bRETURNING\b", re.I)


def returns_rows(text: str) -> bool:
    """Whether a statement's text gives rows back."""
    return bool(_ROWS.match(leading_sql(text))) or bool(_RETURNING.search(text))


def tables_named(text: str) -> list[str]:
    """The relations a statement's text reads FROM or JOINs, in order,
    once each (string literals left out)."""
    names: list[str] = []
    bare = _QUOTED.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "''", text)
    for m in _READS_FROM.finditer(bare):
        name = re.sub(r"\s+", "", m.group(1))
        if name not in names:
            names.append(name)
    return names
