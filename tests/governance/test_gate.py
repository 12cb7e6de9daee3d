"""The deployment gate: each reason it closes, material changes, failed re-audits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, update
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    DEFAULT_POLICY_BLOCK,
    HIGH_RISK_CHECKS,
    SYSTEM,
    World,
    finding,
    log_actions,
    log_head,
    snapshot,
    stamp,
    world,
)

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError, Principal
from fairmark.governance.gate import (
    DEPLOYABLE_STATUSES,
    REASON_CODES,
    REASON_DESCRIPTIONS,
    GateResult,
    evaluate_gate,
    judge_required_check,
)
from fairmark.governance.inventory import set_status, update_system
from fairmark.governance.review import decide, get_review, on_audit_recorded, submit_review
from fairmark.policy import load_policy
from fairmark.store.db import write_transaction
from fairmark.store.document import run_columns
from fairmark.store.models import AuditRun


def _codes(result: GateResult) -> list[str]:
    return [r.code for r in result.reasons]


def _approve(w: World) -> int:
    """Register, audit, submit and approve the system; return the review id."""
    w.register()
    w.audit()
    review = submit_review(w.engine, SYSTEM, principal=w["olivia"])
    for who in [r.reviewer for r in review.reviewers]:
        decide(w.engine, review.review_id, "approve", "ok", principal=w[who])
    assert evaluate_gate(w.engine, SYSTEM).passed
    return review.review_id


def _record_with_hook(w: World, report: dict[str, Any], actor: str = "olivia") -> None:
    """Record a run and call the review hook in one write transaction, as the store will."""
    from fairmark.governance.chain import append_entry

    with write_transaction(w.engine) as conn:
        conn.execute(insert(AuditRun).values(**run_columns(report)))
        append_entry(conn, actor=actor, action="audit.record", entity_type="run",
                     entity_id=str(report["run_id"]),
                     payload={"verdict": report["verdict"]})  # fmt: skip
        on_audit_recorded(conn, report, actor=actor)


# ---------------------------------------------------------------------------- basics


def test_an_unknown_system_is_bad_input(world: World) -> None:  # noqa: F811
    world.register()
    with pytest.raises(UsageError, match=r"^no AI system 'bank-propensty'; did you mean"):
        evaluate_gate(world.engine, "bank-propensty")


def test_a_fresh_system_fails_every_way_at_once(world: World) -> None:  # noqa: F811
    world.register(tier=None)
    result = evaluate_gate(world.engine, SYSTEM)
    assert not result.passed
    assert result.exit_code == 1
    assert _codes(result) == ["status_proposed", "not_classified", "no_approval", "no_audit"]
    messages = [r.message for r in result.reasons]
    assert messages[0] == (
        f"system '{SYSTEM}' is proposed, not approved; submit it for review with "
        f"'fairmark review submit {SYSTEM}'"
    )
    assert f"'fairmark system classify {SYSTEM} --answers FILE'" in messages[1]
    assert f"'fairmark review submit {SYSTEM}'" in messages[2]
    assert f"--system {SYSTEM}" in messages[3]
    statuses = {c.id: c.status for c in result.checks}
    assert statuses == {
        "status": "failed",
        "classification": "failed",
        "tier": "skipped",
        "policy": "ok",
        "approval": "failed",
        "conditions": "skipped",
        "audit": "failed",
        "audit_model_version": "skipped",
        "audit_age": "skipped",
        "audit_policy": "skipped",
        "log": "ok",
    }
    assert result.review_id is None
    assert result.run_id is None
    assert result.tier is None


def test_gate_result_to_dict(world: World) -> None:  # noqa: F811
    rid = _approve(world)
    at = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    doc = evaluate_gate(world.engine, SYSTEM, at=at).to_dict()
    json.dumps(doc)
    assert doc["system"] == SYSTEM
    assert doc["passed"] is False  # by 2030 the approval and the audit are too old
    assert doc["result"] == "FAIL"
    assert doc["evaluated_at"] == "2030-01-02T03:04:05Z"
    assert doc["review_id"] == rid
    assert doc["tier"] == "minimal_risk"
    assert doc["model_version"] == "1.0"
    assert [r["code"] for r in doc["reasons"]] == ["approval_expired", "audit_stale"]
    assert {"id", "status", "ok", "detail"} == set(doc["checks"][0])


def test_retired_and_prohibited(world: World) -> None:  # noqa: F811
    _approve(world)
    world.set_system(status="retired")
    assert _codes(evaluate_gate(world.engine, SYSTEM)) == ["retired"]
    world.set_system(status="approved", risk={"tier": "prohibited"})
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["prohibited_tier"]
    assert "Art. 5" in result.reasons[0].message


def test_an_open_review_is_not_an_approval(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["review_in_progress", "no_approval"]
    assert result.reasons[0].message == (
        f"system '{SYSTEM}' is in review (status in_review): review {review.review_id} is "
        "open, and the system may be deployed only once it approves ('fairmark review show "
        f"{review.review_id}')"
    )
    message = result.reasons[1].message
    assert f"review {review.review_id} is open and awaits its reviewers" in message


def test_a_later_rejection_revokes_an_earlier_approval(world: World) -> None:  # noqa: F811
    _approve(world)
    world.audit()
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    # an open re-review leaves the approval standing, but the system is in review: the
    # gate fails as 'system update --status deployed' would
    during = evaluate_gate(world.engine, SYSTEM)
    assert _codes(during) == ["review_in_progress"]
    assert during.review_id is not None and during.review_id != second.review_id
    decide(world.engine, second.review_id, "reject", "drift", principal=world["rita"])
    decide(world.engine, second.review_id, "approve", "ok", principal=world["sam"])
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["status_proposed", "no_approval"]
    assert result.review_id == second.review_id
    # with a third review open, the gate points at it
    world.audit()
    third = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    status, reason = evaluate_gate(world.engine, SYSTEM).reasons
    assert status.code == "review_in_progress"
    assert reason.message == (
        f"the latest review of '{SYSTEM}' (review {second.review_id}) rejected it; address "
        f"the reviewers' comments, then review {third.review_id} is open and awaits its "
        f"reviewers' decisions ('fairmark review show {third.review_id}')"
    )


# ---------------------------------------------------------------------------- approval


def test_expired_approval(world: World) -> None:  # noqa: F811
    rid = _approve(world)
    expiry = world.review_row(rid).expires_at
    before = evaluate_gate(world.engine, SYSTEM, at=expiry - timedelta(minutes=1))
    assert "approval_expired" not in _codes(before)  # (the audit is stale by then)
    result = evaluate_gate(world.engine, SYSTEM, at=expiry + timedelta(minutes=1))
    assert _codes(result) == ["approval_expired", "audit_stale"]
    assert f"'fairmark review submit {SYSTEM}'" in result.reasons[0].message


def test_state_changed_outside_fairmark_closes_the_gate(world: World) -> None:  # noqa: F811
    """Extending an approval, closing a condition or turning a failing audit into a pass
    in the database, without a log entry, is caught against the hash-chained log."""
    rid = _approve(world)
    assert evaluate_gate(world.engine, SYSTEM).passed
    expiry = world.review_row(rid).expires_at
    world.set_review(rid, expires_at=expiry + timedelta(days=400))
    result = evaluate_gate(world.engine, SYSTEM, at=expiry + timedelta(days=1))
    assert "state_not_in_log" in _codes(result)
    assert f"review {rid} is approved" in result.reasons[-1].message
    world.set_review(rid, expires_at=expiry)
    assert evaluate_gate(world.engine, SYSTEM).passed
    run_id = world.audit(verdict="fail")
    with world.engine.begin() as conn:  # a forged pass, past the append-only guard
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_runs_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_runs DISABLE TRIGGER USER")
        conn.execute(update(AuditRun).where(AuditRun.run_id == run_id).values(verdict="pass"))
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["state_not_in_log"]
    assert f"audit run {run_id[:8]} has verdict pass in the store but the log records fail" in (
        result.reasons[0].message
    )


def test_a_reopened_review_restored_in_the_database_stays_closed(world: World) -> None:  # noqa: F811
    rid = _approve(world)
    before = world.review_row(rid)
    update_system(world.engine, SYSTEM, model_version="2.0", principal=world["olivia"])
    assert world.review_row(rid).status == "reopened"
    # put everything back by hand, as if the new model version had been reviewed
    world.set_review(rid, status=before.status, closed_reason=None, model_version="2.0")
    world.set_system(status="approved", model_version_at=datetime.now(UTC) - timedelta(days=2))
    result = evaluate_gate(world.engine, SYSTEM)
    assert "state_not_in_log" in _codes(result)
    message = next(r.message for r in result.reasons if r.code == "state_not_in_log")
    assert "reopened or withdrawn afterwards" in message
    (log_check,) = [c for c in result.checks if c.id == "log"]
    assert "is for model version '2.0' in the store but was submitted for '1.0'" in log_check.detail


def test_approval_of_another_model_version(world: World) -> None:  # noqa: F811
    _approve(world)
    world.set_system(model_version="2.0")  # changed behind the inventory's back
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["approval_for_other_version"]
    assert "approved model version '1.0', not the current '2.0'" in result.reasons[0].message


def test_a_new_model_version_reopens_the_review_and_closes_the_gate(world: World) -> None:  # noqa: F811
    rid = _approve(world)
    update_system(world.engine, SYSTEM, model_version="2.0", principal=world["olivia"])
    assert world.review_row(rid).status == "reopened"
    assert world.status() == "in_review"
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["review_in_progress", "approval_reopened", "audit_predates_model"]
    assert result.reasons[0].message == (
        f"system '{SYSTEM}' is in review (status in_review) and no review is open; submit it "
        f"for review with 'fairmark review submit {SYSTEM}'"
    )
    assert "model version" in result.reasons[1].message
    # a new audit and a new review of version 2.0 open it again
    world.audit(created_at=datetime.now(UTC) + timedelta(seconds=1))
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert review.model_version == "2.0"
    for who in [r.reviewer for r in review.reviewers]:
        decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_a_failed_re_audit_reopens_the_review(world: World, make_report: Any) -> None:  # noqa: F811
    rid = _approve(world)
    set_status(world.engine, SYSTEM, "deployed", principal=world["olivia"])
    start = log_head(world.engine)
    report = make_report(
        system_name=SYSTEM,
        verdict="fail",
        created_at=stamp(datetime.now(UTC)),
        policy=dict(DEFAULT_POLICY_BLOCK),
        findings=[finding("fairness.disparate_impact", 0.5, verdict="fail")],
    )
    _record_with_hook(world, report)
    review = world.review_row(rid)
    assert review.status == "reopened"
    assert review.closed_reason == f"material change: failed re-audit run {report['run_id']}"
    assert world.status() == "in_review"
    assert log_actions(world.engine, start) == [
        ("olivia", "audit.record", report["run_id"]),
        ("olivia", "review.reopen", str(rid)),
        ("olivia", "system.status", SYSTEM),
    ]
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == [
        "review_in_progress", "approval_reopened", "audit_failed", "required_check_failed"
    ]
    assert "failed re-audit" in result.reasons[1].message
    assert get_review(world.engine, rid, principal=world["vic"]).current is False


@pytest.mark.parametrize(
    ("status_before", "fields"),
    [
        ("approved", {"verdict": "pass"}),
        ("approved", {"verdict": "warn"}),
        ("approved", {"system_name": "not-registered", "verdict": "fail"}),
        ("approved", {"system_name": None, "verdict": "fail"}),
        ("approved", {"verdict": "fail", "kind": "delivery"}),
        ("proposed", {"verdict": "fail"}),
    ],
)
def test_the_hook_ignores_everything_else(
    world: World,  # noqa: F811
    make_report: Any,
    status_before: str,
    fields: dict[str, Any],
) -> None:
    rid = _approve(world)
    world.set_system(status=status_before)
    before = snapshot(world.engine)
    report = make_report(**{"system_name": SYSTEM, "created_at": stamp(datetime.now(UTC)),
                            "policy": dict(DEFAULT_POLICY_BLOCK), **fields})
    _record_with_hook(world, report)
    after = snapshot(world.engine)
    assert len(after["audit_runs"]) == len(before["audit_runs"]) + 1
    assert len(after["gov_log"]) == len(before["gov_log"]) + 1  # its audit.record only
    for table in ("audit_runs", "gov_log"):
        after.pop(table), before.pop(table)
    assert after == before
    assert world.review_row(rid).status == "approved"


def test_insufficient_evidence_also_reopens(world: World, make_report: Any) -> None:  # noqa: F811
    rid = _approve(world)
    report = make_report(
        system_name=SYSTEM,
        verdict="insufficient_evidence",
        created_at=stamp(datetime.now(UTC)),
        policy=dict(DEFAULT_POLICY_BLOCK),
    )
    _record_with_hook(world, report)
    assert world.review_row(rid).status == "reopened"
    assert world.status() == "in_review"


# ---------------------------------------------------------------------------- audit


def test_the_latest_audit_failing_closes_the_gate(world: World) -> None:  # noqa: F811
    _approve(world)
    run = world.audit(verdict="fail", created_at=datetime.now(UTC) - timedelta(minutes=1))
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["audit_failed"]
    assert result.run_id == run
    assert f"(run {run[:8]}) has verdict fail" in result.reasons[0].message
    # a later passing audit opens it again
    world.audit(created_at=datetime.now(UTC) - timedelta(seconds=30))
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_other_kinds_of_run_are_not_the_latest_audit(world: World) -> None:  # noqa: F811
    _approve(world)
    world.audit(verdict="fail", kind="delivery", created_at=datetime.now(UTC))
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_an_audit_predating_the_model_version(world: World) -> None:  # noqa: F811
    _approve(world)
    world.set_system(model_version_at=datetime.now(UTC))
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["audit_predates_model"]
    assert "predates model version '1.0' registered at" in result.reasons[0].message


def test_an_audit_in_the_same_second_as_the_model_version_counts(world: World) -> None:  # noqa: F811
    """Reports carry whole seconds: an audit stamped in the version's second is newer."""
    _approve(world)
    version_at = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=700_000)
    world.set_system(model_version_at=version_at)
    world.audit(created_at=version_at.replace(microsecond=0))
    assert evaluate_gate(world.engine, SYSTEM).passed
    world.set_system(model_version_at=version_at + timedelta(seconds=1))
    assert _codes(evaluate_gate(world.engine, SYSTEM)) == ["audit_predates_model"]


def test_a_stale_audit(world: World) -> None:  # noqa: F811
    _approve(world)
    assert evaluate_gate(world.engine, SYSTEM, at=datetime.now(UTC) + timedelta(days=89)).passed
    result = evaluate_gate(world.engine, SYSTEM, at=datetime.now(UTC) + timedelta(days=91))
    assert _codes(result) == ["audit_stale"]
    assert "policy fairmark-default allows at most 90" in result.reasons[0].message


@pytest.mark.parametrize(
    ("policy", "shown"),
    [
        (None, "judged against no policy"),
        ({**DEFAULT_POLICY_BLOCK, "sha256": "0" * 64, "id": "lax"}, "policy lax v1.0.0"),
    ],
)
def test_an_audit_judged_against_another_policy(
    world: World,  # noqa: F811
    policy: dict[str, Any] | None,
    shown: str,
) -> None:
    _approve(world)
    world.audit(created_at=datetime.now(UTC) - timedelta(minutes=1), policy=policy)
    result = evaluate_gate(world.engine, SYSTEM)
    assert "audit_policy_mismatch" in _codes(result)
    message = next(r.message for r in result.reasons if r.code == "audit_policy_mismatch")
    assert "not the system's policy fairmark-default" in message
    assert "--policy default" in message
    if policy is not None:
        assert shown in message


def test_required_checks_missing_or_failing(world: World) -> None:  # noqa: F811
    world.register(tier="high_risk")
    findings = [finding(c) for c in HIGH_RISK_CHECKS[1:3]]
    findings.append(finding(HIGH_RISK_CHECKS[3], None, verdict="insufficient_evidence"))
    findings.append(finding(HIGH_RISK_CHECKS[4], "inf", bound={"min": None, "max": 0.2},
                            verdict="warn", severity="warn"))
    world.audit(verdict="warn", findings=findings)
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in ("rita", "sam", "tom"):
        decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == [
        "required_check_missing",
        "required_check_missing",
        "required_check_failed",
    ]
    messages = [r.message for r in result.reasons]
    assert f"check {HIGH_RISK_CHECKS[0]}, required for tier high_risk, was not measured" in (
        messages[0]
    )
    assert "the audit's policy has no rule for it" in messages[0]
    assert HIGH_RISK_CHECKS[3] in messages[1]
    assert f"check {HIGH_RISK_CHECKS[4]}, required for tier high_risk, fails" in messages[2]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], ("failed", "required_check_missing")),
        ([finding("x.y", 0.9)], ("ok", "")),
        ([finding("x.y", 0.9), finding("x.y", None, verdict="warn", severity="warn")],
         ("ok", "")),
        ([finding("x.y", None, verdict="warn", severity="warn")],
         ("failed", "required_check_missing")),
        ([finding("x.y", 0.9, verdict="insufficient_evidence")],
         ("failed", "required_check_missing")),
        ([finding("x.y", 0.7, verdict="pass", severity="info")],
         ("failed", "required_check_failed")),
        ([finding("x.y", 0.9, verdict="fail")], ("failed", "required_check_failed")),
        ([finding("x.y", "inf", bound={"min": 0.8, "max": None})], ("ok", "")),
        ([finding("x.y", "-inf", bound={"min": "-inf", "max": 0.1})], ("ok", "")),
        ([finding("x.y", 0.3, bound={"min": None, "max": 0.1}, verdict="warn",
                  severity="warn")], ("failed", "required_check_failed")),
        ([finding("other.check", 0.1)], ("failed", "required_check_missing")),
    ],
)
def test_judge_required_check(findings: list[dict[str, Any]], expected: tuple[str, str]) -> None:
    status, code, detail = judge_required_check({"findings": findings}, "x.y")
    assert (status, code) == expected
    assert detail


# ---------------------------------------------------------------------------- policy, access


def test_the_systems_own_policy_sets_quorum_expiry_and_checks(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    text = text.replace("review_quorum: 2", "review_quorum: 1", 1)
    text = text.replace("approval_valid_days: 365", "approval_valid_days: 10", 1)
    path = tmp_path / "team-policy.yaml"
    path.write_text(text, encoding="utf-8")
    policy = load_policy(path)
    world.register(policy=str(path))
    block = {**DEFAULT_POLICY_BLOCK, "sha256": policy.sha256, "path": str(path)}
    world.audit(policy=block)
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert review.quorum == 1
    assert [r.reviewer for r in review.reviewers] == ["rita"]
    info = decide(world.engine, review.review_id, "approve", "ok", principal=world["rita"])
    assert info.status == "approved"
    assert info.expires_at - info.decided_at == timedelta(days=10)
    assert evaluate_gate(world.engine, SYSTEM).passed
    # an audit judged against the built-in policy does not count for this system
    world.audit(created_at=datetime.now(UTC) - timedelta(minutes=1))
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["audit_policy_mismatch"]
    assert f"--policy {path}" in result.reasons[0].message


def test_swapping_the_policy_after_approval_needs_a_new_review(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    rid = _approve(world)
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    lax = tmp_path / "lax.yaml"
    lax.write_text(text.replace("audit_max_age_days: 90", "audit_max_age_days: 3650"), "utf-8")
    policy = load_policy(lax)
    # the owner may not choose it (tests/governance/test_inventory_policy.py); an admin may,
    # and it is a material change: the approval is reopened
    change = update_system(world.engine, SYSTEM, policy=str(lax), principal=world["ada"])
    assert change.material == (f"judged against another policy (default -> {lax})",)
    assert change.reopened_reviews == (rid,)
    assert world.status() == "in_review"
    world.audit(
        created_at=datetime.now(UTC) - timedelta(minutes=1),
        policy={**DEFAULT_POLICY_BLOCK, "sha256": policy.sha256, "path": str(lax)},
    )
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["review_in_progress", "approval_reopened"]
    assert "judged against another policy" in result.reasons[1].message
    # a new review of the audit under the new policy opens the gate again
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in [r.reviewer for r in review.reviewers]:
        decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_editing_the_policy_file_closes_the_gate_until_an_admin_records_it(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The file an admin set is pinned by its SHA-256 in the log: whoever edits it (here to
    a laxer audit age), audits and gets a new approval under it still fails the gate."""
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    team = load_policy(path)
    world.register(policy=str(path))
    world.audit(policy={**DEFAULT_POLICY_BLOCK, "sha256": team.sha256, "path": str(path)})
    first = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in [r.reviewer for r in first.reviewers]:
        decide(world.engine, first.review_id, "approve", "ok", principal=world[who])
    result = evaluate_gate(world.engine, SYSTEM)
    assert result.passed, result.reasons
    assert {c.id: c.detail for c in result.checks}["policy"] == (
        f"policy fairmark-default v1.0.0 as recorded (sha256 {team.sha256[:12]})"
    )

    path.write_text(text.replace("audit_max_age_days: 90", "audit_max_age_days: 3650"), "utf-8")
    lax = load_policy(path)
    assert lax.sha256 != team.sha256
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["policy_changed", "approval_for_other_policy",
                              "audit_policy_mismatch"]  # fmt: skip
    assert result.reasons[0].message == (
        f"policy file {path} of '{SYSTEM}' changed since ada set it (sha256 now "
        f"{lax.sha256[:12]}, recorded {team.sha256[:12]}); an admin checks the file and records "
        f"it again with 'fairmark system update {SYSTEM} --policy {path}' (a material change: "
        "it reopens review)"
    )
    # an audit under the edited file cannot even be submitted for review
    world.audit(
        created_at=datetime.now(UTC) - timedelta(minutes=1),
        policy={**DEFAULT_POLICY_BLOCK, "sha256": lax.sha256, "path": str(path)},
    )
    before = snapshot(world.engine)
    with pytest.raises(UsageError) as err:
        submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert err.value.message == result.reasons[0].message
    assert snapshot(world.engine) == before
    assert _codes(evaluate_gate(world.engine, SYSTEM)) == [
        "policy_changed", "approval_for_other_policy"
    ]
    # the owner cannot record the new content; an admin can, which reopens the review
    before = snapshot(world.engine)
    with pytest.raises(AccessError, match="only an admin chooses the policy"):
        update_system(world.engine, SYSTEM, policy=str(path), principal=world["olivia"])
    assert snapshot(world.engine) == before
    start = log_head(world.engine)
    change = update_system(world.engine, SYSTEM, policy=str(path), principal=world["ada"])
    assert change.changes["policy_sha256"] == {"from": team.sha256, "to": lax.sha256}
    assert change.material == (
        f"policy file content changed (sha256 {team.sha256[:12]} -> {lax.sha256[:12]})",
    )
    assert change.reopened_reviews == (first.review_id,)
    assert [a for _, a, _ in log_actions(world.engine, start)] == [
        "system.update", "review.reopen", "system.status"
    ]
    assert _codes(evaluate_gate(world.engine, SYSTEM)) == [
        "review_in_progress", "approval_reopened"
    ]
    third = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in [r.reviewer for r in third.reviewers]:
        decide(world.engine, third.review_id, "approve", "ok", principal=world[who])
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_a_policy_file_without_a_recorded_hash_fails_closed(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A policy set before fairmark recorded content hashes (or written into the table
    outside fairmark) does not count until an admin records it."""
    path = tmp_path / "team.yaml"
    path.write_text(Path("policies/default.yaml").read_text(encoding="utf-8"), "utf-8")
    team = load_policy(path)
    _approve(world)
    world.set_system(policy=str(path))
    world.audit(
        created_at=datetime.now(UTC) - timedelta(minutes=1),
        policy={**DEFAULT_POLICY_BLOCK, "sha256": team.sha256, "path": str(path)},
    )
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["policy_changed", "state_not_in_log"]
    assert result.reasons[0].message.startswith(
        f"no SHA-256 of policy file {path} is recorded in the audit log for '{SYSTEM}'; "
    )
    assert f"system {SYSTEM} is judged against policy {path} in the store but the log " in (
        result.reasons[1].message
    )


def test_a_future_dated_audit_cannot_keep_the_gate_open(world: World) -> None:  # noqa: F811
    _approve(world)
    world.audit(verdict="fail", created_at=datetime.now(UTC) - timedelta(minutes=1))
    forged = world.audit(created_at=datetime.now(UTC) + timedelta(days=1))
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["audit_failed"]
    assert result.run_id != forged
    # judged as of the day after, that audit exists
    later = evaluate_gate(world.engine, SYSTEM, at=datetime.now(UTC) + timedelta(days=2))
    assert later.run_id == forged
    assert later.passed


def test_gate_permission_and_input(world: World) -> None:  # noqa: F811
    _approve(world)
    for who in ("vic", "aud", "rita", "olivia", "ada"):
        assert evaluate_gate(world.engine, SYSTEM, principal=world[who]).passed
    scoped = Principal("vic", "viewer", via="token", scopes=frozenset({"system.read"}),
                       token_id="t9")
    with pytest.raises(AccessError, match=r"is not scoped for gate\.check"):
        evaluate_gate(world.engine, SYSTEM, principal=scoped)
    with pytest.raises(UsageError, match="without a time zone"):
        evaluate_gate(world.engine, SYSTEM, at=datetime(2030, 1, 1))


def test_gate_inside_a_transaction_and_deployment(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    decide(world.engine, review.review_id, "approve_with_conditions", "ok",
           principal=world["rita"], conditions=["Fix it"])
    info = decide(world.engine, review.review_id, "approve", "ok", principal=world["sam"])
    with world.engine.connect() as conn:
        assert _codes(evaluate_gate(conn, SYSTEM)) == ["open_blocking_condition"]
    with pytest.raises(UsageError, match="deployment gate fails"):
        set_status(world.engine, SYSTEM, "deployed", principal=world["olivia"])
    from fairmark.governance.review import close_condition

    close_condition(world.engine, info.conditions[0].condition_id, "fixed",
                    principal=world["sam"])
    set_status(world.engine, SYSTEM, "deployed", principal=world["olivia"])
    assert world.status() == "deployed"
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_reason_codes_are_stable() -> None:
    assert REASON_CODES == (
        "retired",
        "review_in_progress",
        "status_proposed",
        "not_classified",
        "prohibited_tier",
        "policy_missing",
        "policy_changed",
        "no_approval",
        "approval_expired",
        "approval_reopened",
        "approval_for_other_version",
        "approval_for_other_policy",
        "open_blocking_condition",
        "no_audit",
        "audit_failed",
        "audit_stale",
        "audit_predates_model",
        "audit_policy_mismatch",
        "required_check_missing",
        "required_check_failed",
        "state_not_in_log",
        "log_tampered",
    )
    assert tuple(REASON_DESCRIPTIONS) == REASON_CODES
    for code, text in REASON_DESCRIPTIONS.items():
        assert text.strip() == text and text and "\n" not in text, code


# ---------------------------------------------------------------------------- status


@pytest.mark.parametrize(
    ("status", "codes"),
    [
        ("approved", []),
        ("deployed", []),
        ("in_review", ["review_in_progress"]),
        ("proposed", ["status_proposed"]),
        ("retired", ["retired"]),
    ],
)
def test_the_gate_passes_only_an_approved_or_deployed_system(
    world: World,  # noqa: F811
    status: str,
    codes: list[str],
) -> None:
    """Everything else holds (a current approval, a passing audit): only the status differs."""
    _approve(world)
    world.set_system(status=status)
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == codes
    assert result.passed is (codes == [])
    assert {c.id: c.status for c in result.checks}["status"] == ("failed" if codes else "ok")
    assert DEPLOYABLE_STATUSES == ("approved", "deployed")


def test_gate_and_deploy_agree_while_a_re_review_is_open(world: World) -> None:  # noqa: F811
    """A voluntary re-review of an approved system: the earlier approval still stands, but
    the system is in_review, so 'system update --status deployed' is refused and the gate
    fails too; withdrawing the re-review brings both back."""
    from fairmark.governance.review import withdraw_review

    _approve(world)
    world.audit()
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert world.status() == "in_review"
    result = evaluate_gate(world.engine, SYSTEM)
    assert not result.passed and result.exit_code == 1
    assert _codes(result) == ["review_in_progress"]
    assert f"review {second.review_id} is open" in result.reasons[0].message
    before = snapshot(world.engine)
    with pytest.raises(UsageError, match=r"^cannot move 'bank-propensity' from in_review to "
                       r"deployed; allowed from in_review: "):
        set_status(world.engine, SYSTEM, "deployed", principal=world["olivia"])
    assert snapshot(world.engine) == before
    withdraw_review(world.engine, second.review_id, principal=world["ada"], reason="not yet")
    assert world.status() == "approved"
    assert evaluate_gate(world.engine, SYSTEM).passed
    set_status(world.engine, SYSTEM, "deployed", principal=world["olivia"])
    assert world.status() == "deployed"


# --------------------------------------------------------------------------- policy file gone


def test_a_missing_or_broken_policy_file_closes_the_gate(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    """QA: a deleted policy file made the gate raise (exit 2, "command mistyped"). The gate
    is closed instead (``policy_missing``), with one line naming the file and what to do;
    a file that no longer loads fails with ``policy_changed``. Nothing is written."""
    text = Path("policies/default.yaml").read_text(encoding="utf-8")
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    team = load_policy(path)
    world.register(policy=str(path))
    world.audit(policy={**DEFAULT_POLICY_BLOCK, "sha256": team.sha256, "path": str(path)})
    first = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in [r.reviewer for r in first.reviewers]:
        decide(world.engine, first.review_id, "approve", "ok", principal=world[who])
    assert evaluate_gate(world.engine, SYSTEM).passed

    path.unlink()
    before = snapshot(world.engine)
    result = evaluate_gate(world.engine, SYSTEM)
    assert result.passed is False and result.exit_code == 1
    assert [r.to_dict() for r in result.reasons] == [{
        "code": "policy_missing",
        "message": f"policy file {path} of '{SYSTEM}' (set by ada, sha256 {team.sha256[:12]}) "
        "does not exist; restore it at that path, or an admin sets another policy with "
        f"'fairmark system update {SYSTEM} --policy FILE' (a material change: it reopens "
        "review)",
    }]  # fmt: skip
    assert {c.id: c.status for c in result.checks} == {
        "status": "ok",
        "classification": "ok",
        "tier": "skipped",
        "policy": "failed",
        "approval": "skipped",
        "conditions": "skipped",
        "audit": "skipped",
        "audit_model_version": "skipped",
        "audit_age": "skipped",
        "audit_policy": "skipped",
        "log": "skipped",
    }
    assert result.review_id == first.review_id and result.run_id is not None
    assert result.tier == "minimal_risk"
    assert snapshot(world.engine) == before
    # deploying is refused with the same reason (a refused request: UsageError)
    with pytest.raises(UsageError, match=r"the deployment gate fails \(policy file .* does not "
                       r"exist; restore it"):  # fmt: skip
        set_status(world.engine, SYSTEM, "deployed", principal=world["olivia"])
    assert snapshot(world.engine) == before

    # a file that is back but no longer a policy: policy_changed, naming the load error
    path.write_text("policy: [", encoding="utf-8")
    broken = evaluate_gate(world.engine, SYSTEM)
    assert [r.code for r in broken.reasons] == ["policy_changed"]
    message = broken.reasons[0].message
    assert message.startswith(
        f"policy file {path} of '{SYSTEM}' (set by ada, sha256 {team.sha256[:12]}) no longer "
        f"loads as a policy ({path}:"
    )
    assert message.endswith(
        "restore the recorded content, or an admin sets another policy with 'fairmark system "
        f"update {SYSTEM} --policy FILE' (a material change: it reopens review)"
    )
    assert "\n" not in message
    assert snapshot(world.engine) == before

    # restored: the gate opens again
    path.write_text(text, encoding="utf-8")
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_a_policy_given_by_the_caller_that_cannot_load_is_still_an_error(
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Only the system's own file closes the gate; a bad ``policy`` argument is bad input."""
    from fairmark.errors import PolicyError

    _approve(world)
    with pytest.raises(PolicyError, match="policy file not found"):
        evaluate_gate(world.engine, SYSTEM, policy=str(tmp_path / "none.yaml"))


# ------------------------------------------------------- the log against its signed head


def test_a_log_cut_behind_its_signed_anchor_closes_the_gate(
    world: World,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """QA: the tail of the log deleted together with its checkpoints (guards dropped); the
    gate's log check said ok while 'fairmark log verify' said TAMPERED."""
    from sqlalchemy import text
    from tests.governance._log_helpers import append_many, unguarded
    from typer.testing import CliRunner

    from fairmark.cli.gate import app
    from fairmark.governance.keys import load_signing_key
    from fairmark.governance.log import create_checkpoint, verify_log
    from fairmark.governance.log_anchor import anchor_path, read_anchor, store_key
    from fairmark.governance.tokens import create_token

    key_file = tmp_path / "keys" / "signing_key.pem"
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(key_file))
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    _approve(world)
    vic = create_token(world.engine, user="vic", principal=world["vic"])[1]
    first = create_checkpoint(world.engine, principal=world["ada"])  # entry first.seq + 1
    result = evaluate_gate(world.engine, SYSTEM)  # a signed, intact log: the gate passes
    assert result.passed
    assert {c.id: c.status for c in result.checks}["log"] == "ok"
    append_many(world.engine, 3)  # unrelated entries the gate does not read
    second = create_checkpoint(world.engine, principal=world["ada"])
    assert second.seq == first.seq + 4
    signed = read_anchor(anchor_path(load_signing_key(key_file).path), store_key(world.engine.url))
    assert signed is not None and signed.seq == second.seq

    cut = first.seq + 2  # keep the first checkpoint and its log.checkpoint entry
    with unguarded(world.engine) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints WHERE seq >= :n"), {"n": cut})
        conn.execute(text("DELETE FROM gov_log WHERE seq >= :n"), {"n": cut})
    verified = verify_log(world.engine)
    assert not verified.ok and verified.first_bad is not None
    assert (verified.first_bad.seq, verified.first_bad.kind) == (cut, "truncated")

    before = snapshot(world.engine)
    result = evaluate_gate(world.engine, SYSTEM)
    expected = (
        f"the audit log does not match its signed head (entry {cut}); run 'fairmark log "
        f"verify' (the log ends at entry {cut - 1} but this machine signed entry {second.seq} "
        f"at {signed.created_at} (anchor {signed.source}))"
    )
    assert [(r.code, r.message) for r in result.reasons] == [("log_tampered", expected)]
    assert {c.id: (c.status, c.detail) for c in result.checks}["log"] == ("failed", expected)
    assert snapshot(world.engine) == before  # the gate is read-only

    closed = CliRunner().invoke(app, [SYSTEM, "--db-url", world.url, "--token", vic])
    assert closed.exit_code == 1, closed.output
    lines = closed.stdout.splitlines()
    assert lines[0].startswith(f"FAIL {SYSTEM}  (model version 1.0, tier minimal_risk")
    assert lines[1] == f"  - {expected} [log_tampered]"
    assert snapshot(world.engine) == before


def test_a_log_and_state_both_changed_give_both_reasons(
    world: World,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy import text
    from tests.governance._log_helpers import unguarded

    from fairmark.governance.log import create_checkpoint

    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "keys" / "signing_key.pem"))
    rid = _approve(world)
    signed = create_checkpoint(world.engine, principal=world["ada"])
    with unguarded(world.engine) as conn:  # the approval's close entry goes with the tail
        conn.execute(text("DELETE FROM gov_checkpoints"))
        conn.execute(
            text("DELETE FROM gov_log WHERE seq >= (SELECT MIN(seq) FROM gov_log WHERE "
                 "action = 'review.close')")
        )  # fmt: skip
    result = evaluate_gate(world.engine, SYSTEM)
    assert _codes(result) == ["state_not_in_log", "log_tampered"]
    assert f"review {rid} is approved until" in result.reasons[0].message
    assert f"but this machine signed entry {signed.seq} at" in result.reasons[1].message
    assert [c.status for c in result.checks if c.id == "log"] == ["failed"]
