"""audit_runs: one row per recorded audit run, append-only.

Revision ID: 0001
Revises:
Create Date: 2026-11-30

Migrations are frozen history: never import fairmark models here, spell the schema out.

The append-only guard is a trigger that aborts every UPDATE and DELETE on ``audit_runs``:
``RAISE(ABORT, ...)`` on SQLite (SQLite "CREATE TRIGGER", the RAISE function) and a
plpgsql trigger function on PostgreSQL (PostgreSQL "Trigger Functions", PL/pgSQL), which
also refuses TRUNCATE. The function ``fairmark_refuse_change()`` is generic (it names the
table and operation from ``TG_TABLE_NAME`` / ``TG_OP``) so later append-only tables reuse it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from fairmark.errors import StoreError

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_SQLITE_GUARD = [
    """
    CREATE TRIGGER audit_runs_no_update BEFORE UPDATE ON audit_runs
    BEGIN
        SELECT RAISE(ABORT, 'audit_runs is append-only: UPDATE is not allowed');
    END
    """,
    """
    CREATE TRIGGER audit_runs_no_delete BEFORE DELETE ON audit_runs
    BEGIN
        SELECT RAISE(ABORT, 'audit_runs is append-only: DELETE is not allowed');
    END
    """,
]

_POSTGRES_GUARD = [
    """
    CREATE FUNCTION fairmark_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_runs_append_only BEFORE UPDATE OR DELETE ON audit_runs
    FOR EACH ROW EXECUTE FUNCTION fairmark_refuse_change()
    """,
    """
    CREATE TRIGGER audit_runs_no_truncate BEFORE TRUNCATE ON audit_runs
    FOR EACH STATEMENT EXECUTE FUNCTION fairmark_refuse_change()
    """,
]


def upgrade() -> None:
    """Create ``audit_runs`` with its indexes, verdict CHECK and append-only triggers."""
    op.create_table(
        "audit_runs",
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("system_name", sa.String(), nullable=True),
        sa.Column("tool_version", sa.String(), nullable=False),
        sa.Column("policy_id", sa.String(), nullable=True),
        sa.Column("policy_version", sa.String(), nullable=True),
        sa.Column("data_fingerprint", sa.String(), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("spec", _JSON, nullable=False),
        sa.Column("report", _JSON, nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_audit_runs")),
        sa.CheckConstraint(
            "verdict IN ('pass', 'warn', 'fail', 'insufficient_evidence')",
            name=op.f("ck_audit_runs_verdict"),
        ),
    )
    op.create_index(op.f("ix_audit_runs_system_name"), "audit_runs", ["system_name"])
    op.create_index(op.f("ix_audit_runs_created_at"), "audit_runs", ["created_at"])
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
    """Drop ``audit_runs`` and its guard (the PostgreSQL trigger function too)."""
    op.drop_table("audit_runs")  # drops its triggers and indexes with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS fairmark_refuse_change()")
