"""Reading reviews: the result types of the review workflow and ``get_review``/``list_reviews``.

Split from :mod:`fairmark.governance.review` (which re-exports everything here) to keep
each module small. ``current`` and ``due`` are computed at read time: an approval is
current while it approves the system's current model version and has not expired, and
re-review falls due :data:`DUE_WITHIN_DAYS` days before it expires. So is ``previous``:
the system's latest earlier review on which a reviewer decided, shown with its decisions
and conditions so that a resubmission cannot hide an earlier rejection or an open condition
from the new reviewers.

Sources: EU AI Act (Regulation (EU) 2024/1689) Art. 17(1) and Art. 72 (post-market
monitoring: approvals are revisited); ISO/IEC 42001:2023 clause 9.3 (management review at
planned intervals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, select

from fairmark.errors import UsageError
from fairmark.governance.access import Principal, authorize
from fairmark.governance.clock import db_now
from fairmark.governance.gate import (
    APPROVED_STATUSES,
    latest_decided_review,
    store_guard,
    system_row,
)
from fairmark.store.models import AuditRun
from fairmark.store.models_governance import (
    REVIEW_STATUSES,
    Condition,
    Review,
    ReviewAssignment,
    ReviewComment,
    ReviewDecision,
    SystemRow,
)

__all__ = [
    "DUE_WITHIN_DAYS",
    "AssignmentInfo",
    "CommentInfo",
    "ConditionInfo",
    "ConditionSpec",
    "DecisionInfo",
    "PreviousReviewInfo",
    "ReviewInfo",
    "get_review",
    "list_reviews",
]

DUE_WITHIN_DAYS = 30
"""An approval falls due for re-review this many days before it expires."""

_SHOWN_IDS = 10


# --------------------------------------------------------------------------- results


def _iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()


@dataclass(frozen=True)
class ConditionSpec:
    """A condition to attach to a decision.

    Attributes
    ----------
    text : str
        What must be done, e.g. "re-run the audit with the 2025 campaign data".
    due_on : datetime.date or None
        When it should be closed (informational; the gate stays closed until it is).
    """

    text: str
    due_on: date | None = None


@dataclass(frozen=True)
class ConditionInfo:
    """A condition of a review, tracked to closure.

    Attributes
    ----------
    condition_id, review_id : int
    text : str
    blocking : bool
        A blocking condition keeps ``fairmark gate`` closed while open.
    due_on : date or None
    status : {"open", "closed"}
    created_by : str
        The reviewer who set it.
    created_at : datetime
    closed_by, closed_at, closing_note
        Set once closed.
    """

    condition_id: int
    review_id: int
    text: str
    blocking: bool
    due_on: date | None
    status: str
    created_by: str
    created_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    closing_note: str | None

    @classmethod
    def from_row(cls, row: Any) -> ConditionInfo:
        """Build from a ``gov_conditions`` row."""
        return cls(
            condition_id=int(row.condition_id),
            review_id=int(row.review_id),
            text=row.text,
            blocking=bool(row.blocking),
            due_on=row.due_on,
            status=row.status,
            created_by=row.created_by,
            created_at=row.created_at,
            closed_by=row.closed_by,
            closed_at=row.closed_at,
            closing_note=row.closing_note,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (ISO 8601 dates and UTC times)."""
        return {
            "condition_id": self.condition_id,
            "review_id": self.review_id,
            "text": self.text,
            "blocking": self.blocking,
            "due_on": _iso(self.due_on),
            "status": self.status,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
            "closed_by": self.closed_by,
            "closed_at": _iso(self.closed_at),
            "closing_note": self.closing_note,
        }


@dataclass(frozen=True)
class DecisionInfo:
    """One reviewer's decision (append-only).

    Attributes
    ----------
    reviewer : str
    decision : {"approve", "approve_with_conditions", "reject"}
    rationale : str
    created_at : datetime
    """

    reviewer: str
    decision: str
    rationale: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "reviewer": self.reviewer,
            "decision": self.decision,
            "rationale": self.rationale,
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class CommentInfo:
    """One comment on a review (append-only).

    Attributes
    ----------
    comment_id : str
        UUID.
    review_id : int
    author, body : str
    created_at : datetime
    """

    comment_id: str
    review_id: int
    author: str
    body: str
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "comment_id": self.comment_id,
            "review_id": self.review_id,
            "author": self.author,
            "body": self.body,
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class AssignmentInfo:
    """A reviewer assigned to a review.

    Attributes
    ----------
    reviewer, assigned_by : str
    assigned_at : datetime
    decided : bool
        Whether the reviewer has decided.
    """

    reviewer: str
    assigned_by: str
    assigned_at: datetime
    decided: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "reviewer": self.reviewer,
            "assigned_by": self.assigned_by,
            "assigned_at": _iso(self.assigned_at),
            "decided": self.decided,
        }


@dataclass(frozen=True)
class PreviousReviewInfo:
    """The earlier review a review follows, with what its reviewers decided and said.

    The system's latest review before this one on which at least one reviewer recorded a
    decision, whatever became of it (``rejected``, an approval, ``reopened`` by a material
    change, or ``withdrawn`` part-way). Earlier reviews withdrawn before any decision carry
    nothing and are skipped. Derived at read time from the reviews table: every earlier
    review is closed when a new one is submitted, so the link never changes.

    Attributes
    ----------
    review_id : int
    status : str
        One of :data:`fairmark.store.models_governance.REVIEW_STATUSES`.
    model_version, run_id : str
        What that review examined.
    decided_at : datetime or None
        When its quorum was reached (``None`` if it was withdrawn or reopened first).
    closed_reason : str or None
        Why it was reopened or withdrawn.
    decisions : tuple of DecisionInfo
        Who decided what, with their rationale, oldest first.
    comments : tuple of CommentInfo
        Its discussion, oldest first.
    conditions : tuple of ConditionInfo
        Its conditions with their status now, oldest first: a blocking condition of an
        approval of the same model version still open keeps ``fairmark gate`` closed after
        the new review approves (:func:`fairmark.governance.gate.open_blocking_conditions`).

    Notes
    -----
    Shown so that a committee sees the history of the system it examines (ISO/IEC
    42001:2023 clause 9.3, management review considers the results of earlier reviews;
    EU AI Act Art. 17(1)(d), examination before placing on the market).
    """

    review_id: int
    status: str
    model_version: str
    run_id: str
    decided_at: datetime | None
    closed_reason: str | None
    decisions: tuple[DecisionInfo, ...]
    comments: tuple[CommentInfo, ...]
    conditions: tuple[ConditionInfo, ...] = ()

    @property
    def open_blocking_conditions(self) -> tuple[ConditionInfo, ...]:
        """Its blocking conditions still open."""
        return tuple(c for c in self.conditions if c.blocking and c.status == "open")

    @property
    def rejected_by(self) -> tuple[str, ...]:
        """The reviewers whose decision was ``reject``, in decision order."""
        return tuple(d.reviewer for d in self.decisions if d.decision == "reject")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "review_id": self.review_id,
            "status": self.status,
            "model_version": self.model_version,
            "run_id": self.run_id,
            "decided_at": _iso(self.decided_at),
            "closed_reason": self.closed_reason,
            "decisions": [d.to_dict() for d in self.decisions],
            "comments": [c.to_dict() for c in self.comments],
            "conditions": [c.to_dict() for c in self.conditions],
        }


@dataclass(frozen=True)
class ReviewInfo:
    """A review as shown by ``fairmark review show`` (computed at read time).

    Attributes
    ----------
    review_id : int
    system, owner : str
        The system and its accountable owner.
    model_version : str
        The model version submitted.
    system_model_version : str
        The system's model version now (differs after a material change).
    run_id : str
        The audit run submitted with the review.
    run_verdict : str or None
        That run's verdict (``pass``, ``warn``, ``fail``, ``insufficient_evidence``).
    status : str
        One of :data:`fairmark.store.models_governance.REVIEW_STATUSES`.
    quorum : int
        Decisions needed.
    submitted_by : str
    submitted_at : datetime
    note : str or None
    decided_at, expires_at : datetime or None
        When the quorum was reached; when the approval lapses.
    closed_reason : str or None
        Why it was reopened or withdrawn.
    reviewers : tuple of AssignmentInfo
    decisions : tuple of DecisionInfo
    comments : tuple of CommentInfo
    conditions : tuple of ConditionInfo
    current : bool
        An approval (with or without conditions) of the system's current model version
        that has not expired at :attr:`as_of` (a reopened review is never current).
    due : bool
        An approval of a system still in service (not retired) that is the system's latest
        decision and expires within
        :data:`DUE_WITHIN_DAYS` days of :attr:`as_of` or has expired: re-review falls due.
    needs_reviewers : int
        Reviewers still to assign to reach the quorum (open reviews only).
    as_of : datetime
        The moment ``current`` and ``due`` were judged.
    previous : PreviousReviewInfo or None
        The system's latest earlier review with a decision (see
        :class:`PreviousReviewInfo`), so new reviewers see an earlier rejection.
    earlier_open_conditions : tuple of ConditionInfo
        Open blocking conditions of the system's other reviews, of any model version: they
        keep the gate closed until a reviewer or an admin closes them.
    """

    review_id: int
    system: str
    owner: str
    model_version: str
    system_model_version: str
    run_id: str
    run_verdict: str | None
    status: str
    quorum: int
    submitted_by: str
    submitted_at: datetime
    note: str | None
    decided_at: datetime | None
    expires_at: datetime | None
    closed_reason: str | None
    reviewers: tuple[AssignmentInfo, ...]
    decisions: tuple[DecisionInfo, ...]
    comments: tuple[CommentInfo, ...]
    conditions: tuple[ConditionInfo, ...]
    current: bool
    due: bool
    needs_reviewers: int
    as_of: datetime
    previous: PreviousReviewInfo | None = None
    earlier_open_conditions: tuple[ConditionInfo, ...] = ()

    @property
    def open_blocking_conditions(self) -> tuple[ConditionInfo, ...]:
        """The blocking conditions still open."""
        return tuple(c for c in self.conditions if c.blocking and c.status == "open")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``fairmark review show --format json``)."""
        return {
            "review_id": self.review_id,
            "system": self.system,
            "owner": self.owner,
            "model_version": self.model_version,
            "system_model_version": self.system_model_version,
            "run_id": self.run_id,
            "run_verdict": self.run_verdict,
            "status": self.status,
            "quorum": self.quorum,
            "submitted_by": self.submitted_by,
            "submitted_at": _iso(self.submitted_at),
            "note": self.note,
            "decided_at": _iso(self.decided_at),
            "expires_at": _iso(self.expires_at),
            "closed_reason": self.closed_reason,
            "reviewers": [r.to_dict() for r in self.reviewers],
            "decisions": [d.to_dict() for d in self.decisions],
            "comments": [c.to_dict() for c in self.comments],
            "conditions": [c.to_dict() for c in self.conditions],
            "current": self.current,
            "due": self.due,
            "needs_reviewers": self.needs_reviewers,
            "as_of": _iso(self.as_of),
            "previous_review_id": None if self.previous is None else self.previous.review_id,
            "previous_review": None if self.previous is None else self.previous.to_dict(),
            "earlier_open_conditions": [c.to_dict() for c in self.earlier_open_conditions],
        }


_MAX_ID = 2_147_483_647  # the largest INTEGER id on PostgreSQL (and far beyond any store)


def _positive_id(value: Any, what: str) -> int:
    """Parse an id typed by a user: ASCII digits only, 1 .. 2**31-1 (no ``1_0``, no
    other scripts' digits, no overflow)."""
    text = "" if isinstance(value, bool) else str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise UsageError(
            f"{what} id {value!r} is not a number; expected a positive integer, e.g. 3"
        )
    number = int(text)
    if not 1 <= number <= _MAX_ID:
        raise UsageError(f"{what} id {value!r} is not a positive integer up to {_MAX_ID}")
    return number


def _review_id(value: Any) -> int:
    return _positive_id(value, "review")


def _now(at: datetime | None) -> datetime | None:
    if at is None:
        return None  # the store's clock, read on the connection (db_now)
    if at.tzinfo is None or at.utcoffset() is None:
        raise UsageError(f"at is {at.isoformat()} without a time zone; expected an aware UTC time")
    return at.astimezone(UTC)


# --------------------------------------------------------------------------- reads


def _review_row(conn: Connection, review_id: Any) -> Any:
    number = _review_id(review_id)
    row = conn.execute(select(Review).where(Review.review_id == number)).first()
    if row is not None:
        return row
    recent = conn.execute(
        select(Review.review_id, Review.system_name, Review.status)
        .order_by(Review.review_id.desc())
        .limit(_SHOWN_IDS)
    ).all()
    if not recent:
        raise UsageError(
            f"no review {number}; no review has been submitted yet "
            "('fairmark review submit SYSTEM')"
        )
    shown = ", ".join(f"{r.review_id} ({r.system_name}, {r.status})" for r in recent)
    raise UsageError(f"no review {number}; expected one of: {shown}")


def _condition_row(conn: Connection, condition_id: Any) -> Any:
    number = _positive_id(condition_id, "condition")
    row = conn.execute(select(Condition).where(Condition.condition_id == number)).first()
    if row is not None:
        return row
    open_rows = conn.execute(
        select(Condition.condition_id, Condition.review_id, Review.system_name)
        .join(Review, Review.review_id == Condition.review_id)
        .where(Condition.status == "open")
        .order_by(Condition.condition_id)
        .limit(_SHOWN_IDS)
    ).all()
    if not open_rows:
        raise UsageError(f"no condition {number}; no condition is open")
    shown = ", ".join(
        f"{r.condition_id} (review {r.review_id}, {r.system_name})" for r in open_rows
    )
    raise UsageError(f"no condition {number}; open conditions: {shown}")


def _is_current(review: Any, system: Any, at: datetime) -> bool:
    return (
        review.status in APPROVED_STATUSES
        and review.model_version == system.model_version
        and review.expires_at is not None
        and review.expires_at > at
    )


def _decisions(conn: Connection, rid: int) -> list[Any]:
    return list(
        conn.execute(
            select(ReviewDecision)
            .where(ReviewDecision.review_id == rid)
            .order_by(ReviewDecision.created_at, ReviewDecision.reviewer)
        ).all()
    )


def _comments(conn: Connection, rid: int) -> list[Any]:
    return list(
        conn.execute(
            select(ReviewComment)
            .where(ReviewComment.review_id == rid)
            .order_by(ReviewComment.created_at, ReviewComment.comment_id)
        ).all()
    )


def _conditions(conn: Connection, rid: int) -> list[Any]:
    return list(
        conn.execute(
            select(Condition).where(Condition.review_id == rid).order_by(Condition.condition_id)
        ).all()
    )


def _previous_review(conn: Connection, system_name: str, before: int | None) -> Any | None:
    """The system's latest review (before review ``before``, if given) with a decision."""
    query = (
        select(Review)
        .where(
            Review.system_name == system_name,
            Review.review_id.in_(select(ReviewDecision.review_id).distinct()),
        )
        .order_by(Review.review_id.desc())
        .limit(1)
    )
    if before is not None:
        query = query.where(Review.review_id < before)
    return conn.execute(query).first()


def _previous_info(
    conn: Connection, system_name: str, before: int | None
) -> PreviousReviewInfo | None:
    row = _previous_review(conn, system_name, before)
    if row is None:
        return None
    pid = int(row.review_id)
    return PreviousReviewInfo(
        review_id=pid,
        status=row.status,
        model_version=row.model_version,
        run_id=row.run_id,
        decided_at=row.decided_at,
        closed_reason=row.closed_reason,
        decisions=tuple(
            DecisionInfo(d.reviewer, d.decision, d.rationale, d.created_at)
            for d in _decisions(conn, pid)
        ),
        comments=tuple(
            CommentInfo(c.comment_id, pid, c.author, c.body, c.created_at)
            for c in _comments(conn, pid)
        ),
        conditions=tuple(ConditionInfo.from_row(c) for c in _conditions(conn, pid)),
    )


def _review_info(conn: Connection, review: Any, at: datetime) -> ReviewInfo:
    rid = int(review.review_id)
    system = conn.execute(select(SystemRow).where(SystemRow.name == review.system_name)).one()
    verdict = conn.execute(
        select(AuditRun.verdict).where(AuditRun.run_id == review.run_id)
    ).scalar()
    decisions = _decisions(conn, rid)
    decided = {d.reviewer for d in decisions}
    assignments = conn.execute(
        select(ReviewAssignment)
        .where(ReviewAssignment.review_id == rid)
        .order_by(ReviewAssignment.assigned_at, ReviewAssignment.reviewer)
    ).all()
    comments = _comments(conn, rid)
    conditions = _conditions(conn, rid)
    due = False
    if (
        review.status in APPROVED_STATUSES
        and review.expires_at is not None
        and system.status != "retired"
    ):
        latest = latest_decided_review(conn, review.system_name)
        is_latest = latest is not None and int(latest.review_id) == rid
        due = is_latest and review.expires_at <= at + timedelta(days=DUE_WITHIN_DAYS)
    needs = max(0, int(review.quorum) - len(assignments)) if review.status == "open" else 0
    return ReviewInfo(
        review_id=rid,
        system=review.system_name,
        owner=system.owner,
        model_version=review.model_version,
        system_model_version=system.model_version,
        run_id=review.run_id,
        run_verdict=verdict,
        status=review.status,
        quorum=int(review.quorum),
        submitted_by=review.submitted_by,
        submitted_at=review.submitted_at,
        note=review.note,
        decided_at=review.decided_at,
        expires_at=review.expires_at,
        closed_reason=review.closed_reason,
        reviewers=tuple(
            AssignmentInfo(a.reviewer, a.assigned_by, a.assigned_at, a.reviewer in decided)
            for a in assignments
        ),
        decisions=tuple(
            DecisionInfo(d.reviewer, d.decision, d.rationale, d.created_at) for d in decisions
        ),
        comments=tuple(
            CommentInfo(c.comment_id, rid, c.author, c.body, c.created_at) for c in comments
        ),
        conditions=tuple(ConditionInfo.from_row(c) for c in conditions),
        current=_is_current(review, system, at),
        due=due,
        needs_reviewers=needs,
        as_of=at,
        previous=_previous_info(conn, review.system_name, rid),
        earlier_open_conditions=_earlier_open_conditions(conn, review.system_name, rid),
    )


def _earlier_open_conditions(conn: Connection, system_name: str, rid: int) -> tuple[Any, ...]:
    """Open blocking conditions of the system's other reviews (any model version): they keep
    the gate closed until closed (:func:`fairmark.governance.gate.open_blocking_conditions`),
    so the reviewers of this review see them."""
    others = select(Review.review_id).where(
        Review.system_name == system_name, Review.review_id != rid
    )
    rows = conn.execute(
        select(Condition)
        .where(
            Condition.review_id.in_(others),
            Condition.blocking.is_(True),
            Condition.status == "open",
        )
        .order_by(Condition.condition_id)
    ).all()
    return tuple(ConditionInfo.from_row(c) for c in rows)


def get_review(
    engine: Engine, review_id: int | str, *, principal: Principal, at: datetime | None = None
) -> ReviewInfo:
    """Return one review with its reviewers, decisions, comments and conditions.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    review_id : int or str
        The review's number.
    principal : Principal
        Needs ``review.read`` (every role).
    at : datetime, optional
        Moment for ``current`` and ``due`` (timezone-aware; default now by the store's
        clock, :func:`fairmark.governance.clock.db_now`).

    Returns
    -------
    ReviewInfo
        With ``previous``: the system's latest earlier review on which a reviewer decided,
        and its decisions, comments and conditions (with their status now).

    Raises
    ------
    AccessError
        Not permitted (e.g. a token without the ``review.read`` scope).
    UsageError
        No such review (the latest reviews are listed).
    StoreError
        The database cannot be read.
    """
    authorize(principal, "review.read")
    moment = _now(at)
    with store_guard(engine.url, "cannot read review"), engine.connect() as conn:
        moment = db_now(conn) if moment is None else moment
        return _review_info(conn, _review_row(conn, review_id), moment)


def list_reviews(
    engine: Engine,
    *,
    principal: Principal,
    system: str | None = None,
    status: str | None = None,
    due: bool = False,
    at: datetime | None = None,
) -> list[ReviewInfo]:
    """List reviews, newest first.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    principal : Principal
        Needs ``review.read``.
    system : str, optional
        Only this system's reviews (it must be registered).
    status : str, optional
        Only reviews in this status (``approved-with-conditions`` accepted).
    due : bool
        Only approvals for which re-review falls due: expired, or expiring within
        :data:`DUE_WITHIN_DAYS` days, and not superseded by a later decision.
    at : datetime, optional
        Moment for ``current`` and ``due`` (default now by the store's clock,
        :func:`fairmark.governance.clock.db_now`).

    Returns
    -------
    list of ReviewInfo

    Raises
    ------
    AccessError
        Not permitted.
    UsageError
        Unknown system or status.
    StoreError
        The database cannot be read.
    """
    authorize(principal, "review.read")
    moment = _now(at)
    if status is not None:
        key = "_".join(status.strip().lower().replace("-", " ").split())
        if key not in REVIEW_STATUSES:
            raise UsageError(
                f"review status {status!r} is not known; expected one of "
                f"{', '.join(REVIEW_STATUSES)}"
            )
        status = key
    with store_guard(engine.url, "cannot list reviews"), engine.connect() as conn:
        moment = db_now(conn) if moment is None else moment
        query = select(Review).order_by(Review.review_id.desc())
        if system is not None:
            system_row(conn, system)
            query = query.where(Review.system_name == system)
        if status is not None:
            query = query.where(Review.status == status)
        if due:
            query = query.where(Review.status.in_(APPROVED_STATUSES))
        infos = [_review_info(conn, row, moment) for row in conn.execute(query).all()]
    return [info for info in infos if info.due] if due else infos
