"""Where the run store lives: resolve its URL and open a SQLAlchemy engine on it.

Two backends are supported: SQLite (a local file, the default) and PostgreSQL through the
psycopg 3 driver. Every failure to open the store becomes a one-line
:class:`fairmark.errors.StoreError` that names the URL (password hidden) and the cause.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from fairmark.errors import FairmarkError, StoreError

__all__ = [
    "DEFAULT_DB_PATH",
    "ENV_VAR",
    "database_url",
    "one_line",
    "open_engine",
    "redact_url",
    "store_errors",
    "write_transaction",
]

ENV_VAR = "FAIRMARK_DB_URL"
"""Environment variable holding the run store URL."""

DEFAULT_DB_PATH = Path(".fairmark") / "fairmark.db"
"""Default SQLite file, relative to the current working directory."""

CONNECT_TIMEOUT_S = 10
"""PostgreSQL connect timeout (seconds) used when the URL does not set ``connect_timeout``."""

SQLITE_BUSY_TIMEOUT_S = 30
"""SQLite busy timeout (seconds) used when the URL does not set ``timeout``: how long a
writer waits for another writer's lock (SQLite's lock waiting is not fair; eight parallel
writers were seen waiting over 7 s)."""

_IMMEDIATE = "fairmark_sqlite_begin_immediate"
_PASSWORD_IN_URL = re.compile(r"(://[^:/?#@]*:)[^@/?#]*@")


def database_url(url: str | None = None) -> str:
    """Resolve the run store URL.

    Parameters
    ----------
    url : str or None
        An explicit SQLAlchemy URL. Wins over everything else when given (and not blank).

    Returns
    -------
    str
        ``url`` if given; else the environment variable ``FAIRMARK_DB_URL`` if set and not
        blank; else ``sqlite:///<cwd>/.fairmark/fairmark.db`` with an absolute path (the
        folder is created by :func:`open_engine`, not here).

    Notes
    -----
    Source: fairmark design (explicit argument > environment > default), the usual
    precedence of twelve-factor configuration. URL syntax: SQLAlchemy "Engine
    Configuration" (``dialect+driver://user:password@host:port/database``).
    """
    if url is not None and url.strip():
        return url.strip()
    env = os.environ.get(ENV_VAR, "")
    if env.strip():
        return env.strip()
    default = URL.create("sqlite", database=(Path.cwd() / DEFAULT_DB_PATH).as_posix())
    return default.render_as_string(hide_password=False)


def redact_url(url: str | URL) -> str:
    """Render a database URL with its password replaced by ``***``.

    Parameters
    ----------
    url : str or sqlalchemy.engine.URL
        The URL; a string that SQLAlchemy cannot parse is redacted with a pattern.

    Returns
    -------
    str
        The URL, safe to print in logs and error messages.

    Notes
    -----
    Source: SQLAlchemy ``URL.render_as_string(hide_password=True)``.
    """
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


def one_line(exc: BaseException) -> str:
    """Describe an exception on one line.

    Parameters
    ----------
    exc : BaseException
        The error; for a SQLAlchemy ``DBAPIError`` the driver's own error (``.orig``) is
        used, without SQLAlchemy's SQL echo and background link.

    Returns
    -------
    str
        The message with every run of whitespace (newlines included) collapsed to one
        space; the exception class name when the message is empty.
    """
    orig = getattr(exc, "orig", None)
    source = orig if isinstance(orig, BaseException) else exc
    text = " ".join(str(source).split())
    return text or type(source).__name__


@contextmanager
def store_errors(url: str | URL, action: str) -> Iterator[None]:
    """Turn database errors raised inside the block into one-line ``StoreError``.

    Parameters
    ----------
    url : str or sqlalchemy.engine.URL
        The store URL, named (password hidden) in the message.
    action : str
        What was being done, e.g. ``"cannot open run store"``.

    Raises
    ------
    StoreError
        ``"<action> at <url>: <cause>"`` for any ``SQLAlchemyError`` or ``OSError``.
    """
    try:
        yield
    except FairmarkError:
        raise  # already one line (AccessError is a PermissionError, hence an OSError)
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"{action} at {redact_url(url)}: {one_line(exc)}") from exc


def _normalise(url: str) -> URL:
    """Parse ``url`` and pick the driver: SQLite (pysqlite) or PostgreSQL (psycopg 3)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(
            f"cannot open run store at {redact_url(url)}: not a database URL ({one_line(exc)}); "
            "expected e.g. sqlite:///path/to/fairmark.db or postgresql://user@host/db"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "postgres":  # the Heroku-style alias, removed from SQLAlchemy 1.4
        backend = "postgresql"
        parsed = parsed.set(drivername="postgresql" + parsed.drivername[len("postgres") :])
    if backend == "postgresql" and "+" not in parsed.drivername:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(
            f"cannot open run store at {redact_url(parsed)}: unsupported backend {backend!r}; "
            "expected sqlite or postgresql"
        )
    return parsed


def _sqlite_file(parsed: URL) -> Path | None:
    """The database file of a SQLite URL, or ``None`` for an in-memory or URI database."""
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _install_sqlite_hooks(engine: Engine) -> None:
    """Foreign keys on, and SQLAlchemy (not the sqlite3 module) emits BEGIN.

    Source: SQLAlchemy SQLite dialect docs, "Foreign Key Support" and "Enabling
    Non-Legacy SQLite Transactional Modes" (the connect/begin event recipe), which makes
    DDL transactional so a migration is all-or-nothing.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def open_engine(url: str | None = None) -> Engine:
    """Create the SQLAlchemy engine of the run store and check that it can connect.

    Parameters
    ----------
    url : str or None
        SQLAlchemy URL, resolved with :func:`database_url` (``None``: environment or the
        default SQLite file). ``postgresql://`` and ``postgres://`` are rewritten to
        ``postgresql+psycopg://`` (psycopg 3). To use a PostgreSQL schema other than the
        user's default, add ``?options=-csearch_path%3D<schema>`` to the URL.

    Returns
    -------
    sqlalchemy.Engine
        For SQLite: foreign keys enforced, transactions begun by SQLAlchemy (transactional
        DDL), and the parent folder of the database file created when missing. For
        PostgreSQL: ``connect_timeout`` of 10 s unless the URL sets one.

    Raises
    ------
    StoreError
        The URL cannot be parsed, names another backend, its driver is not installed, the
        SQLite folder cannot be created, or the first connection fails (server unreachable,
        authentication, unwritable file). One line naming the URL (password hidden) and
        the cause.

    Notes
    -----
    Source: SQLAlchemy 2 "Engine Configuration", SQLite and PostgreSQL (psycopg) dialect
    documentation.
    """
    parsed = _normalise(database_url(url))
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    if parsed.get_backend_name() == "sqlite" and "timeout" not in parsed.query:
        connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_S
    with store_errors(parsed, "cannot open run store"):
        path = _sqlite_file(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            engine = create_engine(parsed, connect_args=connect_args, pool_pre_ping=True)
        except (NoSuchModuleError, ImportError) as exc:
            raise StoreError(
                f"cannot open run store at {redact_url(parsed)}: database driver missing "
                f"({one_line(exc)}); expected an installed driver "
                "(pip install 'fairmark[postgres]' provides postgresql+psycopg)"
            ) from exc
        if parsed.get_backend_name() == "sqlite":
            _install_sqlite_hooks(engine)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except BaseException:
            engine.dispose()
            raise
    return engine


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """Open a connection inside a write transaction, committed when the block succeeds.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        An engine from :func:`open_engine`.

    Yields
    ------
    sqlalchemy.Connection
        In a transaction; on SQLite it is begun with ``BEGIN IMMEDIATE`` so that the write
        lock is taken up front (two writers queue on the busy timeout instead of failing
        half-way). Rolled back if the block raises.

    Notes
    -----
    Source: SQLite documentation, "BEGIN TRANSACTION" (deferred versus immediate).
    """
    with engine.connect() as conn:
        conn.execution_options(**{_IMMEDIATE: True})
        with conn.begin():
            yield conn
