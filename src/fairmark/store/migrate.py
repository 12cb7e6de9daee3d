"""Run the run store's Alembic migrations programmatically (no ``alembic.ini`` needed)."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, text

from fairmark.errors import StoreError
from fairmark.store.db import one_line, redact_url, store_errors, write_transaction

__all__ = [
    "MIGRATIONS_DIR",
    "VERSION_TABLE",
    "autogenerate_include_name",
    "current_revision",
    "head_revision",
    "upgrade",
]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
"""Folder holding ``env.py`` and ``versions/``, shipped inside the package."""

_ALEMBIC_LOCK = threading.Lock()  # Alembic's migration context is a process-wide global

VERSION_TABLE = "fairmark_alembic_version"
"""Alembic's version table; a fairmark-specific name so it never clashes with an
application's own ``alembic_version`` in a shared database or schema."""


def autogenerate_include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: leave the version table out of autogenerate.

    Parameters
    ----------
    name : str or None
        Name of the database object Alembic is about to compare.
    type_ : str
        Its kind (``"table"``, ``"column"``, ``"index"``, ...).
    parent_names : object
        Names of the enclosing objects (unused).

    Returns
    -------
    bool
        ``False`` for the table :data:`VERSION_TABLE`, ``True`` otherwise.

    Notes
    -----
    Needed on PostgreSQL: ``env.py`` names the version table's schema explicitly, and
    Alembic then no longer recognises the same table reflected from the default schema
    (it would propose dropping it). Source: Alembic ``EnvironmentContext.configure``,
    ``include_name``.
    """
    del parent_names
    return not (type_ == "table" and name == VERSION_TABLE)


def _config(connection: Connection | None = None) -> Config:
    """An in-memory Alembic config pointing at the packaged migrations."""
    config = Config(stdout=io.StringIO())
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration revision shipped with this fairmark.

    Returns
    -------
    str
        Revision id, e.g. ``"0001"``.

    Notes
    -----
    Source: Alembic ``ScriptDirectory.get_current_head``.
    """
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise StoreError(f"no migrations found in {MIGRATIONS_DIR}; expected versions/0001_*.py")
    return head


def _version_table_schema(connection: Connection) -> str | None:
    """The schema Alembic keeps its version table in (see ``migrations/env.py``)."""
    if connection.dialect.name != "postgresql":
        return None
    schema = connection.execute(text("SELECT current_schema()")).scalar()
    return None if schema is None else str(schema)


def current_revision(engine: Engine) -> str | None:
    """The migration revision the store's database is at.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        An engine from :func:`fairmark.store.db.open_engine`.

    Returns
    -------
    str or None
        The revision id, or ``None`` for a database fairmark has never migrated.

    Raises
    ------
    StoreError
        The database cannot be read (one line naming the URL and the cause).

    Notes
    -----
    Source: Alembic ``MigrationContext.get_current_revision``.
    """
    with store_errors(engine.url, "cannot read run store revision"), engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "version_table": VERSION_TABLE,
                "version_table_schema": _version_table_schema(conn),
            },
        )
        return context.get_current_revision()


def upgrade(engine: Engine) -> None:
    """Migrate the store's database to the newest revision; a no-op when already there.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        An engine from :func:`fairmark.store.db.open_engine`.

    Raises
    ------
    StoreError
        The migration fails (nothing is left half-done: the whole upgrade runs in one
        transaction, DDL included, on both SQLite and PostgreSQL), or the database is at a
        revision this fairmark does not know (created by a newer fairmark). One line
        naming the URL (password hidden) and the cause.

    Notes
    -----
    Source: Alembic cookbook, "Sharing a Connection across one or more programmatic
    migration commands". On PostgreSQL the tables and the version table go to the
    connection's current schema (first existing schema of ``search_path``). Safe to call
    from several threads and processes at once: threads queue on a lock (Alembic's
    context is process-global), processes on the database (``BEGIN IMMEDIATE`` on SQLite,
    a transaction-scoped advisory lock on PostgreSQL).
    """
    url = redact_url(engine.url)
    try:
        with (
            store_errors(engine.url, "cannot migrate run store"),
            write_transaction(engine) as conn,
        ):
            with _ALEMBIC_LOCK:
                command.upgrade(_config(conn), "head")
    except CommandError as exc:
        raise StoreError(
            f"cannot migrate run store at {url}: {one_line(exc)}; expected a revision up to "
            f"{head_revision()} (was the store written by a newer fairmark?)"
        ) from exc
