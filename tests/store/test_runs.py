"""The run store on SQLite and PostgreSQL: record, list, fetch, and append-only."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

import fairmark.store as store_pkg
from fairmark.errors import DataError, StoreError, UsageError
from fairmark.store import RunStore, RunSummary

Report = dict[str, Any]
MakeReport = Callable[..., Report]

SAMPLE_REPORT = Path(__file__).resolve().parents[1] / "report" / "fixtures" / "sample_report.json"


@pytest.fixture
def store(store_url: str) -> Iterator[RunStore]:
    with RunStore(store_url) as opened:
        yield opened


def _count(store: RunStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_runs")).scalar_one())


def test_round_trip_returns_the_document_unchanged(store: RunStore, make_report: MakeReport):
    report = make_report()
    expected = json.loads(json.dumps(report))  # an independent deep copy

    assert store.record_run(report) == report["run_id"]
    got = store.get_run(report["run_id"])

    assert got == expected
    # == treats 1 == 1.0 and True == 1; the JSON text must match too (types and floats)
    assert json.dumps(got, sort_keys=True) == json.dumps(expected, sort_keys=True)
    value = got["groups"][0]["selection_rate"]["value"]
    assert value == 0.1 + 0.2 and value != 0.3
    assert got["disparities"][0]["value"] == "inf"


def test_round_trip_of_the_sample_report_fixture(store: RunStore):
    if not SAMPLE_REPORT.exists():
        pytest.skip(f"{SAMPLE_REPORT} not present")
    report = json.loads(SAMPLE_REPORT.read_text(encoding="utf-8"))
    store.record_run(report)
    assert store.get_run(report["run_id"]) == report


def test_recorded_columns_are_extracted_from_the_report(store: RunStore, make_report: MakeReport):
    report = make_report(
        created_at="2026-11-30T07:30:00.250000+01:30",  # = 06:00:00.25 UTC
        policy={"id": "p-1", "version": 3},
        system_name="sys-a",
        verdict="warn",
    )
    store.record_run(report)

    [summary] = store.list_runs()
    assert summary == RunSummary(
        run_id=report["run_id"],
        created_at=datetime(2026, 11, 30, 6, 0, 0, 250000, tzinfo=UTC),
        system_name="sys-a",
        verdict="warn",
        policy_id="p-1",
        policy_version="3",
        data_fingerprint=report["data_fingerprint"]["value"],
    )
    assert summary.created_at.utcoffset() is not None
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT tool_version, schema_version, spec FROM audit_runs")).one()
    assert row.tool_version == "0.1.0"
    assert row.schema_version == "1.0"
    spec = row.spec if isinstance(row.spec, dict) else json.loads(row.spec)
    assert spec == report["spec"]


def test_run_without_policy_or_system(store: RunStore, make_report: MakeReport):
    report = make_report(policy=None, system_name=None)
    store.record_run(report)
    [summary] = store.list_runs()
    assert (summary.policy_id, summary.policy_version, summary.system_name) == (None, None, None)
    assert store.get_run(report["run_id"]) == report


def _ts(hour: int) -> str:
    return f"2026-11-30T{hour:02d}:00:00Z"


def test_list_is_newest_first_and_filters_by_system(store: RunStore, make_report: MakeReport):
    # recorded out of time order on purpose
    plan = [(9, "alpha"), (7, "beta"), (11, "alpha"), (8, None), (10, "beta")]
    ids = {}
    for hour, system in plan:
        ids[hour] = store.record_run(make_report(created_at=_ts(hour), system_name=system))

    assert [s.run_id for s in store.list_runs()] == [ids[h] for h in (11, 10, 9, 8, 7)]
    assert [s.run_id for s in store.list_runs(limit=2)] == [ids[11], ids[10]]
    assert [s.run_id for s in store.list_runs(limit=None)] == [ids[h] for h in (11, 10, 9, 8, 7)]
    assert [s.run_id for s in store.list_runs(system_name="alpha")] == [ids[11], ids[9]]
    assert [s.run_id for s in store.list_runs(system_name="beta", limit=1)] == [ids[10]]
    assert store.list_runs(system_name="gamma") == []


def test_list_orders_by_utc_instant_not_by_text(store: RunStore, make_report: MakeReport):
    # 07:00+02:00 is 05:00 UTC: earlier than 06:00Z although its text sorts later
    east = store.record_run(make_report(created_at="2026-11-30T07:00:00+02:00"))
    utc = store.record_run(make_report(created_at="2026-11-30T06:00:00Z"))
    assert [s.run_id for s in store.list_runs()] == [utc, east]


def test_list_ties_are_broken_by_run_id(store: RunStore, make_report: MakeReport):
    ids = [store.record_run(make_report(created_at=_ts(6))) for _ in range(3)]
    assert [s.run_id for s in store.list_runs()] == sorted(ids, reverse=True)


@pytest.mark.parametrize("limit", [0, -1, 2.5, "3", True])
def test_list_refuses_a_bad_limit(store: RunStore, limit: Any):
    with pytest.raises(UsageError, match="limit"):
        store.list_runs(limit=limit)


def test_prefix_lookup_unique_ambiguous_unknown(store: RunStore, make_report: MakeReport):
    first = make_report(run_id="abcd1234-0000-4000-8000-000000000001")
    second = make_report(run_id="abcd1299-0000-4000-8000-000000000002")
    third = make_report(run_id="0123abcd-0000-4000-8000-000000000003")
    for report in (first, second, third):
        store.record_run(report)

    assert store.get_run("abcd1234") == first  # unique prefix
    assert store.get_run("ABCD1299-") == second  # case-insensitive
    assert store.get_run("  0123  ") == third  # surrounding spaces ignored
    assert store.get_run(first["run_id"]) == first  # the full id

    with pytest.raises(UsageError, match="ambiguous") as ambiguous:
        store.get_run("abcd12")
    assert first["run_id"] in str(ambiguous.value) and second["run_id"] in str(ambiguous.value)

    with pytest.raises(UsageError, match="no run 'ffff'"):
        store.get_run("ffff")
    with pytest.raises(UsageError, match="no run"):
        store.get_run("abcd1234-0000-4000-8000-000000000009")


@pytest.mark.parametrize("bad", ["", "   ", "xyz", "abc%", "ab_d", "a" * 37])
def test_prefix_lookup_refuses_what_is_not_a_uuid_prefix(
    store: RunStore, make_report: MakeReport, bad: str
):
    store.record_run(make_report())
    with pytest.raises(UsageError, match="not a run id or prefix"):
        store.get_run(bad)


def test_prefix_lookup_lists_at_most_five_candidates(store: RunStore, make_report: MakeReport):
    for i in range(7):
        store.record_run(make_report(run_id=f"eeee000{i}-0000-4000-8000-000000000000"))
    with pytest.raises(UsageError) as exc:
        store.get_run("eeee")
    message = str(exc.value)
    assert message.count("eeee000") == 5 and message.rstrip().endswith("expected more characters")
    assert ", ..." in message


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_runs SET verdict = 'pass'",
        "UPDATE audit_runs SET system_name = 'renamed' WHERE run_id = :run_id",
        "DELETE FROM audit_runs",
        "DELETE FROM audit_runs WHERE run_id = :run_id",
    ],
)
def test_raw_update_and_delete_are_refused(
    store: RunStore, make_report: MakeReport, statement: str
):
    report = make_report()
    store.record_run(report)
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement), {"run_id": report["run_id"]})
    assert _count(store) == 1
    assert store.get_run(report["run_id"]) == report
    [summary] = store.list_runs()
    assert summary.verdict == "fail" and summary.system_name == report["system_name"]


@pytest.mark.postgres
def test_truncate_is_refused_on_postgres(pg_store_url: str, make_report: MakeReport):
    with RunStore(pg_store_url) as store:
        report = make_report()
        store.record_run(report)
        with pytest.raises(DBAPIError, match="TRUNCATE is not allowed"), store.engine.begin() as c:
            # CASCADE: later tables (gov_reviews, run_artifacts) refer to audit_runs
            c.execute(text("TRUNCATE audit_runs CASCADE"))
        assert store.get_run(report["run_id"]) == report


def test_duplicate_run_id_is_refused(store: RunStore, make_report: MakeReport):
    report = make_report()
    store.record_run(report)
    again = make_report(run_id=report["run_id"], verdict="pass")
    with pytest.raises(StoreError, match=f"run {report['run_id']} is already recorded") as exc:
        store.record_run(again)
    assert "\n" not in str(exc.value)
    assert _count(store) == 1
    assert store.get_run(report["run_id"])["verdict"] == "fail"  # the first one stays


def test_store_is_usable_after_a_refused_write(store: RunStore, make_report: MakeReport):
    report = make_report()
    store.record_run(report)
    with pytest.raises(StoreError):
        store.record_run(report)
    later = store.record_run(make_report())
    assert _count(store) == 2 and store.get_run(later)["run_id"] == later


def test_a_float_that_jsonb_would_turn_into_an_integer(store: RunStore, make_report: MakeReport):
    """PostgreSQL jsonb reads 1e300 back as the integer 10**300: refused, nothing stored."""
    report = make_report()
    report["summary"]["selected_threshold"] = 1e300
    if store.engine.dialect.name == "postgresql":
        with pytest.raises(DataError, match=re.escape("summary.selected_threshold")) as exc:
            store.record_run(report)
        assert "nothing was recorded" in str(exc.value)
        assert _count(store) == 0
    else:  # SQLite keeps the JSON text as written
        store.record_run(report)
        assert store.get_run(report["run_id"])["summary"]["selected_threshold"] == 1e300


def test_module_level_functions_open_and_close_the_store(store_url: str, make_report: MakeReport):
    report = make_report(system_name="one-shot")
    assert store_pkg.record_run(report, url=store_url) == report["run_id"]
    [summary] = store_pkg.list_runs(system_name="one-shot", url=store_url)
    assert summary.run_id == report["run_id"]
    assert store_pkg.get_run(report["run_id"][:13], url=store_url) == report


def test_two_stores_on_one_database_see_the_same_runs(store_url: str, make_report: MakeReport):
    with RunStore(store_url) as a, RunStore(store_url) as b:
        run_id = a.record_run(make_report())
        assert b.get_run(run_id)["run_id"] == run_id


def test_default_url_is_the_local_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_report: MakeReport
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FAIRMARK_DB_URL", raising=False)
    report = make_report()
    with RunStore() as store:
        store.record_run(report)
        assert store.url == f"sqlite:///{tmp_path / '.fairmark' / 'fairmark.db'}"
    assert (tmp_path / ".fairmark" / "fairmark.db").is_file()
    with RunStore(f"sqlite:///{tmp_path / '.fairmark' / 'fairmark.db'}") as store:
        assert store.get_run(report["run_id"]) == report


def test_record_run_validates_before_touching_the_database(
    store: RunStore, make_report: MakeReport
):
    with pytest.raises(DataError, match="verdict"):
        store.record_run(make_report(verdict="maybe"))
    with pytest.raises(DataError, match="run_id"):
        store.record_run(make_report(run_id=str(uuid.uuid4()).upper()))
    assert _count(store) == 0
