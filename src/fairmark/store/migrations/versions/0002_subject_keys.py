"""subject_keys, keystore_meta, key_events: the keystore of field-level encryption.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

Migrations are frozen history: never import fairmark models here, spell the schema out.

``subject_keys`` holds one wrapped data key per data subject and must stay deletable:
deleting a row is the crypto-shred. ``keystore_meta`` holds the wrapped subject-lookup key.
``key_events`` is append-only like ``audit_runs`` (migration 0001): SQLite triggers that
``RAISE(ABORT, ...)``, and on PostgreSQL triggers calling the generic
``fairmark_refuse_change()`` created by 0001 (it names the table and operation itself).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fairmark.errors import StoreError

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_SQLITE_GUARD = [
    """
    CREATE TRIGGER key_events_no_update BEFORE UPDATE ON key_events
    BEGIN
        SELECT RAISE(ABORT, 'key_events is append-only: UPDATE is not allowed');
    END
    """,
    """
    CREATE TRIGGER key_events_no_delete BEFORE DELETE ON key_events
    BEGIN
        SELECT RAISE(ABORT, 'key_events is append-only: DELETE is not allowed');
    END
    """,
]

_POSTGRES_GUARD = [
    """
    CREATE TRIGGER key_events_append_only BEFORE UPDATE OR DELETE ON key_events
    FOR EACH ROW EXECUTE FUNCTION fairmark_refuse_change()
    """,
    """
    CREATE TRIGGER key_events_no_truncate BEFORE TRUNCATE ON key_events
    FOR EACH STATEMENT EXECUTE FUNCTION fairmark_refuse_change()
    """,
]


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the three keystore tables, their constraints, indexes and the guard."""
    op.create_table(
        "subject_keys",
        sa.Column("lookup_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrap_algorithm", sa.String(16), nullable=False),
        sa.Column("master_key_id", sa.String(16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("lookup_id", name=op.f("pk_subject_keys")),
        sa.CheckConstraint(
            "wrap_algorithm IN ('A256KW')", name=op.f("ck_subject_keys_wrap_algorithm")
        ),
    )
    op.create_index(op.f("ix_subject_keys_master_key_id"), "subject_keys", ["master_key_id"])
    op.create_table(
        "keystore_meta",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrap_algorithm", sa.String(16), nullable=False),
        sa.Column("master_key_id", sa.String(16), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("rotated_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_keystore_meta")),
        sa.CheckConstraint("name IN ('subject_lookup')", name=op.f("ck_keystore_meta_name")),
        sa.CheckConstraint(
            "wrap_algorithm IN ('A256KW')", name=op.f("ck_keystore_meta_wrap_algorithm")
        ),
    )
    op.create_table(
        "key_events",
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("occurred_at", _utc(), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("subject_lookup_id", sa.String(64), nullable=True),
        sa.Column("master_key_id", sa.String(16), nullable=False),
        sa.Column("new_master_key_id", sa.String(16), nullable=True),
        sa.Column("n_keys", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_key_events")),
        sa.CheckConstraint("event IN ('shred', 'rotate')", name=op.f("ck_key_events_event")),
    )
    op.create_index(op.f("ix_key_events_occurred_at"), "key_events", ["occurred_at"])
    op.create_index(op.f("ix_key_events_subject_lookup_id"), "key_events", ["subject_lookup_id"])
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
    """Drop the keystore tables (their triggers and indexes go with them).

    Dropping ``subject_keys`` destroys every data key: all data encrypted with this
    keystore becomes undecryptable.
    """
    op.drop_table("key_events")
    op.drop_table("keystore_meta")
    op.drop_table("subject_keys")
