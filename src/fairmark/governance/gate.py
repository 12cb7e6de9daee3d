"""The deployment gate: may this AI system go live now? (``fairmark gate NAME``).

:func:`evaluate_gate` reads the inventory, the reviews and the audit runs and passes a
system only when **all** of these hold (issue #7 item 3, the check a deployment pipeline
runs):

1. the system is registered, its status is ``approved`` or ``deployed``
   (:data:`DEPLOYABLE_STATUSES`: not while a review is open or due, ``review_in_progress``,
   so the gate agrees with ``fairmark system update --status deployed``), it is
   risk-classified, its EU AI Act tier is deployable under its policy (never a prohibited
   practice, Art. 5), and its policy file has the content (SHA-256) recorded in the audit
   log when an admin set it (``policy_changed``; a file that is gone: ``policy_missing``,
   a closed gate like any other, never an error: :func:`policy_load_problem`);
2. it has a *current approval*: the latest decided review of the system approved it
   (``approved`` or ``approved_with_conditions``), for the system's current model
   version and an audit judged against the system's current policy (a policy swapped
   after the approval needs a new review), not reopened by a material change, and not
   expired;
3. no *blocking* condition of that approval, or of any other review of the same model
   version whatever its status (an earlier approval, a review withdrawn before its quorum
   or rejected by another reviewer), is still open (advisory ones of that approval are
   listed);
4. the system's latest audit run passed (``pass`` or ``warn``), was made after the current
   model version was registered, is at most ``audit_max_age_days`` old when the policy sets
   it, and was judged against the system's own policy (same SHA-256), so a laxer policy
   file cannot open the gate;
5. every check the tier requires (``settings.governance.tiers.<tier>.required_checks``)
   was measured in that audit and did not fail: a value outside its bound fails the check
   whatever the rule's severity.

Runs dated after the moment judged (beyond :data:`CLOCK_SKEW`) are ignored: an audit
cannot vouch for a time before it ran, and a future-dated report cannot keep the gate
open.

Every condition is evaluated (failures are collected, not stopped at the first) and each
failure is a :class:`GateReason` with a stable code from :data:`REASON_CODES` and one line
saying what to do next. An unknown system is not a gate result but bad input
(:class:`~fairmark.errors.UsageError`, exit 2).

Sources: EU AI Act (Regulation (EU) 2024/1689) Art. 5 (prohibited practices), Art. 9
(risk management), Art. 17(1)(d) (examination, test and validation procedures before
placing on the market), Art. 43(4) (a substantial modification needs a new conformity
assessment); ISO/IEC 42001:2023 clause 8.1 (operational planning and control) and A.6.2.5
(AI system deployment).
"""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Engine, select

from fairmark.errors import FairmarkError, PolicyError, UsageError
from fairmark.governance.access import Principal, authorize
from fairmark.governance.clock import db_now
from fairmark.governance.inventory import (
    RecordedPolicy,
    audit_predates_model,
    recorded_policy,
    unknown_system,
)
from fairmark.store.db import store_errors
from fairmark.store.models import AuditRun
from fairmark.store.models_governance import Condition, LogEntryRow, Review, SystemRow

__all__ = [
    "APPROVED_STATUSES",
    "DEPLOYABLE_STATUSES",
    "REASON_CODES",
    "REASON_DESCRIPTIONS",
    "GateCheck",
    "GateReason",
    "GateResult",
    "evaluate_gate",
    "open_blocking_conditions",
    "policy_load_problem",
    "policy_record_problem",
    "signed_head_problem",
]

APPROVED_STATUSES: tuple[str, ...] = ("approved", "approved_with_conditions")
"""Review statuses that approve a system version."""

PASSING_VERDICTS: tuple[str, ...] = ("pass", "warn")
"""Audit verdicts that let a system deploy (``docs/report-schema.md``)."""

REASON_DESCRIPTIONS: dict[str, str] = {
    "retired": "the system is retired (final)",
    "review_in_progress": "the system is in review (status in_review): a review is open, or "
    "one is due after a material change; 'fairmark system update --status deployed' is "
    "refused until it is approved again",
    "status_proposed": "the system is proposed: never approved, or sent back by a rejection "
    "or a prohibited classification",
    "not_classified": "the system has no EU AI Act risk classification",
    "prohibited_tier": "the system's tier is not deployable under its policy (Art. 5)",
    "policy_missing": "the system's policy file does not exist any more (moved or deleted); "
    "restore it, or an admin sets another policy",
    "policy_changed": "the system's policy file is not the content recorded in the audit log "
    "when an admin set it (edited since, never recorded, or no longer loads as a policy)",
    "no_approval": "no decided review approves the system (none, or the latest rejected it)",
    "approval_expired": "the approval is older than the policy's approval_valid_days",
    "approval_reopened": "a material change reopened the approval",
    "approval_for_other_version": "the approval is for another model version",
    "approval_for_other_policy": "the approved audit was judged against another policy",
    "open_blocking_condition": "a blocking condition of the approval is still open",
    "no_audit": "no audit run is recorded for the system",
    "audit_failed": "the latest audit's verdict is fail or insufficient_evidence",
    "audit_stale": "the latest audit is older than the policy's audit_max_age_days",
    "audit_predates_model": "the latest audit is older than the current model",
    "audit_policy_mismatch": "the latest audit was judged against another policy",
    "required_check_missing": "a check the tier requires was not measured",
    "required_check_failed": "a check the tier requires fails",
    "state_not_in_log": "the store does not match its hash-chained audit log",
    "log_tampered": "the audit log does not extend what this machine signed: the entry or "
    "checkpoint the anchor beside the signing key names is gone or different (a cut or "
    "rewritten log), or the chain after the newest checkpoint is broken; "
    "'fairmark log verify' says TAMPERED",
}
"""``code -> what it means``: every reason the gate closes, in the order it checks them."""

REASON_CODES: tuple[str, ...] = tuple(REASON_DESCRIPTIONS)
"""Why a gate is closed (stable codes; ``GateReason.code``); described in
:data:`REASON_DESCRIPTIONS`."""

DEPLOYABLE_STATUSES: tuple[str, ...] = ("approved", "deployed")
"""System statuses the gate can pass: the status must agree with the approval, so that
``fairmark gate`` never passes a system ``fairmark system update --status deployed``
refuses (EU AI Act Art. 16 and 26: put into service only after the assessment)."""

CheckStatus = Literal["ok", "failed", "skipped"]

_AUDIT_PAGE = 20

CLOCK_SKEW = timedelta(minutes=5)
"""Runs dated up to this far after the moment judged still count (clocks differ)."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class GateReason:
    """One reason the gate is closed.

    Attributes
    ----------
    code : str
        One of :data:`REASON_CODES`.
    message : str
        One line: what is wrong and what to do next.
    """

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Return ``{"code", "message"}``."""
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class GateCheck:
    """One condition of the gate and how it came out.

    Attributes
    ----------
    id : str
        ``status``, ``classification``, ``tier``, ``policy``, ``approval``,
        ``conditions``, ``audit``, ``audit_model_version``, ``audit_age``,
        ``audit_policy``, ``required_check:<check id>`` or ``log``.
    status : {"ok", "failed", "skipped"}
        ``skipped`` when an earlier condition left nothing to judge (no audit, no approval).
    detail : str
        What was found.
    """

    id: str
    status: CheckStatus
    detail: str

    @property
    def ok(self) -> bool:
        """Whether the condition holds."""
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"id", "status", "ok", "detail"}``."""
        return {"id": self.id, "status": self.status, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class GateResult:
    """The gate's answer for one system at one moment.

    Attributes
    ----------
    system : str
    passed : bool
        ``True`` only when :attr:`reasons` is empty.
    reasons : tuple of GateReason
        Every failed condition, in the order of the module docstring.
    checks : tuple of GateCheck
        Every condition with its outcome.
    review_id : int or None
        The approval the gate relied on (the latest decided review), if any.
    run_id : str or None
        The latest audit run of the system, if any.
    evaluated_at : datetime
        The moment judged (timezone-aware UTC).
    model_version : str
        The system's current model version.
    tier : str or None
        Its EU AI Act risk tier (``None``: not classified).
    advisory_conditions : tuple of dict
        Open non-blocking conditions of the approval (listed, never blocking):
        ``{condition_id, text, due_on}``.
    """

    system: str
    passed: bool
    reasons: tuple[GateReason, ...]
    checks: tuple[GateCheck, ...]
    review_id: int | None
    run_id: str | None
    evaluated_at: datetime
    model_version: str
    tier: str | None
    advisory_conditions: tuple[dict[str, Any], ...] = field(default=())

    @property
    def exit_code(self) -> int:
        """0 when the gate passes, 1 when it is closed."""
        return 0 if self.passed else 1

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``fairmark gate --format json``); times ISO 8601 UTC."""
        return {
            "system": self.system,
            "passed": self.passed,
            "result": "PASS" if self.passed else "FAIL",
            "evaluated_at": _iso(self.evaluated_at),
            "model_version": self.model_version,
            "tier": self.tier,
            "review_id": self.review_id,
            "run_id": self.run_id,
            "reasons": [r.to_dict() for r in self.reasons],
            "checks": [c.to_dict() for c in self.checks],
            "advisory_conditions": [dict(c) for c in self.advisory_conditions],
        }


# --------------------------------------------------------------------------- shared reads


@contextmanager
def store_guard(url: Any, action: str) -> Iterator[None]:
    """Like :func:`fairmark.store.db.store_errors`, but a fairmark error passes unchanged.

    ``store_errors`` turns every ``OSError`` into a ``StoreError``, and
    :class:`~fairmark.governance.access.AccessError` is a ``PermissionError`` (an
    ``OSError``); a refusal raised inside the block must reach the user as itself.
    Use it outside :func:`fairmark.store.db.write_transaction`, so the transaction is
    rolled back first.
    """
    refused: FairmarkError | None = None
    with store_errors(url, action):
        try:
            yield
        except FairmarkError as exc:
            refused = exc
    if refused is not None:
        raise refused


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def system_row(conn: Connection, name: str) -> Any:
    """Return the ``gov_systems`` row of ``name``.

    Raises
    ------
    UsageError
        No such system (one line with near matches or the registered names).
    """
    if not isinstance(name, str) or not name.strip():
        raise UsageError(f"system name is {name!r}; expected the name of a registered AI system")
    row = conn.execute(select(SystemRow).where(SystemRow.name == name)).first()
    if row is None:
        raise unknown_system(conn, name)
    return row


def system_tier(row: Any) -> str | None:
    """Return the EU AI Act tier of a ``gov_systems`` row (``None``: not classified)."""
    risk = row.risk
    if not isinstance(risk, dict):
        return None
    tier = risk.get("tier")
    return tier if isinstance(tier, str) and tier else None


def system_policy(row: Any, policy: Any = None) -> Any:
    """Return the :class:`fairmark.policy.Policy` a system is judged against.

    Parameters
    ----------
    row : gov_systems row
    policy : Policy, str or None
        An already loaded policy, a path / ``"default"`` to load, or ``None`` for the
        system's own ``policy`` column (itself ``None``: the built-in policy).

    Raises
    ------
    PolicyError
        The policy file cannot be read or is invalid.
    """
    from fairmark.policy import Policy, load_policy

    if isinstance(policy, Policy):
        return policy
    source = policy if policy is not None else (row.policy or "default")
    return load_policy(source)


def is_audit_document(report: Any) -> bool:
    """Whether a stored run document is an audit (``kind`` ``audit`` or absent)."""
    return isinstance(report, dict) and report.get("kind", "audit") in (None, "audit")


def latest_audit(
    conn: Connection, system_name: str, *, before: datetime | None = None
) -> Any | None:
    """Return the newest audit run recorded for ``system_name`` (``audit_runs`` row).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    system_name : str
    before : datetime, optional
        Only runs dated at or before this moment count (default: the store's clock,
        :func:`fairmark.governance.clock.db_now`, plus :data:`CLOCK_SKEW` for the clock of
        the client that recorded the run): a run dated in the future cannot vouch for the
        present.

    Returns
    -------
    row or None
        ``(run_id, created_at, verdict, report)``, newest ``created_at`` first (ties by
        ``run_id``); runs of other kinds (``delivery``, ``proxies`` …) are skipped.
    """
    cutoff = before if before is not None else db_now(conn) + CLOCK_SKEW
    offset = 0
    while True:
        rows = conn.execute(
            select(AuditRun.run_id, AuditRun.created_at, AuditRun.verdict, AuditRun.report)
            .where(AuditRun.system_name == system_name, AuditRun.created_at <= cutoff)
            .order_by(AuditRun.created_at.desc(), AuditRun.run_id.desc())
            .offset(offset)
            .limit(_AUDIT_PAGE)
        ).all()
        for row in rows:
            if is_audit_document(row.report):
                return row
        if len(rows) < _AUDIT_PAGE:
            return None
        offset += _AUDIT_PAGE


def judged_policy(report: Any) -> dict[str, Any] | None:
    """Return the ``policy`` block of a run document (``None``: judged without a policy)."""
    block = report.get("policy") if isinstance(report, dict) else None
    return block if isinstance(block, dict) else None


def describe_policy(block: dict[str, Any] | None) -> str:
    """``policy <id> v<version> (sha256 <12 hex>)``, or ``no policy``."""
    if block is None:
        return "no policy"
    return (
        f"policy {block.get('id')} v{block.get('version')} "
        f"(sha256 {str(block.get('sha256'))[:12]})"
    )


def latest_decided_review(conn: Connection, system_name: str) -> Any | None:
    """Return the system's latest review that was decided (quorum reached), or ``None``.

    Decided reviews are ``approved``, ``approved_with_conditions``, ``rejected``, and
    ``reopened`` ones that had been decided (``decided_at`` set); open and withdrawn
    reviews decide nothing.
    """
    return conn.execute(
        select(Review)
        .where(
            Review.system_name == system_name,
            Review.decided_at.is_not(None),
            Review.status.in_((*APPROVED_STATUSES, "rejected", "reopened")),
        )
        .order_by(Review.review_id.desc())
        .limit(1)
    ).first()


# --------------------------------------------------------------------------- required checks


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(float(value)) else float(value)
    if value == "inf":
        return math.inf
    if value == "-inf":
        return -math.inf
    return None


def _shown(value: Any) -> str:
    number = _number(value)
    return str(value) if number is None or math.isinf(number) else f"{number:.4g}"


def _outside_bound(finding: dict[str, Any]) -> bool:
    """Whether a finding's estimate lies outside its rule's bound (whatever the severity)."""
    value = _number(finding.get("value"))
    bound = finding.get("bound")
    if value is None or not isinstance(bound, dict):
        return False
    low, high = _number(bound.get("min")), _number(bound.get("max"))
    return (low is not None and value < low) or (high is not None and value > high)


def judge_required_check(report: dict[str, Any], check_id: str) -> tuple[CheckStatus, str, str]:
    """Judge one required check from an audit's ``findings[]``.

    Parameters
    ----------
    report : dict
        A ``report.json`` document (``docs/report-schema.md``).
    check_id : str
        A check id, e.g. ``fairness.disparate_impact``.

    Returns
    -------
    (status, code, detail)
        ``("ok", "", detail)``; ``("failed", "required_check_failed", detail)`` when a
        finding's verdict is ``fail`` or its value lies outside the rule's bound (a ``warn``
        or ``info`` rule cannot hide a violation of a check the tier requires);
        ``("failed", "required_check_missing", detail)`` when no finding of the check has a
        value (the audit's policy has no rule for it, or nothing could be measured) or a
        finding is ``insufficient_evidence``.
    """
    findings = [
        f
        for f in report.get("findings") or []
        if isinstance(f, dict) and f.get("check") == check_id
    ]
    if not findings:
        return (
            "failed",
            "required_check_missing",
            "not measured: the audit's policy has no rule for it",
        )
    failing = [f for f in findings if f.get("verdict") == "fail" or _outside_bound(f)]
    if failing:
        first = failing[0]
        where = " / ".join(str(x) for x in (first.get("feature"), first.get("group")) if x)
        return (
            "failed",
            "required_check_failed",
            f"{len(failing)} of {len(findings)} findings fail"
            + (f" (first: {where}, value {_shown(first.get('value'))})" if where else ""),
        )
    measured = [f for f in findings if _number(f.get("value")) is not None]
    if not measured:
        return ("failed", "required_check_missing", "not measured: no finding has a value")
    insufficient = [f for f in findings if f.get("verdict") == "insufficient_evidence"]
    if insufficient:
        return (
            "failed",
            "required_check_missing",
            f"{len(insufficient)} of {len(findings)} findings have insufficient evidence",
        )
    return ("ok", "", f"{len(measured)} of {len(findings)} findings measured, none fails")


# --------------------------------------------------------------------------- the gate


def policy_option(policy: Any) -> str:
    """The ``--policy`` value that names ``policy`` (``default`` for the built-in one)."""
    path = str(getattr(policy, "path", "") or "default")
    return "default" if path.startswith("builtin:") else path


class _Collector:
    def __init__(self) -> None:
        self.checks: list[GateCheck] = []
        self.reasons: list[GateReason] = []

    def ok(self, check_id: str, detail: str) -> None:
        self.checks.append(GateCheck(check_id, "ok", detail))

    def skip(self, check_id: str, detail: str) -> None:
        self.checks.append(GateCheck(check_id, "skipped", detail))

    def fail(self, check_id: str, code: str, detail: str, message: str) -> None:
        self.checks.append(GateCheck(check_id, "failed", detail))
        self.reasons.append(GateReason(code, message))


def _review_policy(conn: Connection, review: Any) -> dict[str, Any] | None:
    report = conn.execute(select(AuditRun.report).where(AuditRun.run_id == review.run_id)).scalar()
    return judged_policy(report)


def _check_moment(at: datetime | None) -> datetime | None:
    if at is None:
        return None  # the store's clock, read on the connection (db_now)
    if not isinstance(at, datetime):
        raise UsageError(f"at is {at!r}; expected a timezone-aware datetime")
    if at.tzinfo is None or at.utcoffset() is None:
        raise UsageError(f"at is {at.isoformat()} without a time zone; expected an aware UTC time")
    return at.astimezone(UTC)


def evaluate_gate(
    engine_or_conn: Engine | Connection,
    system_name: str,
    *,
    at: datetime | None = None,
    policy: Any = None,
    principal: Principal | None = None,
) -> GateResult:
    """Decide whether ``system_name`` may be deployed at ``at``. Read-only.

    Parameters
    ----------
    engine_or_conn : sqlalchemy.Engine or sqlalchemy.Connection
        The store; a connection is used as is (e.g. inside the caller's write transaction,
        as :func:`fairmark.governance.inventory.set_status` does before ``deployed``).
    system_name : str
        A registered AI system.
    at : datetime, optional
        The moment judged (timezone-aware; default now by the store's clock,
        :func:`fairmark.governance.clock.db_now`: the PostgreSQL server's time, not the
        client's): approvals and audit age are measured against it.
    policy : Policy or str, optional
        Judge against this policy instead of the system's own (``gov_systems.policy``,
        default the built-in policy).
    principal : Principal, optional
        Who asks; when given they need permission ``gate.check``. ``None`` is for fairmark's
        own calls.

    Returns
    -------
    GateResult
        ``passed`` only when every condition of the module docstring holds; ``reasons``
        lists each one that does not, with a code from :data:`REASON_CODES`.

    Raises
    ------
    AccessError
        ``principal`` lacks ``gate.check`` (e.g. a token not scoped for it).
    UsageError
        The system is not registered (``not_registered``; near matches named), or ``at``
        is naive.
    PolicyError
        ``policy`` was given and cannot be loaded. (The system's *own* policy file
        missing or not loading is a closed gate, ``policy_missing`` or
        ``policy_changed``: :func:`policy_load_problem`.)
    StoreError
        The database cannot be read.

    Notes
    -----
    Sources: EU AI Act Art. 9 and 17(1)(d) (test before placing on the market), Art. 43(4)
    (substantial modification); ISO/IEC 42001:2023 A.6.2.5 (deployment).
    """
    if principal is not None:
        authorize(principal, "gate.check")
    moment = _check_moment(at)
    if isinstance(engine_or_conn, Connection):
        now = db_now(engine_or_conn) if moment is None else moment
        return _evaluate(engine_or_conn, system_name, now, policy)
    with store_guard(engine_or_conn.url, "cannot read the store"), engine_or_conn.connect() as c:
        return _evaluate(c, system_name, db_now(c) if moment is None else moment, policy)


def _open_review_id(conn: Connection, name: str) -> int | None:
    """The newest open review of ``name``, if any."""
    found = conn.execute(
        select(Review.review_id)
        .where(Review.system_name == name, Review.status == "open")
        .order_by(Review.review_id.desc())
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def _judge_status(out: _Collector, conn: Connection, system: Any) -> None:
    """Condition 1a: the system's status is one the gate can pass (:data:`DEPLOYABLE_STATUSES`).

    ``approved`` and ``deployed`` pass. ``in_review`` (``review_in_progress``) fails even
    while an earlier approval still stands: a re-review is open, or a material change
    voided the approval, and ``fairmark system update --status deployed`` would refuse
    (only ``approved → deployed`` is allowed), so the gate must not tell a pipeline
    otherwise. ``proposed`` (``status_proposed``) and ``retired`` fail.
    Source: issue #7 lifecycle; EU AI Act Art. 16 and 26.
    """
    name, status = system.name, system.status
    if status in DEPLOYABLE_STATUSES:
        out.ok("status", status)
    elif status == "retired":
        out.fail(
            "status",
            "retired",
            "retired",
            f"system {name!r} is retired; a retired system is never deployed again",
        )
    elif status == "in_review":
        open_id = _open_review_id(conn, name)
        if open_id is not None:
            message = (
                f"system {name!r} is in review (status in_review): review {open_id} is open, "
                f"and the system may be deployed only once it approves ('fairmark review show "
                f"{open_id}')"
            )
        else:
            message = (
                f"system {name!r} is in review (status in_review) and no review is open; "
                f"submit it for review with 'fairmark review submit {name}'"
            )
        out.fail("status", "review_in_progress", "in_review", message)
    else:
        out.fail("status", "status_proposed", status,
                 f"system {name!r} is {status}, not approved; submit it for review with "
                 f"'fairmark review submit {name}'")  # fmt: skip


def _version_reviews(system: Any) -> Any:
    """Select the ids of every review of ``system``, of any model version and whatever its
    status (open, approved, reopened, withdrawn, rejected): a blocking condition a reviewer
    set holds until a reviewer or an admin closes it, even when its review was withdrawn
    before the quorum, rejected by another reviewer, or the owner registered another model
    version (a version is a label the owner sets alone, so relabelling must not drop a
    reviewer's condition)."""
    return select(Review.review_id).where(Review.system_name == system.name)


def open_blocking_conditions(conn: Connection, system: Any) -> list[Any]:
    """Return the open blocking conditions of every review of the system (any version).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    system : row of ``gov_systems``
        Needs ``name`` and ``model_version``.

    Returns
    -------
    list of ``gov_conditions`` rows
        Oldest first. Not only the latest approval's: a re-review, a material change or a
        new model version does not close the conditions an earlier review set, whatever
        that review's status now (approved, reopened, withdrawn before its quorum, rejected
        by another reviewer); a reviewer (assigned to that review or to the system's newest
        review) or an admin closes each.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        The database cannot be read.

    Notes
    -----
    Used by the gate (``open_blocking_condition``) and by ``fairmark review submit``.
    Source: EU AI Act Art. 17(1)(d) (examination before placing on the market); ISO/IEC
    42001:2023 clause 10.2 (nonconformity and corrective action are followed to closure).
    """
    return list(
        conn.execute(
            select(Condition)
            .where(
                Condition.review_id.in_(_version_reviews(system)),
                Condition.blocking.is_(True),
                Condition.status == "open",
            )
            .order_by(Condition.condition_id)
        ).all()
    )


def policy_record_problem(system: Any, policy: Any, record: RecordedPolicy | None) -> str | None:
    """Return why a system's policy file is not the content an admin set, or ``None``.

    Only an admin sets a system's policy, and the ``system.register`` / ``system.update``
    entry that sets it records the file's SHA-256 (:func:`recorded_policy`). Anyone who
    can write the file could otherwise swap its content (quorum 1, rules turned to
    warnings), audit under it and pass: the audit and the approval are compared with the
    file as it is *now*. The built-in policy is part of fairmark and not compared.

    Parameters
    ----------
    system : row of ``gov_systems``
        Needs ``name`` and ``policy`` (the stored path or built-in name, or ``None``).
    policy : fairmark.policy.model.Policy
        The policy loaded from the system's file now (its ``sha256`` is of the file's bytes).
    record : RecordedPolicy or None
        What the audit log recorded (:func:`fairmark.governance.inventory.recorded_policy`).

    Returns
    -------
    str or None
        One line saying what differs and what an admin does about it; ``None`` when the
        system uses the built-in policy or the file is the content recorded.

    Notes
    -----
    Used by the gate (``policy_changed``) and by ``fairmark review submit``, so that no
    review is approved under an edited file. Source: NIST SP 800-53 AC-5 (separation of
    duties); EU AI Act Art. 12 (record-keeping).
    """
    from fairmark.policy.source import BUILTIN_NAMES

    name, path = system.name, system.policy
    if path is None or path in BUILTIN_NAMES:
        return None
    again = (
        f"an admin checks the file and records it again with 'fairmark system update {name} "
        f"--policy {shlex.quote(path)}' (a material change: it reopens review)"
    )
    if record is None or not record.pinned or record.policy != path or record.sha256 is None:
        return (
            f"no SHA-256 of policy file {path} is recorded in the audit log for {name!r}; "
            f"{again}"
        )
    if record.sha256 != policy.sha256:
        return (
            f"policy file {path} of {name!r} changed since {record.actor} set it (sha256 "
            f"now {policy.sha256[:12]}, recorded {record.sha256[:12]}); {again}"
        )
    return None


def _judge_policy_record(
    out: _Collector, system: Any, policy: Any, policy_arg: Any, record: RecordedPolicy | None
) -> None:
    """Condition 1b: a policy file is the content an admin set (:func:`policy_record_problem`);
    a file whose content differs from the recorded hash, or whose hash was never recorded,
    fails with ``policy_changed`` until an admin records it again."""
    from fairmark.policy.source import BUILTIN_NAMES

    path = system.policy
    if policy_arg is not None:
        out.skip("policy", "judged against a policy given by the caller")
        return
    if path is None or path in BUILTIN_NAMES:
        out.ok("policy", f"built-in policy {policy.id} v{policy.version}")
        return
    problem = policy_record_problem(system, policy, record)
    if problem is None:
        out.ok("policy", f"policy {policy.id} v{policy.version} as recorded (sha256 "
               f"{policy.sha256[:12]})")  # fmt: skip
    elif record is None or record.sha256 is None or not record.pinned or record.policy != path:
        out.fail("policy", "policy_changed", "no content hash recorded", problem)
    else:
        out.fail("policy", "policy_changed",
                 f"sha256 {policy.sha256[:12]}, recorded {record.sha256[:12]}",
                 problem)  # fmt: skip


def policy_load_problem(
    system: Any, error: PolicyError, record: RecordedPolicy | None
) -> tuple[str, str, str]:
    """Say why a system's own policy file cannot be loaded, as a gate failure.

    The gate judges a system against the policy file an admin set (its path is stored in
    ``gov_systems.policy``). When that file is gone or no longer loads, the gate is
    *closed* (exit 1), not refused as bad input (exit 2): the command was right, the
    system is not fit to deploy, and a pipeline must read it as such.

    Parameters
    ----------
    system : row of ``gov_systems``
        Needs ``name`` and ``policy`` (the absolute path of a policy file).
    error : fairmark.errors.PolicyError
        What :func:`fairmark.policy.load_policy` raised for that file.
    record : RecordedPolicy or None
        The policy as the audit log recorded it being set
        (:func:`fairmark.governance.inventory.recorded_policy`), named in the message.

    Returns
    -------
    (str, str, str)
        ``(code, detail, message)``: code ``policy_missing`` when no file exists at the
        path, else ``policy_changed`` (the file is not a file, unreadable, or no longer a
        valid policy); ``message`` is one line naming the file and what to do.

    Notes
    -----
    Fail closed: ISO/IEC 42001:2023 clause 8.1 (operational control) and A.6.2.5
    (deployment); EU AI Act Art. 12 (record-keeping: the recorded SHA-256 identifies the
    file that is missing).
    """
    name, path = system.name, str(system.policy)
    pinned = ""
    if record is not None and record.policy == path and record.sha256 is not None:
        pinned = f" (set by {record.actor}, sha256 {record.sha256[:12]})"
    other = (
        f"an admin sets another policy with 'fairmark system update {name} --policy FILE' "
        "(a material change: it reopens review)"
    )
    if not os.path.exists(path):
        return (
            "policy_missing",
            "policy file missing",
            f"policy file {path} of {name!r}{pinned} does not exist; restore it at that path, "
            f"or {other}",
        )
    why = " ".join(error.message.split())
    return (
        "policy_changed",
        "policy file does not load",
        f"policy file {path} of {name!r}{pinned} no longer loads as a policy ({why}); "
        f"restore the recorded content, or {other}",
    )


def _unloadable_policy_result(
    conn: Connection, system: Any, at: datetime, error: PolicyError
) -> GateResult:
    """A closed gate for a system whose own policy file cannot be loaded.

    The status and the classification are judged as usual; the policy fails
    (:func:`policy_load_problem`); every condition that needs the policy (tier, approval,
    conditions, audit, required checks, log backing) is ``skipped``.
    """
    name = system.name
    out = _Collector()
    _judge_status(out, conn, system)
    tier = system_tier(system)
    if tier is None:
        out.fail("classification", "not_classified", "not risk-classified",
                 f"system {name!r} is not risk-classified; classify it first with "
                 f"'fairmark system classify {name} --answers FILE'")  # fmt: skip
    else:
        out.ok("classification", tier)
    out.skip("tier", "the system's policy file cannot be loaded")
    code, detail, message = policy_load_problem(system, error, recorded_policy(conn, name))
    out.fail("policy", code, detail, message)
    for check_id in ("approval", "conditions", "audit", "audit_model_version", "audit_age",
                     "audit_policy", "log"):  # fmt: skip
        out.skip(check_id, "the system's policy file cannot be loaded")
    review = latest_decided_review(conn, name)
    audit = latest_audit(conn, name, before=at + CLOCK_SKEW)
    return GateResult(
        system=name,
        passed=False,
        reasons=tuple(out.reasons),
        checks=tuple(out.checks),
        review_id=None if review is None else int(review.review_id),
        run_id=None if audit is None else audit.run_id,
        evaluated_at=at,
        model_version=system.model_version,
        tier=tier,
    )


def _judge_approval(
    out: _Collector, conn: Connection, system: Any, policy: Any, at: datetime
) -> Any | None:
    """Judge condition 2 (a current approval); return the latest decided review."""
    name = system.name
    review = latest_decided_review(conn, name)
    open_id = _open_review_id(conn, name)
    if open_id is not None:
        again = (
            f"review {open_id} is open and awaits its reviewers' decisions "
            f"('fairmark review show {open_id}')"
        )
    else:
        again = f"submit it for review with 'fairmark review submit {name}'"
    if review is None:
        out.fail("approval", "no_approval", "no decided review",
                 f"system {name!r} has no approval; {again}")  # fmt: skip
        return None
    rid = int(review.review_id)
    if review.status == "rejected":
        out.fail("approval", "no_approval", f"review {rid} rejected",
                 f"the latest review of {name!r} (review {rid}) rejected it; address the "
                 f"reviewers' comments, then {again}")  # fmt: skip
    elif review.status == "reopened":
        why = f" ({review.closed_reason})" if review.closed_reason else ""
        out.fail("approval", "approval_reopened", f"review {rid} reopened{why}",
                 f"the approval of {name!r} (review {rid}) was reopened{why}; {again}")  # fmt: skip
    elif review.model_version != system.model_version:
        out.fail("approval", "approval_for_other_version",
                 f"review {rid} approved model version {review.model_version}",
                 f"review {rid} approved model version {review.model_version!r}, not the "
                 f"current {system.model_version!r}; {again}")  # fmt: skip
    elif (under := _review_policy(conn, review)) is None or under.get("sha256") != policy.sha256:
        out.fail("approval", "approval_for_other_policy",
                 f"review {rid} approved an audit judged against {describe_policy(under)}",
                 f"review {rid} approved an audit judged against {describe_policy(under)}, "
                 f"not the system's policy {policy.id} v{policy.version} (sha256 "
                 f"{policy.sha256[:12]}); audit the system under it, then {again}")  # fmt: skip
    elif review.expires_at is None or review.expires_at <= at:
        when = _iso(review.expires_at) or "(no expiry recorded)"
        out.fail("approval", "approval_expired", f"review {rid} expired {when}",
                 f"the approval of {name!r} (review {rid}) expired at {when}; re-review is "
                 f"due: {again}")  # fmt: skip
    else:
        out.ok("approval", f"review {rid} {review.status}, model version "
               f"{review.model_version}, valid until {_iso(review.expires_at)}")  # fmt: skip
    return review


def _evaluate(conn: Connection, name: str, at: datetime, policy_arg: Any) -> GateResult:
    system = system_row(conn, name)
    try:
        policy = system_policy(system, policy_arg)
    except PolicyError as exc:
        from fairmark.policy.source import BUILTIN_NAMES

        if policy_arg is not None or system.policy is None or system.policy in BUILTIN_NAMES:
            raise  # the caller's own policy argument: bad input, not a closed gate
        return _unloadable_policy_result(conn, system, at, exc)
    gov = policy.settings.governance
    out = _Collector()
    tier = system_tier(system)
    record = recorded_policy(conn, name)

    # 1. status, classification, tier, the policy as recorded
    _judge_status(out, conn, system)
    tier_settings = None
    if tier is None:
        out.fail(
            "classification",
            "not_classified",
            "not risk-classified",
            f"system {name!r} is not risk-classified; classify it first with "
            f"'fairmark system classify {name} --answers FILE'",
        )
        out.skip("tier", "no tier without a classification")
    else:
        out.ok("classification", tier)
        tier_settings = gov.tier(tier)
        if not tier_settings.deployable:
            out.fail(
                "tier",
                "prohibited_tier",
                f"{tier} is not deployable",
                f"system {name!r} is in tier {tier}, which policy {policy.id} never lets "
                "deploy (EU AI Act Art. 5 prohibited practices); it cannot be approved",
            )
        else:
            out.ok("tier", f"{tier} is deployable")
    _judge_policy_record(out, system, policy, policy_arg, record)

    # 2-3. approval and its conditions
    review = _judge_approval(out, conn, system, policy, at)
    advisory: list[dict[str, Any]] = []
    review_id = None if review is None else int(review.review_id)
    if review is None or review.status not in APPROVED_STATUSES:
        out.skip("conditions", "no approval to hold conditions")
    else:
        conditions = conn.execute(
            select(Condition)
            .where(Condition.review_id == review.review_id, Condition.status == "open")
            .order_by(Condition.condition_id)
        ).all()
        blocking = open_blocking_conditions(conn, system)  # also earlier approvals' (item 3)
        advisory = [
            {
                "condition_id": int(c.condition_id),
                "text": c.text,
                "due_on": None if c.due_on is None else c.due_on.isoformat(),
            }
            for c in conditions
            if not c.blocking
        ]
        if blocking:
            ids = ", ".join(str(c.condition_id) for c in blocking)
            first = blocking[0]
            held = sorted({int(c.review_id) for c in blocking})
            of = f"review {held[0]}" if len(held) == 1 else "reviews " + ", ".join(map(str, held))
            out.fail(
                "conditions",
                "open_blocking_condition",
                f"{len(blocking)} open blocking condition(s): {ids}",
                f"{len(blocking)} blocking condition(s) of {of} still open "
                f"(condition {first.condition_id}: {' '.join(first.text.split())}); a reviewer "
                f"closes each with 'fairmark review close-condition {first.condition_id} "
                "--note TEXT'",
            )
        else:
            out.ok("conditions", f"no open blocking condition ({len(advisory)} advisory open)")

    # 4-5. the latest audit
    audit = latest_audit(conn, name, before=at + CLOCK_SKEW)
    run_id = None if audit is None else audit.run_id
    audit_checks = ("audit_model_version", "audit_age", "audit_policy")
    if audit is None:
        out.fail(
            "audit",
            "no_audit",
            "no audit run recorded",
            f"no audit run is recorded for {name!r}; run one with "
            f"'fairmark audit DATA ... --system {name}'",
        )
        for check_id in audit_checks:
            out.skip(check_id, "no audit")
        for check_id in tier_settings.required_checks if tier_settings else ():
            out.skip(f"required_check:{check_id}", "no audit")
    else:
        _judge_audit(out, name, system, audit, at, policy, gov, tier, tier_settings)

    _judge_log_backing(out, conn, review, audit, system=system, record=record)

    return GateResult(
        system=name,
        passed=not out.reasons,
        reasons=tuple(out.reasons),
        checks=tuple(out.checks),
        review_id=review_id,
        run_id=run_id,
        evaluated_at=at,
        model_version=system.model_version,
        tier=tier,
        advisory_conditions=tuple(advisory),
    )


def _log_payloads(conn: Connection, action: str, entity_type: str, entity_id: str) -> list[Any]:
    """Payloads of the log entries ``action`` on ``entity_type/entity_id``, oldest first."""
    import json

    rows = conn.execute(
        select(LogEntryRow.payload)
        .where(
            LogEntryRow.action == action,
            LogEntryRow.entity_type == entity_type,
            LogEntryRow.entity_id == entity_id,
        )
        .order_by(LogEntryRow.seq)
    ).scalars()
    payloads = []
    for text in rows:
        try:
            payloads.append(json.loads(text))
        except (TypeError, ValueError):
            payloads.append({})
    return payloads


def _last_seqs(conn: Connection, entity_type: str, entity_id: str) -> dict[str, int]:
    """``action -> seq of its last entry`` for one entity."""
    from sqlalchemy import func

    rows = conn.execute(
        select(LogEntryRow.action, func.max(LogEntryRow.seq))
        .where(LogEntryRow.entity_type == entity_type, LogEntryRow.entity_id == entity_id)
        .group_by(LogEntryRow.action)
    ).all()
    return {action: int(seq) for action, seq in rows}


def _condition_log_problems(conn: Connection, rid: int) -> list[str]:
    """How review ``rid``'s conditions in the store differ from those its log entries set
    and closed (see :func:`_judge_log_backing`)."""
    problems: list[str] = []
    logged: dict[int, bool] = {}
    for payload in _log_payloads(conn, "review.decide", "review", str(rid)):
        for condition in payload.get("conditions") or ():
            if isinstance(condition, dict) and "condition_id" in condition:
                logged[int(condition["condition_id"])] = bool(condition.get("blocking"))
    rows = {
        int(c.condition_id): c
        for c in conn.execute(select(Condition).where(Condition.review_id == rid)).all()
    }
    for cid, blocking in sorted(logged.items()):
        row = rows.get(cid)
        if row is None:
            problems.append(f"condition {cid} of review {rid} is in the log but not the store")
        elif bool(row.blocking) != blocking:
            problems.append(
                f"condition {cid} is {'blocking' if row.blocking else 'advisory'} in the "
                f"store but was set {'blocking' if blocking else 'advisory'}"
            )
    for cid, row in sorted(rows.items()):
        if cid not in logged:
            problems.append(f"condition {cid} of review {rid} is not in the log")
        elif row.status == "closed" and not _log_payloads(
            conn, "condition.close", "condition", str(cid)
        ):
            problems.append(f"condition {cid} is closed in the store but no closure is logged")
    return problems


def _log_problems(
    conn: Connection,
    review: Any,
    audit: Any,
    *,
    system: Any = None,
    record: RecordedPolicy | None = None,
) -> list[str]:
    """What the gate relies on that the audit log does not record (see
    :func:`_judge_log_backing`)."""
    problems: list[str] = []
    if system is not None:
        logged = None if record is None else record.policy
        if (logged or "default") != (system.policy or "default"):
            problems.append(
                f"system {system.name} is judged against policy {system.policy or 'default'} "
                f"in the store but the log records {logged or 'default'}"
            )
    if review is not None and review.status in (*APPROVED_STATUSES, "rejected"):
        rid = int(review.review_id)
        closes = _log_payloads(conn, "review.close", "review", str(rid))
        last = closes[-1] if closes else {}
        if last.get("outcome") != review.status or (
            review.status in APPROVED_STATUSES and last.get("expires_at") != _iso(review.expires_at)
        ):
            problems.append(
                f"review {rid} is {review.status} until {_iso(review.expires_at)} in the store "
                f"but the log records {last.get('outcome', 'no outcome')} until "
                f"{last.get('expires_at')}"
            )
        seqs = _last_seqs(conn, "review", str(rid))
        closed_at = seqs.get("review.close", 0)
        voided = max(seqs.get("review.reopen", 0), seqs.get("review.withdraw", 0))
        if review.status in APPROVED_STATUSES and voided > closed_at:
            problems.append(
                f"review {rid} is {review.status} in the store but the log records that it "
                f"was reopened or withdrawn afterwards (entry {voided})"
            )
        submits = _log_payloads(conn, "review.submit", "review", str(rid))
        if submits and submits[-1].get("model_version") not in (None, review.model_version):
            problems.append(
                f"review {rid} is for model version {review.model_version!r} in the store but "
                f"was submitted for {submits[-1].get('model_version')!r}"
            )
        problems.extend(_condition_log_problems(conn, rid))
    if system is not None:  # the gate also reads earlier reviews' conditions (condition 3)
        latest = None if review is None else int(review.review_id)
        checked = review is not None and review.status in (*APPROVED_STATUSES, "rejected")
        for earlier in conn.execute(_version_reviews(system)).scalars():
            if int(earlier) != latest or not checked:
                problems.extend(_condition_log_problems(conn, int(earlier)))
    if audit is not None:
        records = _log_payloads(conn, "audit.record", "run", str(audit.run_id))
        if not records or records[-1].get("verdict") != audit.verdict:
            logged_verdict = records[-1].get("verdict") if records else "no record"
            problems.append(
                f"audit run {audit.run_id[:8]} has verdict {audit.verdict} in the store but the "
                f"log records {logged_verdict}"
            )
    return problems


def _judge_log_backing(
    out: _Collector,
    conn: Connection,
    review: Any,
    audit: Any,
    *,
    system: Any = None,
    record: RecordedPolicy | None = None,
) -> None:
    """Condition 6: the approval, its conditions, the audit and the system's policy are
    recorded in the log, and the log extends what this machine signed.

    The state tables (``gov_reviews``, ``gov_conditions``, ``audit_runs``, ``gov_systems``)
    are what the gate reads, but only the hash-chained log is tamper-evident. A review
    outcome or expiry, a condition's blocking flag or closure, an audit verdict, or the
    policy a system names, changed in the database outside fairmark has no matching log
    entry, and closes the gate (``state_not_in_log``). A log cut back or rewritten behind
    the anchor beside the signing key closes it too (``log_tampered``,
    :func:`signed_head_problem`): the cross-check above cannot see entries that are gone.
    Source: EU AI Act Art. 12 (record-keeping); Schneier & Kelsey 1999 (the log, not the
    state, is the evidence).
    """
    problems = _log_problems(conn, review, audit, system=system, record=record)
    cut = signed_head_problem(conn)  # the log itself against what this machine signed
    if problems:
        out.fail(
            "log",
            "state_not_in_log",
            "; ".join(problems),
            f"the store does not match its audit log ({problems[0]}"
            + (f"; {len(problems) - 1} more" if len(problems) > 1 else "")
            + "): it was changed outside fairmark; run 'fairmark log verify' and re-review",
        )
    if cut is None and not problems:
        out.ok("log", "approval, conditions and audit verdict are recorded in the audit log")
    elif cut is not None and problems:  # one check, two reasons
        out.reasons.append(GateReason("log_tampered", cut))
    elif cut is not None:
        out.fail("log", "log_tampered", cut, cut)


def signed_head_problem(conn: Connection) -> str | None:
    """Return why the audit log does not extend what this machine signed, or ``None``.

    Read-only: runs :func:`fairmark.governance.log.check_signed_head` (the check made
    before every signature) with the store's signing key file
    (:func:`fairmark.governance.keys.key_path`: ``FAIRMARK_SIGNING_KEY``, else beside a
    SQLite store, else ``~/.config/fairmark``). It compares the log with the anchor beside
    that key (the newest checkpoint signed on this machine,
    :mod:`fairmark.governance.log_anchor`) and walks the chain from the newest trusted
    checkpoint to the head, so a log whose tail was deleted together with its checkpoints
    is caught without a full ``fairmark log verify``.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        An open connection to the store (nothing is written, no lock is taken).

    Returns
    -------
    str or None
        One line naming the first entry concerned and telling to run
        ``fairmark log verify`` (:data:`fairmark.governance.log_anchor.MISMATCH`), or why
        the anchor file cannot be read; ``None`` when the log checks out, or when this
        machine has no readable signing key (then there is no anchor to compare with).

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        The database cannot be read.

    Notes
    -----
    Sources: Crosby & Wallach 2009 (a log is tamper-evident against its operator only
    against commitments kept outside it); RFC 9162 section 8.1.4 (a client keeps the
    newest signed tree head it saw and rejects a log inconsistent with it).
    """
    from sqlalchemy import func

    from fairmark.errors import DataError
    from fairmark.governance.keys import key_path, load_signing_key
    from fairmark.governance.log import check_signed_head

    url = conn.engine.url.render_as_string(hide_password=False)
    file = key_path(None, url)
    if not file.is_file():
        return None
    try:
        key = load_signing_key(file, store_url=url, create=False)
    except UsageError:
        return None  # not a readable key: no anchor of this machine to compare with
    head = conn.execute(select(func.max(LogEntryRow.seq))).scalar()
    try:
        check_signed_head(conn, key, int(head or 0))
    except (DataError, UsageError) as exc:  # LogIntegrityError, or an unreadable anchor
        text = " ".join(str(exc).split())
        if "fairmark log verify" not in text:
            text = f"{text}; run 'fairmark log verify'"
        return text
    return None


def _judge_audit(
    out: _Collector,
    name: str,
    system: Any,
    audit: Any,
    at: datetime,
    policy: Any,
    gov: Any,
    tier: str | None,
    tier_settings: Any,
) -> None:
    run = audit.run_id
    short = run[:8]
    again = f"run a new audit with 'fairmark audit DATA ... --system {name}'"
    if audit.verdict in PASSING_VERDICTS:
        out.ok("audit", f"run {run}: {audit.verdict}")
    else:
        out.fail(
            "audit",
            "audit_failed",
            f"run {run}: {audit.verdict}",
            f"the latest audit of {name!r} (run {short}) has verdict {audit.verdict}; fix "
            f"the findings ('fairmark runs show {short}') and {again}",
        )
    if audit_predates_model(audit.created_at, system.model_version_at):
        out.fail(
            "audit_model_version",
            "audit_predates_model",
            f"audit {_iso(audit.created_at)} < model version {_iso(system.model_version_at)}",
            f"the latest audit of {name!r} (run {short}, {_iso(audit.created_at)}) predates "
            f"model version {system.model_version!r} registered at "
            f"{_iso(system.model_version_at)}; {again}",
        )
    else:
        out.ok("audit_model_version", f"audit after model version {system.model_version}")
    max_age = gov.audit_max_age_days
    if max_age is None:
        out.ok("audit_age", "the policy sets no maximum audit age")
    elif audit.created_at < at - timedelta(days=max_age):
        age = (at - audit.created_at).days
        out.fail(
            "audit_age",
            "audit_stale",
            f"{age} days old > {max_age}",
            f"the latest audit of {name!r} (run {short}) is {age} days old; policy "
            f"{policy.id} allows at most {max_age}; {again}",
        )
    else:
        out.ok("audit_age", f"{(at - audit.created_at).days} days old <= {max_age}")
    report = audit.report if isinstance(audit.report, dict) else {}
    judged = judged_policy(report)
    if judged is None or judged.get("sha256") != policy.sha256:
        used = describe_policy(judged)
        out.fail(
            "audit_policy",
            "audit_policy_mismatch",
            f"judged against {used}",
            f"the latest audit of {name!r} (run {short}) was judged against {used}, not "
            f"the system's policy {policy.id} v{policy.version} (sha256 {policy.sha256[:12]}); "
            f"run a new audit with '--policy {policy_option(policy)}' and '--system {name}'",
        )
    else:
        out.ok("audit_policy", f"policy {policy.id} v{policy.version}")
    if tier_settings is None:
        return
    for check_id in tier_settings.required_checks:
        status, code, detail = judge_required_check(report, check_id)
        if status == "ok":
            out.ok(f"required_check:{check_id}", detail)
            continue
        if code == "required_check_failed":
            message = (
                f"check {check_id}, required for tier {tier}, fails in the latest audit of "
                f"{name!r} (run {short}): {detail}; fix it and {again}"
            )
        else:
            message = (
                f"check {check_id}, required for tier {tier}, was not measured in the latest "
                f"audit of {name!r} (run {short}): {detail}; {again} under a policy with a "
                "rule for it"
            )
        out.fail(f"required_check:{check_id}", code, detail, message)
