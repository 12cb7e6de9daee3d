"""Inventory fixes of issue #7: policy paths are stored absolute (the gate finds them from
any folder), and the audit log's timestamps never run backwards within one workflow.

Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from tests.governance._inventory_support import PEOPLE, register, snapshot
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    DEFAULT_POLICY_BLOCK,
    SYSTEM,
    World,
    finding,
    stamp,
    world,
)

from fairmark.errors import UsageError
from fairmark.governance.access import Principal
from fairmark.governance.gate import evaluate_gate
from fairmark.governance.inventory import get_system, move_status, set_status, update_system
from fairmark.governance.review import (
    ConditionSpec,
    close_condition,
    comment,
    decide,
    submit_review,
    withdraw_review,
)
from fairmark.store import RunStore
from fairmark.store.db import write_transaction
from fairmark.store.models_governance import LogEntryRow, SystemRow


@pytest.fixture
def people(seed_people: Callable[..., dict[str, Principal]]) -> dict[str, Principal]:
    return seed_people(PEOPLE)


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    """``tmp_path/work/policies/team.yaml``: a copy of the built-in policy."""
    text = resources.files("fairmark.policy").joinpath("builtin", "default.yaml").read_text()
    folder = tmp_path / "work" / "policies"
    folder.mkdir(parents=True)
    (folder / "team.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    return folder


# --------------------------------------------------------------------------- policy paths


def test_register_stores_a_relative_policy_path_as_absolute(
    gov_engine: Engine,
    people: dict[str, Principal],
    policy_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(policy_dir.parent)
    # only an admin chooses a system's policy (tests/governance/test_inventory_policy.py)
    info = register(gov_engine, people["ada"], policy="policies/team.yaml")
    expected = str((policy_dir / "team.yaml").resolve())
    assert info.policy == expected
    assert Path(info.policy).is_absolute()
    with gov_engine.connect() as conn:
        stored = conn.execute(select(SystemRow.policy).where(SystemRow.name == info.name))
        assert stored.scalar_one() == expected
    # the gate, run from another folder, reads the same file
    monkeypatch.chdir(policy_dir.parent.parent / "elsewhere")
    result = evaluate_gate(gov_engine, info.name)
    assert [r.code for r in result.reasons if "policy" in r.code] == []
    assert get_system(gov_engine, info.name, principal=people["vic"]).policy == expected


def test_register_keeps_the_builtin_name(gov_engine: Engine, people: dict[str, Principal]) -> None:
    assert register(gov_engine, people["olivia"], policy="default").policy == "default"
    assert register(gov_engine, people["olivia"], name="other").policy is None


def test_update_stores_a_relative_policy_path_as_absolute(
    gov_engine: Engine,
    people: dict[str, Principal],
    policy_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    register(gov_engine, people["olivia"])
    monkeypatch.chdir(policy_dir)
    change = update_system(
        gov_engine, "bank-propensity", principal=people["ada"], policy="./team.yaml"
    )
    expected = str((policy_dir / "team.yaml").resolve())
    assert change.system.policy == expected
    assert change.changes["policy"] == {"from": None, "to": expected}
    # the same file (same content) named differently is no change
    monkeypatch.chdir(policy_dir.parent)
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="nothing to change for 'bank-propensity'"):
        update_system(
            gov_engine, "bank-propensity", principal=people["ada"], policy="policies/team.yaml"
        )
    assert snapshot(gov_engine) == before
    back = update_system(gov_engine, "bank-propensity", principal=people["ada"], policy="")
    assert back.system.policy is None


# --------------------------------------------------------------------------- timestamps


def test_move_status_logs_at_the_given_time(
    gov_engine: Engine, people: dict[str, Principal]
) -> None:
    register(gov_engine, people["olivia"])
    at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    with write_transaction(gov_engine) as conn:
        previous = move_status(
            conn, "bank-propensity", "in_review", actor="olivia", by="review.submit", at=at
        )
    assert previous == "proposed"
    with gov_engine.connect() as conn:
        entry = conn.execute(select(LogEntryRow).order_by(LogEntryRow.seq.desc()).limit(1)).one()
        updated = conn.execute(
            select(SystemRow.updated_at).where(SystemRow.name == "bank-propensity")
        ).scalar_one()
    assert (entry.action, entry.created_at) == ("system.status", "2026-01-02T03:04:05.678901Z")
    assert updated == at


def test_move_status_refuses_a_naive_time(gov_engine: Engine, people: dict[str, Principal]) -> None:
    register(gov_engine, people["olivia"])
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="expected a timezone-aware datetime"):
        with write_transaction(gov_engine) as conn:
            move_status(
                conn, "bank-propensity", "in_review", actor="olivia", by="review.submit",
                at=datetime(2026, 1, 2),
            )  # fmt: skip
    assert snapshot(gov_engine) == before


def _record(at: World, make_report: Callable[..., Any], who: str, verdict: str = "pass") -> str:
    report = make_report(
        system_name=SYSTEM,
        verdict=verdict,
        created_at=stamp(datetime.now(UTC) - timedelta(minutes=5)),
        policy=dict(DEFAULT_POLICY_BLOCK),
        findings=[finding("fairness.disparate_impact")],
    )
    with RunStore(at.url) as store:
        return store.record_run(report, principal=at[who])


def _log_times(engine: Engine) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(LogEntryRow.seq, LogEntryRow.created_at, LogEntryRow.action).order_by(
                LogEntryRow.seq
            )
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_log_timestamps_never_run_backwards_through_a_full_workflow(
    world: World,  # noqa: F811
    make_report: Callable[..., Any],
) -> None:
    world.register()
    _record(world, make_report, "olivia")
    first = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    comment(world.engine, first.review_id, "Which bands?", principal=world["rita"])
    decided = decide(
        world.engine, first.review_id, "approve-with-conditions", "Fair on age.",
        principal=world["rita"],
        conditions=[ConditionSpec("Re-audit by marital status", datetime(2030, 1, 31).date())],
    )  # fmt: skip
    decide(world.engine, first.review_id, "approve", "Fine.", principal=world["sam"])
    close_condition(
        world.engine, decided.conditions[0].condition_id, "Re-audited", principal=world["rita"]
    )
    set_status(world.engine, SYSTEM, "deployed", principal=world["olivia"])
    _record(world, make_report, "ada", verdict="fail")  # a failed re-audit reopens review
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    withdraw_review(world.engine, second.review_id, principal=world["olivia"], reason="redo")
    update_system(world.engine, SYSTEM, principal=world["olivia"], model_version="1.1")

    times = _log_times(world.engine)
    actions = [a for _, _, a in times]
    for needed in ("review.submit", "system.status", "review.assign", "review.decide",
                   "review.close", "condition.close", "audit.record", "review.withdraw",
                   "system.update"):  # fmt: skip
        assert needed in actions, needed
    backwards = [
        (earlier, later) for earlier, later in itertools.pairwise(times)
        if later[1] < earlier[1]
    ]  # fmt: skip
    assert backwards == []
    # one submission shares one time: submit, status and the automatic assignments
    submit_seq = next(s for s, _, a in times if a == "review.submit")
    burst = [t for s, t, _ in times if submit_seq <= s < submit_seq + 4]
    assert len(set(burst)) == 1, times


def test_the_first_registration_is_not_logged_before_the_first_admin(gov_engine: Engine) -> None:
    me = Principal("casey", "admin", via="bootstrap")
    for i in range(3):  # the bootstrap entry is written after the lock; so is the change
        register(gov_engine, me, name=f"s{i}", owner="casey")
    times = _log_times(gov_engine)
    assert [a for _, _, a in times] == ["user.bootstrap"] + ["system.register"] * 3
    assert [t for _, t, _ in times] == sorted(t for _, t, _ in times)
