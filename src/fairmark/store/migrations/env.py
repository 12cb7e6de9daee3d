"""Alembic environment of the fairmark run store.

Run through :func:`fairmark.store.migrate.upgrade`, which hands over an open connection in
``config.attributes["connection"]`` (Alembic cookbook, "Sharing a Connection across one or
more programmatic migration commands"); no ``alembic.ini`` is needed. Without one, the URL
comes from the ``sqlalchemy.url`` option or :func:`fairmark.store.db.database_url`.

On PostgreSQL the tables live in the connection's current schema (the first existing schema
of ``search_path``); the version table is placed there explicitly, and a transaction-scoped
advisory lock serialises two processes migrating the same schema at once.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from fairmark.errors import StoreError
from fairmark.store.db import open_engine, redact_url, write_transaction
from fairmark.store.migrate import VERSION_TABLE, autogenerate_include_name
from fairmark.store.models import Base
from fairmark.store.models_consent import ConsentEventRow  # noqa: F401 - in Base.metadata
from fairmark.store.models_dsr import DsrSource  # noqa: F401 - in Base.metadata
from fairmark.store.models_governance import User  # noqa: F401 - in Base.metadata


def _run(connection: Connection) -> None:
    """Configure the migration context on ``connection`` and run the migrations."""
    version_table_schema: str | None = None
    if connection.dialect.name == "postgresql":
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        if schema is None:
            raise StoreError(
                f"cannot migrate run store at {redact_url(connection.engine.url)}: "
                "search_path names no existing schema; expected an existing schema "
                "(create it, or fix options=-csearch_path=... in the URL)"
            )
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"fairmark.migrations.{schema}"},
        )
        version_table_schema = str(schema)
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        version_table_schema=version_table_schema,
        include_name=autogenerate_include_name,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    """Entry point run by Alembic when it loads this file."""
    if context.is_offline_mode():
        raise StoreError("fairmark migrations cannot run offline (--sql); expected a database")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = open_engine(context.config.get_main_option("sqlalchemy.url"))
    try:
        with write_transaction(engine) as conn:
            _run(conn)
    finally:
        engine.dispose()


_main()
