"""Review shopping: a rejected review cannot be withdrawn by its owner, a rejected system
cannot go back to other reviewers unchanged, and a new review shows the earlier decisions
and assigns the rejecting reviewers again first. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    SYSTEM,
    World,
    log_actions,
    log_head,
    log_payloads,
    snapshot,
    world,
)

from fairmark.errors import UsageError
from fairmark.governance.access import Principal
from fairmark.governance.inventory import update_system
from fairmark.governance.review import (
    comment,
    decide,
    get_review,
    list_reviews,
    submit_review,
    withdraw_review,
)


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _refused(w: World, match: str, call: Callable[[], Any]) -> str:
    """Run ``call``, expect a one-line UsageError matching ``match``, the store unchanged."""
    before = snapshot(w.engine)
    with pytest.raises(UsageError, match=match) as caught:
        call()
    assert snapshot(w.engine) == before
    message = str(caught.value)
    assert "\n" not in message
    return message


def _rejected(w: World, *, rejecter: str = "rita", other: str = "sam") -> tuple[int, str]:
    """Register, audit and submit the system; ``rejecter`` rejects, ``other`` approves."""
    w.register()
    run_id = w.audit()
    rid = submit_review(w.engine, SYSTEM, principal=w["olivia"]).review_id
    comment(w.engine, rid, "Balance acts as a proxy for age", principal=w[rejecter])
    decide(w.engine, rid, "reject", "proxy for age", principal=w[rejecter])
    info = decide(w.engine, rid, "approve", "fine", principal=w[other])
    assert info.status == "rejected"
    return rid, run_id


# ---------------------------------------------------------------------------- withdraw


def test_the_owner_cannot_withdraw_a_review_a_reviewer_rejected(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    after = decide(world.engine, rid, "reject", "proxy for age", principal=world["rita"])
    assert after.status == "open"
    head = log_head(world.engine)
    message = _refused(
        world, f"^review {rid} has a reject decision by 'rita'",
        lambda: withdraw_review(world.engine, rid, principal=world["olivia"], reason="redo"),
    )  # fmt: skip
    assert message == (
        f"review {rid} has a reject decision by 'rita' ({_z(after.decisions[0].created_at)}); "
        "the system's owner 'olivia' cannot withdraw a rejected review (resubmitting it would "
        "shop for other reviewers); expected: let the remaining reviewers decide, then fix the "
        f"system and submit a new model version ('fairmark system update {SYSTEM} "
        "--model-version V') or a newer audit, or ask an admin who neither owns the system "
        "nor submitted the review to withdraw it"
    )
    assert log_head(world.engine) == head
    assert world.review_row(rid).status == "open"
    assert world.status() == "in_review"
    # the remaining reviewer still decides, and the review closes rejected
    final = decide(world.engine, rid, "approve", "fine", principal=world["sam"])
    assert final.status == "rejected"
    assert world.status() == "proposed"


def test_two_rejections_are_both_named(world: World) -> None:  # noqa: F811
    world.register(tier="high_risk")
    from tests.governance._review_support import HIGH_RISK_CHECKS

    world.audit(checks=HIGH_RISK_CHECKS)
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    decide(world.engine, rid, "reject", "no", principal=world["sam"])
    decide(world.engine, rid, "reject", "no", principal=world["rita"])
    _refused(
        world, f"^review {rid} has reject decisions by 'sam', 'rita'; the system's owner",
        lambda: withdraw_review(world.engine, rid, principal=world["olivia"], reason="x"),
    )  # fmt: skip


def test_an_admin_who_submitted_the_review_cannot_withdraw_it_either(
    world: World,  # noqa: F811
    seed_people: Callable[..., dict[str, Principal]],
) -> None:
    root = seed_people({"root": "admin"})["root"]
    world.register()
    world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["ada"]).review_id
    decide(world.engine, rid, "reject", "no", principal=world["rita"])
    _refused(
        world, f"^review {rid} has a reject decision by 'rita' .*; its submitter 'ada' cannot",
        lambda: withdraw_review(world.engine, rid, principal=world["ada"], reason="x"),
    )  # fmt: skip
    info = withdraw_review(world.engine, rid, principal=root, reason="committee reshuffle")
    assert info.status == "withdrawn"


def test_an_admin_may_withdraw_a_rejected_review_and_the_log_says_so(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    after = decide(world.engine, rid, "reject", "proxy for age", principal=world["rita"])
    head = log_head(world.engine)
    info = withdraw_review(world.engine, rid, principal=world["ada"], reason="rita is on leave")
    assert (info.status, info.closed_reason) == ("withdrawn", "rita is on leave")
    assert world.status() == "proposed"
    assert log_actions(world.engine, head) == [
        ("ada", "system.status", SYSTEM),
        ("ada", "review.withdraw", str(rid)),
    ]
    (payload,) = log_payloads(world.engine, "review.withdraw")
    assert payload == {
        "review_id": rid,
        "system": SYSTEM,
        "reason": "rita is on leave",
        "system_status": {"from": "in_review", "to": "proposed"},
        "overrides_reject": [{"reviewer": "rita", "decided_at": _z(after.decisions[0].created_at)}],
    }


def test_the_owner_may_withdraw_after_approvals_only(world: World) -> None:  # noqa: F811
    """Plain approvals (advisory conditions only): nothing blocks, the owner may withdraw.
    A blocking condition: see test_review_conditions_carry.py."""
    world.register()
    world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    decide(world.engine, rid, "approve", "ok if fixed", principal=world["rita"],
           advisory=["Fix the marital-status gap"])  # fmt: skip
    info = withdraw_review(world.engine, rid, principal=world["olivia"], reason="new data")
    assert info.status == "withdrawn"
    (payload,) = log_payloads(world.engine, "review.withdraw")
    assert "overrides_reject" not in payload
    # no rejection: the same audit may go again, and the new reviewers see the approval
    again = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert again.previous is not None
    assert again.previous.review_id == rid
    assert again.previous.status == "withdrawn"
    assert again.previous.closed_reason == "new data"
    assert [(d.reviewer, d.decision, d.rationale) for d in again.previous.decisions] == [
        ("rita", "approve", "ok if fixed")
    ]


# ---------------------------------------------------------------------------- resubmit


def test_resubmitting_the_rejected_audit_and_version_is_refused(world: World) -> None:  # noqa: F811
    rid, run_id = _rejected(world)
    message = _refused(
        world, f"^review {rid} of system '{SYSTEM}' was rejected by 'rita'",
        lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]),
    )  # fmt: skip
    assert message == (
        f"review {rid} of system '{SYSTEM}' was rejected by 'rita' for model version '1.0' "
        f"with audit {run_id}; audit {run_id} is the one rejected and the model version is "
        f"unchanged; expected a change: a newer audit ('fairmark audit DATA ... --system "
        f"{SYSTEM}') or a new model version ('fairmark system update {SYSTEM} "
        "--model-version V')"
    )
    # naming the run does not help, nor does an admin submitting it
    _refused(
        world,
        "is the one rejected",
        lambda: submit_review(world.engine, SYSTEM, principal=world["ada"], run_id=run_id),
    )
    assert world.status() == "proposed"


def test_an_older_audit_is_no_change_either(world: World) -> None:  # noqa: F811
    world.register()
    older = world.audit(created_at=datetime.now(UTC) - timedelta(hours=3))
    newer = world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    decide(world.engine, rid, "reject", "no", principal=world["rita"])
    decide(world.engine, rid, "reject", "no", principal=world["sam"])
    message = _refused(
        world, f"audit {older} is not newer than it and the model version is unchanged",
        lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"], run_id=older),
    )  # fmt: skip
    assert f"rejected by 'rita', 'sam' for model version '1.0' with audit {newer};" in message


def test_a_rejection_withdrawn_by_an_admin_still_needs_a_change(world: World) -> None:  # noqa: F811
    world.register()
    run_id = world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    decide(world.engine, rid, "reject", "no", principal=world["rita"])
    withdraw_review(world.engine, rid, principal=world["ada"], reason="rita is on leave")
    _refused(
        world, f"^review {rid} of system '{SYSTEM}' was rejected by 'rita' .* audit {run_id} "
        "is the one rejected",
        lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]),
    )  # fmt: skip


def test_a_newer_audit_may_go_back_and_shows_the_rejection(world: World) -> None:  # noqa: F811
    rid, run_id = _rejected(world)
    first = get_review(world.engine, rid, principal=world["vic"])
    assert first.previous is None
    assert (first.to_dict()["previous_review_id"], first.to_dict()["previous_review"]) == (
        None, None,
    )  # fmt: skip
    newer = world.audit()
    head = log_head(world.engine)
    again = submit_review(world.engine, SYSTEM, principal=world["olivia"], note="retrained")
    assert again.status == "open"
    assert again.run_id == newer
    shown = get_review(world.engine, again.review_id, principal=world["vic"])
    assert shown.previous is not None
    assert (shown.previous.review_id, shown.previous.status, shown.previous.run_id) == (
        rid, "rejected", run_id,
    )  # fmt: skip
    assert shown.previous.rejected_by == ("rita",)
    doc = shown.to_dict()
    assert doc["previous_review_id"] == rid
    prev = doc["previous_review"]
    assert (prev["review_id"], prev["status"], prev["model_version"], prev["run_id"]) == (
        rid, "rejected", "1.0", run_id,
    )  # fmt: skip
    assert [(d["reviewer"], d["decision"], d["rationale"]) for d in prev["decisions"]] == [
        ("rita", "reject", "proxy for age"),
        ("sam", "approve", "fine"),
    ]
    assert [(c["author"], c["body"]) for c in prev["comments"]] == [
        ("rita", "Balance acts as a proxy for age")
    ]
    (submitted,) = [p for p in log_payloads(world.engine, "review.submit")
                    if p["review_id"] == again.review_id]  # fmt: skip
    assert submitted["previous_review_id"] == rid
    assert submitted["run_id"] == newer
    # list_reviews carries the link too
    listed = list_reviews(world.engine, principal=world["vic"], system=SYSTEM)
    assert [(r.review_id, r.previous and r.previous.review_id) for r in listed] == [
        (again.review_id, rid),
        (rid, None),
    ]
    assert log_actions(world.engine, head)[0] == ("olivia", "review.submit", str(again.review_id))


def test_a_new_model_version_may_go_back(world: World) -> None:  # noqa: F811
    rid, _run_id = _rejected(world)
    update_system(world.engine, SYSTEM, principal=world["olivia"], model_version="1.1",
                  reason="retrained without age proxies")  # fmt: skip
    world.audit(created_at=datetime.now(UTC))
    again = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert again.model_version == "1.1"
    assert again.previous is not None and again.previous.review_id == rid


def test_a_different_model_version_is_a_change_even_with_the_same_run(world: World) -> None:  # noqa: F811
    rid, run_id = _rejected(world)
    # the store says the model changed (the run still postdates the version's date)
    world.set_system(model_version="1.1")
    again = submit_review(world.engine, SYSTEM, principal=world["olivia"], run_id=run_id)
    assert (again.model_version, again.run_id) == ("1.1", run_id)
    assert again.previous is not None and again.previous.review_id == rid


def test_the_rejecting_reviewers_are_assigned_again_first(world: World) -> None:  # noqa: F811
    rid, _run_id = _rejected(world, rejecter="sam", other="rita")
    # load rita and sam with another system's open review: least loaded alone would pick
    # tom, then rita (by name)
    world.register("chatbot", owner="oscar")
    world.audit("chatbot")
    busy = submit_review(world.engine, "chatbot", principal=world["oscar"])
    assert [r.reviewer for r in busy.reviewers] == ["rita", "sam"]
    world.audit()
    again = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert [r.reviewer for r in again.reviewers] == ["sam", "tom"]
    assigned = [p for p in log_payloads(world.engine, "review.assign")
                if p["review_id"] == again.review_id]  # fmt: skip
    assert sorted(assigned, key=lambda p: p["reviewer"]) == [
        {"review_id": again.review_id, "reviewer": "sam", "automatic": True,
         "rejected_review_id": rid},
        {"review_id": again.review_id, "reviewer": "tom", "automatic": True},
    ]  # fmt: skip


def test_a_rejecter_no_longer_eligible_is_not_assigned_again(world: World) -> None:  # noqa: F811
    from sqlalchemy import update

    from fairmark.store.models_governance import User

    world.register()
    world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    decide(world.engine, rid, "reject", "no", principal=world["sam"])
    decide(world.engine, rid, "approve", "ok", principal=world["rita"])
    with world.engine.begin() as conn:
        conn.execute(update(User).where(User.name == "sam").values(disabled_at=datetime.now(UTC)))
    world.audit()
    again = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert [r.reviewer for r in again.reviewers] == ["rita", "tom"]
    assert again.previous is not None and again.previous.rejected_by == ("sam",)
