"""Every refusal of the review workflow: one line naming the problem, the store unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, update
from tests.governance._review_support import (  # noqa: F401 - world is a fixture
    SYSTEM,
    World,
    snapshot,
    world,
)

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError, Principal
from fairmark.governance.review import (
    assign_reviewer,
    close_condition,
    comment,
    decide,
    get_review,
    list_reviews,
    submit_review,
    withdraw_review,
)
from fairmark.store.models_governance import ReviewAssignment, User


def _refused(w: World, error: type[Exception], match: str, call: Callable[[], Any]) -> str:
    """Run ``call``, expect ``error`` matching ``match`` and an unchanged store."""
    before = snapshot(w.engine)
    with pytest.raises(error, match=match) as caught:
        call()
    assert snapshot(w.engine) == before
    message = str(caught.value)
    assert "\n" not in message
    return message


def _open_review(w: World) -> int:
    w.register()
    w.audit()
    return submit_review(w.engine, SYSTEM, principal=w["olivia"]).review_id


def _approved_with_condition(w: World) -> tuple[int, int]:
    rid = _open_review(w)
    decide(w.engine, rid, "approve_with_conditions", "ok", principal=w["rita"],
           conditions=["Fix the marital-status gap"])
    info = decide(w.engine, rid, "approve", "ok", principal=w["sam"])
    return rid, info.conditions[0].condition_id


# ---------------------------------------------------------------------------- submit


def test_submit_refuses_an_unknown_system(world: World) -> None:  # noqa: F811
    world.register()
    _refused(world, UsageError, r"^no AI system 'bank-propensty'; did you mean 'bank-propensity'\?",
             lambda: submit_review(world.engine, "bank-propensty", principal=world["ada"]))


def test_submit_refuses_a_retired_system(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    world.set_system(status="retired")
    _refused(world, UsageError, "is retired; a retired system cannot be submitted",
             lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]))


def test_submit_refuses_an_unclassified_system(world: World) -> None:  # noqa: F811
    world.register(tier=None)
    world.audit()
    message = _refused(
        world, UsageError, "is not risk-classified",
        lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]),
    )
    assert f"'fairmark system classify {SYSTEM} --answers FILE'" in message


def test_submit_refuses_a_prohibited_practice(world: World) -> None:  # noqa: F811
    world.register(tier="prohibited")
    world.audit()
    _refused(world, UsageError, r"tier prohibited.*Art\. 5.*cannot be reviewed for deployment",
             lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]))


def test_submit_refuses_a_second_open_review(world: World) -> None:  # noqa: F811
    rid = _open_review(world)
    _refused(world, UsageError, f"^review {rid} is already open for system '{SYSTEM}'",
             lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]))


def test_submit_refuses_without_an_audit(world: World) -> None:  # noqa: F811
    world.register()
    world.register("chatbot", owner="olivia")
    world.audit("chatbot")
    message = _refused(
        world, UsageError, f"no audit run is recorded for system '{SYSTEM}'",
        lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]),
    )
    assert f"--system {SYSTEM}" in message


def test_submit_refuses_another_systems_run(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    other = world.audit("someone-else")
    _refused(world, UsageError, f"run {other} belongs to system 'someone-else', not '{SYSTEM}'",
             lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"],
                                   run_id=other))
    _refused(world, UsageError, "^no run 'ffffffff'",
             lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"],
                                   run_id="ffffffff"))


def test_submit_refuses_an_audit_older_than_the_model_version(world: World) -> None:  # noqa: F811
    world.register(age=timedelta(days=2))
    run = world.audit(created_at=datetime.now(UTC) - timedelta(days=3))
    message = _refused(
        world, UsageError, f"^audit {run} .* predates model version '1.0' registered at",
        lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]),
    )
    assert message.endswith(f"run a new audit with 'fairmark audit DATA ... --system {SYSTEM}'")
    # naming a newer run explicitly works; naming the old one does not
    newer = world.audit()
    older_named = _refused(world, UsageError, "predates model version",
                           lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"],
                                                 run_id=run))
    assert run in older_named
    info = submit_review(world.engine, SYSTEM, principal=world["olivia"], run_id=newer[:8])
    assert info.run_id == newer


def test_submit_refuses_an_audit_under_another_policy(world: World) -> None:  # noqa: F811
    from tests.governance._review_support import DEFAULT_POLICY_BLOCK

    world.register()
    run = world.audit(policy={**DEFAULT_POLICY_BLOCK, "id": "lax", "sha256": "1" * 64})
    message = _refused(
        world, UsageError,
        f"^audit {run} was judged against policy lax v1.0.0 \\(sha256 111111111111\\), not "
        "the system's policy fairmark-default",
        lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"]),
    )
    assert message.endswith(f"'--policy default' and '--system {SYSTEM}'")
    unjudged = world.audit(policy=None)
    _refused(world, UsageError, f"^audit {unjudged} was judged against no policy",
             lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"],
                                   run_id=unjudged))


def test_submit_refuses_a_future_dated_run(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    future = world.audit(created_at=datetime.now(UTC) + timedelta(days=1))
    _refused(world, UsageError, f"^run {future} is dated .*, in the future",
             lambda: submit_review(world.engine, SYSTEM, principal=world["olivia"],
                                   run_id=future))
    # without --run the latest audit that has run is taken
    info = submit_review(world.engine, SYSTEM, principal=world["olivia"])
    assert info.run_id != future


@pytest.mark.parametrize("who", ["vic", "aud", "rita", "oscar"])
def test_submit_needs_the_owner_or_an_admin(world: World, who: str) -> None:  # noqa: F811
    world.register()
    world.audit()
    _refused(world, AccessError, f"user '{who}'",
             lambda: submit_review(world.engine, SYSTEM, principal=world[who]))


def test_a_token_without_the_scope_cannot_submit(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    scoped = Principal("olivia", "owner", via="token", scopes=frozenset({"read"}), token_id="t1")
    _refused(world, AccessError, "is not scoped for review.submit",
             lambda: submit_review(world.engine, SYSTEM, principal=scoped))


# ---------------------------------------------------------------------------- assign


def test_assign_refusals(world: World, seed_people: Callable[..., dict[str, Principal]]) -> None:  # noqa: F811
    seed_people({"una": "reviewer", "ed": "reviewer", "dee": "reviewer"}, trained=False)
    today = datetime.now(UTC).date()
    world.train("ed", completed=today - timedelta(days=400), expires=today - timedelta(days=35))
    world.train("dee", completed=today - timedelta(days=5), expires=today + timedelta(days=300))
    with world.engine.begin() as conn:
        conn.execute(update(User).where(User.name == "dee").values(disabled_at=datetime.now(UTC)))
    rid = _open_review(world)  # rita and sam assigned
    admin = world["ada"]
    for who in ("una", "ed"):
        message = _refused(
            world, UsageError,
            f"^reviewer '{who}' holds no current AI-literacy training record "
            r"\(EU AI Act Art\. 4\)",
            lambda who=who: assign_reviewer(world.engine, rid, who, principal=admin),
        )
        assert "'fairmark user training record" in message
    _refused(world, UsageError, "^user 'dee' is disabled",
             lambda: assign_reviewer(world.engine, rid, "dee", principal=admin))
    _refused(world, UsageError, "^user 'aud' has role auditor; expected a user with role reviewer",
             lambda: assign_reviewer(world.engine, rid, "aud", principal=admin))
    _refused(world, UsageError, f"^reviewer 'rita' is already assigned to review {rid}",
             lambda: assign_reviewer(world.engine, rid, "rita", principal=admin))
    _refused(world, UsageError, "^no user 'zed'; expected one of:",
             lambda: assign_reviewer(world.engine, rid, "zed", principal=admin))
    _refused(world, UsageError, f"^no review 99; expected one of: {rid} \\({SYSTEM}, open\\)",
             lambda: assign_reviewer(world.engine, 99, "tom", principal=admin))
    for who in ("olivia", "rita", "aud", "vic"):
        _refused(world, AccessError, f"user '{who}' .* may not review.assign",
                 lambda who=who: assign_reviewer(world.engine, rid, "tom",
                                                 principal=world[who]))
    # a reviewer who came to own the system cannot be assigned to it
    world.set_system(owner="tom")
    _refused(world, UsageError, "^reviewer 'tom' owns system .* may not review their own system",
             lambda: assign_reviewer(world.engine, rid, "tom", principal=admin))
    # closed reviews take no more reviewers
    world.set_system(owner="olivia")
    withdraw_review(world.engine, rid, principal=admin, reason="redo")
    _refused(world, UsageError, f"^review {rid} is withdrawn; reviewers are assigned to open",
             lambda: assign_reviewer(world.engine, rid, "tom", principal=admin))


# ---------------------------------------------------------------------------- decide


def test_decide_needs_an_assigned_reviewer(world: World) -> None:  # noqa: F811
    rid = _open_review(world)
    message = _refused(
        world, UsageError, f"^user 'tom' is not assigned to review {rid}",
        lambda: decide(world.engine, rid, "approve", "ok", principal=world["tom"]),
    )
    assert f"'fairmark review assign {rid} --reviewer tom'" in message


@pytest.mark.parametrize("who", ["ada", "olivia", "aud", "vic"])
def test_only_reviewers_decide(world: World, who: str) -> None:  # noqa: F811
    rid = _open_review(world)
    _refused(world, AccessError, f"user '{who}' .* may not review.decide; it needs role reviewer",
             lambda: decide(world.engine, rid, "approve", "ok", principal=world[who]))


def test_a_reviewer_may_not_decide_their_own_system(world: World) -> None:  # noqa: F811
    rid = _open_review(world)
    world.set_system(owner="rita")  # rita came to own the system after being assigned
    _refused(world, UsageError,
             f"^a reviewer may not decide their own system: 'rita' owns '{SYSTEM}'",
             lambda: decide(world.engine, rid, "approve", "ok", principal=world["rita"]))


def test_a_reviewer_may_not_decide_a_review_they_submitted(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    rid = submit_review(world.engine, SYSTEM, principal=world["ada"]).review_id
    world.set_review(rid, submitted_by="rita")
    _refused(world, UsageError,
             f"^a reviewer may not decide their own system: 'rita' submitted review {rid}",
             lambda: decide(world.engine, rid, "approve", "ok", principal=world["rita"]))


def test_decide_needs_current_training_at_decision_time(
    world: World,  # noqa: F811
    seed_people: Callable[..., dict[str, Principal]],
) -> None:
    people = seed_people({"ed": "reviewer"}, trained=False)
    today = datetime.now(UTC).date()
    world.train("ed", completed=today - timedelta(days=400), expires=today - timedelta(days=1))
    rid = _open_review(world)
    with world.engine.begin() as conn:  # assigned while the training was current
        conn.execute(insert(ReviewAssignment).values(
            review_id=rid, reviewer="ed", assigned_by="ada", assigned_at=datetime.now(UTC)))
    _refused(world, UsageError,
             r"^reviewer 'ed' holds no current AI-literacy training record \(EU AI Act Art\. 4\)",
             lambda: decide(world.engine, rid, "approve", "ok", principal=people["ed"]))


def test_one_decision_per_reviewer(world: World) -> None:  # noqa: F811
    world.register(tier="high_risk")
    from tests.governance._review_support import HIGH_RISK_CHECKS

    world.audit(checks=HIGH_RISK_CHECKS)
    rid = submit_review(world.engine, SYSTEM, principal=world["olivia"]).review_id
    decide(world.engine, rid, "approve", "ok", principal=world["rita"])
    _refused(world, UsageError, f"^reviewer 'rita' already decided review {rid} \\(approve at",
             lambda: decide(world.engine, rid, "reject", "changed my mind",
                            principal=world["rita"]))


@pytest.mark.parametrize(
    ("decision", "rationale", "kwargs", "match"),
    [
        ("maybe", "ok", {}, "^decision 'maybe' is not known; expected approve, "
                            "approve-with-conditions or reject"),
        ("approve", "  ", {}, "^rationale is empty"),
        ("approve-with-conditions", "ok", {}, "needs at least one condition"),
        ("approve", "ok", {"conditions": ["x"]}, "conditions were given with approve"),
        ("reject", "no", {"conditions": ["x"]}, "a rejection takes no conditions"),
        ("reject", "no", {"advisory": ["x"]}, "a rejection takes no conditions"),
        ("approve_with_conditions", "ok", {"conditions": [" "]}, "^a condition is empty"),
        ("approve_with_conditions", "ok", {"conditions": [{"text": "x", "due_on": "soon"}]},
         "due date 'soon' is not a date; expected YYYY-MM-DD"),
    ],
)
def test_decide_checks_its_input(
    world: World,  # noqa: F811
    decision: str,
    rationale: str,
    kwargs: dict[str, Any],
    match: str,
) -> None:
    rid = _open_review(world)
    _refused(world, UsageError, match,
             lambda: decide(world.engine, rid, decision, rationale, principal=world["rita"],
                            **kwargs))


def test_decide_refuses_a_closed_review(world: World) -> None:  # noqa: F811
    rid, _ = _approved_with_condition(world)
    _refused(world, UsageError,
             f"^review {rid} is approved_with_conditions; decisions are taken on open reviews",
             lambda: decide(world.engine, rid, "reject", "late", principal=world["tom"]))


# ---------------------------------------------------------------------------- conditions


def test_an_owner_cannot_close_their_own_condition(world: World) -> None:  # noqa: F811
    _rid, cid = _approved_with_condition(world)
    # olivia (role owner) lacks the permission; an admin who owns the system is refused too
    _refused(world, AccessError, "may not review.close_condition",
             lambda: close_condition(world.engine, cid, "done", principal=world["olivia"]))
    world.set_system(owner="ada")
    _refused(world, UsageError,
             f"^user 'ada' owns system '{SYSTEM}'; an owner cannot close the conditions of "
             r"their own approval \(that would bypass the gate\)",
             lambda: close_condition(world.engine, cid, "done", principal=world["ada"]))


def test_close_condition_refusals(world: World) -> None:  # noqa: F811
    rid, cid = _approved_with_condition(world)
    for who in ("aud", "vic"):
        _refused(world, AccessError, "may not review.close_condition",
                 lambda who=who: close_condition(world.engine, cid, "done",
                                                 principal=world[who]))
    _refused(world, UsageError, "^closing note is empty",
             lambda: close_condition(world.engine, cid, "", principal=world["rita"]))
    _refused(world, UsageError, f"^no condition 99; open conditions: {cid} \\(review {rid}",
             lambda: close_condition(world.engine, 99, "x", principal=world["rita"]))
    close_condition(world.engine, cid, "done", principal=world["ada"])
    _refused(world, UsageError, f"^condition {cid} was already closed by 'ada' at",
             lambda: close_condition(world.engine, cid, "again", principal=world["rita"]))


# ---------------------------------------------------------------------------- comment, withdraw


def test_comment_refusals(world: World) -> None:  # noqa: F811
    rid = _open_review(world)
    for who in ("aud", "vic"):
        _refused(world, AccessError, "may not review.comment",
                 lambda who=who: comment(world.engine, rid, "hi", principal=world[who]))
    _refused(world, UsageError, "^comment text is empty",
             lambda: comment(world.engine, rid, " \n ", principal=world["rita"]))
    decide(world.engine, rid, "reject", "no", principal=world["rita"])
    decide(world.engine, rid, "approve", "yes", principal=world["sam"])
    _refused(world, UsageError, f"^review {rid} is rejected; comments are taken on open reviews",
             lambda: comment(world.engine, rid, "why?", principal=world["olivia"]))


def test_withdraw_refusals(world: World) -> None:  # noqa: F811
    rid = _open_review(world)
    for who in ("oscar", "rita", "vic"):
        _refused(world, AccessError, f"user '{who}'",
                 lambda who=who: withdraw_review(world.engine, rid, principal=world[who],
                                                 reason="x"))
    _refused(world, UsageError, "^reason is empty",
             lambda: withdraw_review(world.engine, rid, principal=world["olivia"], reason=""))
    withdraw_review(world.engine, rid, principal=world["olivia"], reason="redo")
    _refused(world, UsageError, f"^review {rid} is withdrawn; only an open review",
             lambda: withdraw_review(world.engine, rid, principal=world["olivia"],
                                     reason="again"))


# ---------------------------------------------------------------------------- reads


def test_read_refusals(world: World) -> None:  # noqa: F811
    rid = _open_review(world)
    _refused(world, UsageError, f"^no review 7; expected one of: {rid} \\({SYSTEM}, open\\)",
             lambda: get_review(world.engine, 7, principal=world["vic"]))
    _refused(world, UsageError, "^review id 'x' is not a number",
             lambda: get_review(world.engine, "x", principal=world["vic"]))
    _refused(world, UsageError, "^review status 'done' is not known; expected one of open",
             lambda: list_reviews(world.engine, principal=world["vic"], status="done"))
    _refused(world, UsageError, "^no AI system 'nope'",
             lambda: list_reviews(world.engine, principal=world["vic"], system="nope"))
    no_read = Principal("vic", "viewer", via="token", scopes=frozenset({"system.read"}),
                        token_id="t")
    _refused(world, AccessError, "is not scoped for review.read",
             lambda: get_review(world.engine, rid, principal=no_read))


# ---------------------------------------------------------------------------- separation of duties


def _token_principal(w: World, user: str, issuer: str) -> tuple[Principal, str]:
    """A token for ``user`` created by ``issuer`` (locally), resolved; and its id."""
    from fairmark.governance.identity import resolve_principal
    from fairmark.governance.tokens import create_token

    info, token = create_token(w.engine, user=user, principal=w[issuer])
    return resolve_principal(w.engine, token=token), info.token_id


def _issued_by_other(tid: str, user: str, issuer: str, role: str, verb: str) -> str:
    return (
        f"^token fmk_{tid} of '{user}' was issued by '{issuer}'; {role} {verb} with a token "
        r"they created themselves \(fairmark user token create --password-stdin\)$"
    )


def test_an_admin_issued_token_cannot_decide_comment_or_close(world: World) -> None:  # noqa: F811
    world.register()
    world.audit()
    # an admin may provision a token for owner work: submitting works with it
    olivia, olivia_tid = _token_principal(world, "olivia", "ada")
    assert olivia.issued_by == "ada" and olivia.via == "token"
    rid = submit_review(world.engine, SYSTEM, principal=olivia).review_id
    rita_by_ada, tid = _token_principal(world, "rita", "ada")
    # an admin cannot give what it does not hold: the token has no review.decide at all
    _refused(world, AccessError,
             rf"^user 'rita' \(role reviewer\): token {tid} is not scoped for review\.decide;",
             lambda: decide(world.engine, rid, "approve", "ok", principal=rita_by_ada))
    _refused(world, AccessError, _issued_by_other(tid, "rita", "ada", "a reviewer", "comments"),
             lambda: comment(world.engine, rid, "hi", principal=rita_by_ada))
    _refused(world, AccessError,
             _issued_by_other(olivia_tid, "olivia", "ada", "an owner", "comments"),
             lambda: comment(world.engine, rid, "hi", principal=olivia))
    # the same reviewer with a token she created herself decides
    rita, _ = _token_principal(world, "rita", "rita")
    assert rita.issued_by == "rita"
    decide(world.engine, rid, "approve_with_conditions", "ok", principal=rita,
           conditions=["Document the override"])  # fmt: skip
    info = decide(world.engine, rid, "approve", "ok", principal=world["sam"])
    assert info.status == "approved_with_conditions"
    cid = info.conditions[0].condition_id
    _refused(world, AccessError,
             _issued_by_other(tid, "rita", "ada", "a reviewer", "closes conditions"),
             lambda: close_condition(world.engine, cid, "done", principal=rita_by_ada))
    ada_by_other = Principal("ada", "admin", via="token", scopes=frozenset({"*"}),
                             token_id="0123456789abcdef", issued_by="root")  # fmt: skip
    _refused(world, AccessError,
             _issued_by_other("0123456789abcdef", "ada", "root", "an admin", "closes conditions"),
             lambda: close_condition(world.engine, cid, "done", principal=ada_by_other))
    closed = close_condition(world.engine, cid, "done", principal=rita)
    assert (closed.status, closed.closed_by) == ("closed", "rita")


def test_close_condition_needs_an_assigned_trained_reviewer_not_the_submitter(
    world: World,  # noqa: F811
    seed_people: Callable[..., dict[str, Principal]],
) -> None:
    people = seed_people({"ed": "reviewer"}, trained=False)
    rid, cid = _approved_with_condition(world)  # rita and sam assigned, olivia submitted
    message = _refused(
        world, UsageError,
        f"^user 'tom' is not assigned to review {rid}; a reviewer closes the conditions of "
        "reviews they are assigned to",
        lambda: close_condition(world.engine, cid, "done", principal=world["tom"]),
    )
    assert f"'fairmark review assign {rid} --reviewer tom'" in message
    with world.engine.begin() as conn:  # assigned, but without a current training record
        conn.execute(insert(ReviewAssignment).values(
            review_id=rid, reviewer="ed", assigned_by="ada", assigned_at=datetime.now(UTC)))
    _refused(world, UsageError,
             r"^reviewer 'ed' holds no current AI-literacy training record \(EU AI Act Art\. 4\)",
             lambda: close_condition(world.engine, cid, "done", principal=people["ed"]))
    for submitter in ("ada", "rita"):  # an admin or a reviewer who submitted the review
        world.set_review(rid, submitted_by=submitter)
        _refused(world, UsageError,
                 f"^user '{submitter}' submitted review {rid}; the submitter cannot close the "
                 r"conditions of its approval \(that would bypass the gate\); expected an "
                 "assigned reviewer or an admin$",
                 lambda s=submitter: close_condition(world.engine, cid, "done",
                                                     principal=world[s]))
    world.set_review(rid, submitted_by="olivia")
    closed = close_condition(world.engine, cid, "checked", principal=world["sam"])
    assert (closed.status, closed.closed_by, closed.closing_note) == ("closed", "sam", "checked")
