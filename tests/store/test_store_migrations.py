"""The packaged Alembic migrations: from an empty database, idempotent, schema-aware."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from fairmark.errors import StoreError
from fairmark.store import Base, RunStore, current_revision, head_revision, open_engine, upgrade
from fairmark.store.migrate import MIGRATIONS_DIR, VERSION_TABLE, autogenerate_include_name

MakeReport = Callable[..., dict[str, Any]]

AUDIT_RUNS_COLUMNS = {
    # name: nullable
    "run_id": False,
    "created_at": False,
    "system_name": True,
    "tool_version": False,
    "policy_id": True,
    "policy_version": True,
    "data_fingerprint": False,
    "verdict": False,
    "spec": False,
    "report": False,
    "schema_version": False,
}


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    opened = open_engine(store_url)
    yield opened
    opened.dispose()


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                {"t": "audit_runs"},
            )
        else:
            rows = conn.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                    "AND tgrelid = 'audit_runs'::regclass"
                )
            )
        return {row[0] for row in rows}


def _version_rows(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))]


def test_head_is_the_last_migration_file():
    last = max(p.name.split("_", 1)[0] for p in MIGRATIONS_DIR.glob("versions/[0-9]*_*.py"))
    assert head_revision() == last


def test_upgrade_creates_the_tables_from_an_empty_database(engine: Engine):
    assert inspect(engine).get_table_names() == []
    assert current_revision(engine) is None

    upgrade(engine)

    inspector = inspect(engine)
    assert {"audit_runs", "subject_keys", "keystore_meta", "key_events", VERSION_TABLE} <= set(
        inspector.get_table_names()
    )
    columns = {c["name"]: c["nullable"] for c in inspector.get_columns("audit_runs")}
    assert columns == AUDIT_RUNS_COLUMNS
    assert inspector.get_pk_constraint("audit_runs")["constrained_columns"] == ["run_id"]
    indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("audit_runs")}
    assert indexes == {
        "ix_audit_runs_system_name": ["system_name"],
        "ix_audit_runs_created_at": ["created_at"],
    }
    checks = inspector.get_check_constraints("audit_runs")
    assert [c["name"] for c in checks] == ["ck_audit_runs_verdict"]
    if engine.dialect.name == "sqlite":
        assert _triggers(engine) == {"audit_runs_no_update", "audit_runs_no_delete"}
    else:
        assert _triggers(engine) == {"audit_runs_append_only", "audit_runs_no_truncate"}
        types = {c["name"]: type(c["type"]).__name__ for c in inspector.get_columns("audit_runs")}
        assert types["spec"] == types["report"] == "JSONB"
        assert types["created_at"] == "TIMESTAMP"
        [created_at] = [c for c in inspector.get_columns("audit_runs") if c["name"] == "created_at"]
        assert created_at["type"].timezone is True
    assert current_revision(engine) == head_revision()
    assert _version_rows(engine) == [head_revision()]


def test_upgrade_is_idempotent_and_keeps_the_data(engine: Engine, store_url: str, make_report):
    upgrade(engine)
    with RunStore(store_url) as store:  # opening upgrades a third time
        report = make_report()
        store.record_run(report)
    upgrade(engine)
    upgrade(engine)

    assert current_revision(engine) == head_revision()
    assert _version_rows(engine) == [head_revision()]
    with RunStore(store_url) as store:
        assert store.get_run(report["run_id"]) == report
        assert len(store.list_runs()) == 1


def test_models_match_the_migrations(engine: Engine):
    """Autogenerate finds nothing to change: models.py and versions/ describe one schema."""
    upgrade(engine)
    with engine.connect() as conn:
        opts: dict[str, Any] = {
            "version_table": VERSION_TABLE,
            "compare_type": True,
            "include_name": autogenerate_include_name,
        }
        if engine.dialect.name == "postgresql":
            opts["version_table_schema"] = conn.execute(text("SELECT current_schema()")).scalar()
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    assert diff == []


def test_the_verdict_check_constraint_is_enforced_by_the_database(engine: Engine):
    upgrade(engine)
    insert = text(
        "INSERT INTO audit_runs (run_id, created_at, tool_version, data_fingerprint, verdict, "
        "spec, report, schema_version) VALUES (:id, CURRENT_TIMESTAMP, '0.1.0', 'ab', :verdict, "
        "'{}', '{}', '1.0')"
    )
    with engine.begin() as conn:
        conn.execute(insert, {"id": "00000000-0000-4000-8000-000000000001", "verdict": "pass"})
    with pytest.raises(DBAPIError, match=r"ck_audit_runs_verdict|CHECK constraint failed"):
        with engine.begin() as conn:
            conn.execute(insert, {"id": "00000000-0000-4000-8000-000000000002", "verdict": "ok"})


def _alembic_config(conn: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = conn
    return config


def test_downgrade_to_base_then_upgrade_again(engine: Engine):
    upgrade(engine)
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "base")
    assert inspect(engine).get_table_names() == [VERSION_TABLE]
    assert current_revision(engine) is None
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            functions = conn.execute(
                text(
                    "SELECT count(*) FROM pg_proc WHERE proname = 'fairmark_refuse_change' "
                    "AND pronamespace = current_schema()::regnamespace"
                )
            ).scalar_one()
        assert functions == 0
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    assert len(_triggers(engine)) == 2


def test_a_revision_from_a_newer_fairmark_is_refused(engine: Engine, store_url: str):
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(StoreError, match="9999") as exc:
        RunStore(store_url)
    message = str(exc.value)
    assert "\n" not in message and "newer fairmark" in message


def test_concurrent_first_opens_migrate_once(store_url: str):
    """Four processes open the same fresh store at the same instant: all succeed, once."""
    code = (
        "import sys, time\n"
        "from fairmark.store import RunStore\n"
        "time.sleep(max(0.0, float(sys.argv[2]) - time.time()))\n"
        "RunStore(sys.argv[1]).close()\n"
    )
    start_at = str(time.time() + 3.0)  # after every process has imported fairmark
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, store_url, start_at], stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    engine = open_engine(store_url)
    try:
        assert _version_rows(engine) == [head_revision()]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_each_schema_gets_its_own_tables_and_version_table(
    pg_schema_factory: Callable[[], str], pg_url_for: Callable[[str], str], make_report: MakeReport
):
    """A store in schema B is migrated although schema A, also on search_path, already is.

    With an unqualified version table Alembic would find A's version table through the
    search_path and skip B's migration.
    """
    a, b = pg_schema_factory(), pg_schema_factory()
    with RunStore(pg_url_for(a)) as store_a:
        run_a = store_a.record_run(make_report())
    with RunStore(pg_url_for(f"{b},{a}")) as store_b:
        assert store_b.list_runs() == []
        run_b = store_b.record_run(make_report())
        with store_b.engine.connect() as conn:
            where = conn.execute(
                text(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_schema IN (:a, :b) ORDER BY 1, 2"
                ),
                {"a": a, "b": b},
            ).all()
    tables = ["audit_runs", "key_events", "keystore_meta", "subject_keys", VERSION_TABLE]
    assert {(s, t) for s in (a, b) for t in tables} <= set(where)
    with RunStore(pg_url_for(a)) as store_a:
        assert [s.run_id for s in store_a.list_runs()] == [run_a]
    with RunStore(pg_url_for(b)) as store_b:
        assert [s.run_id for s in store_b.list_runs()] == [run_b]


@pytest.mark.postgres
def test_a_search_path_without_an_existing_schema_is_refused(pg_url_for: Callable[[str], str]):
    url = pg_url_for("fm_no_such_schema_x")
    with pytest.raises(StoreError, match="search_path names no existing schema") as exc:
        RunStore(url)
    assert "\n" not in str(exc.value)


def test_concurrent_first_opens_from_threads(store_url: str, make_report: MakeReport):
    """Threads share Alembic's process-wide context: they must queue, not collide."""
    from concurrent.futures import ThreadPoolExecutor

    def open_and_record(_: int) -> str:
        with RunStore(store_url) as store:
            return store.record_run(make_report())

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(open_and_record, range(4)))
    with RunStore(store_url) as store:
        assert sorted(s.run_id for s in store.list_runs()) == sorted(ids)
