"""Reading the Alembic project: its configuration, its revisions in the
order Alembic loads them, and its env.py.

The project is read with Alembic's own library: the script directory and
version locations, each revision's id, down_revision, depends_on and own
branch labels, and its message (the first paragraph of the docstring, as
Alembic logs it).  A Flask-Migrate project is found as `flask db` finds it:
DIR/alembic.ini, with DIR as the script location.

env.py is run in offline mode, as `alembic upgrade --sql` runs it, with
context.configure() recorded and context.run_migrations() rendering every
revision (render.py): the target_metadata it passes on gives the naming
convention that names what the operations create, and whatever env.py holds
open around run_migrations() (an application context in a `with` block)
is open while the revisions render, as it is when Alembic runs them.
"""

from __future__ import annotations

import argparse
import configparser
import importlib
import io
import logging
import os
import re
import sys
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from .errors import REFUSALS, NotOffline, ProjectError
from .render import describe

# migrate's grammar for revision ids and branch labels (graph.c, mg_check_name)
NAME = re.compile(r"^[A-Za-z0-9_.]{1,255}$")
RESERVED = ("base", "head", "heads")

T = TypeVar("T")


class EnvAbort(BaseException):
    """env.py did something the importer cannot go on from; a
    BaseException, so that env.py's own error handling lets it through."""


def alembic_config(config_file: str, section: str, x: Sequence[str],
                   directory: Optional[str], app: Any) -> Any:
    """Alembic's Config for the ini file, or for a Flask-Migrate directory
    (its alembic.ini has no script_location: the directory is one), with
    the application's Migrate.configure callbacks applied, as `flask db`
    applies them."""
    from alembic.config import Config

    if not os.path.isfile(config_file):
        raise ProjectError("%s: no such file" % config_file)
    cmd_opts = argparse.Namespace(x=list(x), config=config_file, name=section)
    config = Config(file_=config_file, ini_section=section, cmd_opts=cmd_opts)
    try:
        parsed = config.file_config
    except (configparser.Error, UnicodeDecodeError) as e:
        raise ProjectError("%s: cannot be read: %s" % (config_file, e))
    if not parsed.has_section(section):
        raise ProjectError("%s has no section [%s]" % (config_file, section))
    if directory is not None:
        config.set_main_option("script_location", directory)
    migrate = getattr(app, "extensions", {}).get("migrate") if app is not None else None
    if migrate is not None and hasattr(migrate, "migrate"):
        config = migrate.migrate.call_configure_callbacks(config)
    if not config.get_main_option("script_location"):
        raise ProjectError(
            "%s has no script_location in [%s]%s" % (
                config_file, section,
                ": a Flask-Migrate project's is its directory; name it with "
                "-d DIR (--directory), as for flask db" if directory is None else ""))
    return config


class Environment:
    """The EnvironmentContext that env.py and the revisions see as
    alembic.context, in offline mode.

    Methods are replaced on the instance, not in a subclass: Alembic
    installs its module proxies for the EnvironmentContext class itself."""

    def __init__(self, config: Any, script_dir: Any) -> None:
        from alembic.runtime.environment import EnvironmentContext

        self.context = EnvironmentContext(config, script_dir, as_sql=True)
        # the renderer's: env.py's calls are only recorded
        self.configure: Callable[..., None] = self.context.configure
        self.rendering = False
        self.calls: List[Dict[str, Any]] = []
        self.run_migrations: Callable[[], None] = lambda: None
        base_is_offline_mode = self.context.is_offline_mode

        # What a revision does when it learns it is rendered offline is not
        # what it does against a database.
        def is_offline_mode() -> bool:
            if self.rendering:
                REFUSALS.refuse(
                    "calls context.is_offline_mode(), so its offline "
                    "rendering may differ from what it does against a "
                    "database")
            return bool(base_is_offline_mode())

        def configure(**kw: Any) -> None:
            self.calls.append(kw)
            self.metadata()
            # a context env.py may go on to use (get_context(),
            # begin_transaction()), writing nowhere
            self.configure(dialect_name="postgresql", as_sql=True,
                           output_buffer=io.StringIO(),
                           target_metadata=kw.get("target_metadata"))

        context: Any = self.context
        context.is_offline_mode = is_offline_mode
        context.configure = configure
        context.run_migrations = lambda **kw: self.run_migrations()

    def metadata(self) -> Any:
        """The target_metadata of env.py's configure() calls."""
        metadata = [kw.get("target_metadata") for kw in self.calls]
        if len({id(m) for m in metadata}) > 1:
            raise EnvAbort(
                "env.py calls context.configure() %d times with different "
                "target_metadata (one database per call?): name the one the "
                "revisions use with --target-metadata MODULE:ATTRIBUTE"
                % len(metadata))
        return metadata[0] if metadata else None


class Project:
    """An Alembic project, read."""

    def __init__(self, config: Any, config_file: str) -> None:
        self.config = config
        self.ini_dir = os.path.dirname(os.path.abspath(config_file))
        self.script_dir: Any = None
        self.environment: Any = None
        self.scripts: List[Any] = []
        self.locations: List[int] = []

    def load(self) -> None:
        """Read the revisions with Alembic, in the order Alembic loads their
        files."""
        from alembic.script import ScriptDirectory
        from alembic.util.exc import CommandError

        with warnings.catch_warnings():
            # Alembic reports a missing parent or a duplicate revision with
            # a warning (then, for the former, a bare KeyError): make that
            # warning the error we pass on.
            warnings.filterwarnings("error", category=UserWarning,
                                    module=r"alembic(\.|$)")
            REFUSALS.reset()
            try:
                self.script_dir = ScriptDirectory.from_config(self.config)
                self.environment = Environment(self.config, self.script_dir)
                with self.environment.context:
                    scripts = list(self.script_dir.walk_revisions("base", "heads"))
            except CommandError as e:
                raise ProjectError("Alembic: %s" % e)
            except NotOffline:
                raise ProjectError("a revision file, when loaded, %s" % REFUSALS.first)
            except Exception as e:
                raise ProjectError("Alembic cannot read the scripts: %s" % describe(e, None))

        # Alembic adds revisions to its map in file-load order, which is
        # what breaks its ties; 1.8 takes the files in os.listdir() order,
        # later versions sorted.  Sorted is what is reproducible.
        locations = [os.path.abspath(loc) for loc in self.script_dir._version_locations]

        def load_order(script: Any) -> Tuple[int, List[str]]:
            path = os.path.abspath(script.path)
            for i, loc in enumerate(locations):
                if path.startswith(loc + os.sep):
                    return (i, path[len(loc) + 1:].split(os.sep))
            return (len(locations), [path])

        ordered = sorted(((load_order(s), s) for s in scripts), key=lambda pair: pair[0])
        if not ordered:
            raise ProjectError("the script directory has no revisions")
        self.scripts = [s for _, s in ordered]
        self.locations = [key[0] for key, _ in ordered]
        self.check_names()

    def source(self, script: Any) -> str:
        """The revision's file, relative to the ini file's directory."""
        return os.path.relpath(os.path.abspath(script.path), self.ini_dir).replace(os.sep, "/")

    def check_names(self) -> None:
        from alembic.util.langhelpers import to_tuple


        problems = []
        for script in self.scripts:
            rev = script.revision
            labels = to_tuple(getattr(script.module, "branch_labels", None), default=())
            for kind, name in [("revision id", rev)] + [("branch label", lb) for lb in labels]:
                if not isinstance(name, str) or not NAME.match(name) or name in RESERVED:
                    problems.append(
                        "%s: %s %r cannot be used by migrate: ids and labels are 1 to "
                        "255 ASCII letters, digits, '_' and '.', and base, head "
                        "and heads are reserved" % (rev, kind, name))
        if problems:
            raise ProjectError("\n  ".join(["revisions migrate cannot hold:"] + problems))

    def run(self, target_metadata: Optional[str], render: Callable[[Any], T]) -> T:
        """render(metadata) inside env.py's context.run_migrations(), as
        Alembic would run the revisions; or, with --target-metadata or
        without an env.py, on its own."""
        environment = self.environment
        if target_metadata is not None:
            metadata = None if target_metadata == "none" else import_metadata(target_metadata)
            with environment.context:
                return render(metadata)
        env_py = os.path.join(self.script_dir.dir, "env.py")
        if not os.path.exists(env_py):
            with environment.context:
                return render(None)

        # env.py often configures logging from the ini file; what the
        # importer's migration contexts log at INFO is no news to anyone.
        logging.disable(logging.INFO)
        results: List[T] = []

        def run_migrations() -> None:
            if results:
                return
            env_refusal()
            results.append(render(environment.metadata()))
            # what env.py does after this is env.py's own
            REFUSALS.reset()

        def env_refusal() -> None:
            if REFUSALS.first is not None:
                raise EnvAbort("env.py %s" % REFUSALS.first)

        environment.run_migrations = run_migrations
        REFUSALS.reset()
        try:
            with environment.context:
                self.script_dir.run_env()
                env_refusal()
                environment.metadata()
                if not results:
                    # env.py that never calls run_migrations() (in offline mode)
                    results.append(render(environment.metadata()))
        except EnvAbort as e:
            raise ProjectError(str(e))
        except NotOffline:
            raise ProjectError("env.py %s" % REFUSALS.first)
        except (Exception, SystemExit) as e:
            raise ProjectError(
                "env.py cannot be run in offline mode: %s\n  The importer runs "
                "it as `alembic upgrade --sql` does, to read the target_metadata "
                "it passes to context.configure(), whose naming convention "
                "names constraints and indexes.  Give env.py what it needs "
                "offline (-x KEY=VALUE, environment variables, --app for a Flask "
                "application), or name the metadata with --target-metadata "
                "MODULE:ATTRIBUTE (or --target-metadata none if it sets no "
                "naming convention)." % describe(e, env_py))
        return results[0]


def import_metadata(spec: str) -> Any:
    """--target-metadata MODULE:ATTRIBUTE: the MetaData (or a list of them,
    as env.py may give) found there."""
    from sqlalchemy import MetaData

    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ProjectError("--target-metadata %s: give MODULE:ATTRIBUTE "
                           "(app.models:Base.metadata), or none" % spec)
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    try:
        value: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            value = getattr(value, part)
    except NotOffline:
        raise ProjectError("--target-metadata %s: the module %s" % (spec, REFUSALS.first))
    except Exception as e:
        raise ProjectError("--target-metadata %s: %s" % (spec, describe(e, None)))
    items = value if isinstance(value, (list, tuple)) else [value]
    if not items or not all(isinstance(m, MetaData) for m in items):
        raise ProjectError("--target-metadata %s is a %s, not a MetaData"
                           % (spec, type(value).__name__))
    return value


def flask_app(import_path: str) -> Any:
    """The Flask application --app names (module:app, module:create_app,
    module:create_app(...), path/to/app.py), loaded as `flask --app` loads
    it: a factory is called."""
    try:
        from flask.cli import ScriptInfo
    except ImportError:
        raise ProjectError("--app %s: Flask is not installed (Debian: "
                           "python3-flask-migrate)" % import_path)
    REFUSALS.reset()
    try:
        return ScriptInfo(app_import_path=import_path).load_app()
    except NotOffline:
        raise ProjectError("--app %s: the application %s" % (import_path, REFUSALS.first))
    except (Exception, SystemExit) as e:
        raise ProjectError("--app %s cannot be loaded: %s" % (import_path, describe(e, None)))
