"""Review workflow holes found by QA (issue #7): a policy file edited before the last
decision, a blocking condition lost by a re-review that changes nothing, an admin who owns
or submitted a system choosing its reviewers. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    DEFAULT_POLICY_BLOCK,
    SYSTEM,
    World,
    log_actions,
    log_head,
    log_payloads,
    snapshot,
    world,
)
from typer.testing import CliRunner

from fairmark.cli.review import app
from fairmark.errors import UsageError
from fairmark.governance.access import Principal
from fairmark.governance.gate import evaluate_gate
from fairmark.governance.review import (
    assign_reviewer,
    close_condition,
    decide,
    get_review,
    on_audit_recorded,
    submit_review,
    withdraw_review,
)
from fairmark.governance.tokens import create_token
from fairmark.policy import load_policy
from fairmark.store.models_governance import Condition

CONDITION = "Fix the marital-status gap"


def _refused(w: World, call: Callable[[], Any]) -> str:
    """Run ``call``, expect a one-line UsageError and an unchanged store; return the line."""
    before = snapshot(w.engine)
    with pytest.raises(UsageError) as caught:
        call()
    assert snapshot(w.engine) == before
    message = str(caught.value)
    assert "\n" not in message
    return message


def _codes(w: World) -> list[str]:
    return [r.code for r in evaluate_gate(w.engine, SYSTEM).reasons]


def _token(w: World, who: str) -> str:
    return create_token(w.engine, user=who, principal=w[who])[1]


def _cli(w: World, token: str, *args: str) -> Any:
    return CliRunner().invoke(app, [*args, "--db-url", w.url, "--token", token])


def _cli_refused(w: World, token: str, *args: str) -> str:
    """Run a command expected to exit 2 with one ``error:`` line and change nothing."""
    before = snapshot(w.engine)
    result = _cli(w, token, *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert snapshot(w.engine) == before
    return lines[0].removeprefix("error: ")


# ---------------------------------------------------------------- 1. the pinned policy file


def test_a_policy_file_edited_before_the_last_decision_is_refused(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    """QA: pinned file, rita approves, the file's approval_valid_days is raised to 3650,
    the last reviewer approves (it expired in 2036), the file is restored, the gate passed."""
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    assert text.count("approval_valid_days: 365") == 1
    text = text.replace("approval_valid_days: 365", "approval_valid_days: 182")
    path = tmp_path / "pol7.yaml"
    path.write_text(text, encoding="utf-8")
    pinned = load_policy(path)
    world.register(policy=str(path))
    world.audit(policy={**DEFAULT_POLICY_BLOCK, "sha256": pinned.sha256, "path": str(path)})
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    rid = review.review_id
    assert [r.reviewer for r in review.reviewers] == ["rita", "sam"]
    decide(world.engine, rid, "approve", "fair enough", principal=world["rita"])

    path.write_text(text.replace("approval_valid_days: 182", "approval_valid_days: 3650"), "utf-8")
    edited = load_policy(path)
    changed = (
        f"policy file {path} of '{SYSTEM}' changed since ada set it (sha256 now "
        f"{edited.sha256[:12]}, recorded {pinned.sha256[:12]}); an admin checks the file and "
        f"records it again with 'fairmark system update {SYSTEM} --policy {path}' (a material "
        "change: it reopens review)"
    )
    message = _refused(
        world, lambda: decide(world.engine, rid, "approve", "agree", principal=world["sam"])
    )
    assert message == changed
    # the command line: exit 2, that one line, nothing written
    sam = _token(world, "sam")
    assert _cli_refused(world, sam, "decide", str(rid), "--decision", "approve",
                        "--rationale", "ok") == changed  # fmt: skip
    assert world.review_row(rid).status == "open"

    # restored, the last decision takes the recorded file's 182 days
    path.write_text(text, "utf-8")
    info = decide(world.engine, rid, "approve", "agree", principal=world["sam"])
    assert info.status == "approved"
    row = world.review_row(rid)
    assert row.expires_at - row.decided_at == timedelta(days=182)
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_a_first_decision_under_an_edited_policy_file_is_refused_too(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    pinned = load_policy(path)
    world.register(policy=str(path))
    world.audit(policy={**DEFAULT_POLICY_BLOCK, "sha256": pinned.sha256, "path": str(path)})
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    path.write_text(text.replace("review_quorum: 2", "review_quorum: 1", 1), "utf-8")
    message = _refused(
        world, lambda: decide(world.engine, rid, "approve", "ok", principal=world["rita"])
    )
    assert message.startswith(f"policy file {path} of '{SYSTEM}' changed since ada set it")


# ---------------------------------------------------------- 2. open blocking conditions


def _approved_with_condition(w: World) -> tuple[int, int, str]:
    """Review 1 approved with one open blocking condition; (review, condition, run)."""
    w.register()
    run_id = w.audit()
    rid = submit_review(w.engine, SYSTEM, principal=w["olivia"]).review_id
    decide(w.engine, rid, "approve_with_conditions", "ok with a fix", principal=w["rita"],
           conditions=[CONDITION])  # fmt: skip
    info = decide(w.engine, rid, "approve", "agree", principal=w["sam"])
    assert info.status == "approved_with_conditions"
    return rid, info.conditions[0].condition_id, run_id


def _blocking_line(rid: int, cid: int) -> str:
    return (
        f"1 blocking condition(s) of review {rid} still open (condition {cid}: {CONDITION}); "
        f"a reviewer closes each with 'fairmark review close-condition {cid} --note TEXT'"
    )


def test_a_re_review_that_changes_nothing_is_refused_while_a_condition_is_open(
    world: World,  # noqa: F811
) -> None:
    first, cid, run_id = _approved_with_condition(world)
    assert _codes(world) == ["open_blocking_condition"]
    message = _refused(
        world, lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"])
    )
    assert message == (
        f"review {first} of system '{SYSTEM}' approved model version '1.0' with audit {run_id} "
        f"under 1 open blocking condition(s) (condition {cid} of review {first}: {CONDITION}); "
        f"audit {run_id} is the one approved and the model version is unchanged; expected the "
        f"conditions closed ('fairmark review close-condition {cid} --note TEXT', a reviewer "
        f"or admin), a newer audit ('fairmark audit DATA ... --system {SYSTEM}') or a new "
        f"model version ('fairmark system update {SYSTEM} --model-version V')"
    )
    # an older run of the same version is no change either
    older = world.audit(created_at=datetime.now(UTC) - timedelta(hours=3))
    message = _refused(
        world,
        lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"], run_id=older),
    )
    assert f"audit {older} is not newer than it and the model version is unchanged" in message
    # once the condition is closed, the same audit may be reviewed again
    close_condition(world.engine, cid, "published CC-17", principal=world["rita"])
    again = submit_review(world.engine, SYSTEM, principal=world["olivia"], run_id=run_id)
    assert again.status == "open"


def test_a_newer_audit_re_review_keeps_the_condition_blocking_and_shows_it(
    world: World,  # noqa: F811
) -> None:
    """QA: the owner resubmits, both reviewers approve plainly, and the gate passed while
    the condition stayed open on the old review; review show did not list it."""
    first, cid, _ = _approved_with_condition(world)
    world.audit(created_at=datetime.now(UTC) - timedelta(minutes=10))
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    for who in ("rita", "sam"):
        info = decide(world.engine, second, "approve", "fine", principal=world[who])
    assert info.status == "approved" and info.conditions == ()

    result = evaluate_gate(world.engine, SYSTEM)
    assert [r.code for r in result.reasons] == ["open_blocking_condition"]
    assert result.reasons[0].message == _blocking_line(first, cid)
    assert result.review_id == second

    shown = get_review(world.engine, second, principal=world["vic"])
    assert shown.previous is not None and shown.previous.review_id == first
    assert [(c.condition_id, c.blocking, c.status, c.text) for c in shown.previous.conditions] == [
        (cid, True, "open", CONDITION)
    ]
    assert [c.condition_id for c in shown.previous.open_blocking_conditions] == [cid]
    payload = shown.to_dict()["previous_review"]["conditions"]
    assert [(c["condition_id"], c["status"]) for c in payload] == [(cid, "open")]
    text = _cli(world, _token(world, "vic"), "show", str(second))
    assert text.exit_code == 0, text.output
    assert f"  conditions of review {first}:\n    {cid} [blocking, open] {CONDITION}\n" in (
        text.stdout
    )

    close_condition(world.engine, cid, "published CC-17", principal=world["rita"])
    assert evaluate_gate(world.engine, SYSTEM).passed
    closed = get_review(world.engine, second, principal=world["vic"]).previous
    assert closed is not None
    assert [(c.status, c.closed_by) for c in closed.conditions] == [("closed", "rita")]


def test_a_reopened_approval_keeps_its_condition_blocking(world: World) -> None:  # noqa: F811
    """A failed re-audit reopens the approval (same model version): the next approval does
    not close its condition."""
    first, cid, _ = _approved_with_condition(world)
    failed = world.audit(verdict="fail", created_at=datetime.now(UTC) - timedelta(minutes=30))
    with world.engine.begin() as conn:
        on_audit_recorded(conn, {"system_name": SYSTEM, "verdict": "fail", "run_id": failed,
                                 "kind": "audit"}, actor="test")  # fmt: skip
    assert world.review_row(first).status == "reopened"
    world.audit(created_at=datetime.now(UTC) - timedelta(minutes=10))
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    for who in ("rita", "sam"):
        decide(world.engine, second, "approve", "fine", principal=world[who])
    result = evaluate_gate(world.engine, SYSTEM)
    assert [r.code for r in result.reasons] == ["open_blocking_condition"]
    assert result.reasons[0].message == _blocking_line(first, cid)


def test_a_new_model_version_keeps_the_old_versions_conditions(
    world: World,  # noqa: F811
) -> None:
    """A model version is a label the owner sets alone: relabelling must not drop a
    reviewer's blocking condition (QA round 4). The reviewers of the newest review see it
    and may close it."""
    from fairmark.governance.inventory import update_system
    from fairmark.governance.review import assign_reviewer

    first, cid, _ = _approved_with_condition(world)
    update_system(world.engine, SYSTEM, model_version="2.0", principal=world["olivia"])
    world.set_system(model_version_at=datetime.now(UTC) - timedelta(hours=1))
    world.audit(created_at=datetime.now(UTC) - timedelta(minutes=10))
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    info = get_review(world.engine, second, principal=world["vic"])
    reviewers = {r.reviewer for r in info.reviewers}
    if "tom" not in reviewers:
        assign_reviewer(world.engine, second, "tom", principal=world["ada"])
    for who in sorted({"rita", "sam", "tom"} & (reviewers | {"tom"})):
        if get_review(world.engine, second, principal=world["vic"]).status == "open":
            decide(world.engine, second, "approve", "fine", principal=world[who])
    result = evaluate_gate(world.engine, SYSTEM)
    assert [r.code for r in result.reasons] == ["open_blocking_condition"]
    assert result.reasons[0].message == _blocking_line(first, cid)
    shown = get_review(world.engine, second, principal=world["vic"])
    assert [c.condition_id for c in shown.earlier_open_conditions] == [cid]
    assert shown.to_dict()["earlier_open_conditions"][0]["condition_id"] == cid
    # tom was never assigned to the first review, but is to the newest one: he may close it
    close_condition(world.engine, cid, "published CC-17", principal=world["tom"])
    assert evaluate_gate(world.engine, SYSTEM).passed
    assert get_review(world.engine, second, principal=world["vic"]).earlier_open_conditions == ()


def test_an_earlier_condition_closed_outside_fairmark_closes_the_gate(
    world: World,  # noqa: F811
) -> None:
    first, cid, _ = _approved_with_condition(world)
    world.audit(created_at=datetime.now(UTC) - timedelta(minutes=10))
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    for who in ("rita", "sam"):
        decide(world.engine, second, "approve", "fine", principal=world[who])
    now = datetime.now(UTC)
    with world.engine.begin() as conn:
        conn.execute(
            update(Condition)
            .where(Condition.condition_id == cid)
            .values(status="closed", closed_by="rita", closed_at=now, closing_note="x")
        )
    result = evaluate_gate(world.engine, SYSTEM)
    assert [r.code for r in result.reasons] == ["state_not_in_log"]
    assert result.reasons[0].message.startswith(
        f"the store does not match its audit log (condition {cid} is closed in the store but "
        "no closure is logged)"
    )
    assert first != second


# ------------------------------------------------------ 3. who may choose the reviewers


@pytest.fixture
def root(world: World, seed_people: Callable[..., dict[str, Principal]]) -> Principal:  # noqa: F811
    """A second admin, who neither owns the system nor submits its review."""
    return seed_people({"root": "admin"})["root"]


def test_an_admin_who_owns_the_system_cannot_assign_its_reviewers(
    world: World,  # noqa: F811
    root: Principal,
) -> None:
    """QA: ada (admin) owns the system and submitted its review, then picked a reviewer."""
    world.register(owner="ada")
    world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["ada"]).review_id
    message = _refused(
        world, lambda: assign_reviewer(world.engine, rid, "tom", principal=world["ada"])
    )
    assert message == (
        f"user 'ada' owns system '{SYSTEM}'; the owner and the submitter cannot choose the "
        "reviewers of their own system (separation of duties); expected an admin who neither "
        "owns the system nor submitted the review"
    )
    start = log_head(world.engine)
    info = assign_reviewer(world.engine, rid, "tom", principal=root)
    assert [r.reviewer for r in info.reviewers] == ["rita", "sam", "tom"]
    assert log_actions(world.engine, start) == [("root", "review.assign", str(rid))]


def test_an_admin_who_submitted_the_review_cannot_assign_its_reviewers(
    world: World,  # noqa: F811
    root: Principal,
) -> None:
    world.register()
    world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["ada"]).review_id
    message = _refused(
        world, lambda: assign_reviewer(world.engine, rid, "tom", principal=world["ada"])
    )
    assert message.startswith(f"user 'ada' submitted review {rid}; the owner and the submitter")
    # through the command line: exit 2, one line, the store unchanged
    ada = _token(world, "ada")
    assert _cli_refused(world, ada, "assign", str(rid), "--reviewer", "tom") == message
    assert [r.reviewer for r in assign_reviewer(world.engine, rid, "tom", principal=root).reviewers
            ] == ["rita", "sam", "tom"]  # fmt: skip


# ------------------------------------- 4. a blocking condition survives a withdrawal (QA)


def _conditioned_open_review(w: World, submitter: str = "olivia") -> tuple[int, Any, str]:
    """An open review in which rita approved with one blocking condition; sam has not
    decided. Returns (review, the condition, the audit run)."""
    w.register()
    run_id = w.audit()
    rid = submit_review(w.engine, SYSTEM, principal=w[submitter]).review_id
    info = decide(w.engine, rid, "approve_with_conditions", "ok with a fix", principal=w["rita"],
                  conditions=[CONDITION])  # fmt: skip
    assert info.status == "open"
    (condition,) = info.conditions
    return rid, condition, run_id


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _withdraw_refused(rid: int, condition: Any, who: str) -> str:
    return (
        f"review {rid} has an open blocking condition {condition.condition_id} set by 'rita' "
        f"with approve-with-conditions ({_z(condition.created_at)}): {CONDITION}; {who} "
        "cannot withdraw a review with an open blocking condition (resubmitting it would shop "
        "for other reviewers); expected: let the remaining reviewers decide, have a reviewer "
        f"close the condition ('fairmark review close-condition {condition.condition_id} "
        "--note TEXT'), or ask an admin who neither owns the system nor submitted the review "
        "to withdraw it"
    )


def test_a_blocking_condition_survives_a_withdrawal_and_keeps_the_gate_closed(
    world: World,  # noqa: F811
) -> None:
    """QA: rita approves with a blocking condition, the owner withdraws ("try others"),
    resubmits the same run, both approve plainly, and the gate passed while review show
    still listed the condition as open."""
    rid, condition, run_id = _conditioned_open_review(world)
    cid = condition.condition_id
    # (a) the owner cannot withdraw it, neither through the API nor the command line
    message = _refused(
        world,
        lambda: withdraw_review(world.engine, rid, principal=world["olivia"], reason="try others"),
    )
    assert message == _withdraw_refused(rid, condition, "the system's owner 'olivia'")
    olivia = _token(world, "olivia")
    assert _cli_refused(world, olivia, "withdraw", str(rid), "--reason", "try others") == message
    assert world.review_row(rid).status == "open"

    # an admin who neither owns nor submitted it may; the log records the override
    start = log_head(world.engine)
    info = withdraw_review(world.engine, rid, principal=world["ada"], reason="committee change")
    assert info.status == "withdrawn"
    assert world.status() == "proposed"
    assert log_actions(world.engine, start) == [
        ("ada", "system.status", SYSTEM),
        ("ada", "review.withdraw", str(rid)),
    ]
    (payload,) = log_payloads(world.engine, "review.withdraw")
    assert payload == {
        "review_id": rid,
        "system": SYSTEM,
        "reason": "committee change",
        "system_status": {"from": "in_review", "to": "proposed"},
        "overrides_conditions": [
            {"condition_id": cid, "reviewer": "rita", "set_at": _z(condition.created_at)}
        ],
    }

    # (b) the same run cannot go back while the withdrawn review's condition is open
    message = _refused(
        world, lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"])
    )
    assert message == (
        f"review {rid} of system '{SYSTEM}' (withdrawn) reviewed model version '1.0' with "
        f"audit {run_id}; it has 1 open blocking condition(s) (condition {cid} of review "
        f"{rid}: {CONDITION}); audit {run_id} is the one reviewed and the model version is "
        f"unchanged; expected the conditions closed ('fairmark review close-condition {cid} "
        f"--note TEXT', a reviewer or admin), a newer audit ('fairmark audit DATA ... "
        f"--system {SYSTEM}') or a new model version ('fairmark system update {SYSTEM} "
        "--model-version V')"
    )
    # a newer audit may, and two plain approvals leave the gate closed on the condition
    world.audit(created_at=datetime.now(UTC) - timedelta(minutes=10))
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    for who in ("rita", "sam"):
        decided = decide(world.engine, second, "approve", "fine", principal=world[who])
    assert decided.status == "approved"
    result = evaluate_gate(world.engine, SYSTEM)
    assert [r.code for r in result.reasons] == ["open_blocking_condition"]
    assert result.reasons[0].message == _blocking_line(rid, cid)
    assert get_review(world.engine, rid, principal=world["vic"]).conditions[0].status == "open"

    # the reviewer who set it closes it, and the gate opens
    close_condition(world.engine, cid, "published CC-17", principal=world["rita"])
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_the_submitter_cannot_withdraw_a_conditioned_review_either(
    world: World,  # noqa: F811
    root: Principal,
) -> None:
    rid, condition, _ = _conditioned_open_review(world, submitter="ada")
    message = _refused(
        world, lambda: withdraw_review(world.engine, rid, principal=world["ada"], reason="x")
    )
    assert message == _withdraw_refused(rid, condition, "its submitter 'ada'")
    assert withdraw_review(world.engine, rid, principal=root, reason="y").status == "withdrawn"


def test_a_closed_blocking_condition_no_longer_holds_the_withdrawal(
    world: World,  # noqa: F811
) -> None:
    rid, condition, _ = _conditioned_open_review(world)
    close_condition(world.engine, condition.condition_id, "fixed", principal=world["rita"])
    info = withdraw_review(world.engine, rid, principal=world["olivia"], reason="new data")
    assert info.status == "withdrawn"
    (payload,) = log_payloads(world.engine, "review.withdraw")
    assert "overrides_conditions" not in payload


def test_a_condition_of_a_rejected_review_keeps_the_gate_closed(
    world: World,  # noqa: F811
) -> None:
    """rita approves with a blocking condition, sam rejects: the review is rejected, yet
    the condition holds for the model version until a reviewer closes it."""
    rid, condition, _ = _conditioned_open_review(world)
    assert decide(world.engine, rid, "reject", "no", principal=world["sam"]).status == "rejected"
    world.audit(created_at=datetime.now(UTC) - timedelta(minutes=10))
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    for who in ("rita", "sam"):
        decide(world.engine, second, "approve", "fine", principal=world[who])
    result = evaluate_gate(world.engine, SYSTEM)
    assert [r.code for r in result.reasons] == ["open_blocking_condition"]
    assert result.reasons[0].message == _blocking_line(rid, condition.condition_id)
    # its closure is cross-checked with the log like an approval's
    with world.engine.begin() as conn:
        conn.execute(
            update(Condition)
            .where(Condition.condition_id == condition.condition_id)
            .values(status="closed", closed_by="rita", closed_at=datetime.now(UTC))
        )
    result = evaluate_gate(world.engine, SYSTEM)
    assert [r.code for r in result.reasons] == ["state_not_in_log"]
    assert result.reasons[0].message.startswith(
        f"the store does not match its audit log (condition {condition.condition_id} is closed "
        "in the store but no closure is logged)"
    )
