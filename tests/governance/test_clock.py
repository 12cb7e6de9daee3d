"""The store's clock decides, not the client's (SQLite and PostgreSQL).

New-user QA of issue #7 set a client's clock 85 days ahead and so made approvals, training
records and tokens look current or expired at will. :func:`client_clock_ahead` does the
same inside the test process: every ``fairmark`` module that imported ``datetime`` gets a
``datetime`` whose ``now()`` runs 85 days ahead. On PostgreSQL nothing fairmark stores or
decides may move (the server's ``clock_timestamp()`` is used); on SQLite the process clock
*is* the store's clock (a documented limitation), so there the same calls do move: that
proves the shifted clock reaches the code, and the PostgreSQL assertions are not vacuous.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.governance._evidence_support import make_frame, run_audit
from tests.governance._identity_support import snapshot
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    SYSTEM,
    World,
    log_payloads,
    world,
)

import fairmark.governance.clock
from fairmark.errors import UsageError
from fairmark.governance.access import AccessError
from fairmark.governance.artifacts import build_artifacts
from fairmark.governance.chain import append_entry
from fairmark.governance.clock import db_now
from fairmark.governance.gate import evaluate_gate
from fairmark.governance.identity import resolve_principal
from fairmark.governance.review import decide, submit_review
from fairmark.governance.tokens import create_token, list_tokens
from fairmark.governance.training import record_training
from fairmark.governance.users import add_user, show_user
from fairmark.store import RunStore
from fairmark.store.db import write_transaction
from fairmark.store.models_governance import LogEntryRow, RunArtifacts, User

SHIFT = timedelta(days=85)
"""How far ahead the client's clock is set (the QA finding)."""

CLOSE = timedelta(seconds=5)

_REAL = datetime


class _ShiftedMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:  # real datetimes stay datetimes
        return isinstance(obj, _REAL)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, _REAL)


class _ShiftedDatetime(_REAL, metaclass=_ShiftedMeta):
    """``datetime`` whose ``now()`` is :data:`SHIFT` ahead of the real clock."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return _REAL.now(tz) + SHIFT


@contextmanager
def client_clock_ahead(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Set this process's clock :data:`SHIFT` ahead for every loaded ``fairmark`` module."""
    with monkeypatch.context() as patch:
        for name, module in list(sys.modules.items()):
            if name.startswith("fairmark") and getattr(module, "datetime", None) is _REAL:
                patch.setattr(module, "datetime", _ShiftedDatetime)
        assert fairmark.governance.clock.datetime is _ShiftedDatetime
        yield


def _on_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _store_now(engine: Engine) -> datetime:
    """What the store's clock reads while the client's clock is ahead: the real time on
    PostgreSQL, the shifted process clock on SQLite (the limitation)."""
    return _REAL.now(UTC) + (timedelta(0) if _on_postgres(engine) else SHIFT)


def _assert_close(moment: datetime, expected: datetime) -> None:
    assert moment.tzinfo is not None, moment
    assert abs(moment - expected) < CLOSE, (moment, expected)


def _parse(stamp: str) -> datetime:
    return _REAL.fromisoformat(stamp.replace("Z", "+00:00"))


def _log_rows(engine: Engine, action: str) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(LogEntryRow).where(LogEntryRow.action == action).order_by(LogEntryRow.seq)
            ).all()
        )


# --------------------------------------------------------------------------- db_now


def test_db_now_is_the_current_utc_time(gov_engine: Engine) -> None:
    with gov_engine.connect() as conn:
        moment = db_now(conn)
    assert moment.utcoffset() == timedelta(0)
    _assert_close(moment, _REAL.now(UTC))


def test_db_now_moves_within_one_transaction(gov_engine: Engine) -> None:
    # clock_timestamp(), not now(): now() is frozen at the transaction's start
    with write_transaction(gov_engine) as conn:
        first = db_now(conn)
        time.sleep(0.05)
        second = db_now(conn)
    assert timedelta(seconds=0.04) < second - first < CLOSE


def test_db_now_ignores_the_client_clock_on_postgresql(
    gov_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client_clock_ahead(monkeypatch), gov_engine.connect() as conn:
        moment = db_now(conn)
    _assert_close(moment, _store_now(gov_engine))


# --------------------------------------------------------------------------- the log


def test_log_and_row_timestamps_come_from_the_store_clock(
    gov_engine: Engine, seed_people, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = seed_people({"alice": "admin"})
    with client_clock_ahead(monkeypatch):
        add_user(gov_engine, name="bob", role="viewer", principal=people["alice"])
        with write_transaction(gov_engine) as conn:
            entry = append_entry(
                conn, actor="alice", action="system.update", entity_type="system", entity_id="s"
            )
    expected = _store_now(gov_engine)
    (added,) = _log_rows(gov_engine, "user.add")
    _assert_close(_parse(added.created_at), expected)
    _assert_close(_parse(entry.created_at), expected)
    with gov_engine.connect() as conn:
        created = conn.execute(select(User.created_at).where(User.name == "bob")).scalar_one()
    _assert_close(created.replace(tzinfo=created.tzinfo or UTC), expected)


def test_a_log_entry_is_never_dated_before_the_entry_before_it(gov_engine: Engine) -> None:
    ahead = _REAL.now(UTC) + timedelta(hours=1)
    with write_transaction(gov_engine) as conn:
        first = append_entry(
            conn, actor="ada", action="system.update", entity_type="system", entity_id="s",
            at=ahead,
        )  # fmt: skip
        second = append_entry(
            conn, actor="ada", action="system.update", entity_type="system", entity_id="s"
        )
        # an explicit time is written as given (imports, tests), even an earlier one
        third = append_entry(
            conn, actor="ada", action="system.update", entity_type="system", entity_id="s",
            at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        )  # fmt: skip
    assert first.created_at == ahead.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert second.created_at == first.created_at
    assert third.created_at == "2026-01-02T03:04:05.678901Z"


def test_recording_a_run_dates_its_log_and_artifacts_by_the_store_clock(
    gov_engine: Engine, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    audited = run_audit(make_frame())
    artifacts = build_artifacts(audited)
    report = audited.to_dict()
    with client_clock_ahead(monkeypatch), RunStore(store_url) as store:
        store.record_run(report, artifacts=artifacts, actor="ada")
    expected = _store_now(gov_engine)
    (recorded,) = _log_rows(gov_engine, "audit.record")
    assert recorded.entity_id == report["run_id"]
    _assert_close(_parse(recorded.created_at), expected)
    with gov_engine.connect() as conn:
        kept = conn.execute(select(RunArtifacts.created_at)).scalar_one()
    _assert_close(kept.replace(tzinfo=kept.tzinfo or UTC), expected)


# --------------------------------------------------------------------------- approvals


def test_an_approval_is_dated_and_expires_by_the_store_clock(
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world.register()
    world.audit()
    with client_clock_ahead(monkeypatch):
        review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
        for who in [r.reviewer for r in review.reviewers]:
            final = decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    expected = _store_now(world.engine)
    assert final.status == "approved"
    _assert_close(final.decided_at, expected)
    _assert_close(final.expires_at, expected + timedelta(days=365))
    (closed,) = log_payloads(world.engine, "review.close")
    assert closed["expires_at"] == final.expires_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    (closing,) = _log_rows(world.engine, "review.close")
    _assert_close(_parse(closing.created_at), expected)


def test_the_gate_judges_at_the_store_clock(
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world.register(age=timedelta(days=20))
    world.audit(created_at=_REAL.now(UTC) - timedelta(days=10))
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in [r.reviewer for r in review.reviewers]:
        decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    assert evaluate_gate(world.engine, SYSTEM).passed
    with client_clock_ahead(monkeypatch):
        judged = evaluate_gate(world.engine, SYSTEM)
        # an explicit moment is still judged as given: 101 days > the policy's 90
        later = evaluate_gate(world.engine, SYSTEM, at=_REAL.now(UTC) + timedelta(days=91))
    codes = [r.code for r in judged.reasons]
    # 10 days old on the server; 95 days old by a SQLite machine clock set 85 days ahead
    assert codes == ([] if _on_postgres(world.engine) else ["audit_stale"])
    assert judged.passed is _on_postgres(world.engine)
    assert [r.code for r in later.reasons] == ["audit_stale"]


# --------------------------------------------------------------------------- tokens


def test_token_expiry_is_checked_by_the_store_clock(
    gov_engine: Engine, seed_people, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = seed_people({"alice": "admin", "olly": "owner"})
    info, token = create_token(
        gov_engine, user="olly", scopes=["read"], expires_in_days=30, principal=people["alice"]
    )
    with client_clock_ahead(monkeypatch):
        listed = list_tokens(gov_engine, user="olly", principal=people["alice"])
        shown = show_user(gov_engine, "olly", principal=people["alice"])
        if _on_postgres(gov_engine):
            acting = resolve_principal(gov_engine, token=token)
        else:  # the machine's clock, 85 days ahead, is past the 30-day expiry
            with pytest.raises(AccessError, match=f"token fmk_{info.token_id} expired at"):
                resolve_principal(gov_engine, token=token)
        fresh, _ = create_token(
            gov_engine, user="olly", scopes=["read"], expires_in_days=30,
            principal=people["alice"],
        )  # fmt: skip
    status = "active" if _on_postgres(gov_engine) else "expired"
    assert [t.status() for t in listed] == [status]
    assert [t.to_dict()["status"] for t in shown.tokens] == [status]
    assert "as_of" not in listed[0].to_dict()
    if _on_postgres(gov_engine):
        assert (acting.name, acting.token_id) == ("olly", info.token_id)
    _assert_close(fresh.created_at, _store_now(gov_engine))
    _assert_close(fresh.expires_at, _store_now(gov_engine) + timedelta(days=30))
    # an explicit moment still decides
    assert listed[0].status(info.expires_at + timedelta(seconds=1)) == "expired"
    assert listed[0].status(info.expires_at - timedelta(seconds=1)) == "active"


# --------------------------------------------------------------------------- training


def test_a_training_completed_in_the_future_is_refused_by_the_store_clock(
    gov_engine: Engine, seed_people, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = seed_people({"alice": "admin", "rita": "reviewer"}, trained=False)
    real_today = _REAL.now(UTC).date()
    ahead = real_today + timedelta(days=30)
    before = snapshot(gov_engine)
    with client_clock_ahead(monkeypatch):
        if _on_postgres(gov_engine):
            with pytest.raises(UsageError) as refused:
                record_training(
                    gov_engine, user="rita", course="AI literacy", completed_on=ahead,
                    principal=people["alice"],
                )  # fmt: skip
        else:  # the SQLite machine's clock says it is 55 days past that day
            info = record_training(
                gov_engine, user="rita", course="AI literacy", completed_on=ahead,
                principal=people["alice"],
            )  # fmt: skip
    if _on_postgres(gov_engine):
        assert str(refused.value) == (
            f"completion date {ahead.isoformat()} is in the future; expected "
            f"{real_today.isoformat()} or earlier"
        )
        assert snapshot(gov_engine) == before
    else:
        assert info.completed_on == ahead
        assert isinstance(info.completed_on, date)
