"""consent_events: the consent ledger, append-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Migrations are frozen history: never import fairmark models here, spell the schema out.

Every consent decision is appended, never overwritten: the state at any past instant is
derived from the events. The append-only guard is the one of ``audit_runs`` (migration
0001): SQLite triggers that ``RAISE(ABORT, ...)``, and on PostgreSQL triggers calling the
generic ``fairmark_refuse_change()`` created by 0001 (it names the table and operation).
Subject ids are stored raw: the ledger must answer for a subject and join with audiences.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fairmark.errors import StoreError

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_STATES = ("granted", "denied", "withdrawn", "objected")
_BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
)


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """``column = 'a' OR column = 'b' …``: SQLite 3.40 rebuilds an ``IN (…)`` list's
    ephemeral table for every inserted row, which made bulk imports 5x slower."""
    return " OR ".join(f"{column} = '{v}'" for v in values)

_SQLITE_GUARD = [
    """
    CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events
    BEGIN
        SELECT RAISE(ABORT, 'consent_events is append-only: UPDATE is not allowed');
    END
    """,
    """
    CREATE TRIGGER consent_events_no_delete BEFORE DELETE ON consent_events
    BEGIN
        SELECT RAISE(ABORT, 'consent_events is append-only: DELETE is not allowed');
    END
    """,
]

_POSTGRES_GUARD = [
    """
    CREATE TRIGGER consent_events_append_only BEFORE UPDATE OR DELETE ON consent_events
    FOR EACH ROW EXECUTE FUNCTION fairmark_refuse_change()
    """,
    """
    CREATE TRIGGER consent_events_no_truncate BEFORE TRUNCATE ON consent_events
    FOR EACH STATEMENT EXECUTE FUNCTION fairmark_refuse_change()
    """,
]


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``consent_events``, its CHECK constraints, indexes and append-only guard."""
    op.create_table(
        "consent_events",
        sa.Column(
            "event_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("import_id", sa.String(36), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("purpose", sa.String(255), nullable=False),
        sa.Column("vendor", sa.String(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("lawful_basis", sa.String(32), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("occurred_at", _utc(), nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("jurisdiction", sa.String(16), nullable=True),
        sa.Column("raw_signal", sa.Text(), nullable=True),
        sa.Column("signal", sa.Text(), nullable=True),
        sa.Column("is_minor", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_consent_events")),
        sa.CheckConstraint(_one_of("state", _STATES), name=op.f("ck_consent_events_state")),
        sa.CheckConstraint(
            f"lawful_basis IS NULL OR {_one_of('lawful_basis', _BASES)}",
            name=op.f("ck_consent_events_lawful_basis"),
        ),
    )
    op.create_index(
        op.f("ix_consent_events_subject_id_purpose_occurred_at"),
        "consent_events",
        ["subject_id", "purpose", "occurred_at"],
    )
    op.create_index(op.f("ix_consent_events_purpose"), "consent_events", ["purpose"])
    op.create_index(op.f("ix_consent_events_import_id"), "consent_events", ["import_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        guard = _SQLITE_GUARD
    elif dialect == "postgresql":
        guard = _POSTGRES_GUARD
    else:  # pragma: no cover - open_engine only accepts the two
        raise StoreError(
            f"no append-only guard for database {dialect!r}; expected sqlite or postgresql"
        )
    for statement in guard:
        op.execute(statement)


def downgrade() -> None:
    """Drop ``consent_events`` (its triggers and indexes go with it)."""
    op.drop_table("consent_events")
