"""SQLAlchemy models of the data-subject-request tables (migration ``0004``).

Five tables serve ``fairmark dsr`` (:mod:`fairmark.privacy.dsr`):

``dsr_sources``
    The registered data sources (a table on a DuckDB file, SQLite or PostgreSQL, and the
    column that holds the subject key). Editable: sources are added and removed.
``dsr_meta``
    The secret key of the subject references (one row, written once, never changed).
``dsr_verifications``, ``dsr_requests``, ``dsr_outcomes``
    Identity verifications, requests and per-source outcomes. Append-only: the database
    refuses UPDATE and DELETE (triggers of migration ``0004``), so the record of what was
    done for a data subject cannot be rewritten afterwards.

No table holds a raw subject id: subjects appear by their *subject reference*, an
HMAC-SHA-256 under the key in ``dsr_meta`` (see :mod:`fairmark.privacy.dsr.requests`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from fairmark.store.models import Base, JSONDocument, UTCDateTime

__all__ = [
    "DSR_ACTIONS",
    "DSR_KINDS",
    "VERIFICATION_STATUSES",
    "DsrMeta",
    "DsrOutcome",
    "DsrRequest",
    "DsrSource",
    "DsrVerification",
]

DSR_KINDS: tuple[str, ...] = ("access", "erasure")
"""Allowed values of ``dsr_requests.kind``: GDPR Art. 15 (access) and Art. 17 (erasure)."""

VERIFICATION_STATUSES: tuple[str, ...] = ("verified", "failed")
"""Allowed values of ``dsr_verifications.status``."""

DSR_ACTIONS: tuple[str, ...] = ("export", "count", "delete", "shred", "delete_and_shred")
"""Allowed values of ``dsr_outcomes.action``: what was done in one source.

``export`` (access), ``count`` (erasure dry run), ``delete`` (rows deleted), ``shred``
(the subject's data key deleted from the keystore, rows kept), ``delete_and_shred``.
"""


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) for v in values)


class DsrSource(Base):
    """One registered data source of data subject requests.

    Attributes
    ----------
    name : str
        Primary key: lowercase letters, digits, ``_`` and ``-`` (it names the export file).
    url : str
        Connection URL as given (``duckdb:///…``, ``sqlite:///…``, ``postgresql://…``); may
        hold ``${ENV_VAR}`` placeholders, expanded when the source is opened. Never printed
        with its password.
    table_name : str
        The table, ``TABLE`` or ``SCHEMA.TABLE``.
    subject_column : str
        Column holding the subject key.
    encrypted : dict or None
        ``None``: erasure deletes rows. Otherwise the columns encrypted with
        ``fairmark protect encrypt`` and where the master key comes from; erasure then
        crypto-shreds the subject's data key (and deletes the rows unless ``delete_rows``
        is false).
    created_at : datetime
        When the source was registered, UTC.
    """

    __tablename__ = "dsr_sources"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(String())
    table_name: Mapped[str] = mapped_column(String())
    subject_column: Mapped[str] = mapped_column(String())
    encrypted: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DsrMeta(Base):
    """The secret of the subject references (``name = "subject_ref_key"``), written once.

    Attributes
    ----------
    name : str
        Primary key; ``"subject_ref_key"`` (CHECK constraint).
    secret : bytes
        32 random bytes, the HMAC-SHA-256 key of subject references.
    created_at : datetime
        When it was created, UTC.
    """

    __tablename__ = "dsr_meta"
    __table_args__ = (CheckConstraint("name IN ('subject_ref_key')", name="name"),)

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DsrVerification(Base):
    """One identity verification of a data subject, append-only.

    Attributes
    ----------
    verification_id : str
        UUID4 (primary key).
    subject_ref : str
        Subject reference (64 hex digits, indexed).
    status : str
        One of :data:`VERIFICATION_STATUSES` (CHECK constraint).
    method : str
        How the identity was checked (e.g. ``account_login``, ``id_document``).
    verified_by : str
        Who checked it.
    verified_at : datetime
        When it was recorded, UTC.

    Notes
    -----
    GDPR Art. 12(6): the controller may ask for information to confirm the identity of
    the person making a request; EDPB Guidelines 01/2022 on the right of access, §§ 64-78.
    """

    __tablename__ = "dsr_verifications"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(VERIFICATION_STATUSES)})", name="status"),
        Index(None, "subject_ref"),
    )

    verification_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    subject_ref: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(64))
    verified_by: Mapped[str] = mapped_column(String(200))
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DsrRequest(Base):
    """One data subject request as run by fairmark, append-only.

    Attributes
    ----------
    request_id : str
        UUID4 (primary key).
    kind : str
        One of :data:`DSR_KINDS` (CHECK constraint).
    dry_run : bool
        ``True`` for an erasure that only counted.
    subject_ref : str
        Subject reference (indexed).
    received_at : datetime
        When the controller received the request (starts the one-month period of GDPR
        Art. 12(3)), UTC.
    created_at : datetime
        When fairmark ran it, UTC (indexed).
    verification_id : str or None
        The identity verification relied on (foreign key), if any.
    n_sources : int
        Sources the request covered; fewer outcome rows mean the run was interrupted.
    tool_version : str
        fairmark version.
    """

    __tablename__ = "dsr_requests"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_in(DSR_KINDS)})", name="kind"),
        Index(None, "subject_ref"),
        Index(None, "created_at"),
    )

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(Boolean())
    subject_ref: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    verification_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("dsr_verifications.verification_id"), nullable=True
    )
    n_sources: Mapped[int] = mapped_column(BigInteger())
    tool_version: Mapped[str] = mapped_column(String(32))


class DsrOutcome(Base):
    """What one request did in one source, append-only.

    Attributes
    ----------
    outcome_id : str
        UUID4 (primary key).
    request_id : str
        The request (foreign key, indexed).
    source_name, source_url, table_name, subject_column : str
        The source as it was at the time (URL with the password hidden).
    action : str
        One of :data:`DSR_ACTIONS` (CHECK constraint).
    rows_found : int or None
        Rows of the subject found before acting; ``None`` when the source failed first.
    rows_deleted : int or None
        Rows deleted (erasure with deletion).
    shred_status : str or None
        ``shredded``, ``already_shredded`` or ``no_key`` (erasure of an encrypted source).
    rows_remaining : int or None
        Rows of the subject counted again after the erasure.
    verified : bool or None
        Whether the check after the erasure passed (``None`` for access and dry runs).
    error : str or None
        One-line error when the source failed.
    file_sha256 : str or None
        SHA-256 of the exported file (access).
    finished_at : datetime
        When the source was done, UTC.
    """

    __tablename__ = "dsr_outcomes"
    __table_args__ = (
        CheckConstraint(f"action IN ({_in(DSR_ACTIONS)})", name="action"),
        Index(None, "request_id"),
    )

    outcome_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(36), ForeignKey("dsr_requests.request_id"))
    source_name: Mapped[str] = mapped_column(String(64))
    source_url: Mapped[str] = mapped_column(String())
    table_name: Mapped[str] = mapped_column(String())
    subject_column: Mapped[str] = mapped_column(String())
    action: Mapped[str] = mapped_column(String(24))
    rows_found: Mapped[int | None] = mapped_column(BigInteger(), nullable=True)
    rows_deleted: Mapped[int | None] = mapped_column(BigInteger(), nullable=True)
    shred_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    rows_remaining: Mapped[int | None] = mapped_column(BigInteger(), nullable=True)
    verified: Mapped[bool | None] = mapped_column(Boolean(), nullable=True)
    error: Mapped[str | None] = mapped_column(String(), nullable=True)
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
