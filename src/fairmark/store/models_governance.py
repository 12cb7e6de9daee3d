"""SQLAlchemy models of the accountability tables (migration ``0005``).

People and access
    ``gov_users`` (one row per person; role; argon2 password hash), ``gov_tokens`` (scoped
    API tokens, only a SHA-256 of the secret is kept) and ``gov_training`` (AI-literacy
    training records, EU AI Act Art. 4; append-only).
Inventory
    ``gov_systems``: one row per AI system, its accountable owner, purpose, use case, data
    categories, model, deployment status and risk classification.
Review workflow
    ``gov_reviews`` (a system version submitted to the ethics committee), its
    ``gov_review_assignments``, ``gov_review_comments`` and ``gov_review_decisions``
    (append-only), and ``gov_conditions`` (conditions of an approval, tracked to closure).
Audit trail
    ``gov_log`` (the hash-chained log of every state change; append-only; ``seq`` is
    gap-free and each ``prev_hash`` is unique, so the chain cannot fork) and
    ``gov_checkpoints`` (Ed25519-signed checkpoints of the chain head; append-only).
Evidence
    ``run_artifacts``: what an evidence bundle needs beyond the report, recorded with the
    run: the sufficient-statistics cube, the policy text and the environment (append-only).

Sources: EU AI Act (Regulation (EU) 2024/1689) Art. 4 (AI literacy), Art. 12
(record-keeping), Art. 17 (quality management system); ISO/IEC 42001:2023 clauses 5.3
(roles and responsibilities) and 7.5 (documented information); Crosby & Wallach 2009,
"Efficient Data Structures for Tamper-Evident Logging" (USENIX Security) for the hash chain.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fairmark.store.models import Base, JSONDocument, UTCDateTime

__all__ = [
    "CONDITION_STATUSES",
    "DECISIONS",
    "REVIEW_STATUSES",
    "ROLES",
    "SYSTEM_STATUSES",
    "Checkpoint",
    "Condition",
    "LogEntryRow",
    "Review",
    "ReviewAssignment",
    "ReviewComment",
    "ReviewDecision",
    "RunArtifacts",
    "SystemRow",
    "Token",
    "TrainingRecord",
    "User",
]

ROLES: tuple[str, ...] = ("admin", "owner", "reviewer", "auditor", "viewer")
"""Allowed values of ``gov_users.role`` (see :mod:`fairmark.governance.access`)."""

SYSTEM_STATUSES: tuple[str, ...] = ("proposed", "in_review", "approved", "deployed", "retired")
"""Deployment status of an AI system, in lifecycle order."""

REVIEW_STATUSES: tuple[str, ...] = (
    "open",
    "approved",
    "approved_with_conditions",
    "rejected",
    "reopened",
    "withdrawn",
)
"""Status of a review: ``open`` until the quorum decides; ``reopened`` when a material change
(new model version, new data category, failed re-audit) voided its outcome."""

DECISIONS: tuple[str, ...] = ("approve", "approve_with_conditions", "reject")
"""A reviewer's decision."""

CONDITION_STATUSES: tuple[str, ...] = ("open", "closed")
"""Status of a condition attached to an approval."""


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(repr(v) for v in values)


class User(Base):
    """One person who uses fairmark.

    Attributes
    ----------
    name : str
        Primary key, the login name (lowercase letters, digits, ``.``, ``_``, ``-``).
    display_name, email : str or None
    role : str
        One of :data:`ROLES`.
    password_hash : str or None
        argon2id hash (PHC string) for the web app; ``None`` when no password is set.
    created_at : datetime
    disabled_at : datetime or None
        When the user was disabled; a disabled user cannot act.
    """

    __tablename__ = "gov_users"
    __table_args__ = (CheckConstraint(f"role IN ({_in(ROLES)})", name="role"),)

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Token(Base):
    """A scoped API token. Only ``token_hash`` (SHA-256 of the secret) is stored.

    Attributes
    ----------
    token_id : str
        Public id, the part of the token before the secret (shown in lists).
    user_name : str
        Owner of the token (``gov_users.name``).
    token_hash : str
        Hex SHA-256 of the whole token string.
    scopes : list of str
        Permissions the token may use (a subset of its user's role).
    created_by : str
        Who issued it: the user themself, or an admin for them (an admin-issued token
        cannot decide reviews or close conditions: separation of duties).
    created_at, expires_at, revoked_at : datetime
    """

    __tablename__ = "gov_tokens"

    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_name: Mapped[str] = mapped_column(
        String(64), ForeignKey("gov_users.name"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    scopes: Mapped[Any] = mapped_column(JSONDocument, nullable=False)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TrainingRecord(Base):
    """One completed AI-literacy training (EU AI Act Art. 4). Append-only.

    Attributes
    ----------
    record_id : str
        UUID.
    user_name : str
    course : str
    completed_on, expires_on : date
    evidence : str or None
        Certificate reference or link.
    recorded_by : str
    recorded_at : datetime
    """

    __tablename__ = "gov_training"
    __table_args__ = (CheckConstraint("expires_on > completed_on", name="expiry_after"),)

    record_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_name: Mapped[str] = mapped_column(
        String(64), ForeignKey("gov_users.name"), nullable=False, index=True
    )
    course: Mapped[str] = mapped_column(String(200), nullable=False)
    completed_on: Mapped[date] = mapped_column(Date(), nullable=False)
    expires_on: Mapped[date] = mapped_column(Date(), nullable=False)
    evidence: Mapped[str | None] = mapped_column(String(500), nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(64), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class SystemRow(Base):
    """One AI system of the inventory.

    Attributes
    ----------
    name : str
        Primary key, e.g. ``bank-propensity``.
    owner : str
        Accountable owner (``gov_users.name``).
    team, description : str or None
    purpose : str
        fideslang data use (``marketing.communications`` …).
    use_case : str
        Marketing use case (targeting, lead_scoring, personalisation, pricing_offers,
        content_generation, chatbot, bidding).
    data_categories : list of str
        fideslang data categories the system uses.
    model_type, vendor : str or None
    model_version : str
        Current model version; changing it is a material change.
    model_version_at : datetime
        When the current model version was registered.
    status : str
        One of :data:`SYSTEM_STATUSES`.
    risk : dict or None
        The latest risk classification (:mod:`fairmark.governance.risk`).
    policy : str or None
        The policy the system is judged against (path or ``default``).
    created_at, updated_at : datetime
    """

    __tablename__ = "gov_systems"
    __table_args__ = (CheckConstraint(f"status IN ({_in(SYSTEM_STATUSES)})", name="status"),)

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), ForeignKey("gov_users.name"), nullable=False)
    team: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text(), nullable=True)
    purpose: Mapped[str] = mapped_column(String(200), nullable=False)
    use_case: Mapped[str] = mapped_column(String(32), nullable=False)
    data_categories: Mapped[Any] = mapped_column(JSONDocument, nullable=False)
    model_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    vendor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    model_version: Mapped[str] = mapped_column(String(100), nullable=False)
    model_version_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    risk: Mapped[Any | None] = mapped_column(JSONDocument, nullable=True)
    policy: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Review(Base):
    """One submission of a system version to the ethics committee.

    Attributes
    ----------
    review_id : int
        Sequential id, shown to users.
    system_name, model_version : str
        The system and the model version submitted.
    run_id : str
        The audit run submitted with it (the system's latest).
    status : str
        One of :data:`REVIEW_STATUSES`.
    quorum : int
        Decisions needed (from the policy at submission).
    submitted_by, submitted_at, note
    decided_at : datetime or None
        When the quorum was reached.
    expires_at : datetime or None
        When an approval lapses (policy ``approval_valid_days``).
    closed_reason : str or None
        Why the review was reopened or withdrawn.
    """

    __tablename__ = "gov_reviews"
    __table_args__ = (
        CheckConstraint(f"status IN ({_in(REVIEW_STATUSES)})", name="status"),
        CheckConstraint("quorum >= 1", name="quorum"),
    )

    review_id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=True)
    system_name: Mapped[str] = mapped_column(
        String(100), ForeignKey("gov_systems.name"), nullable=False, index=True
    )
    model_version: Mapped[str] = mapped_column(String(100), nullable=False)
    run_id: Mapped[str] = mapped_column(String(36), ForeignKey("audit_runs.run_id"), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    quorum: Mapped[int] = mapped_column(Integer(), nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(64), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    note: Mapped[str | None] = mapped_column(Text(), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_reason: Mapped[str | None] = mapped_column(Text(), nullable=True)


class ReviewAssignment(Base):
    """A reviewer assigned to a review."""

    __tablename__ = "gov_review_assignments"

    review_id: Mapped[int] = mapped_column(
        Integer(), ForeignKey("gov_reviews.review_id"), primary_key=True
    )
    reviewer: Mapped[str] = mapped_column(
        String(64), ForeignKey("gov_users.name"), primary_key=True
    )
    assigned_by: Mapped[str] = mapped_column(String(64), nullable=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ReviewComment(Base):
    """A comment on a review. Append-only."""

    __tablename__ = "gov_review_comments"

    comment_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    review_id: Mapped[int] = mapped_column(
        Integer(), ForeignKey("gov_reviews.review_id"), nullable=False, index=True
    )
    author: Mapped[str] = mapped_column(String(64), nullable=False)
    body: Mapped[str] = mapped_column(Text(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class ReviewDecision(Base):
    """A reviewer's decision on a review. Append-only; one per reviewer and review."""

    __tablename__ = "gov_review_decisions"
    __table_args__ = (
        CheckConstraint(f"decision IN ({_in(DECISIONS)})", name="decision"),
        UniqueConstraint("review_id", "reviewer"),
    )

    decision_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    review_id: Mapped[int] = mapped_column(
        Integer(), ForeignKey("gov_reviews.review_id"), nullable=False, index=True
    )
    reviewer: Mapped[str] = mapped_column(String(64), nullable=False)
    decision: Mapped[str] = mapped_column(String(32), nullable=False)
    rationale: Mapped[str] = mapped_column(Text(), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)


class Condition(Base):
    """A condition of an approval, tracked to closure.

    Attributes
    ----------
    condition_id : int
    review_id : int
    text : str
    blocking : bool
        A blocking condition keeps ``fairmark gate`` closed until it is closed.
    due_on : date or None
    status : str
        ``open`` or ``closed``.
    created_by, created_at, closed_by, closed_at, closing_note
    """

    __tablename__ = "gov_conditions"
    __table_args__ = (CheckConstraint(f"status IN ({_in(CONDITION_STATUSES)})", name="status"),)

    condition_id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=True)
    review_id: Mapped[int] = mapped_column(
        Integer(), ForeignKey("gov_reviews.review_id"), nullable=False, index=True
    )
    text: Mapped[str] = mapped_column(Text(), nullable=False)
    blocking: Mapped[bool] = mapped_column(Boolean(), nullable=False)
    due_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closing_note: Mapped[str | None] = mapped_column(Text(), nullable=True)


class LogEntryRow(Base):
    """One entry of the tamper-evident audit log. Append-only.

    ``entry_hash = SHA-256(canonical JSON of every other field)``, and ``prev_hash`` is the
    previous entry's ``entry_hash`` (64 zeros for ``seq`` 1). Text columns, not JSON or
    timestamps, so that what is hashed is exactly what is stored on every backend.
    """

    __tablename__ = "gov_log"

    seq: Mapped[int] = mapped_column(BigInteger(), primary_key=True, autoincrement=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    entity_type: Mapped[str] = mapped_column(String(32), nullable=False)
    entity_id: Mapped[str] = mapped_column(String(200), nullable=False)
    payload: Mapped[str] = mapped_column(Text(), nullable=False)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


Index("ix_gov_log_entity", LogEntryRow.entity_type, LogEntryRow.entity_id)


class Checkpoint(Base):
    """An Ed25519-signed checkpoint of the log head. Append-only.

    Attributes
    ----------
    seq : int
        The last log entry covered.
    entry_hash : str
        Its ``entry_hash``.
    created_at : str
        ISO 8601 UTC.
    key_fingerprint : str
        SHA-256 of the raw public key, hex.
    public_key : str
        Raw Ed25519 public key, hex (32 bytes).
    signature : str
        Ed25519 signature of the checkpoint statement, hex (64 bytes).
    """

    __tablename__ = "gov_checkpoints"

    seq: Mapped[int] = mapped_column(BigInteger(), primary_key=True, autoincrement=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[str] = mapped_column(String(32), nullable=False)
    key_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    public_key: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[str] = mapped_column(String(128), nullable=False)


class RunArtifacts(Base):
    """What an evidence bundle needs beyond ``report.json``, recorded with the run.

    Append-only. ``aggregates`` (canonical JSON text, stored byte for byte) holds the
    sufficient statistics the metrics were computed from (the cube, and the histograms
    and sums of score and outcome metrics); they are
    counts, never rows, but they are not small-cell suppressed: evidence bundles are for
    auditors under a confidentiality agreement.
    """

    __tablename__ = "run_artifacts"

    run_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("audit_runs.run_id"), primary_key=True
    )
    aggregates: Mapped[str] = mapped_column(Text(), nullable=False)
    policy_text: Mapped[str | None] = mapped_column(Text(), nullable=True)
    policy_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    environment: Mapped[Any] = mapped_column(JSONDocument, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
