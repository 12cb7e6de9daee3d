"""The request log: identity verifications, requests and per-source outcomes.

Subject references. The log must not become one more copy of the identifier it helps to
erase (GDPR Art. 5(1)(c) data minimisation, Art. 5(1)(e) storage limitation). It stores
no raw subject id and no part of one (not even the last characters: for an e-mail
address they say little, for a short id they say much). A subject appears as its
*subject reference*::

    subject_ref = HMAC-SHA-256(key, UTF-8 bytes of the subject id)   (64 hex digits)

under a random 256-bit key created once per store (table ``dsr_meta``, written once,
never changed). The same subject always gets the same reference, so an erasure finds the
identity verification recorded for it and ``requests list --subject`` finds a subject's
requests; without the key a reference cannot be computed from a guessed id (RFC 2104;
a plain or salted SHA-256 of a customer number could be brute-forced from the log
alone). Whoever can read ``dsr_meta`` and guess ids can test them: protect the store as
the personal data it indexes.

Verification, requests and outcomes are append-only (the database refuses UPDATE and
DELETE, migration ``0004``): the record of what was done (GDPR Art. 5(2), Art. 30) cannot
be edited afterwards. A request row is written before any source is touched and each
outcome as soon as its source is done, so an interrupted run shows which sources it
reached.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from fairmark import __version__
from fairmark.errors import UsageError
from fairmark.privacy.dsr._store import open_dsr_store
from fairmark.privacy.dsr.result import (
    IdentityVerification,
    RequestKind,
    RequestSummary,
    SourceOutcome,
)
from fairmark.store.db import store_errors, write_transaction
from fairmark.store.models_dsr import DsrMeta, DsrOutcome, DsrRequest, DsrVerification

__all__ = [
    "DEFAULT_VERIFICATION_MAX_AGE",
    "MAX_SUBJECT_CHARS",
    "check_subject",
    "latest_verification",
    "list_requests",
    "parse_received_at",
    "record_outcome",
    "record_verification",
    "require_verification",
    "start_request",
    "subject_ref",
]

MAX_SUBJECT_CHARS = 1_000
"""Longest subject id accepted."""

DEFAULT_VERIFICATION_MAX_AGE = timedelta(days=90)
"""How old an identity verification may be when an erasure runs: the longest time GDPR
Art. 12(3) allows for answering a request (one month, extended by two further months)."""

_KEY_NAME = "subject_ref_key"
_KEY_BYTES = 32
_MAX_METHOD = 64
_MAX_BY = 200
_STATUSES = ("verified", "failed")


def check_subject(subject: Any) -> str:
    """Check a subject id (kept exactly as given: no trimming, no case folding).

    Parameters
    ----------
    subject : str
        The subject key as it appears in the sources' subject columns.

    Returns
    -------
    str

    Raises
    ------
    UsageError
        Not text, blank, longer than :data:`MAX_SUBJECT_CHARS`, or holding a NUL or a line
        break.
    """
    if not isinstance(subject, str):
        raise UsageError(
            f"SUBJECT is a {type(subject).__name__}; expected the subject key as text"
        )
    if not subject.strip():
        raise UsageError("SUBJECT is blank; expected the subject key, e.g. a customer id")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise UsageError(
            f"SUBJECT has {len(subject)} characters; expected at most {MAX_SUBJECT_CHARS}"
        )
    if any(ch in subject for ch in "\x00\r\n"):
        raise UsageError("SUBJECT contains a NUL or a line break; expected one line of text")
    return subject


def _key(engine: Engine) -> bytes:
    """The store's subject-reference key, created on first use (race-safe)."""
    table = DsrMeta.__table__
    query = select(table.c.secret).where(table.c.name == _KEY_NAME)
    with store_errors(engine.url, "cannot read the subject reference key"):
        with engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        if found is not None:
            return bytes(found)
        dialect_insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
        statement = dialect_insert(table).on_conflict_do_nothing()
        row = {
            "name": _KEY_NAME,
            "secret": secrets.token_bytes(_KEY_BYTES),
            "created_at": datetime.now(UTC),
        }
        with write_transaction(engine) as conn:
            conn.execute(statement, [row])
            stored = conn.execute(query).scalar_one()  # another process may have won
    return bytes(stored)


def subject_ref(engine: Engine, subject: str) -> str:
    """The subject reference of ``subject`` in this store.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store (migrated).
    subject : str
        A subject id checked by :func:`check_subject`.

    Returns
    -------
    str
        64 hex digits, HMAC-SHA-256 (RFC 2104) of the id's UTF-8 bytes under the store's
        subject-reference key.

    Raises
    ------
    StoreError
        The store cannot be read or written.
    """
    return hmac.new(_key(engine), subject.encode("utf-8"), hashlib.sha256).hexdigest()


def _one_line_text(value: Any, option: str, limit: int, expected: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{option} is {value!r}; expected {expected}")
    text = value.strip()
    if len(text) > limit:
        raise UsageError(f"{option} has {len(text)} characters; expected at most {limit}")
    if any(not ch.isprintable() for ch in text):
        raise UsageError(f"{option} contains control characters; expected one line of text")
    return text


def _verification(row: Any) -> IdentityVerification:
    return IdentityVerification(
        verification_id=row["verification_id"],
        subject_ref=row["subject_ref"],
        status=row["status"],
        method=row["method"],
        verified_by=row["verified_by"],
        verified_at=row["verified_at"],
    )


def record_verification(
    subject: str,
    method: str,
    verified_by: str,
    *,
    status: str = "verified",
    db: str | None = None,
    actor: str | None = None,
) -> IdentityVerification:
    """Record that a data subject's identity was checked.

    Parameters
    ----------
    subject : str
        The subject id (stored only as its subject reference).
    method : str
        How the identity was checked, e.g. ``account_login``, ``email_link``,
        ``id_document`` (1-64 printable characters).
    verified_by : str
        Who checked it (1-200 printable characters).
    status : {"verified", "failed"}
        ``failed`` records a check that did not confirm the identity; an erasure then
        stays refused until a later check succeeds.
    db : str or None
        Store URL.
    actor : str, optional
        Who records it, named in the audit log entry ``dsr.verify`` written in the same
        transaction (default: the operating-system account).

    Returns
    -------
    IdentityVerification

    Raises
    ------
    UsageError
        Bad subject, method, name or status.
    StoreError
        The store cannot be written.

    Notes
    -----
    GDPR Art. 12(6); EDPB Guidelines 01/2022 on the right of access, §§ 64-78: ask only
    for what is needed to confirm the identity, and record that it was done.
    """
    subject = check_subject(subject)
    method = _one_line_text(method, "--method", _MAX_METHOD, "how the identity was checked")
    verified_by = _one_line_text(verified_by, "--by", _MAX_BY, "who checked the identity")
    if status not in _STATUSES:
        raise UsageError(f"--status: unknown value {status!r}; expected verified or failed")
    with open_dsr_store(db) as (engine, _):
        ref = subject_ref(engine, subject)
        record = IdentityVerification(
            verification_id=str(uuid.uuid4()),
            subject_ref=ref,
            status=status,  # type: ignore[arg-type]
            method=method,
            verified_by=verified_by,
            verified_at=datetime.now(UTC),
        )
        with store_errors(engine.url, "cannot record identity verification"):
            with write_transaction(engine) as conn:
                conn.execute(
                    insert(DsrVerification).values(
                        verification_id=record.verification_id,
                        subject_ref=record.subject_ref,
                        status=record.status,
                        method=record.method,
                        verified_by=record.verified_by,
                        verified_at=record.verified_at,
                    )
                )
                _log(
                    conn,
                    actor,
                    "dsr.verify",
                    "dsr_subject",
                    record.subject_ref,
                    {
                        "verification_id": record.verification_id,
                        "subject_ref": record.subject_ref,
                        "status": record.status,
                        "method": record.method,
                        "verified_by": record.verified_by,
                    },
                )
    return record


def latest_verification(engine: Engine, ref: str) -> IdentityVerification | None:
    """The most recent identity verification of a subject, or ``None``.

    Raises
    ------
    StoreError
        The store cannot be read.
    """
    table = DsrVerification.__table__
    query = (
        select(table)
        .where(table.c.subject_ref == ref)
        .order_by(table.c.verified_at.desc())
        .limit(1)
    )
    with store_errors(engine.url, "cannot read identity verifications"):
        with engine.connect() as conn:
            row = conn.execute(query).mappings().one_or_none()
    return None if row is None else _verification(row)


def require_verification(
    engine: Engine, ref: str, now: datetime, max_age: timedelta
) -> IdentityVerification:
    """The verification an erasure relies on; refuse when there is none that holds.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    ref : str
        Subject reference.
    now : datetime
        Time of the erasure.
    max_age : timedelta
        Oldest verification accepted.

    Returns
    -------
    IdentityVerification
        The latest verification, with status ``verified`` and not older than ``max_age``.

    Raises
    ------
    UsageError
        No verification, the latest one failed, or it is too old.
    StoreError
        The store cannot be read.
    """
    found = latest_verification(engine, ref)
    how = "expected 'fairmark dsr verify SUBJECT --method M --by NAME' before --execute"
    if found is None:
        raise UsageError(
            f"identity of the data subject is not verified (no verification on record for "
            f"subject {ref[:12]}); {how}"
        )
    if found.status != "verified":
        raise UsageError(
            f"identity of the data subject is not verified (the latest check, by "
            f"{found.verified_by} on {found.verified_at:%Y-%m-%d}, failed); {how}"
        )
    age = now - found.verified_at
    if age > max_age:
        raise UsageError(
            f"identity verification of {found.verified_at:%Y-%m-%d} is {_span(age)} old, "
            f"older than {_span(max_age)}; {how}"
        )
    return found


def _span(value: timedelta) -> str:
    """``"90 days"`` for whole days, else ``H:MM:SS`` (with days when there are some)."""
    if value == timedelta(days=value.days):
        return f"{value.days} day" + ("" if value.days == 1 else "s")
    return str(value - timedelta(microseconds=value.microseconds))


def parse_received_at(value: str | datetime | None, now: datetime) -> datetime:
    """When the request was received: ISO 8601 date or date-time, UTC when no offset.

    Parameters
    ----------
    value : str, datetime or None
        ``None``: ``now``.
    now : datetime
        The current time, UTC.

    Returns
    -------
    datetime
        Timezone-aware, UTC.

    Raises
    ------
    UsageError
        Not ISO 8601, or later than ``now``.
    """
    if value is None:
        return now
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise UsageError(
                f"--received-at {value!r} is not a date; expected ISO 8601, e.g. 2026-11-28 "
                "or 2026-11-28T09:30:00+01:00"
            ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    if parsed > now + timedelta(minutes=1):
        raise UsageError(
            f"--received-at {parsed:%Y-%m-%dT%H:%M:%SZ} is in the future; expected when the "
            "request was received"
        )
    return parsed


def start_request(
    engine: Engine,
    *,
    kind: RequestKind,
    dry_run: bool,
    ref: str,
    received_at: datetime,
    created_at: datetime,
    verification: IdentityVerification | None,
    n_sources: int,
    actor: str | None = None,
) -> str:
    """Record a request before any source is touched.

    The audit log entry ``dsr.request`` (request id, kind, dry run, subject reference,
    number of sources; never the raw subject id) is appended in the same transaction;
    each source's outcome adds ``dsr.outcome`` (:func:`record_outcome`).

    Parameters
    ----------
    actor : str, optional
        Who runs the request (default: the operating-system account).

    Returns
    -------
    str
        The new request id (UUID4).

    Raises
    ------
    StoreError
        The store cannot be written.
    """
    request_id = str(uuid.uuid4())
    with store_errors(engine.url, "cannot record the request"):
        with write_transaction(engine) as conn:
            conn.execute(
                insert(DsrRequest).values(
                    request_id=request_id,
                    kind=kind,
                    dry_run=dry_run,
                    subject_ref=ref,
                    received_at=received_at,
                    created_at=created_at,
                    verification_id=None if verification is None else verification.verification_id,
                    n_sources=n_sources,
                    tool_version=__version__,
                )
            )
            _log(
                conn,
                actor,
                "dsr.request",
                "dsr_request",
                request_id,
                {
                    "request_id": request_id,
                    "kind": kind,
                    "dry_run": dry_run,
                    "subject_ref": ref,
                    "received_at": received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "verification_id": (
                        None if verification is None else verification.verification_id
                    ),
                    "n_sources": n_sources,
                },
            )
    return request_id


def record_outcome(
    engine: Engine, request_id: str, outcome: SourceOutcome, *, actor: str | None = None
) -> None:
    """Record what a request did in one source.

    The audit log entry ``dsr.outcome`` (source name, action, row counts, whether it was
    verified and whether it failed; not the source URL, which may hold a password, nor the
    error text, which may quote a subject id) is appended in the same transaction.

    Parameters
    ----------
    actor : str, optional
        Who runs the request (default: the operating-system account).

    Raises
    ------
    StoreError
        The store cannot be written.
    """
    with store_errors(engine.url, "cannot record the outcome"):
        with write_transaction(engine) as conn:
            conn.execute(
                insert(DsrOutcome).values(
                    outcome_id=str(uuid.uuid4()),
                    request_id=request_id,
                    source_name=outcome.source,
                    source_url=outcome.url,
                    table_name=outcome.table,
                    subject_column=outcome.subject_column,
                    action=outcome.action,
                    rows_found=outcome.rows_found,
                    rows_deleted=outcome.rows_deleted,
                    shred_status=outcome.shred_status,
                    rows_remaining=outcome.rows_remaining,
                    verified=outcome.verified,
                    error=outcome.error,
                    file_sha256=outcome.sha256,
                    finished_at=outcome.finished_at,
                )
            )
            _log(
                conn,
                actor,
                "dsr.outcome",
                "dsr_request",
                request_id,
                {
                    "request_id": request_id,
                    "source": outcome.source,
                    "table": outcome.table,
                    "action": outcome.action,
                    "rows_found": outcome.rows_found,
                    "rows_deleted": outcome.rows_deleted,
                    "rows_remaining": outcome.rows_remaining,
                    "shred_status": outcome.shred_status,
                    "verified": outcome.verified,
                    "failed": outcome.error is not None,
                    "file_sha256": outcome.sha256,
                },
            )


def _log(
    conn: Any,
    actor: str | None,
    action: str,
    entity_type: str,
    entity_id: str,
    payload: dict[str, Any],
) -> None:
    """Append to the audit log in the caller's transaction (EU AI Act Art. 12; GDPR
    Art. 5(2) accountability). Subject references only, never raw subject ids."""
    from fairmark.governance.chain import append_entry, default_actor

    append_entry(
        conn,
        actor=default_actor(actor),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        payload=payload,
    )


def list_requests(
    db: str | None = None, *, subject: str | None = None, limit: int = 50
) -> list[RequestSummary]:
    """The request log, newest first.

    Parameters
    ----------
    db : str or None
        Store URL.
    subject : str or None
        Only this subject's requests (matched by subject reference).
    limit : int
        At most this many (1 to 10,000).

    Returns
    -------
    list of RequestSummary

    Raises
    ------
    UsageError
        Bad subject or limit.
    StoreError
        The store cannot be read.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise UsageError(f"--limit is {limit!r}; expected a whole number from 1 to 10000")
    if subject is not None:
        subject = check_subject(subject)
    requests = DsrRequest.__table__
    outcomes = DsrOutcome.__table__
    failed = (outcomes.c.error.is_not(None)) | (outcomes.c.verified.is_(False))
    totals = (
        select(
            outcomes.c.request_id,
            func.count().label("n_outcomes"),
            func.sum(case((failed, 1), else_=0)).label("n_failed"),
            func.coalesce(func.sum(outcomes.c.rows_found), 0).label("rows_found"),
            func.coalesce(func.sum(outcomes.c.rows_deleted), 0).label("rows_deleted"),
        )
        .group_by(outcomes.c.request_id)
        .subquery()
    )
    with open_dsr_store(db) as (engine, _):
        query = (
            select(requests, totals.c.n_outcomes, totals.c.n_failed, totals.c.rows_found,
                   totals.c.rows_deleted)
            .outerjoin(totals, totals.c.request_id == requests.c.request_id)
            .order_by(requests.c.created_at.desc(), requests.c.request_id)
            .limit(limit)
        )
        if subject is not None:
            query = query.where(requests.c.subject_ref == subject_ref(engine, subject))
        with store_errors(engine.url, "cannot read the request log"):
            with engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
    return [
        RequestSummary(
            request_id=r["request_id"],
            request=r["kind"],
            dry_run=bool(r["dry_run"]),
            subject_ref=r["subject_ref"],
            received_at=r["received_at"],
            created_at=r["created_at"],
            verification_id=r["verification_id"],
            n_sources=int(r["n_sources"]),
            n_outcomes=int(r["n_outcomes"] or 0),
            n_failed=int(r["n_failed"] or 0),
            rows_found=int(r["rows_found"] or 0),
            rows_deleted=int(r["rows_deleted"] or 0),
        )
        for r in rows
    ]
