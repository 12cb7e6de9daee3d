"""The ethics-committee review of an AI system version (issue #7 item 3).

Workflow::

    submit_review      owner/admin submits the system's current model version with an audit
                       run; the policy's quorum of trained reviewers is assigned automatically
    assign_reviewer    admin adds a reviewer (e.g. when too few were eligible); never the
                       system's owner or the review's submitter
    comment            discussion on an open review (or an approval with conditions)
    decide             each assigned reviewer: approve | approve_with_conditions | reject;
                       when the quorum has decided, the review closes:
                       any reject -> rejected (system back to proposed), else approved
                       (with conditions if any were set), valid for approval_valid_days
    close_condition    a reviewer or admin (never the system's owner) closes a condition
    withdraw_review    owner/admin withdraws an open review; once a reviewer has rejected it
                       or set a blocking condition still open, only an admin who neither
                       owns the system nor submitted the review
    get_review / list_reviews   (reads, in :mod:`fairmark.governance.review_read`)
    on_audit_recorded  a failed re-audit of an approved or deployed system reopens its review

Every write checks the role (:func:`fairmark.governance.access.authorize`), records the
bootstrap admin if needed (:func:`fairmark.governance.identity.ensure_actor`), makes every
check before writing, and writes the change and its log entries
(:func:`fairmark.governance.chain.append_entry`) in one transaction, so a refusal leaves
the store unchanged.

Separation of duties: a reviewer never decides a system they own or submitted, an owner
never closes the conditions of their own approval, and neither the owner nor the submitter
assigns reviewers. Every write that reads the system's policy (submit: quorum and tier;
decide: the approval's lifetime) refuses a policy file that is not the content an admin
recorded (:func:`_pinned_policy`). No review shopping: a review a
reviewer rejected, or with an open blocking condition, cannot be withdrawn by its owner or
submitter, a system rejected for a
model version and audit cannot be resubmitted with the same ones, and a new review shows
the previous review's decisions and conditions and assigns its rejecting reviewers again
first; while any review of the model version (approved, withdrawn, reopened, rejected) has
an open blocking condition, a new review needs a newer audit, and the gate stays closed until
the condition is closed.
Reviewers must hold a current AI-literacy training record when assigned and when deciding.

Sources: EU AI Act (Regulation (EU) 2024/1689) Art. 4 (AI literacy), Art. 9 (risk
management), Art. 17(1)(a) and (d) (quality management: compliance strategy, examination
before placing on the market); ISO/IEC 42001:2023 clause 5.3 (roles), 9.3 (management
review) and A.3.2 (AI roles and responsibilities); NIST SP 800-53 AC-5 (separation of
duties); NIST AI RMF 1.0, GOVERN 2.1 and 4.1.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from fairmark.errors import UsageError
from fairmark.governance.access import Principal, authorize, require_self_issued
from fairmark.governance.chain import _lock_head, append_entry
from fairmark.governance.clock import db_now
from fairmark.governance.gate import (
    APPROVED_STATUSES,
    CLOCK_SKEW,
    describe_policy,
    is_audit_document,
    judged_policy,
    latest_audit,
    latest_decided_review,
    open_blocking_conditions,
    policy_option,
    policy_record_problem,
    store_guard,
    system_policy,
    system_row,
    system_tier,
)
from fairmark.governance.inventory import (
    apply_material_change,
    audit_predates_model,
    move_status,
    recorded_policy,
)
from fairmark.governance.review_read import (
    DUE_WITHIN_DAYS,
    AssignmentInfo,
    CommentInfo,
    ConditionInfo,
    ConditionSpec,
    DecisionInfo,
    PreviousReviewInfo,
    ReviewInfo,
    _condition_row,
    _is_current,
    _iso,
    _previous_review,
    _review_info,
    _review_row,
    get_review,
    list_reviews,
)
from fairmark.store.db import write_transaction
from fairmark.store.models import AuditRun
from fairmark.store.models_governance import (
    Condition,
    Review,
    ReviewAssignment,
    ReviewComment,
    ReviewDecision,
    SystemRow,
    User,
)

__all__ = [
    "COMMENTABLE_STATUSES",
    "DECISIONS",
    "DUE_WITHIN_DAYS",
    "AssignmentInfo",
    "CommentInfo",
    "ConditionInfo",
    "ConditionSpec",
    "DecisionInfo",
    "PreviousReviewInfo",
    "ReviewInfo",
    "assign_reviewer",
    "close_condition",
    "comment",
    "decide",
    "get_review",
    "list_reviews",
    "normalise_decision",
    "on_audit_recorded",
    "submit_review",
    "withdraw_review",
]

DECISIONS: tuple[str, ...] = ("approve", "approve_with_conditions", "reject")
"""A reviewer's decisions (``-`` and spaces are accepted for ``_`` on input)."""

COMMENTABLE_STATUSES: tuple[str, ...] = ("open", "approved_with_conditions")
"""Reviews that take comments: open ones, and approvals whose conditions are followed up."""

FAILED_VERDICTS: tuple[str, ...] = ("fail", "insufficient_evidence")
"""Audit verdicts that reopen the review of an approved or deployed system."""

SUBMITTABLE_STATUSES: tuple[str, ...] = ("proposed", "in_review", "approved", "deployed")
"""System statuses a review can be submitted from (``in_review`` after a reopened review)."""

_SHOWN_IDS = 10
_TRAINING_HINT = (
    "(EU AI Act Art. 4); record one with 'fairmark user training record {name} "
    "--course C --completed YYYY-MM-DD'"
)


# --------------------------------------------------------------------------- input checks


def normalise_decision(decision: str) -> str:
    """Return the canonical decision id: ``approve-with-conditions`` -> ``approve_with_conditions``.

    Raises
    ------
    UsageError
        Not one of :data:`DECISIONS`.
    """
    key = "_".join(str(decision).strip().lower().replace("-", " ").split())
    if key not in DECISIONS:
        raise UsageError(
            f"decision {decision!r} is not known; expected approve, approve-with-conditions "
            "or reject"
        )
    return key


def _text(value: Any, what: str, expected: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{what} is empty; expected {expected}")
    return value.strip()


def _condition_specs(items: Iterable[Any], kind: str) -> list[ConditionSpec]:
    if isinstance(items, str | bytes):
        items = [items]
    specs = []
    for item in items:
        if isinstance(item, ConditionSpec):
            spec = item
        elif isinstance(item, str):
            spec = ConditionSpec(item)
        elif isinstance(item, Mapping):
            spec = ConditionSpec(str(item.get("text", "")), item.get("due_on"))
        else:
            raise UsageError(
                f"{kind} {item!r} is not text; expected a string or ConditionSpec(text, due_on)"
            )
        text = _text(spec.text, f"a {kind}", "what must be done, as text")
        due = spec.due_on
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due.strip())
            except ValueError:
                raise UsageError(
                    f"{kind} due date {spec.due_on!r} is not a date; expected YYYY-MM-DD"
                ) from None
        if isinstance(due, datetime):
            due = due.date()
        if due is not None and not isinstance(due, date):
            raise UsageError(f"{kind} due date {due!r} is not a date; expected YYYY-MM-DD")
        specs.append(ConditionSpec(text, due))
    return specs


# --------------------------------------------------------------------------- writes


def _serialise(conn: Connection) -> None:
    """Take the audit log's append lock first, so each write sees a settled state.

    Every governance write appends to the log and so takes this lock anyway
    (:func:`fairmark.governance.chain.append_entry`); taking it before the checks makes
    check-then-write atomic on PostgreSQL (two submissions cannot both find no open
    review; two last decisions cannot both miss the quorum). On SQLite the transaction's
    ``BEGIN IMMEDIATE`` already serialises writers.
    """
    _lock_head(conn)


def _identity() -> Any:
    from fairmark.governance import identity

    return identity


def _log(conn: Connection, principal: Principal, action: str, kind: str, ident: Any,
         payload: dict[str, Any], at: datetime) -> None:  # fmt: skip
    append_entry(
        conn,
        actor=principal.name,
        action=action,
        entity_type=kind,
        entity_id=str(ident),
        payload=payload,
        at=at,
    )


def _move(conn: Connection, principal: Principal, name: str, target: str, by: str,
          reason: str | None, at: datetime) -> str:  # fmt: skip
    """Change the system's status through the inventory's transition rules (logged at ``at``)."""
    return move_status(conn, name, target, actor=principal.name, by=by, reason=reason, at=at)


def _pinned_policy(conn: Connection, system: Any, policy: Any = None) -> Any:
    """Return the policy a review write reads, refusing a file an admin did not record.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the write transaction.
    system : row of ``gov_systems``
    policy : Policy, str or None
        ``None``: the system's own policy, whose file must have the SHA-256 recorded in the
        audit log when an admin set it; a policy given by a Python caller is used as is.

    Returns
    -------
    fairmark.policy.model.Policy
        Loaded once: the write uses this object, never the file read again.

    Raises
    ------
    UsageError
        The file is not the content recorded
        (:func:`fairmark.governance.gate.policy_record_problem`, the gate's
        ``policy_changed`` line).
    PolicyError
        The policy file cannot be read or is invalid.

    Notes
    -----
    Whoever can write the file could otherwise set the quorum or the approval's lifetime
    (``approval_valid_days``) for the write and restore the file before the gate runs.
    Source: NIST SP 800-53 AC-5 (separation of duties: only an admin chooses the policy);
    EU AI Act Art. 12 (record-keeping).
    """
    pol = system_policy(system, policy)
    if policy is None:
        problem = policy_record_problem(system, pol, recorded_policy(conn, system.name))
        if problem is not None:
            raise UsageError(problem)
    return pol


def _resolve_run(conn: Connection, system: Any, run_id: str | None) -> Any:
    name = system.name
    if run_id is None:
        run = latest_audit(conn, name)
        if run is None:
            raise UsageError(
                f"no audit run is recorded for system {name!r}; run one first with "
                f"'fairmark audit DATA ... --system {name}'"
            )
        return run
    prefix = str(run_id).strip().lower()
    if not prefix:
        raise UsageError("run id is empty; expected a run id or unique prefix")
    rows = conn.execute(
        select(AuditRun.run_id, AuditRun.created_at, AuditRun.verdict, AuditRun.report,
               AuditRun.system_name)
        .where(AuditRun.run_id.startswith(prefix, autoescape=True))
        .order_by(AuditRun.run_id)
        .limit(_SHOWN_IDS)
    ).all()  # fmt: skip
    exact = [r for r in rows if r.run_id == prefix]
    rows = exact or rows
    if not rows:
        raise UsageError(
            f"no run {run_id!r}; expected one of system {name!r}'s runs "
            f"('fairmark runs list --system {name}')"
        )
    if len(rows) > 1:
        raise UsageError(
            f"run id prefix {run_id!r} is ambiguous: it matches "
            f"{', '.join(r.run_id for r in rows)}; expected more characters"
        )
    run = rows[0]
    if run.system_name != name:
        owner = f"system {run.system_name!r}" if run.system_name else "no system"
        raise UsageError(
            f"run {run.run_id} belongs to {owner}, not {name!r}; expected one of its runs "
            f"('fairmark runs list --system {name}')"
        )
    if run.created_at > db_now(conn) + CLOCK_SKEW:
        raise UsageError(
            f"run {run.run_id} is dated {_iso(run.created_at)}, in the future; expected an "
            "audit that has already run"
        )
    if not is_audit_document(run.report):
        raise UsageError(
            f"run {run.run_id} is a {run.report.get('kind')} run, not an audit; expected an "
            "audit run ('fairmark audit ... --system NAME')"
        )
    return run


def _eligible_reviewers(
    conn: Connection, *, exclude: set[str], on: date, limit: int, first: Sequence[str] = ()
) -> list[str]:
    """The ``limit`` reviewers to assign: the eligible ones of ``first`` (in that order),
    then the least loaded (fewest open assignments, ties by name). Eligible: role reviewer,
    enabled, a current AI-literacy training record on ``on``, not in ``exclude``."""
    identity = _identity()
    names = conn.execute(
        select(User.name)
        .where(User.role == "reviewer", User.disabled_at.is_(None))
        .order_by(User.name)
    ).scalars()
    trained = [
        n for n in names if n not in exclude and identity.current_training(conn, n, on) is not None
    ]
    load = dict(
        conn.execute(
            select(ReviewAssignment.reviewer, func.count())
            .join(Review, Review.review_id == ReviewAssignment.review_id)
            .where(Review.status == "open")
            .group_by(ReviewAssignment.reviewer)
        ).all()
    )
    again = [n for n in dict.fromkeys(first) if n in trained]
    rest = sorted((n for n in trained if n not in again), key=lambda n: (int(load.get(n, 0)), n))
    return (again + rest)[:limit]


def _latest_rejection(conn: Connection, system_name: str) -> Any | None:
    """The system's latest review holding a ``reject`` decision, whatever its status now
    (``rejected``, or ``withdrawn``/``reopened`` before the quorum), with its audit's date
    and the rejecting reviewers; ``None`` if no reviewer ever rejected the system."""
    row = conn.execute(
        select(Review.review_id, Review.status, Review.model_version, Review.run_id,
               AuditRun.created_at.label("run_created_at"))
        .join(AuditRun, AuditRun.run_id == Review.run_id)
        .where(
            Review.system_name == system_name,
            Review.review_id.in_(
                select(ReviewDecision.review_id).where(ReviewDecision.decision == "reject")
            ),
        )
        .order_by(Review.review_id.desc())
        .limit(1)
    ).first()  # fmt: skip
    if row is None:
        return None
    return row, _rejecters(conn, int(row.review_id))


def _rejecters(conn: Connection, rid: int) -> list[Any]:
    """``(reviewer, created_at)`` of the ``reject`` decisions on review ``rid``, oldest first."""
    return list(
        conn.execute(
            select(ReviewDecision.reviewer, ReviewDecision.created_at)
            .where(ReviewDecision.review_id == rid, ReviewDecision.decision == "reject")
            .order_by(ReviewDecision.created_at, ReviewDecision.reviewer)
        ).all()
    )


def _names(rows: Iterable[Any]) -> str:
    return ", ".join(repr(r.reviewer) for r in rows)


def _check_changed_since_rejection(conn: Connection, system: Any, run: Any) -> None:
    """Refuse a resubmission of the model version and audit a reviewer rejected.

    A resubmission after a rejection must differ in something the committee examines: a
    new model version, or an audit run dated after the rejected review's run.
    """
    found = _latest_rejection(conn, system.name)
    if found is None:
        return
    prior, rejecters = found
    if prior.model_version != system.model_version or run.created_at > prior.run_created_at:
        return
    name = system.name
    same = "is the one rejected" if run.run_id == prior.run_id else "is not newer than it"
    raise UsageError(
        f"review {prior.review_id} of system {name!r} was rejected by {_names(rejecters)} "
        f"for model version {prior.model_version!r} with audit {prior.run_id}; audit "
        f"{run.run_id} {same} and the model version is unchanged; expected a change: a newer audit "
        f"('fairmark audit DATA ... --system {name}') or a new model version "
        f"('fairmark system update {name} --model-version V')"
    )


def _check_changed_since_conditions(conn: Connection, system: Any, run: Any) -> None:
    """Refuse a re-review of a review whose blocking conditions are still open, unchanged.

    While a review of the system's current model version, whatever its status (approved,
    reopened, withdrawn before its quorum, rejected), has an open blocking condition
    (:func:`fairmark.governance.gate.open_blocking_conditions`), a new review must examine
    something new: an audit run dated after that review's run. A plain approval of the
    same model version and audit would otherwise seem to supersede the conditions (the
    gate keeps them blocking anyway; this says so at submission).
    """
    conditions = open_blocking_conditions(conn, system)
    if not conditions:
        return
    held = max(int(c.review_id) for c in conditions)
    prior = conn.execute(
        select(
            Review.review_id, Review.run_id, Review.status,
            AuditRun.created_at.label("run_created_at"),
        )
        .join(AuditRun, AuditRun.run_id == Review.run_id)
        .where(Review.review_id == held)
    ).first()  # fmt: skip
    if prior is None or run.created_at > prior.run_created_at:
        return
    name = system.name
    first = conditions[0]
    version = system.model_version
    if prior.status in (*APPROVED_STATUSES, "reopened"):
        what = f"approved model version {version!r} with audit {prior.run_id} under"
        same = "is the one approved" if run.run_id == prior.run_id else "is not newer than it"
    else:  # withdrawn before its quorum, or rejected by another reviewer
        what = f"({prior.status}) reviewed model version {version!r} with audit {prior.run_id};"
        what += " it has"
        same = "is the one reviewed" if run.run_id == prior.run_id else "is not newer than it"
    raise UsageError(
        f"review {held} of system {name!r} {what} {len(conditions)} open blocking condition(s) "
        f"(condition {first.condition_id} of review {first.review_id}: "
        f"{' '.join(first.text.split())}); audit {run.run_id} {same} and the model version "
        f"is unchanged; expected the conditions closed ('fairmark review close-condition "
        f"{first.condition_id} --note TEXT', a reviewer or admin), a newer audit "
        f"('fairmark audit DATA ... --system {name}') or a new model version "
        f"('fairmark system update {name} --model-version V')"
    )


def submit_review(
    engine: Engine,
    system_name: str,
    *,
    principal: Principal,
    run_id: str | None = None,
    note: str | None = None,
    policy: Any = None,
) -> ReviewInfo:
    """Submit a system's current model version for review, with an audit run.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    system_name : str
        A registered, risk-classified AI system.
    principal : Principal
        Needs ``review.submit``: the system's owner or an admin.
    run_id : str, optional
        The audit run to submit (id or unique prefix); default: the system's latest audit.
    note : str, optional
        For the reviewers.
    policy : Policy or str, optional
        Policy giving the quorum; default the system's own (``gov_systems.policy``).

    Returns
    -------
    ReviewInfo
        The open review, with the reviewers assigned automatically: the ``quorum`` least
        loaded (fewest open assignments, ties by name) enabled reviewers holding a current
        AI-literacy training record, never the system's owner or the submitter. The
        reviewers who rejected the previous review (``ReviewInfo.previous``: the system's
        latest review with a decision) come first while still eligible. When fewer are
        eligible, ``needs_reviewers`` says how many an admin must still assign.

    Raises
    ------
    AccessError
        Not the owner or an admin.
    UsageError
        Unknown system; the system is retired, not risk-classified or in a tier that may never
        deploy (prohibited practice, EU AI Act Art. 5); its policy file is not the content an admin
        recorded (:func:`fairmark.governance.gate.policy_record_problem`); a review is already open;
        no audit run is recorded for it; ``run_id`` is unknown, another system's, not an audit or
        dated in the future; the audit was judged against another policy than the system's (the gate
        would never accept it); the audit predates the current model version; a reviewer rejected
        the system's current model version with this audit or a newer one (the latest review holding
        a ``reject`` decision, even one withdrawn or reopened before its quorum; the message names
        it and asks for a newer audit or a
        new model version); an approval of the current model version has an open blocking
        condition and the audit is not newer than that approval's (the message names the
        condition). The store is unchanged.
    StoreError
        The database fails.

    Notes
    -----
    Quorum: ``policy.settings.governance.quorum_for(tier)`` (EU AI Act Art. 17; ISO/IEC
    42001:2023 clause 9.3). Logs ``review.submit`` (with ``previous_review_id``) and one
    ``review.assign`` per reviewer (with ``rejected_review_id`` for a rejecting reviewer
    assigned again). Resubmitting what was rejected to other reviewers ("review shopping")
    would defeat the examination of EU AI Act Art. 17(1)(d) and the segregation of
    ISO/IEC 42001:2023 A.3.2 and NIST SP 800-53 AC-5.
    """
    authorize(principal, "review.submit")
    note = note.strip() if isinstance(note, str) and note.strip() else None
    with store_guard(engine.url, "cannot submit review"), write_transaction(engine) as conn:
        _serialise(conn)
        now = db_now(conn)  # the store's clock, after the log lock
        system = system_row(conn, system_name)
        authorize(principal, "review.submit", owner=system.owner)
        _identity().ensure_actor(conn, principal)
        name = system.name
        if system.status not in SUBMITTABLE_STATUSES:
            raise UsageError(
                f"system {name!r} is {system.status}; a retired system cannot be submitted "
                "for review"
            )
        tier = system_tier(system)
        if tier is None:
            raise UsageError(
                f"system {name!r} is not risk-classified; classify it first with "
                f"'fairmark system classify {name} --answers FILE'"
            )
        pol = _pinned_policy(conn, system, policy)
        gov = pol.settings.governance
        if tier == "prohibited" or not gov.tier(tier).deployable:
            raise UsageError(
                f"system {name!r} is in tier {tier}, which may never be deployed "
                "(EU AI Act Art. 5 prohibited practices); it cannot be reviewed for deployment"
            )
        open_id = conn.execute(
            select(Review.review_id).where(Review.system_name == name, Review.status == "open")
        ).scalar()
        if open_id is not None:
            raise UsageError(
                f"review {open_id} is already open for system {name!r}; follow it with "
                f"'fairmark review show {open_id}' or withdraw it with "
                f"'fairmark review withdraw {open_id} --reason TEXT'"
            )
        run = _resolve_run(conn, system, run_id)
        judged = judged_policy(run.report)
        if judged is None or judged.get("sha256") != pol.sha256:
            raise UsageError(
                f"audit {run.run_id} was judged against {describe_policy(judged)}, not the "
                f"system's policy {pol.id} v{pol.version} (sha256 {pol.sha256[:12]}); run a "
                f"new audit with '--policy {policy_option(pol)}' and '--system {name}'"
            )
        if audit_predates_model(run.created_at, system.model_version_at):
            raise UsageError(
                f"audit {run.run_id} ({_iso(run.created_at)}) predates model version "
                f"{system.model_version!r} registered at {_iso(system.model_version_at)}; "
                f"run a new audit with 'fairmark audit DATA ... --system {name}'"
            )
        _check_changed_since_rejection(conn, system, run)
        _check_changed_since_conditions(conn, system, run)
        previous = _previous_review(conn, name, None)
        again = [] if previous is None else _rejecters(conn, int(previous.review_id))
        quorum = gov.quorum_for(tier)
        review_id = conn.execute(
            insert(Review).values(
                system_name=name,
                model_version=system.model_version,
                run_id=run.run_id,
                status="open",
                quorum=quorum,
                submitted_by=principal.name,
                submitted_at=now,
                note=note,
            )
        ).inserted_primary_key[0]
        _log(conn, principal, "review.submit", "review", review_id, {
            "review_id": int(review_id),
            "system": name,
            "model_version": system.model_version,
            "run_id": run.run_id,
            "run_verdict": run.verdict,
            "quorum": quorum,
            "tier": tier,
            "policy": {"id": pol.id, "version": pol.version, "sha256": pol.sha256},
            "note": note,
            "system_status": {"from": system.status, "to": "in_review"},
            "previous_review_id": None if previous is None else int(previous.review_id),
        }, now)  # fmt: skip
        _move(conn, principal, name, "in_review", "review.submit", f"review {review_id} submitted",
              now)  # fmt: skip
        chosen = _eligible_reviewers(
            conn, exclude={system.owner, principal.name}, on=now.date(), limit=quorum,
            first=[r.reviewer for r in again],
        )  # fmt: skip
        for reviewer in chosen:
            conn.execute(
                insert(ReviewAssignment).values(
                    review_id=review_id, reviewer=reviewer, assigned_by=principal.name,
                    assigned_at=now,
                )
            )  # fmt: skip
            entry: dict[str, Any] = {
                "review_id": int(review_id),
                "reviewer": reviewer,
                "automatic": True,
            }
            if previous is not None and reviewer in {r.reviewer for r in again}:
                entry["rejected_review_id"] = int(previous.review_id)
            _log(conn, principal, "review.assign", "review", review_id, entry, now)
        review = _review_row(conn, review_id)
        return _review_info(conn, review, now)


def assign_reviewer(
    engine: Engine, review_id: int | str, reviewer: str, *, principal: Principal
) -> ReviewInfo:
    """Assign one more reviewer to an open review.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    review_id : int or str
    reviewer : str
        An enabled user with role ``reviewer`` holding a current AI-literacy training
        record (EU AI Act Art. 4), neither the system's owner nor the submitter, not yet
        assigned.
    principal : Principal
        Needs ``review.assign`` (admin), and must neither own the system nor have
        submitted the review: choosing one's own reviewers would defeat the review, as
        withdrawing a rejected review and closing one's own conditions would.

    Returns
    -------
    ReviewInfo

    Raises
    ------
    AccessError
        Not an admin.
    UsageError
        Unknown review or user; the review is not open; the principal owns the system or
        submitted the review; the reviewer is ineligible (the message names why). The store
        is unchanged.
    StoreError
        The database fails.

    Notes
    -----
    Separation of duties: NIST SP 800-53 AC-5; ISO/IEC 42001:2023 A.3.2. Logs
    ``review.assign`` with ``automatic: false``.
    """
    authorize(principal, "review.assign")
    with store_guard(engine.url, "cannot assign reviewer"), write_transaction(engine) as conn:
        _serialise(conn)
        now = db_now(conn)  # the store's clock, after the log lock
        _identity().ensure_actor(conn, principal)
        review = _review_row(conn, review_id)
        rid = int(review.review_id)
        if review.status != "open":
            raise UsageError(
                f"review {rid} is {review.status}; reviewers are assigned to open reviews only"
            )
        system = system_row(conn, review.system_name)
        me = principal.name
        if me in (system.owner, review.submitted_by):
            role = f"owns system {system.name!r}"
            if me != system.owner:
                role = f"submitted review {rid}"
            raise UsageError(
                f"user {me!r} {role}; the owner and the submitter cannot choose the "
                "reviewers of their own system (separation of duties); expected an admin who "
                "neither owns the system nor submitted the review"
            )
        user = _identity().get_user(conn, reviewer)
        if not user.enabled:
            raise UsageError(f"user {reviewer!r} is disabled; expected an enabled reviewer")
        if user.role != "reviewer":
            raise UsageError(
                f"user {reviewer!r} has role {user.role}; expected a user with role reviewer "
                f"('fairmark user set-role {reviewer} reviewer')"
            )
        if reviewer == system.owner:
            raise UsageError(
                f"reviewer {reviewer!r} owns system {system.name!r}; a reviewer may not "
                "review their own system"
            )
        if reviewer == review.submitted_by:
            raise UsageError(
                f"reviewer {reviewer!r} submitted review {rid}; a reviewer may not review "
                "their own submission"
            )
        if _identity().current_training(conn, reviewer, now.date()) is None:
            raise UsageError(
                f"reviewer {reviewer!r} holds no current AI-literacy training record "
                + _TRAINING_HINT.format(name=reviewer)
            )
        already = conn.execute(
            select(ReviewAssignment.reviewer).where(
                ReviewAssignment.review_id == rid, ReviewAssignment.reviewer == reviewer
            )
        ).scalar()
        if already is not None:
            raise UsageError(f"reviewer {reviewer!r} is already assigned to review {rid}")
        conn.execute(
            insert(ReviewAssignment).values(
                review_id=rid, reviewer=reviewer, assigned_by=principal.name, assigned_at=now
            )
        )
        _log(conn, principal, "review.assign", "review", rid,
             {"review_id": rid, "reviewer": reviewer, "automatic": False}, now)  # fmt: skip
        return _review_info(conn, review, now)


def comment(
    engine: Engine, review_id: int | str, body: str, *, principal: Principal
) -> CommentInfo:
    """Add a comment to a review.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    review_id : int or str
        An open review, or an approval with conditions (to follow the conditions up).
    body : str
        The comment (not empty).
    principal : Principal
        Needs ``review.comment`` (admin, owner, reviewer); through a token, one the
        author created themselves (:func:`fairmark.governance.access.require_self_issued`).

    Returns
    -------
    CommentInfo

    Raises
    ------
    AccessError
        Not permitted (auditor, viewer); a token issued by someone else.
    UsageError
        Empty text; unknown review; the review takes no comments in its status.
    StoreError
        The database fails.
    """
    authorize(principal, "review.comment")
    require_self_issued(principal, "comments")
    text = _text(body, "comment text", "what you want to say (--text TEXT)")
    with store_guard(engine.url, "cannot comment"), write_transaction(engine) as conn:
        _serialise(conn)
        now = db_now(conn)  # the store's clock, after the log lock
        _identity().ensure_actor(conn, principal)
        review = _review_row(conn, review_id)
        rid = int(review.review_id)
        if review.status not in COMMENTABLE_STATUSES:
            raise UsageError(
                f"review {rid} is {review.status}; comments are taken on open reviews and on "
                "approvals with conditions"
            )
        comment_id = str(uuid.uuid4())
        conn.execute(
            insert(ReviewComment).values(
                comment_id=comment_id, review_id=rid, author=principal.name, body=text,
                created_at=now,
            )
        )  # fmt: skip
        _log(conn, principal, "review.comment", "review", rid,
             {"review_id": rid, "comment_id": comment_id, "body": text}, now)  # fmt: skip
        return CommentInfo(comment_id, rid, principal.name, text, now)


def decide(
    engine: Engine,
    review_id: int | str,
    decision: str,
    rationale: str,
    *,
    principal: Principal,
    conditions: Sequence[str | ConditionSpec] = (),
    advisory: Sequence[str | ConditionSpec] = (),
) -> ReviewInfo:
    """Record an assigned reviewer's decision; close the review when the quorum is reached.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    review_id : int or str
    decision : {"approve", "approve_with_conditions", "reject"}
        Hyphens and spaces accepted (``approve-with-conditions``).
    rationale : str
        Why (not empty).
    principal : Principal
        Needs ``review.decide`` (role reviewer), must be assigned to the review, neither
        the system's owner nor the submitter, and hold a current AI-literacy training
        record today (EU AI Act Art. 4); through a token, one they created themselves
        (an admin-issued token would let the admin decide in their name).
    conditions : sequence of str or ConditionSpec
        Blocking conditions (``fairmark gate`` stays closed until each is closed); at least
        one for ``approve_with_conditions``, none otherwise.
    advisory : sequence of str or ConditionSpec
        Non-blocking conditions (tracked and listed, never blocking); only with an approval.

    Returns
    -------
    ReviewInfo
        After the decision. When ``quorum`` decisions are in: any ``reject`` makes the
        review ``rejected`` and the system ``proposed``; otherwise it is
        ``approved_with_conditions`` if it has any condition, else ``approved``, expiring
        ``approval_valid_days`` later, and the system is ``approved``.

    Raises
    ------
    AccessError
        Not a reviewer; a token issued by someone else (``token fmk_… of 'rahul' was
        issued by 'root'; a reviewer decides with a token they created themselves``).
    UsageError
        Unknown decision or review; empty rationale or condition; conditions that do not
        fit the decision; the review is not open; the reviewer is not assigned, owns or
        submitted the system ("a reviewer may not decide their own system"), has no
        current training, or already decided; the system's policy file is not the content
        an admin recorded (the gate's ``policy_changed`` line,
        :func:`fairmark.governance.gate.policy_record_problem`: the approval's lifetime
        ``approval_valid_days`` is read from it). The store is unchanged.
    PolicyError
        The system's policy file cannot be read.
    StoreError
        The database fails.

    Notes
    -----
    Logs ``review.decide`` and, when the quorum is reached, ``review.close``.
    """
    authorize(principal, "review.decide")
    require_self_issued(principal, "decides")
    choice = normalise_decision(decision)
    why = _text(rationale, "rationale", "why you decide so (--rationale TEXT)")
    blocking = _condition_specs(conditions, "condition")
    optional = _condition_specs(advisory, "advisory condition")
    if choice == "approve_with_conditions" and not blocking:
        raise UsageError(
            "approve-with-conditions needs at least one condition; expected --condition TEXT"
        )
    if choice == "approve" and blocking:
        raise UsageError(
            "conditions were given with approve; expected --decision approve-with-conditions"
        )
    if choice == "reject" and (blocking or optional):
        raise UsageError("conditions were given with reject; a rejection takes no conditions")
    with store_guard(engine.url, "cannot record decision"), write_transaction(engine) as conn:
        _serialise(conn)
        now = db_now(conn)  # the store's clock, after the log lock
        _identity().ensure_actor(conn, principal)
        review = _review_row(conn, review_id)
        rid = int(review.review_id)
        if review.status != "open":
            raise UsageError(
                f"review {rid} is {review.status}; decisions are taken on open reviews only"
            )
        system = system_row(conn, review.system_name)
        me = principal.name
        if me == system.owner:
            raise UsageError(
                f"a reviewer may not decide their own system: {me!r} owns {system.name!r}"
            )
        if me == review.submitted_by:
            raise UsageError(
                f"a reviewer may not decide their own system: {me!r} submitted review {rid}"
            )
        _require_assigned_and_trained(
            conn, rid, me, now,
            f"an admin assigns reviewers with 'fairmark review assign {rid} --reviewer {me}'",
        )  # fmt: skip
        earlier = conn.execute(
            select(ReviewDecision.decision, ReviewDecision.created_at).where(
                ReviewDecision.review_id == rid, ReviewDecision.reviewer == me
            )
        ).first()
        if earlier is not None:
            raise UsageError(
                f"reviewer {me!r} already decided review {rid} ({earlier.decision} at "
                f"{_iso(earlier.created_at)}); a decision is final"
            )
        pol = _pinned_policy(conn, system)  # the approval's lifetime comes from the file
        conn.execute(
            insert(ReviewDecision).values(
                decision_id=str(uuid.uuid4()), review_id=rid, reviewer=me, decision=choice,
                rationale=why, created_at=now,
            )
        )  # fmt: skip
        created = []
        for spec, is_blocking in [(s, True) for s in blocking] + [(s, False) for s in optional]:
            cid = conn.execute(
                insert(Condition).values(
                    review_id=rid, text=spec.text, blocking=is_blocking, due_on=spec.due_on,
                    status="open", created_by=me, created_at=now,
                )
            ).inserted_primary_key[0]  # fmt: skip
            created.append(
                {"condition_id": int(cid), "text": spec.text, "blocking": is_blocking,
                 "due_on": _iso(spec.due_on)}
            )  # fmt: skip
        _log(conn, principal, "review.decide", "review", rid, {
            "review_id": rid, "system": system.name, "decision": choice, "rationale": why,
            "conditions": created,
        }, now)  # fmt: skip
        _close_if_quorum(conn, principal, review, system, pol, now)
        return _review_info(conn, _review_row(conn, rid), now)


def _close_if_quorum(
    conn: Connection, principal: Principal, review: Any, system: Any, pol: Any, now: datetime
) -> None:
    rid = int(review.review_id)
    decisions = list(
        conn.execute(
            select(ReviewDecision.decision).where(ReviewDecision.review_id == rid)
        ).scalars()
    )
    if len(decisions) < int(review.quorum):
        return
    n_conditions = conn.execute(
        select(func.count()).select_from(Condition).where(Condition.review_id == rid)
    ).scalar_one()
    expires_at = None
    if "reject" in decisions:
        outcome, system_status = "rejected", "proposed"
    else:
        outcome = "approved_with_conditions" if n_conditions else "approved"
        system_status = "approved"
        days = pol.settings.governance.approval_valid_days  # checked by _pinned_policy
        expires_at = now + timedelta(days=days)
    conn.execute(
        update(Review)
        .where(Review.review_id == rid)
        .values(status=outcome, decided_at=now, expires_at=expires_at)
    )
    current = conn.execute(select(SystemRow.status).where(SystemRow.name == system.name)).scalar()
    _log(conn, principal, "review.close", "review", rid, {
        "review_id": rid, "system": system.name, "outcome": outcome,
        "decisions": {d: decisions.count(d) for d in DECISIONS if d in decisions},
        "decided_at": _iso(now), "expires_at": _iso(expires_at),
        "system_status": {"from": current, "to": system_status},
    }, now)  # fmt: skip
    _move(conn, principal, system.name, system_status, "review.decide", f"review {rid} {outcome}",
          now)  # fmt: skip


def close_condition(
    engine: Engine, condition_id: int | str, note: str, *, principal: Principal
) -> ConditionInfo:
    """Close a condition of a review.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    condition_id : int or str
    note : str
        How the condition was met (not empty).
    principal : Principal
        Needs ``review.close_condition`` (reviewer or admin) and must neither own the
        system nor have submitted the review: closing one's own conditions would bypass
        the gate. A reviewer must also be assigned to the review and hold a current
        AI-literacy training record today (EU AI Act Art. 4), as for a decision. Through
        a token, one they created themselves.

    Returns
    -------
    ConditionInfo
        The closed condition.

    Raises
    ------
    AccessError
        Not a reviewer or admin; a token issued by someone else.
    UsageError
        Empty note; unknown condition (open ones listed); already closed; the principal
        owns the system or submitted the review; a reviewer not assigned to the review
        or without current training. The store is unchanged.
    StoreError
        The database fails.

    Notes
    -----
    Separation of duties: NIST SP 800-53 AC-5; logs ``condition.close``.
    """
    authorize(principal, "review.close_condition")
    require_self_issued(principal, "closes conditions")
    text = _text(note, "closing note", "how the condition was met (--note TEXT)")
    with store_guard(engine.url, "cannot close condition"), write_transaction(engine) as conn:
        _serialise(conn)
        now = db_now(conn)  # the store's clock, after the log lock
        _identity().ensure_actor(conn, principal)
        row = _condition_row(conn, condition_id)
        cid = int(row.condition_id)
        if row.status == "closed":
            raise UsageError(
                f"condition {cid} was already closed by {row.closed_by!r} at "
                f"{_iso(row.closed_at)}"
            )
        review = _review_row(conn, row.review_id)
        system = system_row(conn, review.system_name)
        if principal.name == system.owner:
            raise UsageError(
                f"user {principal.name!r} owns system {system.name!r}; an owner cannot close "
                "the conditions of their own approval (that would bypass the gate); expected "
                "a reviewer or an admin"
            )
        _check_closer(conn, principal, review, now)
        conn.execute(
            update(Condition)
            .where(Condition.condition_id == cid)
            .values(status="closed", closed_by=principal.name, closed_at=now, closing_note=text)
        )
        _log(conn, principal, "condition.close", "condition", cid, {
            "condition_id": cid, "review_id": int(review.review_id), "system": system.name,
            "blocking": bool(row.blocking), "note": text,
        }, now)  # fmt: skip
        closed = conn.execute(select(Condition).where(Condition.condition_id == cid)).one()
        return ConditionInfo.from_row(closed)


def _require_assigned_and_trained(
    conn: Connection, rid: int, me: str, now: datetime, hint: str
) -> None:
    """Refuse unless ``me`` is assigned to review ``rid`` and holds a current AI-literacy
    training record on ``now``'s date (EU AI Act Art. 4).

    Raises
    ------
    UsageError
        Not assigned (the message ends with ``hint``: who assigns, and how), or untrained.
    """
    assigned = conn.execute(
        select(ReviewAssignment.reviewer).where(
            ReviewAssignment.review_id == rid, ReviewAssignment.reviewer == me
        )
    ).scalar()
    if assigned is None:
        raise UsageError(f"user {me!r} is not assigned to review {rid}; {hint}")
    if _identity().current_training(conn, me, now.date()) is None:
        raise UsageError(
            f"reviewer {me!r} holds no current AI-literacy training record "
            + _TRAINING_HINT.format(name=me)
        )


def _check_closer(conn: Connection, principal: Principal, review: Any, now: datetime) -> None:
    """Refuse the submitter, and a reviewer untrained or assigned neither to the review nor
    to the system's newest review (conditions outlive their review: see
    :func:`fairmark.governance.gate.open_blocking_conditions`)."""
    me = principal.name
    rid = int(review.review_id)
    if me == review.submitted_by:
        raise UsageError(
            f"user {me!r} submitted review {rid}; the submitter cannot close the conditions "
            "of its approval (that would bypass the gate); expected an assigned reviewer or "
            "an admin"
        )
    if principal.role != "reviewer":
        return
    # a condition outlives its review (gate.open_blocking_conditions): the reviewers of the
    # system's newest review may close the conditions of earlier ones
    newest = conn.execute(
        select(func.max(Review.review_id)).where(Review.system_name == review.system_name)
    ).scalar()
    if newest is not None and int(newest) != rid:
        mine = conn.execute(
            select(ReviewAssignment.reviewer).where(
                ReviewAssignment.review_id == int(newest), ReviewAssignment.reviewer == me
            )
        ).scalar()
        if mine is not None:
            rid = int(newest)
    _require_assigned_and_trained(
        conn, rid, me, now,
        "a reviewer closes the conditions of reviews they are assigned to, or of earlier "
        "reviews of a system whose newest review they are assigned to (an admin assigns "
        f"with 'fairmark review assign {rid} --reviewer {me}')",
    )  # fmt: skip


def withdraw_review(
    engine: Engine, review_id: int | str, *, principal: Principal, reason: str
) -> ReviewInfo:
    """Withdraw an open review.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    review_id : int or str
    principal : Principal
        The system's owner or an admin (permission ``review.submit``). Once a reviewer has
        recorded a ``reject`` decision on the review, or an ``approve_with_conditions``
        decision whose blocking condition is still open, only an admin who neither owns
        the system nor submitted the review may withdraw it (the rejection stays visible
        to the next review, the condition keeps the gate closed until a reviewer closes
        it, and the log records the override). After plain approvals only (or approvals
        whose conditions are advisory or closed) the owner may still withdraw; the next
        review shows them.
    reason : str
        Why (not empty).

    Returns
    -------
    ReviewInfo
        Status ``withdrawn``. A system ``in_review`` goes back to ``approved`` when an
        earlier approval of its current model version is still current, else to
        ``proposed``.

    Raises
    ------
    AccessError
        Not the owner or an admin.
    UsageError
        Empty reason; unknown review; the review is not open; a reviewer rejected it, or
        it has an open blocking condition, and the principal is not an admin, or owns the
        system or submitted the review (the message names the rejecting decision or the
        condition and what to do instead). The store is unchanged.
    StoreError
        The database fails.

    Notes
    -----
    Logs ``review.withdraw`` with the reason and, when an admin withdraws a review a
    reviewer rejected, ``overrides_reject`` (who rejected, when); with open blocking
    conditions, ``overrides_conditions`` (``condition_id``, ``reviewer``, ``set_at``).
    Withdrawing a rejected or conditioned review to resubmit it to other reviewers
    ("review shopping") would defeat the examination of EU AI Act Art. 17(1)(d);
    separation of duties after NIST SP 800-53 AC-5 and ISO/IEC 42001:2023 A.3.2.
    """
    authorize(principal, "review.submit")
    why = _text(reason, "reason", "why the review is withdrawn (--reason TEXT)")
    with store_guard(engine.url, "cannot withdraw review"), write_transaction(engine) as conn:
        _serialise(conn)
        now = db_now(conn)  # the store's clock, after the log lock
        review = _review_row(conn, review_id)
        system = system_row(conn, review.system_name)
        authorize(principal, "review.submit", owner=system.owner)
        _identity().ensure_actor(conn, principal)
        rid = int(review.review_id)
        if review.status != "open":
            raise UsageError(
                f"review {rid} is {review.status}; only an open review can be withdrawn"
            )
        rejects = _rejecters(conn, rid)
        if rejects:
            _check_may_withdraw_rejected(principal, review, system, rejects)
        held = _open_blocking(conn, rid)
        if held:
            _check_may_withdraw_conditioned(principal, review, system, held)
        conn.execute(
            update(Review).where(Review.review_id == rid).values(
                status="withdrawn", closed_reason=why
            )
        )  # fmt: skip
        status_change = None
        if system.status == "in_review":
            prior = latest_decided_review(conn, system.name)
            target = "approved" if prior is not None and _is_current(prior, system, now) else (
                "proposed"
            )
            _move(conn, principal, system.name, target, "review.withdraw",
                  f"review {rid} withdrawn", now)  # fmt: skip
            status_change = {"from": "in_review", "to": target}
        payload: dict[str, Any] = {
            "review_id": rid, "system": system.name, "reason": why,
            "system_status": status_change,
        }  # fmt: skip
        if rejects:
            payload["overrides_reject"] = [
                {"reviewer": r.reviewer, "decided_at": _iso(r.created_at)} for r in rejects
            ]
        if held:
            payload["overrides_conditions"] = [
                {"condition_id": int(c.condition_id), "reviewer": c.created_by,
                 "set_at": _iso(c.created_at)}
                for c in held
            ]  # fmt: skip
        _log(conn, principal, "review.withdraw", "review", rid, payload, now)
        return _review_info(conn, _review_row(conn, rid), now)


def _involved_withdrawer(principal: Principal, review: Any, system: Any) -> str | None:
    """Describe ``principal`` when they may not override a reviewer by withdrawing: the
    system's owner, the review's submitter, or anyone but an admin; ``None`` for an admin
    who neither owns the system nor submitted the review (NIST SP 800-53 AC-5)."""
    me = principal.name
    if me == system.owner:
        return f"the system's owner {me!r}"
    if me == review.submitted_by:
        return f"its submitter {me!r}"
    if principal.role != "admin":
        return f"user {me!r} (role {principal.role})"
    return None


def _check_may_withdraw_rejected(
    principal: Principal, review: Any, system: Any, rejects: Sequence[Any]
) -> None:
    """Refuse to withdraw a review a reviewer rejected, unless by an uninvolved admin."""
    who = _involved_withdrawer(principal, review, system)
    if who is None:
        return
    rid = int(review.review_id)
    first = rejects[0]
    by = (
        f"a reject decision by {first.reviewer!r} ({_iso(first.created_at)})"
        if len(rejects) == 1
        else f"reject decisions by {_names(rejects)}"
    )
    raise UsageError(
        f"review {rid} has {by}; {who} cannot withdraw a rejected review (resubmitting it "
        "would shop for other reviewers); expected: let the remaining reviewers decide, "
        f"then fix the system and submit a new model version ('fairmark system update "
        f"{system.name} --model-version V') or a newer audit, or ask an admin who neither "
        "owns the system nor submitted the review to withdraw it"
    )


def _open_blocking(conn: Connection, rid: int) -> list[Any]:
    """The open blocking conditions of review ``rid`` (set by ``approve_with_conditions``
    decisions), oldest first."""
    return list(
        conn.execute(
            select(Condition)
            .where(
                Condition.review_id == rid,
                Condition.blocking.is_(True),
                Condition.status == "open",
            )
            .order_by(Condition.condition_id)
        ).all()
    )


def _check_may_withdraw_conditioned(
    principal: Principal, review: Any, system: Any, held: Sequence[Any]
) -> None:
    """Refuse to withdraw a review with an open blocking condition, unless by an uninvolved
    admin (as :func:`_check_may_withdraw_rejected`; the condition keeps the gate closed
    either way: :func:`fairmark.governance.gate.open_blocking_conditions`)."""
    who = _involved_withdrawer(principal, review, system)
    if who is None:
        return
    rid = int(review.review_id)
    first = held[0]
    more = "" if len(held) == 1 else f" and {len(held) - 1} more"
    raise UsageError(
        f"review {rid} has an open blocking condition {first.condition_id} set by "
        f"{first.created_by!r} with approve-with-conditions ({_iso(first.created_at)}): "
        f"{' '.join(first.text.split())}{more}; {who} cannot withdraw a review with an open "
        "blocking condition (resubmitting it would shop for other reviewers); expected: let "
        "the remaining reviewers decide, have a reviewer close the condition ('fairmark "
        f"review close-condition {first.condition_id} --note TEXT'), or ask an admin who "
        "neither owns the system nor submitted the review to withdraw it"
    )


def on_audit_recorded(conn: Connection, report: Mapping[str, Any], *, actor: str) -> None:
    """React to a newly recorded audit run: a failed re-audit reopens the system's review.

    Called by the run store inside the transaction that records the run.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the write transaction recording the run.
    report : Mapping
        The ``report.json`` document recorded (``system_name``, ``verdict``, ``run_id``).
    actor : str
        Who recorded it (the log entries' actor).

    Notes
    -----
    When ``report["system_name"]`` is a registered system in status ``approved`` or
    ``deployed`` and the audit's verdict is ``fail`` or ``insufficient_evidence``, its
    reviews are reopened (reason ``material change: failed re-audit run <id>``; one
    ``review.reopen`` log entry each) and the system goes to ``in_review``, logged as
    ``system.status`` (:func:`fairmark.governance.inventory.apply_material_change`). Anything
    else (no system, an unregistered one, a passing audit, a non-audit run) does nothing.
    A failed re-audit is a material change (issue #7 item 3; EU AI Act Art. 72
    post-market monitoring).
    """
    name = report.get("system_name")
    if not isinstance(name, str) or not name or not is_audit_document(dict(report)):
        return
    if report.get("verdict") not in FAILED_VERDICTS:
        return
    row = conn.execute(select(SystemRow).where(SystemRow.name == name)).first()
    if row is None or row.status not in ("approved", "deployed"):
        return
    apply_material_change(conn, row, [f"failed re-audit run {report.get('run_id')}"], actor)
