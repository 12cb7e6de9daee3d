"""The review workflow end to end: submit, auto-assignment, decisions, conditions, gate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    HIGH_RISK_CHECKS,
    SYSTEM,
    World,
    finding,
    log_actions,
    log_head,
    log_payloads,
    world,
)

from fairmark.governance.access import Principal
from fairmark.governance.gate import GateResult, evaluate_gate
from fairmark.governance.review import (
    ConditionSpec,
    assign_reviewer,
    close_condition,
    comment,
    decide,
    get_review,
    list_reviews,
    submit_review,
    withdraw_review,
)


def _codes(result: GateResult) -> list[str]:
    return [r.code for r in result.reasons]


def test_full_happy_path(world: World) -> None:  # noqa: F811
    world.register()
    run_id = world.audit()
    start = log_head(world.engine)

    review = submit_review(world.engine, SYSTEM, principal=world["olivia"], note="first look")
    assert review.status == "open"
    assert review.quorum == 2
    assert review.run_id == run_id
    assert review.run_verdict == "pass"
    assert review.model_version == "1.0"
    assert [r.reviewer for r in review.reviewers] == ["rita", "sam"]
    assert review.needs_reviewers == 0
    assert world.status() == "in_review"

    comment(world.engine, review.review_id, "Which age bands?", principal=world["rita"])
    after_first = decide(
        world.engine,
        review.review_id,
        "approve-with-conditions",
        "Fair on age; marital status needs a second look.",
        principal=world["rita"],
        conditions=[ConditionSpec("Re-audit by marital status", datetime(2030, 1, 31).date())],
        advisory=["Publish the model card"],
    )
    assert after_first.status == "open"
    assert [c.blocking for c in after_first.conditions] == [True, False]
    assert after_first.conditions[0].due_on.isoformat() == "2030-01-31"

    final = decide(
        world.engine, review.review_id, "approve", "Looks fine.", principal=world["sam"]
    )
    assert final.status == "approved_with_conditions"
    assert final.decided_at is not None
    assert final.expires_at - final.decided_at == timedelta(days=365)
    assert final.current is True
    assert final.due is False
    assert [d.decision for d in final.decisions] == ["approve_with_conditions", "approve"]
    assert [c.body for c in final.comments] == ["Which age bands?"]
    assert world.status() == "approved"

    gate = evaluate_gate(world.engine, SYSTEM)
    assert not gate.passed
    assert _codes(gate) == ["open_blocking_condition"]
    assert "close-condition" in gate.reasons[0].message
    assert [c["text"] for c in gate.advisory_conditions] == ["Publish the model card"]
    assert gate.review_id == review.review_id
    assert gate.run_id == run_id

    blocking = final.conditions[0]
    closed = close_condition(
        world.engine, blocking.condition_id, "Re-audited: DI 0.91", principal=world["rita"]
    )
    assert closed.status == "closed"
    assert closed.closed_by == "rita"
    assert closed.closing_note == "Re-audited: DI 0.91"

    gate = evaluate_gate(world.engine, SYSTEM)
    assert gate.passed, gate.reasons
    assert gate.exit_code == 0
    assert {c.id: c.status for c in gate.checks}["required_check:fairness.disparate_impact"] == "ok"
    assert [c["text"] for c in gate.advisory_conditions] == ["Publish the model card"]

    rid = str(review.review_id)
    assert log_actions(world.engine, start) == [
        ("olivia", "review.submit", rid),
        ("olivia", "system.status", SYSTEM),
        ("olivia", "review.assign", rid),
        ("olivia", "review.assign", rid),
        ("rita", "review.comment", rid),
        ("rita", "review.decide", rid),
        ("sam", "review.decide", rid),
        ("sam", "review.close", rid),
        ("sam", "system.status", SYSTEM),
        ("rita", "condition.close", str(blocking.condition_id)),
    ]
    (close_payload,) = log_payloads(world.engine, "review.close")
    assert close_payload["outcome"] == "approved_with_conditions"
    assert close_payload["decisions"] == {"approve": 1, "approve_with_conditions": 1}


def test_plain_approval_and_to_dict(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["ada"])
    for who in ("rita", "sam"):
        info = decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    assert info.status == "approved"
    doc = info.to_dict()
    assert doc["status"] == "approved"
    assert doc["submitted_by"] == "ada"
    assert doc["current"] is True
    assert [r["reviewer"] for r in doc["reviewers"]] == ["rita", "sam"]
    assert all(r["decided"] for r in doc["reviewers"])
    assert doc["expires_at"].endswith("Z")
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_reject_sends_system_back_to_proposed(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    decide(world.engine, review.review_id, "approve", "fine", principal=world["rita"])
    info = decide(world.engine, review.review_id, "reject", "proxy for age", principal=world["sam"])
    assert info.status == "rejected"
    assert info.expires_at is None
    assert info.current is False
    assert world.status() == "proposed"
    gate = evaluate_gate(world.engine, SYSTEM)
    assert _codes(gate) == ["status_proposed", "no_approval"]
    assert "rejected" in gate.reasons[1].message


def test_quorum_comes_from_the_policy_tier(world: World) -> None:  # noqa: F811
    world.register(tier="high_risk")
    world.audit(checks=HIGH_RISK_CHECKS)
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert review.quorum == 3
    assert [r.reviewer for r in review.reviewers] == ["rita", "sam", "tom"]
    decide(world.engine, review.review_id, "approve", "ok", principal=world["rita"])
    info = decide(world.engine, review.review_id, "approve", "ok", principal=world["sam"])
    assert info.status == "open"
    assert world.status() == "in_review"
    info = decide(world.engine, review.review_id, "approve", "ok", principal=world["tom"])
    assert info.status == "approved"
    gate = evaluate_gate(world.engine, SYSTEM)
    assert gate.passed, gate.reasons
    assert [c.id for c in gate.checks if c.id.startswith("required_check:")] == [
        f"required_check:{c}" for c in HIGH_RISK_CHECKS
    ]


def test_auto_assignment_picks_the_least_loaded_trained_reviewers(world: World) -> None:  # noqa: F811
    world.register()
    world.register("chatbot", owner="oscar")
    world.register("pricing", owner="oscar")
    for name in (SYSTEM, "chatbot", "pricing"):
        world.audit(name)
    first = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert [r.reviewer for r in first.reviewers] == ["rita", "sam"]
    second = submit_review(world.engine, "chatbot", principal=world["oscar"])
    # tom has no open assignment; rita and sam one each, rita first by name
    assert [r.reviewer for r in second.reviewers] == ["rita", "tom"]
    # once the first review closes, its assignments no longer count
    decide(world.engine, first.review_id, "approve", "ok", principal=world["rita"])
    decide(world.engine, first.review_id, "approve", "ok", principal=world["sam"])
    third = submit_review(world.engine, "pricing", principal=world["oscar"])
    # sam has none now; rita and tom one each: sam, then rita by name (shown by name)
    assert [r.reviewer for r in third.reviewers] == ["rita", "sam"]


def test_untrained_disabled_and_expired_reviewers_are_not_assigned(
    world: World,  # noqa: F811
    seed_people: Callable[..., dict[str, Principal]],
) -> None:
    from sqlalchemy import update

    from fairmark.store.models_governance import User

    seed_people({"una": "reviewer", "ed": "reviewer"}, trained=False)
    today = datetime.now(UTC).date()
    world.train("ed", completed=today - timedelta(days=400), expires=today - timedelta(days=35))
    with world.engine.begin() as conn:
        conn.execute(
            update(User).where(User.name.in_(["sam", "tom"])).values(disabled_at=datetime.now(UTC))
        )
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert [r.reviewer for r in review.reviewers] == ["rita"]
    assert review.needs_reviewers == 1
    # an admin adds a trained reviewer once one exists
    world.train("una", completed=today - timedelta(days=1), expires=today + timedelta(days=300))
    info = assign_reviewer(world.engine, review.review_id, "una", principal=world["ada"])
    assert [r.reviewer for r in info.reviewers] == ["rita", "una"]
    assert info.needs_reviewers == 0
    (payload,) = [p for p in log_payloads(world.engine, "review.assign") if p["reviewer"] == "una"]
    assert payload == {"review_id": review.review_id, "reviewer": "una", "automatic": False}


def test_withdraw_returns_a_never_approved_system_to_proposed(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    info = withdraw_review(
        world.engine, review.review_id, principal=world["olivia"], reason="wrong data"
    )
    assert info.status == "withdrawn"
    assert info.closed_reason == "wrong data"
    assert world.status() == "proposed"
    # a new review can be submitted now
    again = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert again.review_id == review.review_id + 1


def test_withdrawing_a_re_review_keeps_the_current_approval(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    first = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in ("rita", "sam"):
        decide(world.engine, first.review_id, "approve", "ok", principal=world[who])
    second = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert world.status() == "in_review"
    withdraw_review(world.engine, second.review_id, principal=world["ada"], reason="not yet")
    assert world.status() == "approved"
    assert evaluate_gate(world.engine, SYSTEM).passed


def test_comments_on_approvals_with_conditions(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    decide(world.engine, review.review_id, "approve_with_conditions", "ok",
           principal=world["rita"], conditions=["Fix it"])
    decide(world.engine, review.review_id, "approve", "ok", principal=world["sam"])
    note = comment(world.engine, review.review_id, "  Done on Monday.  ", principal=world["olivia"])
    assert note.body == "Done on Monday."
    assert note.author == "olivia"
    shown = get_review(world.engine, review.review_id, principal=world["vic"])
    assert [c.body for c in shown.comments] == ["Done on Monday."]


def test_list_and_due(world: World) -> None:  # noqa: F811
    world.register()
    world.register("chatbot", owner="oscar")
    world.audit()
    world.audit("chatbot")
    first = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in ("rita", "sam"):
        decide(world.engine, first.review_id, "approve", "ok", principal=world[who])
    second = submit_review(world.engine, "chatbot", principal=world["oscar"])

    everything = list_reviews(world.engine, principal=world["aud"])
    assert [r.review_id for r in everything] == [second.review_id, first.review_id]
    only = list_reviews(world.engine, principal=world["vic"], system="chatbot")
    assert [r.review_id for r in only] == [second.review_id]
    approved = list_reviews(world.engine, principal=world["vic"], status="approved")
    assert [r.review_id for r in approved] == [first.review_id]
    assert list_reviews(world.engine, principal=world["vic"], due=True) == []

    # twenty days before expiry the approval falls due
    info = get_review(world.engine, first.review_id, principal=world["vic"])
    soon = info.expires_at - timedelta(days=20)
    due = list_reviews(world.engine, principal=world["vic"], due=True, at=soon)
    assert [(r.review_id, r.due, r.current) for r in due] == [(first.review_id, True, True)]
    # expired: still due, no longer current; the gate says so
    world.set_review(first.review_id, expires_at=datetime.now(UTC) - timedelta(days=1))
    (expired,) = list_reviews(world.engine, principal=world["vic"], due=True)
    assert (expired.due, expired.current) == (True, False)
    gate = evaluate_gate(world.engine, SYSTEM)
    # the expiry was moved in the database, behind the log's back: the gate sees both
    assert _codes(gate) == ["approval_expired", "state_not_in_log"]
    assert "re-review" in gate.reasons[0].message
    # a retired system falls due for nothing
    world.set_system(status="retired")
    assert list_reviews(world.engine, principal=world["vic"], due=True) == []


def test_gate_at_a_future_moment_sees_the_approval_expire(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in ("rita", "sam"):
        info = decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    # the default policy also caps the audit's age at 90 days
    before = evaluate_gate(world.engine, SYSTEM, at=info.expires_at - timedelta(days=1))
    assert _codes(before) == ["audit_stale"]
    later = evaluate_gate(world.engine, SYSTEM, at=info.expires_at + timedelta(seconds=1))
    assert _codes(later) == ["approval_expired", "audit_stale"]
    soon = evaluate_gate(world.engine, SYSTEM, at=datetime.now(UTC) + timedelta(days=30))
    assert soon.passed


def test_required_check_failing_under_a_warn_rule_is_still_a_failure(world: World) -> None:  # noqa: F811
    world.register()
    world.audit(findings=[finding("fairness.disparate_impact", 0.5, verdict="warn",
                                  severity="warn")])
    review = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    for who in ("rita", "sam"):
        decide(world.engine, review.review_id, "approve", "ok", principal=world[who])
    gate = evaluate_gate(world.engine, SYSTEM)
    assert _codes(gate) == ["required_check_failed"]
    assert "fairness.disparate_impact" in gate.reasons[0].message
