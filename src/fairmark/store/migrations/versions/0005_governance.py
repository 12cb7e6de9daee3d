"""gov_* and run_artifacts: accountability (users, inventory, reviews, audit log, evidence).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Migrations are frozen history: never import fairmark models here, spell the schema out.

Append-only (same guard as 0001/0004): ``gov_training``, ``gov_review_comments``,
``gov_review_decisions``, ``gov_log``, ``gov_checkpoints`` and ``run_artifacts``. The other
tables hold current state; every change to them is also appended to ``gov_log``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from fairmark.errors import StoreError

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_APPEND_ONLY = (
    "gov_training",
    "gov_review_comments",
    "gov_review_decisions",
    "gov_log",
    "gov_checkpoints",
    "run_artifacts",
)


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


def _ck(table: str, name: str, condition: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(condition, name=op.f(f"ck_{table}_{name}"))


def upgrade() -> None:
    """Create the accountability tables, their constraints, indexes and guards."""
    op.create_table(
        "gov_users",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("disabled_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_gov_users")),
        _ck("gov_users", "role", "role IN ('admin', 'owner', 'reviewer', 'auditor', 'viewer')"),
    )
    op.create_table(
        "gov_tokens",
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("scopes", _JSON, nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_gov_tokens")),
        sa.ForeignKeyConstraint(
            ["user_name"], ["gov_users.name"], name=op.f("fk_gov_tokens_user_name_gov_users")
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_gov_tokens_token_hash")),
    )
    op.create_index(op.f("ix_gov_tokens_user_name"), "gov_tokens", ["user_name"])
    op.create_table(
        "gov_training",
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("course", sa.String(200), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("evidence", sa.String(500), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_gov_training")),
        sa.ForeignKeyConstraint(
            ["user_name"], ["gov_users.name"], name=op.f("fk_gov_training_user_name_gov_users")
        ),
        _ck("gov_training", "expiry_after", "expires_on > completed_on"),
    )
    op.create_index(op.f("ix_gov_training_user_name"), "gov_training", ["user_name"])
    op.create_table(
        "gov_systems",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("team", sa.String(200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("use_case", sa.String(32), nullable=False),
        sa.Column("data_categories", _JSON, nullable=False),
        sa.Column("model_type", sa.String(200), nullable=True),
        sa.Column("vendor", sa.String(200), nullable=True),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("model_version_at", _utc(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("risk", _JSON, nullable=True),
        sa.Column("policy", sa.String(500), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_gov_systems")),
        sa.ForeignKeyConstraint(
            ["owner"], ["gov_users.name"], name=op.f("fk_gov_systems_owner_gov_users")
        ),
        _ck(
            "gov_systems",
            "status",
            "status IN ('proposed', 'in_review', 'approved', 'deployed', 'retired')",
        ),
    )
    op.create_table(
        "gov_reviews",
        sa.Column("review_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("system_name", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(100), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(64), nullable=False),
        sa.Column("submitted_at", _utc(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("expires_at", _utc(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_gov_reviews")),
        sa.ForeignKeyConstraint(
            ["system_name"],
            ["gov_systems.name"],
            name=op.f("fk_gov_reviews_system_name_gov_systems"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["audit_runs.run_id"], name=op.f("fk_gov_reviews_run_id_audit_runs")
        ),
        _ck(
            "gov_reviews",
            "status",
            "status IN ('open', 'approved', 'approved_with_conditions', 'rejected', "
            "'reopened', 'withdrawn')",
        ),
        _ck("gov_reviews", "quorum", "quorum >= 1"),
    )
    op.create_index(op.f("ix_gov_reviews_system_name"), "gov_reviews", ["system_name"])
    op.create_table(
        "gov_review_assignments",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("assigned_by", sa.String(64), nullable=False),
        sa.Column("assigned_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("review_id", "reviewer", name=op.f("pk_gov_review_assignments")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["gov_reviews.review_id"],
            name=op.f("fk_gov_review_assignments_review_id_gov_reviews"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer"],
            ["gov_users.name"],
            name=op.f("fk_gov_review_assignments_reviewer_gov_users"),
        ),
    )
    op.create_table(
        "gov_review_comments",
        sa.Column("comment_id", sa.String(36), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_gov_review_comments")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["gov_reviews.review_id"],
            name=op.f("fk_gov_review_comments_review_id_gov_reviews"),
        ),
    )
    op.create_index(op.f("ix_gov_review_comments_review_id"), "gov_review_comments", ["review_id"])
    op.create_table(
        "gov_review_decisions",
        sa.Column("decision_id", sa.String(36), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(32), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_gov_review_decisions")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["gov_reviews.review_id"],
            name=op.f("fk_gov_review_decisions_review_id_gov_reviews"),
        ),
        sa.UniqueConstraint(
            "review_id", "reviewer", name=op.f("uq_gov_review_decisions_review_id_reviewer")
        ),
        _ck(
            "gov_review_decisions",
            "decision",
            "decision IN ('approve', 'approve_with_conditions', 'reject')",
        ),
    )
    op.create_index(
        op.f("ix_gov_review_decisions_review_id"), "gov_review_decisions", ["review_id"]
    )
    op.create_table(
        "gov_conditions",
        sa.Column("condition_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocking", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("closed_at", _utc(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("condition_id", name=op.f("pk_gov_conditions")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["gov_reviews.review_id"],
            name=op.f("fk_gov_conditions_review_id_gov_reviews"),
        ),
        _ck("gov_conditions", "status", "status IN ('open', 'closed')"),
    )
    op.create_index(op.f("ix_gov_conditions_review_id"), "gov_conditions", ["review_id"])
    op.create_table(
        "gov_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_gov_log")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_gov_log_prev_hash")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_gov_log_entry_hash")),
    )
    op.create_index(op.f("ix_gov_log_action"), "gov_log", ["action"])
    op.create_index("ix_gov_log_entity", "gov_log", ["entity_type", "entity_id"])
    op.create_table(
        "gov_checkpoints",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("key_fingerprint", sa.String(64), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_gov_checkpoints")),
    )
    op.create_table(
        "run_artifacts",
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("aggregates", sa.Text(), nullable=False),
        sa.Column("policy_text", sa.Text(), nullable=True),
        sa.Column("policy_sha256", sa.String(64), nullable=True),
        sa.Column("environment", _JSON, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_artifacts")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["audit_runs.run_id"], name=op.f("fk_run_artifacts_run_id_audit_runs")
        ),
    )
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
    """Drop the accountability tables (their triggers and indexes go with them)."""
    for table in (
        "run_artifacts",
        "gov_checkpoints",
        "gov_log",
        "gov_conditions",
        "gov_review_decisions",
        "gov_review_comments",
        "gov_review_assignments",
        "gov_reviews",
        "gov_systems",
        "gov_training",
        "gov_tokens",
        "gov_users",
    ):
        op.drop_table(table)
