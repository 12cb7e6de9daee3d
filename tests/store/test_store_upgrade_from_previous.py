"""A store made by the previous release (revision 0004) upgrades to head with its data intact.

The database is built with Alembic at ``0004`` and filled the way the previous release
wrote it (an audit run, a consent event, a DSR source), with the columns *as they were at
0004*, spelled out here rather than taken from today's models. Then :func:`upgrade` runs
to head: the old rows must read back unchanged, the accountability tables must exist,
the old guards must still hold, and new writes (a log entry, a run) must work. SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError

from fairmark.governance.chain import GENESIS_HASH, append_entry
from fairmark.governance.log import read_entries, verify_log
from fairmark.store import RunStore, current_revision, head_revision, open_engine, upgrade
from fairmark.store.db import write_transaction
from fairmark.store.migrate import MIGRATIONS_DIR

PREVIOUS = "0004"
NEW_TABLES = {
    "gov_users",
    "gov_tokens",
    "gov_training",
    "gov_systems",
    "gov_reviews",
    "gov_review_assignments",
    "gov_review_comments",
    "gov_review_decisions",
    "gov_conditions",
    "gov_log",
    "gov_checkpoints",
    "run_artifacts",
}

# Tables as revision 0004 left them (frozen: do not import today's models here).
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_OLD = sa.MetaData()
AUDIT_RUNS = sa.Table(
    "audit_runs",
    _OLD,
    sa.Column("run_id", sa.String(36), primary_key=True),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("system_name", sa.String()),
    sa.Column("tool_version", sa.String()),
    sa.Column("policy_id", sa.String()),
    sa.Column("policy_version", sa.String()),
    sa.Column("data_fingerprint", sa.String()),
    sa.Column("verdict", sa.String(32)),
    sa.Column("spec", _JSON),
    sa.Column("report", _JSON),
    sa.Column("schema_version", sa.String(16)),
)
CONSENT_EVENTS = sa.Table(
    "consent_events",
    _OLD,
    sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("import_id", sa.String(36)),
    sa.Column("source_row", sa.Integer()),
    sa.Column("subject_id", sa.String()),
    sa.Column("purpose", sa.String(255)),
    sa.Column("vendor", sa.String()),
    sa.Column("state", sa.String(16)),
    sa.Column("lawful_basis", sa.String(32)),
    sa.Column("source", sa.String()),
    sa.Column("occurred_at", sa.DateTime(timezone=True)),
    sa.Column("recorded_at", sa.DateTime(timezone=True)),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    sa.Column("jurisdiction", sa.String(16)),
    sa.Column("raw_signal", sa.Text()),
    sa.Column("signal", sa.Text()),
    sa.Column("is_minor", sa.Boolean()),
)
DSR_SOURCES = sa.Table(
    "dsr_sources",
    _OLD,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("url", sa.String()),
    sa.Column("table_name", sa.String()),
    sa.Column("subject_column", sa.String()),
    sa.Column("encrypted", _JSON),
    sa.Column("created_at", sa.DateTime(timezone=True)),
)

WHEN = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def _alembic_config(conn: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = conn
    return config


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    opened = open_engine(store_url)
    yield opened
    opened.dispose()


def _rows(engine: Engine, table: sa.Table) -> list[dict[str, Any]]:
    key = next(iter(table.primary_key.columns))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(key))]


def _as_utc(value: Any) -> Any:
    """SQLite returns naive datetimes; compare instants."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _normalised(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _as_utc(v) for k, v in row.items()} for row in rows]


def test_a_store_of_the_previous_release_upgrades_with_its_data_intact(
    engine: Engine, make_report: Callable[..., dict[str, Any]]
):
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), PREVIOUS)
    assert current_revision(engine) == PREVIOUS
    assert not NEW_TABLES & set(inspect(engine).get_table_names())

    report = make_report(verdict="warn")
    with engine.begin() as conn:
        conn.execute(
            sa.insert(AUDIT_RUNS).values(
                run_id=report["run_id"],
                created_at=WHEN,
                system_name=report["system_name"],
                tool_version=report["tool_version"],
                policy_id=report["policy"]["id"],
                policy_version=report["policy"]["version"],
                data_fingerprint=report["data_fingerprint"]["value"],
                verdict="warn",
                spec=report["spec"],
                report=report,
                schema_version=report["schema_version"],
            )
        )
        conn.execute(
            sa.insert(CONSENT_EVENTS).values(
                import_id="11111111-1111-4111-8111-111111111111",
                source_row=2,
                subject_id="C-1042",
                purpose="marketing.communications",
                vendor=None,
                state="granted",
                lawful_basis="consent",
                source="crm-export.csv",
                occurred_at=WHEN,
                recorded_at=WHEN,
                expires_at=None,
                jurisdiction="EU",
                raw_signal=None,
                signal=None,
                is_minor=False,
            )
        )
        conn.execute(
            sa.insert(DSR_SOURCES).values(
                name="crm",
                url="sqlite:///crm.db",
                table_name="customers",
                subject_column="customer_id",
                encrypted={"columns": ["email"], "key_store": "keys.db"},
                created_at=WHEN,
            )
        )
    before = {
        t.name: _normalised(_rows(engine, t)) for t in (AUDIT_RUNS, CONSENT_EVENTS, DSR_SOURCES)
    }

    upgrade(engine)

    assert current_revision(engine) == head_revision()
    assert NEW_TABLES <= set(inspect(engine).get_table_names())
    after = {
        t.name: _normalised(_rows(engine, t)) for t in (AUDIT_RUNS, CONSENT_EVENTS, DSR_SOURCES)
    }
    assert after == before
    assert after["audit_runs"][0]["report"] == report  # JSON kept exactly (floats too)
    assert after["consent_events"][0]["subject_id"] == "C-1042"
    assert after["dsr_sources"][0]["encrypted"] == {"columns": ["email"], "key_store": "keys.db"}

    # the old guards still hold after the upgrade
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(sa.update(AUDIT_RUNS).values(verdict="pass"))
    assert _rows(engine, AUDIT_RUNS)[0]["verdict"] == "warn"

    # new writes work: the audit log starts at genesis, and the store opens at head
    with write_transaction(engine) as conn:
        first = append_entry(
            conn,
            actor="ada",
            action="system.register",
            entity_type="system",
            entity_id="bank-propensity",
            payload={"owner": "ada"},
        )
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert [e.entity_id for e in read_entries(engine)] == ["bank-propensity"]
    assert verify_log(engine).ok
    with pytest.raises(DBAPIError, match="append-only"):
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM gov_log"))

    url = engine.url.render_as_string(hide_password=False)
    with RunStore(url) as store:
        assert store.get_run(report["run_id"])["verdict"] == "warn"
        new_id = store.record_run(make_report(verdict="pass"))
        assert [r.run_id for r in store.list_runs()] == [new_id, report["run_id"]]
