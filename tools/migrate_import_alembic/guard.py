"""No connection out of the importer's process.

An import reads files and writes files.  Whatever env.py, an application
factory or a revision holds (a database URL that works, a Redis client),
nothing it does during the import may reach a server: a revision that makes
an engine of its own and runs an UPDATE through it would otherwise change
the database its URL names while its import silently drops the data step.

install() puts a refusal in front of every way out that Python code takes:
the socket module (connect, sendto, and the name lookups before them), the
DBAPI drivers whose connections are made in C (libpq, sqlite3, ...), and
SQLAlchemy's dialect connect().  A refusal raises errors.NotOffline with a
reason that says where the connection was going; render.py turns it into the
revision's refusal, project.py into an error naming env.py.  A program the
revision starts (subprocess) is outside this process and not covered.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import socket
import sys
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from .errors import refuse

OWN_CONNECTION = "opens its own connection"

# DBAPI modules whose connect() does not go through Python's socket module,
# and the attributes to guard: module attributes, or "Class.attribute"
DRIVERS: Dict[str, Tuple[str, ...]] = {
    "psycopg2": ("connect", "_connect"),
    "psycopg": ("connect", "Connection.connect", "AsyncConnection.connect"),
    "sqlite3": ("connect",),
    "sqlite3.dbapi2": ("connect",),
    "MySQLdb": ("connect", "Connect"),
    "pyodbc": ("connect",),
    "cx_Oracle": ("connect",),
    "oracledb": ("connect",),
}

_installed = False


def address_text(address: Any) -> str:
    """host:port, or a socket path, for a reason."""
    if isinstance(address, tuple) and len(address) >= 2:
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        return "%s:%s" % ("[%s]" % host if ":" in host else host, address[1])
    if isinstance(address, bytes):
        return address.decode("utf-8", "replace")
    return str(address)


def _refuse_to(where: str) -> Any:
    refuse("%s (to %s): the importer connects nowhere" % (OWN_CONNECTION, where))


def _socket_connect(self: socket.socket, address: Any) -> Any:
    _refuse_to(address_text(address))


def _socket_sendto(self: socket.socket, data: Any, *args: Any) -> Any:
    _refuse_to(address_text(args[-1]) if args else "a datagram peer")


def _socket_sendmsg(self: socket.socket, *args: Any) -> Any:
    address = args[3] if len(args) > 3 else None
    _refuse_to(address_text(address) if address is not None else "a datagram peer")


def _getaddrinfo(host: Any, port: Any, *args: Any, **kw: Any) -> Any:
    _refuse_to(address_text((host if host is not None else "localhost", port)))


def _gethostbyname(host: Any, *args: Any) -> Any:
    _refuse_to(str(host))


def _create_connection(address: Any, *args: Any, **kw: Any) -> Any:
    _refuse_to(address_text(address))


def _driver_connect(module: str, attribute: str) -> Callable[..., Any]:
    def connect(*args: Any, **kw: Any) -> Any:
        refuse("%s (%s.%s()): the importer connects nowhere"
               % (OWN_CONNECTION, module, attribute))
    return connect


def _dialect_connect(self: Any, *args: Any, **kw: Any) -> Any:
    refuse("%s (an engine of its own: create_engine(...).connect()): the "
           "importer connects nowhere" % OWN_CONNECTION)


def _patch_driver(module: ModuleType) -> None:
    for path in DRIVERS.get(module.__name__, ()):
        owner: Any = module
        *classes, attribute = path.split(".")
        try:
            for name in classes:
                owner = getattr(owner, name)
            getattr(owner, attribute)
        except AttributeError:
            continue
        guard = _driver_connect(module.__name__, path)
        setattr(owner, attribute, classmethod(guard) if classes else guard)


class _GuardOnImport(importlib.abc.MetaPathFinder):
    """Guards a driver when it is first imported (importing them all up
    front would cost every import their load time)."""

    def find_spec(self, fullname: str, path: Optional[Sequence[str]],
                  target: Optional[ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        if fullname not in DRIVERS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                loader: Any = spec.loader
                exec_module = loader.exec_module

                def guarded_exec(module: ModuleType) -> None:
                    exec_module(module)
                    _patch_driver(module)

                loader.exec_module = guarded_exec
                return spec
        return None


def install() -> None:
    """Refuse every connection from now on, in this process."""
    global _installed
    if _installed:
        return
    _installed = True
    for name, replacement in (("connect", _socket_connect),
                              ("connect_ex", _socket_connect),
                              ("sendto", _socket_sendto),
                              ("sendmsg", _socket_sendmsg)):
        setattr(socket.socket, name, replacement)
    for name, function in (("getaddrinfo", _getaddrinfo),
                           ("gethostbyname", _gethostbyname),
                           ("gethostbyname_ex", _gethostbyname),
                           ("create_connection", _create_connection)):
        setattr(socket, name, function)

    from sqlalchemy.engine import default
    setattr(default.DefaultDialect, "connect", _dialect_connect)

    for name in DRIVERS:
        module = sys.modules.get(name)
        if module is not None:
            _patch_driver(module)
    finders: List[Any] = sys.meta_path
    finders.insert(0, _GuardOnImport())
