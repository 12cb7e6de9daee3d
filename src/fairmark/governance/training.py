"""AI-literacy training records (EU AI Act Art. 4): record and list.

Art. 4 of the EU AI Act (Regulation (EU) 2024/1689, applicable from 2 February 2025) asks
providers and deployers of AI systems to take measures to ensure, to their best extent, a
sufficient level of AI literacy of their staff dealing with AI systems. fairmark keeps one
append-only row per completed training, with an expiry; a reviewer of the ethics committee
must hold a current one (:func:`fairmark.governance.identity.current_training`).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select

from fairmark.errors import UsageError
from fairmark.governance.access import Principal, authorize
from fairmark.governance.chain import append_entry
from fairmark.governance.clock import db_now
from fairmark.governance.identity import TrainingInfo, ensure_actor
from fairmark.governance.users import reading, user_row, writing
from fairmark.policy.model import Policy
from fairmark.store.models_governance import TrainingRecord

__all__ = ["list_training", "record_training"]

_MAX_COURSE = 200
_MAX_EVIDENCE = 500


def _text(value: object, label: str, limit: int, *, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{label} is {value!r}; expected non-empty text")
    value = value.strip()
    if len(value) > limit:
        raise UsageError(f"{label} has {len(value)} characters; expected at most {limit}")
    return value


def _day(value: object, label: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise UsageError(f"{label} is {value!r}; expected a datetime.date")
    return value


def _valid_days(policy: Policy | str | None) -> int:
    if not isinstance(policy, Policy):
        from fairmark.policy import load_policy

        policy = load_policy("default" if policy is None else policy)
    return int(policy.settings.governance.training_valid_days)


def record_training(
    engine: Engine,
    *,
    user: str,
    course: str,
    completed_on: date,
    expires_on: date | None = None,
    evidence: str | None = None,
    principal: Principal,
    policy: Policy | str | None = None,
) -> TrainingInfo:
    """Record that ``user`` completed an AI-literacy training.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    user : str
        An existing user.
    course : str
        Name of the course (at most 200 characters).
    completed_on : datetime.date
        Day completed; not in the future (UTC, by the store's clock,
        :func:`fairmark.governance.clock.db_now`).
    expires_on : datetime.date, optional
        First day the record no longer counts; after ``completed_on``. Default:
        ``completed_on`` + the policy's ``governance.training_valid_days`` (365 in the
        built-in policy).
    evidence : str, optional
        Certificate reference or link (at most 500 characters).
    principal : Principal
        Needs ``user.manage`` (admin).
    policy : Policy or str, optional
        Policy (object, path or ``"default"``) giving the default validity.

    Returns
    -------
    TrainingInfo

    Raises
    ------
    AccessError
        ``principal`` lacks ``user.manage``.
    UsageError
        Unknown user; empty course; ``completed_on`` in the future; ``expires_on`` not
        after ``completed_on``; a value that is not a date.
    PolicyError
        ``policy`` cannot be loaded.
    StoreError

    Notes
    -----
    EU AI Act Art. 4 (AI literacy). Logged as ``training.record`` on the user with the
    record id, course, dates and evidence. Records are append-only: a correction is a new
    record.
    """
    authorize(principal, "user.manage")
    course_text = _text(course, "course", _MAX_COURSE, required=True)
    evidence = _text(evidence, "evidence", _MAX_EVIDENCE, required=False)
    completed_on = _day(completed_on, "completion date")
    if expires_on is None:
        expires_on = completed_on + timedelta(days=_valid_days(policy))
    else:
        expires_on = _day(expires_on, "expiry date")
    if expires_on <= completed_on:
        raise UsageError(
            f"expiry date {expires_on.isoformat()} is not after the completion date "
            f"{completed_on.isoformat()}; expected a later day"
        )
    record_id = str(uuid.uuid4())
    with writing(engine, "record training") as conn:
        ensure_actor(conn, principal)
        user_row(conn, user)
        now = db_now(conn)  # the store's clock, after the log lock
        today = now.date()
        if completed_on > today:
            raise UsageError(
                f"completion date {completed_on.isoformat()} is in the future; expected "
                f"{today.isoformat()} or earlier"
            )
        conn.execute(
            insert(TrainingRecord).values(
                record_id=record_id,
                user_name=user,
                course=course_text,
                completed_on=completed_on,
                expires_on=expires_on,
                evidence=evidence,
                recorded_by=principal.name,
                recorded_at=now,
            )
        )
        append_entry(
            conn,
            actor=principal.name,
            action="training.record",
            entity_type="user",
            entity_id=user,
            payload={
                "record_id": record_id,
                "user": user,
                "course": course_text,
                "completed_on": completed_on.isoformat(),
                "expires_on": expires_on.isoformat(),
                "evidence": evidence,
            },
            at=now,
        )
        row = conn.execute(
            select(TrainingRecord).where(TrainingRecord.record_id == record_id)
        ).one()
        return TrainingInfo.from_row(row)


def list_training(
    engine: Engine | Connection, user: str, *, principal: Principal
) -> list[TrainingInfo]:
    """Return ``user``'s training records, newest completion first.

    Parameters
    ----------
    engine : sqlalchemy.Engine or sqlalchemy.Connection
    user : str
    principal : Principal
        The user themself, or ``user.read`` (admin, auditor).

    Returns
    -------
    list of TrainingInfo

    Raises
    ------
    AccessError
        Another user's records without ``user.read``.
    UsageError
        Unknown user.
    """
    if user != principal.name:
        authorize(principal, "user.read")
    with reading(engine, "list training") as conn:
        user_row(conn, user)
        rows = conn.execute(
            select(TrainingRecord)
            .where(TrainingRecord.user_name == user)
            .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.recorded_at.desc())
        ).all()
    return [TrainingInfo.from_row(r) for r in rows]
