"""SQLAlchemy 2 declarative models of the run store.

The tables themselves are created by the Alembic migrations in
:mod:`fairmark.store.migrations`; these models describe the same tables for queries, and a
test checks that models and migrations agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, Dialect, Index, MetaData, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = ["VERDICTS", "AuditRun", "Base", "JSONDocument", "UTCDateTime"]

VERDICTS: tuple[str, ...] = ("pass", "warn", "fail", "insufficient_evidence")
"""Allowed values of ``audit_runs.verdict`` (``docs/report-schema.md``, top level)."""

JSONDocument = JSON().with_variant(JSONB(), "postgresql")
"""A JSON document column: ``JSON`` (text) on SQLite, ``JSONB`` on PostgreSQL."""

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Constraint names, so that later migrations can refer to them on every backend.

Source: SQLAlchemy "Configuring Constraint Naming Conventions"; Alembic "The Importance of
Naming Constraints".
"""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    Python side: ``datetime`` with ``tzinfo``; a naive value is refused (``ValueError``
    at bind time) because its time zone is unknown. Stored as ``TIMESTAMP WITH TIME ZONE``
    on PostgreSQL and as naive UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``, which sorts in
    time order) on SQLite. Always read back as an aware ``datetime`` in UTC.

    Notes
    -----
    Source: SQLAlchemy "Augmenting Existing Types" (``TypeDecorator``), the timezone-aware
    timestamp recipe; ISO 8601 for the text form.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to UTC (naive UTC on SQLite); refuse a naive one."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"timestamp {value.isoformat()} has no time zone; expected UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the stored timestamp as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every fairmark table (one shared ``MetaData``)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AuditRun(Base):
    """One recorded audit run: the ``report.json`` document plus indexed header fields.

    Rows are append-only: the database refuses UPDATE and DELETE (triggers installed by
    migration ``0001``).

    Attributes
    ----------
    run_id : str
        UUID of the run, canonical lowercase 36-character form (primary key).
    created_at : datetime
        When the audit ran, timezone-aware UTC.
    system_name : str or None
        AI system the audit belongs to (indexed).
    tool_version : str
        fairmark version that produced the report.
    policy_id, policy_version : str or None
        The policy the run was judged against; ``None`` when it had no policy.
    data_fingerprint : str
        ``data_fingerprint.value`` of the report (SHA-256 hex).
    verdict : str
        One of :data:`VERDICTS` (CHECK constraint).
    spec : dict
        The audit spec as run.
    report : dict
        The whole ``report.json`` document.
    schema_version : str
        ``schema_version`` of the report, e.g. ``"1.0"``.

    Notes
    -----
    Source: ``docs/report-schema.md`` (report.json version 1.0).
    """

    __tablename__ = "audit_runs"
    __table_args__ = (
        CheckConstraint(f"verdict IN ({', '.join(repr(v) for v in VERDICTS)})", name="verdict"),
        Index(None, "system_name"),
        Index(None, "created_at"),
    )

    run_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    system_name: Mapped[str | None] = mapped_column(String())
    tool_version: Mapped[str] = mapped_column(String())
    policy_id: Mapped[str | None] = mapped_column(String())
    policy_version: Mapped[str | None] = mapped_column(String())
    data_fingerprint: Mapped[str] = mapped_column(String())
    verdict: Mapped[str] = mapped_column(String(32))
    spec: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    report: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    schema_version: Mapped[str] = mapped_column(String(16))
