"""SQLAlchemy 2 declarative models of the run store.

The tables themselves are created by the Alembic migrations in
:mod:`fairmark.store.migrations`; these models describe the same tables for queries, and a
test checks that models and migrations agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "KEY_EVENTS",
    "VERDICTS",
    "AuditRun",
    "Base",
    "JSONDocument",
    "KeyEvent",
    "KeystoreMeta",
    "SubjectKey",
    "UTCDateTime",
]

VERDICTS: tuple[str, ...] = ("pass", "warn", "fail", "insufficient_evidence")
"""Allowed values of ``audit_runs.verdict`` (``docs/report-schema.md``, top level)."""

KEY_EVENTS: tuple[str, ...] = ("shred", "rotate")
"""Allowed values of ``key_events.event``: a subject's data key deleted, the master key
rotated (:mod:`fairmark.privacy.protect`)."""

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


class SubjectKey(Base):
    """One data subject's data-encryption key (DEK), wrapped under the master key.

    Deleting the row is the crypto-shred of that subject: every copy of their encrypted
    fields, wherever it is, can no longer be decrypted (:mod:`fairmark.privacy.protect`).
    Unlike ``audit_runs`` the table is therefore deletable.

    Attributes
    ----------
    lookup_id : str
        Primary key: HMAC-SHA-256 (hex, 64 characters) of the subject id under the
        keystore's subject-lookup key, so the table never holds a raw subject id.
    wrapped_key : bytes
        The 32-byte DEK wrapped with AES Key Wrap (RFC 3394) under the master key: 40 bytes.
    wrap_algorithm : str
        ``"A256KW"`` (RFC 7518 §4.4 name of AES-256 Key Wrap).
    master_key_id : str
        Id of the master key that wrapped it (16 hex digits, indexed).
    created_at : datetime
        When the DEK was created, timezone-aware UTC.

    Notes
    -----
    Source: NIST SP 800-57 Part 1 Rev. 5 §6.2 (key wrapping), RFC 3394; GDPR Art. 17
    (erasure) and Art. 32 (security of processing).
    """

    __tablename__ = "subject_keys"
    __table_args__ = (
        CheckConstraint("wrap_algorithm IN ('A256KW')", name="wrap_algorithm"),
        Index(None, "master_key_id"),
    )

    lookup_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary())
    wrap_algorithm: Mapped[str] = mapped_column(String(16))
    master_key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KeystoreMeta(Base):
    """A keystore-wide key, wrapped under the master key (one row per ``name``).

    Holds the subject-lookup key (``name = "subject_lookup"``): derived once with HKDF
    from the first master key, then kept wrapped so that it survives master-key rotation
    (a lookup id cannot be recomputed under a new key without the raw subject ids).

    Attributes
    ----------
    name : str
        Primary key; ``"subject_lookup"`` (CHECK constraint).
    wrapped_key : bytes
        The key wrapped with AES Key Wrap (RFC 3394) under the master key.
    wrap_algorithm : str
        ``"A256KW"``.
    master_key_id : str
        Id of the master key of the whole keystore.
    created_at : datetime
        When the keystore was created, UTC.
    rotated_at : datetime or None
        When the master key was last rotated, UTC; ``None`` if never.

    Notes
    -----
    Source: RFC 5869 (HKDF), RFC 3394 (AES Key Wrap).
    """

    __tablename__ = "keystore_meta"
    __table_args__ = (
        CheckConstraint("name IN ('subject_lookup')", name="name"),
        CheckConstraint("wrap_algorithm IN ('A256KW')", name="wrap_algorithm"),
    )

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary())
    wrap_algorithm: Mapped[str] = mapped_column(String(16))
    master_key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class KeyEvent(Base):
    """One key-management event, append-only (the database refuses UPDATE and DELETE).

    Attributes
    ----------
    event_id : str
        UUID4 of the event (primary key).
    occurred_at : datetime
        When it happened, UTC (indexed).
    event : str
        One of :data:`KEY_EVENTS` (CHECK constraint).
    subject_lookup_id : str or None
        ``shred``: the lookup id of the shredded subject (never the raw subject id).
    master_key_id : str
        The master key in force: the one that had wrapped the shredded key, or the old
        key of a rotation.
    new_master_key_id : str or None
        ``rotate``: the new master key.
    n_keys : int or None
        ``rotate``: how many data keys were re-wrapped.

    Notes
    -----
    Record of the technical measures taken (GDPR Art. 5(2) accountability, Art. 30 and
    Art. 32(1)(d)); append-only as ``audit_runs`` (migration ``0002``).
    """

    __tablename__ = "key_events"
    __table_args__ = (
        CheckConstraint(f"event IN ({', '.join(repr(v) for v in KEY_EVENTS)})", name="event"),
        Index(None, "occurred_at"),
        Index(None, "subject_lookup_id"),
    )

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    event: Mapped[str] = mapped_column(String(16))
    subject_lookup_id: Mapped[str | None] = mapped_column(String(64))
    master_key_id: Mapped[str] = mapped_column(String(16))
    new_master_key_id: Mapped[str | None] = mapped_column(String(16))
    n_keys: Mapped[int | None] = mapped_column(Integer())
