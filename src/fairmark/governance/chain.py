"""The hash chain of the audit log: canonical JSON, entry hashes, and appending an entry.

Every state change fairmark records (an AI system registered or changed, an audit run, a
review, a decision, a consent import, a data subject request, a policy version …) is
appended to ``gov_log`` **in the same database transaction as the change itself**, so a
change without its log entry (or the reverse) can never be committed.

Each entry carries ``prev_hash``, the ``entry_hash`` of the entry before it (64 zeros for
the first), and ``entry_hash = SHA-256(canonical JSON of all its other fields)``. Editing,
deleting, inserting or reordering an entry therefore breaks the chain at that entry
(:mod:`fairmark.governance.log` verifies it and signs checkpoints of its head).

Writers never fork the chain: on PostgreSQL the appending transaction first takes a
transaction-scoped advisory lock (one per schema), then reads the head; on SQLite the
transaction was begun with ``BEGIN IMMEDIATE`` (:func:`fairmark.store.db.write_transaction`),
which serialises writers. ``seq`` is the primary key and ``prev_hash`` is unique, so even a
writer that skipped the lock could not commit a second successor of the same entry.

Sources: Schneier & Kelsey 1999, "Secure audit logs to support computer forensics"
(ACM TISSEC 2(2)); Crosby & Wallach 2009, "Efficient Data Structures for Tamper-Evident
Logging" (USENIX Security); canonical JSON after RFC 8785 (sorted keys, no insignificant
whitespace, UTF-8).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, text

from fairmark.errors import UsageError
from fairmark.governance.clock import db_now
from fairmark.store.models_governance import LogEntryRow

__all__ = [
    "GENESIS_HASH",
    "LogEntry",
    "append_entry",
    "canonical_json",
    "default_actor",
    "entry_hash",
    "utc_stamp",
]

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first entry."""

_LOCK_KEY = "fairmark.gov_log"


def canonical_json(value: Any) -> str:
    """Serialise ``value`` canonically: sorted keys, no spaces, UTF-8 text, no NaN.

    Parameters
    ----------
    value : JSON-ready object (dict, list, str, int, float, bool, None)

    Returns
    -------
    str

    Raises
    ------
    UsageError
        ``value`` holds something JSON cannot represent (NaN, infinity, a set, an object).

    Notes
    -----
    Source: RFC 8785 (JSON Canonicalization Scheme) for key order and whitespace; floats
    are written by Python's shortest round-trip ``repr``, which equals the ECMAScript
    form RFC 8785 asks for in all but exponent spelling; the log only has to agree with
    itself.
    """
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise UsageError(
            f"log payload is not plain JSON ({exc}); expected str, number, bool, null, "
            "list and dict values"
        ) from None


def default_actor(actor: str | None = None) -> str:
    """Return ``actor``, or the operating-system account running fairmark.

    For writers that are not yet given the acting user (consent imports, data subject
    requests): their log entries name the local account.

    Parameters
    ----------
    actor : str, optional
        The acting user's name; used when it is non-blank text.

    Returns
    -------
    str
        ``actor`` stripped, else the real user id's account
        (:func:`fairmark.governance.identity.process_account`, never ``$LOGNAME`` or
        ``$USER``; ``"unknown"`` when the account cannot be determined, e.g. a container
        without a passwd entry), at most 64 characters (the ``gov_log.actor`` column).
    """
    if isinstance(actor, str) and actor.strip():
        return actor.strip()[:64]
    from fairmark.governance.identity import process_account  # identity imports chain

    try:
        name = process_account()
    except (OSError, KeyError, ImportError):  # no passwd entry for the real user id
        name = ""
    # lowercased like fairmark.governance.identity.os_account, so the log names the local
    # account exactly as the user table does
    return (name.strip().lower() or "unknown")[:64]


def utc_stamp(moment: datetime | None = None) -> str:
    """Return ``moment`` (default now) as ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` in UTC."""
    moment = datetime.now(UTC) if moment is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    created_at: str,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    payload: str,
    prev_hash: str,
) -> str:
    """Return the hex SHA-256 of one log entry's fields.

    Parameters
    ----------
    seq : int
        Position in the log, from 1.
    created_at : str
        :func:`utc_stamp` text.
    actor, action, entity_type, entity_id : str
    payload : str
        The payload as stored (canonical JSON text).
    prev_hash : str
        The previous entry's hash (:data:`GENESIS_HASH` for ``seq`` 1).

    Returns
    -------
    str
        64 lowercase hex digits.
    """
    body = canonical_json(
        {
            "seq": seq,
            "created_at": created_at,
            "actor": actor,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "payload": payload,
            "prev_hash": prev_hash,
        }
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LogEntry:
    """One entry of the audit log.

    Attributes
    ----------
    seq : int
    created_at : str
        ISO 8601 UTC (:func:`utc_stamp`).
    actor : str
        The user who made the change (``system`` for fairmark's own automatic changes).
    action : str
        Dotted verb, e.g. ``system.register``, ``review.decide``, ``audit.record``.
    entity_type, entity_id : str
        What changed, e.g. ``system`` / ``bank-propensity``, ``run`` / a run id.
    payload : dict
        The change (new values, reasons); plain JSON.
    prev_hash, entry_hash : str
    """

    seq: int
    created_at: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    payload: dict[str, Any]
    prev_hash: str
    entry_hash: str

    @classmethod
    def from_row(cls, row: Any) -> LogEntry:
        """Build from a ``gov_log`` row (payload text parsed; unparsable text kept under
        ``{"_unparsable": text}`` so a damaged row can still be reported)."""
        try:
            payload = json.loads(row.payload)
        except (TypeError, ValueError):
            payload = {"_unparsable": row.payload}
        if not isinstance(payload, dict):
            payload = {"_value": payload}
        return cls(
            seq=int(row.seq),
            created_at=row.created_at,
            actor=row.actor,
            action=row.action,
            entity_type=row.entity_type,
            entity_id=row.entity_id,
            payload=payload,
            prev_hash=row.prev_hash,
            entry_hash=row.entry_hash,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the entry as a JSON-ready dict (the JSON Lines export format)."""
        return {
            "seq": self.seq,
            "created_at": self.created_at,
            "actor": self.actor,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
        }


def _lock_head(conn: Connection) -> None:
    """Serialise appenders: a transaction-scoped advisory lock on PostgreSQL.

    SQLite needs nothing here: the caller's ``BEGIN IMMEDIATE`` holds the write lock.
    Source: PostgreSQL documentation, "Advisory Locks" (``pg_advisory_xact_lock``).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key || current_schema()))"),
            {"key": _LOCK_KEY},
        )


def append_entry(
    conn: Connection,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> LogEntry:
    """Append one entry to the audit log inside the caller's write transaction.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection inside a write transaction (:func:`fairmark.store.db.write_transaction`),
        the same one that makes the change being logged, so both commit or neither does.
    actor : str
        Who made the change (a user name, or ``system``).
    action : str
        Dotted verb (``system.register``, ``review.decide`` …).
    entity_type, entity_id : str
        What changed.
    payload : dict, optional
        The change itself, plain JSON (default ``{}``).
    at : datetime, optional
        Timestamp, used as given (tests, imports of dated records). Default: the
        store's clock (:func:`fairmark.governance.clock.db_now`: the PostgreSQL server's
        ``clock_timestamp()``, SQLite this process's clock) read after the log lock, and
        never earlier than the entry before (the previous entry's time when the clock
        reads earlier, e.g. a clock stepped back).

    Returns
    -------
    LogEntry
        The entry as written.

    Raises
    ------
    UsageError
        ``payload`` is not plain JSON, or a text field is empty.
    sqlalchemy.exc.SQLAlchemyError
        The database refuses the row; the caller's transaction rolls back.
    """
    for name, value in (
        ("actor", actor),
        ("action", action),
        ("entity_type", entity_type),
        ("entity_id", entity_id),
    ):
        if not isinstance(value, str) or not value.strip():
            raise UsageError(f"log entry {name} is {value!r}; expected non-empty text")
    payload_text = canonical_json({} if payload is None else payload)
    _lock_head(conn)
    head = conn.execute(
        select(LogEntryRow.seq, LogEntryRow.entry_hash, LogEntryRow.created_at)
        .order_by(LogEntryRow.seq.desc())
        .limit(1)
    ).first()
    seq = 1 if head is None else int(head.seq) + 1
    prev = GENESIS_HASH if head is None else head.entry_hash
    created_at = utc_stamp(db_now(conn) if at is None else at)  # after the lock
    if at is None and head is not None and created_at < head.created_at:
        created_at = head.created_at  # fixed-width UTC text: compares as time
    digest = entry_hash(
        seq=seq,
        created_at=created_at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        payload=payload_text,
        prev_hash=prev,
    )
    conn.execute(
        insert(LogEntryRow).values(
            seq=seq,
            created_at=created_at,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            payload=payload_text,
            prev_hash=prev,
            entry_hash=digest,
        )
    )
    return LogEntry(
        seq=seq,
        created_at=created_at,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        payload=json.loads(payload_text),
        prev_hash=prev,
        entry_hash=digest,
    )
