"""dsr_*: data sources, identity verifications, requests and outcomes of ``fairmark dsr``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Migrations are frozen history: never import fairmark models here, spell the schema out.

``dsr_sources`` is editable (sources are added and removed). ``dsr_meta`` (the subject
reference key), ``dsr_verifications``, ``dsr_requests`` and ``dsr_outcomes`` are
append-only like ``audit_runs`` (migration 0001): SQLite triggers that ``RAISE(ABORT, ...)``
and, on PostgreSQL, triggers calling the generic ``fairmark_refuse_change()`` of 0001.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from fairmark.errors import StoreError

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_APPEND_ONLY = ("dsr_meta", "dsr_verifications", "dsr_requests", "dsr_outcomes")


def _sqlite_guard(table: str) -> list[str]:
    return [
        f"""
        CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN
            SELECT RAISE(ABORT, '{table} is append-only: UPDATE is not allowed');
        END
        """,
        f"""
        CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN
            SELECT RAISE(ABORT, '{table} is append-only: DELETE is not allowed');
        END
        """,
    ]


def _postgres_guard(table: str) -> list[str]:
    return [
        f"""
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION fairmark_refuse_change()
        """,
        f"""
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION fairmark_refuse_change()
        """,
    ]


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the five ``dsr_*`` tables, their constraints, indexes and append-only guards."""
    op.create_table(
        "dsr_sources",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("subject_column", sa.String(), nullable=False),
        sa.Column("encrypted", _JSON, nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_dsr_sources")),
    )
    op.create_table(
        "dsr_meta",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_dsr_meta")),
        sa.CheckConstraint("name IN ('subject_ref_key')", name=op.f("ck_dsr_meta_name")),
    )
    op.create_table(
        "dsr_verifications",
        sa.Column("verification_id", sa.String(36), nullable=False),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("verified_by", sa.String(200), nullable=False),
        sa.Column("verified_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("verification_id", name=op.f("pk_dsr_verifications")),
        sa.CheckConstraint(
            "status IN ('verified', 'failed')", name=op.f("ck_dsr_verifications_status")
        ),
    )
    op.create_index(
        op.f("ix_dsr_verifications_subject_ref"), "dsr_verifications", ["subject_ref"]
    )
    op.create_table(
        "dsr_requests",
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("subject_ref", sa.String(64), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("verification_id", sa.String(36), nullable=True),
        sa.Column("n_sources", sa.BigInteger(), nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("request_id", name=op.f("pk_dsr_requests")),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["dsr_verifications.verification_id"],
            name=op.f("fk_dsr_requests_verification_id_dsr_verifications"),
        ),
        sa.CheckConstraint("kind IN ('access', 'erasure')", name=op.f("ck_dsr_requests_kind")),
    )
    op.create_index(op.f("ix_dsr_requests_subject_ref"), "dsr_requests", ["subject_ref"])
    op.create_index(op.f("ix_dsr_requests_created_at"), "dsr_requests", ["created_at"])
    op.create_table(
        "dsr_outcomes",
        sa.Column("outcome_id", sa.String(36), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("source_name", sa.String(64), nullable=False),
        sa.Column("source_url", sa.String(), nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("subject_column", sa.String(), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("rows_found", sa.BigInteger(), nullable=True),
        sa.Column("rows_deleted", sa.BigInteger(), nullable=True),
        sa.Column("shred_status", sa.String(24), nullable=True),
        sa.Column("rows_remaining", sa.BigInteger(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("finished_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("outcome_id", name=op.f("pk_dsr_outcomes")),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["dsr_requests.request_id"],
            name=op.f("fk_dsr_outcomes_request_id_dsr_requests"),
        ),
        sa.CheckConstraint(
            "action IN ('export', 'count', 'delete', 'shred', 'delete_and_shred')",
            name=op.f("ck_dsr_outcomes_action"),
        ),
    )
    op.create_index(op.f("ix_dsr_outcomes_request_id"), "dsr_outcomes", ["request_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        guard = _sqlite_guard
    elif dialect == "postgresql":
        guard = _postgres_guard
    else:  # pragma: no cover - open_engine only accepts the two
        raise StoreError(
            f"no append-only guard for database {dialect!r}; expected sqlite or postgresql"
        )
    for table in _APPEND_ONLY:
        for statement in guard(table):
            op.execute(statement)


def downgrade() -> None:
    """Drop the ``dsr_*`` tables (their triggers and indexes go with them)."""
    op.drop_table("dsr_outcomes")
    op.drop_table("dsr_requests")
    op.drop_table("dsr_verifications")
    op.drop_table("dsr_meta")
    op.drop_table("dsr_sources")
