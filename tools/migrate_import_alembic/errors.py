"""The importer's exceptions, and the record of why a revision is refused."""

from __future__ import annotations

import re
from typing import NoReturn, Optional

# "<... object at 0x7f3a...>" in a repr: an address that differs from run to
# run, which no file or message of the importer may hold
ADDRESS = re.compile(r" at 0x[0-9A-Fa-f]+")


class ProjectError(Exception):
    """The Alembic project cannot be read (exit status 3)."""


class OutputError(Exception):
    """The output directory cannot be used (exit status 4)."""


class NotOffline(BaseException):
    """The revision does something an offline rendering cannot reproduce:
    it reads the database, branches on it, or connects somewhere.

    A BaseException, not an Exception: a revision's own `except Exception`
    around a query whose failure it tolerates must not swallow it and go on
    down the branch it takes when the query fails.  refuse() also records
    the reason, so that not even a bare `except:` hides it."""


class Refusals:
    """The first reason given while one revision (or env.py) runs."""

    def __init__(self) -> None:
        self.first: Optional[str] = None

    def reset(self) -> None:
        self.first = None

    def refuse(self, reason: str) -> NoReturn:
        reason = without_addresses(reason)
        if self.first is None:
            self.first = reason
        raise NotOffline(reason)


# one per process: the connection guard (guard.py) and the renderer
# (render.py) report to the same record
REFUSALS = Refusals()


def refuse(reason: str) -> NoReturn:
    REFUSALS.refuse(reason)


def without_addresses(text: str) -> str:
    return ADDRESS.sub("", text)
