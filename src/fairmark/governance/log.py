"""The tamper-evident audit log: reading, signed checkpoints, verification and export.

The log itself is written by :func:`fairmark.governance.chain.append_entry` (a SHA-256
hash chain, one entry per state change, in the same transaction as the change). This
module adds what makes the chain *evidence*:

Checkpoints
    :func:`create_checkpoint` signs the head of the chain with the store's Ed25519 key
    (:mod:`fairmark.governance.keys`, a file outside the database). The signed statement
    is ``canonical_json({"log": "fairmark.gov_log", "seq": N, "entry_hash": H,
    "created_at": T, "key_fingerprint": F})``; the row goes to ``gov_checkpoints``
    (append-only) and a ``log.checkpoint`` entry is appended *after* it (the checkpoint
    covers the entry before that one). Someone who can rewrite the database but not read
    the key file cannot rewrite the log consistently, nor delete its last entries, without
    a checkpoint giving it away.
Anchor
    Deleting the checkpoints together with the entries they cover would still go
    unnoticed, so every checkpoint signed with a key file is also recorded beside the key,
    in ``<key file>.head.json`` (:mod:`fairmark.governance.log_anchor`), when its
    transaction commits; :func:`verify_log` requires the store to still hold the anchored
    entry and checkpoint. The anchor is per client machine (per key file). Before signing,
    :func:`sign_head` checks that the log still holds the anchored entry and checkpoint and
    that the chain links from there (or from a newer checkpoint of a trusted key) to the
    head; otherwise it signs nothing (:class:`LogIntegrityError`), so a log cut back and
    written again is never covered by a fresh signature.
Trusted keys
    Each client signs with its own key file; the keys the store trusts are registered in
    the log itself (``log.key.trust``, ``log.key.distrust``:
    :mod:`fairmark.governance.log_keys`), and the first checkpoint signed by an admin's
    client registers its key (``trust`` in its ``log.checkpoint`` entry). Verification
    trusts its roots (``public_keys``, ``key``, else the local key file) and, transitively,
    keys whose registration a checkpoint of a trusted key covers
    (:mod:`fairmark.governance.log_trust`). The local key file is a root only for a log
    it has signed (a checkpoint, a ``log.checkpoint`` entry or its anchor names it) or
    that registers it; otherwise keys are not pinned and a warning says so. On a store
    other than SQLite that registers keys, :func:`create_checkpoint` refuses a key it does
    not trust.
Periodic checkpoints
    :func:`maybe_checkpoint` is meant to be called by append paths when a key is at hand:
    it signs a checkpoint once ``every`` (default 100) entries have been appended since the
    last one, inside the caller's transaction.
Verification
    :func:`verify_log` walks the whole log in ``seq`` order (in chunks of
    :data:`CHUNK_SIZE` rows, so memory stays bounded) and names the *first* bad entry:
    a ``seq`` gap (deletion), an entry whose hash does not match its content (edit), an
    entry whose ``prev_hash`` is not its predecessor's hash (insertion or reordering), a
    first entry that does not start from the genesis hash; then every checkpoint: its
    signature, its key (trusted or not), and that it matches the log at its ``seq`` (a
    log rewritten and re-hashed end to end is caught here), and that none lies beyond the
    end of the log (truncation). :func:`verify_entries` applies the same rules to exported
    JSON, :func:`verify_export` to an export file (offline, no store needed). The rules
    live in :mod:`fairmark.governance.log_verify`, which needs no store; this module
    re-exports them.
Export
    :func:`export_log` writes JSON Lines: a header line, one line per entry, then one line
    per checkpoint (format below), streaming.

Export format (JSON Lines, UTF-8)::

    {"type": "header", "log": "fairmark.gov_log", "format": 1, "since_seq": null, ...}
    {"type": "entry", "seq": 1, "created_at": ..., "actor": ..., "action": ...,
     "entity_type": ..., "entity_id": ..., "payload": {...}, "prev_hash": ...,
     "entry_hash": ...}
    ...
    {"type": "checkpoint", "log": "fairmark.gov_log", "seq": 100, "entry_hash": ...,
     "created_at": ..., "key_fingerprint": ..., "public_key": ..., "signature": ...}

Sources: Schneier & Kelsey 1999, "Secure audit logs to support computer forensics" (ACM
TISSEC 2(2)); Crosby & Wallach 2009, "Efficient Data Structures for Tamper-Evident
Logging" (USENIX Security); RFC 6962 (Certificate Transparency) for signed tree heads as
checkpoints; RFC 8032 (Ed25519); EU AI Act (Regulation (EU) 2024/1689) Art. 12
(record-keeping) and ISO/IEC 42001:2023 clause 7.5 (documented information).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Engine, Row, event, func, insert, select

from fairmark.errors import StoreError, UsageError
from fairmark.governance.access import Principal, authorize
from fairmark.governance.chain import LogEntry, _lock_head, append_entry, utc_stamp
from fairmark.governance.clock import db_now
from fairmark.governance.keys import SigningKey, key_path, load_signing_key
from fairmark.governance.log_anchor import (
    Anchor,
    LogIntegrityError,
    anchor_path,
    load_anchor,
    read_anchor,
    store_key,
    write_anchor,
)
from fairmark.governance.log_keys import (
    NOT_TRUSTED,
    key_gate_applies,
    read_key_events,
    signing_allowed,
)
from fairmark.governance.log_trust import BOOTSTRAP_LABEL, KeyEvent, key_registry
from fairmark.governance.log_verify import (
    BAD_KINDS,
    CHECKPOINT_ACTION,
    EXPORT_FORMAT,
    LOG_NAME,
    BadEntry,
    CheckpointInfo,
    LogVerification,
    RawEntry,
    checkpoint_statement,
    trusted_keys,
    verify_entries,
    verify_export,
    walk_log,
)
from fairmark.store.db import store_errors, write_transaction
from fairmark.store.models_governance import Checkpoint, LogEntryRow

__all__ = [
    "BAD_KINDS",
    "CHUNK_SIZE",
    "EXPORT_FORMAT",
    "LOG_NAME",
    "NOT_PINNED",
    "Anchor",
    "BadEntry",
    "CheckpointInfo",
    "ExportInfo",
    "LogIntegrityError",
    "LogVerification",
    "RawEntry",
    "check_signed_head",
    "checkpoint_statement",
    "create_checkpoint",
    "export_log",
    "load_anchor",
    "maybe_checkpoint",
    "read_entries",
    "sign_head",
    "trusted_keys",
    "verify_entries",
    "verify_export",
    "verify_log",
    "walk_log",
]

CHUNK_SIZE = 10_000
"""Rows read per query when walking or exporting the log."""

_log = logging.getLogger(__name__)
# anchors to write when a connection's transaction commits (per Connection object)
_PENDING: weakref.WeakKeyDictionary[Connection, list[tuple[Path, str, Anchor]]] = (
    weakref.WeakKeyDictionary()
)

SigningKeyLike = SigningKey | str | os.PathLike[str] | None


def _engine_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _resolve_key(key: SigningKeyLike, engine: Engine, *, create: bool) -> SigningKey:
    if isinstance(key, SigningKey):
        return key
    return load_signing_key(key, store_url=_engine_url(engine), create=create)


def _ensure_actor(conn: Connection, principal: Principal) -> None:
    """Call ``identity.ensure_actor`` when the identity module is installed."""
    try:
        from fairmark.governance.identity import ensure_actor
    except ModuleNotFoundError as exc:  # identity not written yet: nothing to ensure
        if exc.name != "fairmark.governance.identity":
            raise
        return
    ensure_actor(conn, principal)


def sign_head(
    conn: Connection, key: SigningKey, actor: str, *, registrar: str | None = None
) -> CheckpointInfo | None:
    """Sign a checkpoint of the current head inside the caller's write transaction.

    The building block of :func:`create_checkpoint`, :func:`maybe_checkpoint` and evidence
    bundles: it takes the log's append lock, signs the head, stores the checkpoint and
    appends its ``log.checkpoint`` entry. It checks no permission: callers authorise first.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside a write transaction (:func:`fairmark.store.db.write_transaction`).
    key : SigningKey
        The Ed25519 signing key.
    actor : str
        Who is recorded as making the checkpoint (``system`` for periodic ones).
    registrar : str, optional
        The admin whose client signs. When the store has no checkpoint yet, the
        ``log.checkpoint`` entry then registers ``key`` as the store's first trusted key
        (payload ``trust``: ``{"public_key", "label", "by"}``,
        :mod:`fairmark.governance.log_trust`). Callers pass it only for an admin.

    Returns
    -------
    CheckpointInfo or None
        ``None`` when the log is empty (nothing is written).

    Raises
    ------
    LogIntegrityError
        The log does not extend what was signed before (:func:`check_signed_head`):
        nothing is signed, the anchor does not move; the caller's transaction rolls back
        unless it catches the error.
    DataError, UsageError
        The anchor file beside the key is not JSON, or cannot be read.
    sqlalchemy.exc.SQLAlchemyError
        The database refuses a row; the caller's transaction rolls back.

    Notes
    -----
    When the transaction commits, the checkpoint is also recorded as the anchor of this
    store in ``<key file>.head.json`` (:mod:`fairmark.governance.log_anchor`; never moved
    backwards, nor away from an entry the log no longer holds); a rollback records nothing.
    A failure to write the anchor is logged as a warning and does not undo the checkpoint.
    Source: RFC 6962 section 3.5 (signed tree heads); RFC 8032 (Ed25519); RFC 9162
    section 8.1.4 (clients keep the newest tree head they saw); Crosby & Wallach 2009
    (a new commitment must extend the previous one).
    """
    _lock_head(conn)
    head = conn.execute(
        select(LogEntryRow.seq, LogEntryRow.entry_hash).order_by(LogEntryRow.seq.desc()).limit(1)
    ).first()
    if head is None:
        return None
    seq, head_hash = int(head.seq), str(head.entry_hash)
    check_signed_head(conn, key, seq)
    first = registrar is not None and conn.execute(select(Checkpoint.seq).limit(1)).first() is None
    created_at = utc_stamp(db_now(conn))  # the store's clock (the server's on PostgreSQL)
    statement = checkpoint_statement(
        seq=seq, entry_hash=head_hash, created_at=created_at, key_fingerprint=key.fingerprint
    )
    signature = key.sign(statement)
    conn.execute(
        insert(Checkpoint).values(
            seq=seq,
            entry_hash=head_hash,
            created_at=created_at,
            key_fingerprint=key.fingerprint,
            public_key=key.public_hex,
            signature=signature,
        )
    )
    payload: dict[str, Any] = {
        "seq": seq,
        "entry_hash": head_hash,
        "key_fingerprint": key.fingerprint,
    }
    if first:  # bootstrap: the store's first key, signed by an admin's client
        payload["trust"] = {"public_key": key.public_hex, "label": BOOTSTRAP_LABEL, "by": registrar}
    entry = append_entry(
        conn,
        actor=actor,
        action=CHECKPOINT_ACTION,
        entity_type="checkpoint",
        entity_id=str(seq),
        payload=payload,
    )
    _anchor_on_commit(
        conn,
        key,
        Anchor(
            seq=seq,
            entry_hash=head_hash,
            created_at=created_at,
            key_fingerprint=key.fingerprint,
            signature=signature,
            public_key=key.public_hex,
        ),
    )
    return CheckpointInfo(
        seq=seq,
        entry_hash=head_hash,
        created_at=created_at,
        key_fingerprint=key.fingerprint,
        public_key=key.public_hex,
        signature=signature,
        log_seq=entry.seq,
    )


def _rows_from(conn: Connection, first: int) -> Iterator[RawEntry]:
    """``gov_log`` rows with ``seq >= first`` in order, read on ``conn`` (its transaction
    sees its own uncommitted entries), :data:`CHUNK_SIZE` per query."""
    last = first - 1
    while True:
        rows = conn.execute(
            select(LogEntryRow.__table__)
            .where(LogEntryRow.seq > last)
            .order_by(LogEntryRow.seq)
            .limit(CHUNK_SIZE)
        ).all()
        yield from (_raw_from_row(row) for row in rows)
        if len(rows) < CHUNK_SIZE:
            return
        last = int(rows[-1].seq)


def _check_anchor_held(conn: Connection, anchor: Anchor, head: int) -> None:
    """Raise :class:`LogIntegrityError` unless the log holds the anchored entry (with its
    hash) and checkpoint (with its signature); ``head`` is the log's last ``seq`` (0: empty)."""
    entry = conn.execute(select(LogEntryRow.entry_hash).where(LogEntryRow.seq == anchor.seq))
    found = entry.scalar()
    signature = conn.execute(
        select(Checkpoint.signature).where(Checkpoint.seq == anchor.seq)
    ).scalar()
    signed = (
        f"this machine signed entry {anchor.seq} at {anchor.created_at} (anchor {anchor.source})"
    )
    if found is None and anchor.seq > head:
        ends = "the log is empty (wiped)" if head == 0 else f"the log ends at entry {head}"
        raise LogIntegrityError.at(head + 1, f"{ends} but {signed}")
    if found is None:
        raise LogIntegrityError.at(anchor.seq, f"entry {anchor.seq} is missing but {signed}")
    if found != anchor.entry_hash:
        raise LogIntegrityError.at(
            anchor.seq,
            f"entry {anchor.seq} has hash {found[:12]}… but {signed} with hash "
            f"{anchor.entry_hash[:12]}…",
        )
    if signature != anchor.signature:
        state = "is missing" if signature is None else "was replaced"
        raise LogIntegrityError.at(
            anchor.seq, f"the checkpoint of entry {anchor.seq} {state} but {signed}"
        )


def check_signed_head(conn: Connection, key: SigningKey, head: int) -> None:
    """Check, before signing, that the log extends what was signed before.

    Three checks, cheap because the command line signs after every write (the unsigned
    tail is short):

    1. the anchor beside ``key`` (:mod:`fairmark.governance.log_anchor`), if it names this
       store: the log still holds its entry with its hash and its checkpoint with its
       signature;
    2. the start: the anchor's entry, or the newest checkpoint of a trusted key after it
       (signed by ``key``, or by a key the log registers and has not withdrawn), else
       entry 1;
    3. from the start to the head, with :func:`walk_log`: no ``seq`` gap, every entry's
       hash recomputed and linked to its predecessor, every checkpoint in that range
       (including the newest, whoever signed it) validly signed and matching its entry,
       none beyond the head, and no ``log.checkpoint`` entry whose checkpoint is gone.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the write transaction that will sign, holding the log's append lock.
    key : SigningKey
        The key about to sign; its anchor file is read.
    head : int
        The log's last ``seq`` (0 when it is empty).

    Raises
    ------
    LogIntegrityError
        A check failed; the message names the first entry concerned (:data:`fairmark.
        governance.log_anchor.MISMATCH`) and ends with the reason.
    DataError, UsageError
        The anchor file is not JSON, or cannot be read.

    Notes
    -----
    Keys are not pinned in step 3 (the next ``fairmark log verify`` judges them); a
    checkpoint of an untrusted key is only not used as the start. Sources: Crosby &
    Wallach 2009 (a signer commits only to a head consistent with its earlier
    commitments); RFC 9162 section 8.1.4; Schneier & Kelsey 1999 section 4.
    """
    anchor = read_anchor(anchor_path(key.path), store_key(conn.engine.url))
    start = 0
    if anchor is not None:
        _check_anchor_held(conn, anchor, head)
        start = anchor.seq
    rows = conn.execute(
        select(Checkpoint.__table__).where(Checkpoint.seq >= start).order_by(Checkpoint.seq)
    ).all()
    checkpoints = [CheckpointInfo.from_row(row) for row in rows]
    registered: set[str] | None = None
    for cp in reversed(checkpoints):
        if cp.seq <= start:
            break
        if cp.seq > head:
            continue  # beyond the head: the walk reports the truncation
        fp = cp.key_fingerprint.lower()
        if fp != key.fingerprint and registered is None:
            registry = key_registry(read_key_events(conn))
            registered = {f for f, record in registry.items() if record.status == "trusted"}
        if fp == key.fingerprint or fp in (registered or ()):
            start = cp.seq
            break
    result = walk_log(
        _rows_from(conn, max(start, 1)),
        [cp for cp in checkpoints if cp.seq >= start],
        None,
        since_seq=start - 1 if start else None,
    )
    if result.first_bad is not None:
        raise LogIntegrityError.at(result.first_bad.seq, result.first_bad.message)


def _anchor_holds(engine: Engine, pending: list[tuple[Path, str, Anchor]]) -> Any:
    """``holds`` for :func:`write_anchor`: the store still holds an anchored entry and its
    checkpoint (read on a fresh connection; anchors of the committing transaction hold)."""
    lookup = _anchor_lookup(engine)
    ours = {(a.seq, a.entry_hash, a.signature) for _file, _store, a in pending}

    def holds(current: Anchor) -> bool:
        if (current.seq, current.entry_hash, current.signature) in ours:
            return True
        try:
            entry, signature = lookup(current.seq)
        except StoreError:
            return True  # cannot tell here; sign_head checked it before signing
        return entry == current.entry_hash and signature == current.signature

    return holds


def _flush_anchors(conn: Connection) -> None:
    """``commit`` listener: write the anchors of the checkpoints signed in the transaction."""
    pending = _PENDING.pop(conn, None)
    if not pending:
        return
    holds = _anchor_holds(conn.engine, pending)
    for file, store, anchor in pending:
        try:
            write_anchor(file, store, anchor, holds=holds)
        except LogIntegrityError as exc:
            _log.warning("the audit log anchor in %s was not moved: %s", file, exc.message)
        except OSError as exc:
            _log.warning(
                "could not record the audit log anchor in %s: %s", file, exc.strerror or exc
            )


def _drop_anchors(conn: Connection) -> None:
    """``rollback`` listener: forget the anchors of a transaction that did not commit."""
    _PENDING.pop(conn, None)


def _anchor_on_commit(conn: Connection, key: SigningKey, anchor: Anchor) -> None:
    """Queue ``anchor`` for ``<key file>.head.json``, written when ``conn`` commits."""
    # listeners on this Connection only (SQLAlchemy ConnectionEvents on an instance):
    # an engine without listeners would not tell connections made before them
    if not event.contains(conn, "commit", _flush_anchors):
        event.listen(conn, "commit", _flush_anchors)
        event.listen(conn, "rollback", _drop_anchors)
    _PENDING.setdefault(conn, []).append(
        (anchor_path(key.path), store_key(conn.engine.url), anchor)
    )


def create_checkpoint(
    engine: Engine, *, key: SigningKeyLike = None, principal: Principal
) -> CheckpointInfo:
    """Sign the head of the audit log now.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store (:class:`fairmark.store.RunStore` ``.engine``).
    key : SigningKey, path-like or None
        The Ed25519 signing key, or its PEM file; default the store's key file
        (:func:`fairmark.governance.keys.key_path`: ``$FAIRMARK_SIGNING_KEY``, else beside a
        SQLite store, else ``~/.config/fairmark/signing_key.pem``), created when missing.
    principal : Principal
        Who asks; needs the ``log.checkpoint`` permission (admin).

    Returns
    -------
    CheckpointInfo
        The checkpoint, with ``log_seq`` the ``log.checkpoint`` entry appended after it.

    Raises
    ------
    AccessError
        ``principal`` may not ``log.checkpoint``.
    UsageError
        The log is empty (nothing to sign); the key file cannot be read or created; on a
        store other than SQLite whose log registers trusted keys, the key is not one of
        them (:data:`fairmark.governance.log_keys.NOT_TRUSTED`).
    LogIntegrityError
        The log does not extend what this machine signed before (the anchored entry or
        checkpoint is gone or different, or the chain after it is broken;
        :func:`check_signed_head`); the command line exits 1. Also for an empty log that
        this machine's anchor says was signed (wiped).
    StoreError
        The store refuses the write. Nothing is written on any error: the checkpoint and
        its log entry are one transaction.

    Notes
    -----
    The checkpoint covers the head entry *before* its own ``log.checkpoint`` entry. The
    store's first checkpoint registers its key (an admin signs it:
    :func:`sign_head` ``registrar``).
    Sources: RFC 6962 section 3.5 (signed tree heads); RFC 8032 (Ed25519); Crosby &
    Wallach 2009 (commitments to a log's head detect truncation and rewriting).
    """
    authorize(principal, "log.checkpoint")
    signing_key = _resolve_key(key, engine, create=True)
    with store_errors(engine.url, "cannot write a checkpoint to the store"):
        with write_transaction(engine) as conn:
            _lock_head(conn)
            if conn.execute(select(func.max(LogEntryRow.seq))).scalar() is None:
                check_signed_head(conn, signing_key, 0)  # a wiped log this machine signed?
                raise UsageError(
                    "the audit log is empty: there is nothing to checkpoint; "
                    "expected at least one log entry"
                )
            if key_gate_applies(engine) and not signing_allowed(conn, signing_key.fingerprint):
                raise UsageError(
                    NOT_TRUSTED.format(
                        fingerprint=signing_key.fingerprint, public_key=signing_key.public_hex
                    )
                    + "; expected a key the store trusts ('fairmark log keys')"
                )
            _ensure_actor(conn, principal)
            info = sign_head(conn, signing_key, principal.name, registrar=principal.name)
    assert info is not None  # the log was not empty
    return info


def maybe_checkpoint(
    conn: Connection, key: SigningKey | None, every: int = 100, *, admin: str | None = None
) -> CheckpointInfo | None:
    """Sign a periodic checkpoint when ``every`` entries were appended since the last one.

    Call it from an append path, inside the same write transaction, *after*
    :func:`fairmark.governance.chain.append_entry`, whenever a signing key is at hand.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection inside a write transaction.
    key : SigningKey or None
        The signing key; ``None`` does nothing (no key, no periodic checkpoint).
    every : int, default 100
        Entries after the last checkpoint (or from the start) that trigger a new one;
        at least 1.
    admin : str, optional
        The admin on whose behalf the client signs, if the acting user is one: a store's
        first checkpoint then registers ``key`` (:func:`sign_head` ``registrar``).

    Returns
    -------
    CheckpointInfo or None
        The checkpoint made (its ``log.checkpoint`` entry is appended by ``system``), or
        ``None`` when none was due.

    Raises
    ------
    UsageError
        ``every`` is not a positive integer.
    LogIntegrityError
        A checkpoint was due but the log does not extend what was signed before
        (:func:`sign_head`); nothing is signed and the caller's transaction rolls back
        unless it catches the error (the command line signs in a transaction of its own
        after the command's and prints a warning).

    Notes
    -----
    The ``log.checkpoint`` entry recording the last checkpoint is not counted (with
    ``every=1`` a checkpoint is not followed by another one of its own record).
    Periodic checkpoints bound how many of the newest entries can be deleted unnoticed
    (at most ``every``); Schneier & Kelsey 1999 section 4, Crosby & Wallach 2009.
    """
    if isinstance(every, bool) or not isinstance(every, int) or every < 1:
        raise UsageError(f"checkpoint interval is {every!r}; expected a whole number >= 1")
    if key is None:
        return None
    _lock_head(conn)
    head = conn.execute(select(func.max(LogEntryRow.seq))).scalar()
    if head is None:
        return None
    last = int(conn.execute(select(func.max(Checkpoint.seq))).scalar() or 0)
    unsigned = int(head) - last
    if last and unsigned >= 1:
        after = conn.execute(
            select(LogEntryRow.action, LogEntryRow.entity_id).where(LogEntryRow.seq == last + 1)
        ).first()
        if after is not None and after.action == CHECKPOINT_ACTION and after.entity_id == str(last):
            unsigned -= 1  # the checkpoint's own log.checkpoint entry needs no checkpoint
    if unsigned < every:
        return None
    return sign_head(conn, key, "system", registrar=admin)


# --------------------------------------------------------------------------- reading


def _stamp_bound(name: str, value: datetime | date | str | None) -> str | None:
    """Turn a ``since``/``until`` bound into :func:`utc_stamp` text (comparable as text)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return utc_stamp(moment)
    if isinstance(value, date):
        return utc_stamp(datetime(value.year, value.month, value.day, tzinfo=UTC))
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            moment = None
        if moment is not None:
            return _stamp_bound(name, moment)
    raise UsageError(
        f"{name} is {value!r}; expected an ISO 8601 date or date-time, e.g. 2026-11-30 "
        "or 2026-11-30T12:00:00Z (UTC when no offset is given)"
    )


def _authorize_read(principal: Principal | None) -> None:
    if principal is not None:
        authorize(principal, "log.read")


def read_entries(
    engine: Engine,
    *,
    since: datetime | date | str | None = None,
    until: datetime | date | str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    limit: int | None = None,
    newest: bool = False,
    principal: Principal | None = None,
) -> list[LogEntry]:
    """Return log entries matching the filters, in ``seq`` order.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    since, until : datetime, date or ISO 8601 str, optional
        Only entries with ``since <= created_at < until`` (UTC; a naive value is UTC).
    entity_type, entity_id, action : str, optional
        Only entries about this kind of entity, this entity, with this action (exact).
    limit : int, optional
        At most this many entries (>= 1).
    newest : bool, default False
        With ``limit``: the newest ``limit`` entries (still returned oldest first)
        instead of the oldest.
    principal : Principal, optional
        When given, must hold ``log.read``.

    Returns
    -------
    list of LogEntry
        Ordered by ``seq`` ascending.

    Raises
    ------
    UsageError
        A bound is not a date, or ``limit`` is not a positive integer.
    AccessError
        ``principal`` may not ``log.read``.
    StoreError
        The store cannot be read.

    Notes
    -----
    Source: EU AI Act Art. 12 (logs must allow the monitoring of the system's operation).
    """
    _authorize_read(principal)
    low = _stamp_bound("since", since)
    high = _stamp_bound("until", until)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise UsageError(f"limit is {limit!r}; expected a whole number >= 1")
    query = select(LogEntryRow.__table__)
    if low is not None:
        query = query.where(LogEntryRow.created_at >= low)
    if high is not None:
        query = query.where(LogEntryRow.created_at < high)
    if entity_type is not None:
        query = query.where(LogEntryRow.entity_type == entity_type)
    if entity_id is not None:
        query = query.where(LogEntryRow.entity_id == entity_id)
    if action is not None:
        query = query.where(LogEntryRow.action == action)
    query = query.order_by(LogEntryRow.seq.desc() if newest else LogEntryRow.seq)
    if limit is not None:
        query = query.limit(limit)
    with store_errors(engine.url, "cannot read the audit log"), engine.connect() as conn:
        rows = conn.execute(query).all()
    entries = [LogEntry.from_row(row) for row in rows]
    return sorted(entries, key=lambda e: e.seq) if newest else entries


def _iter_rows(engine: Engine, *, after_seq: int = 0) -> Iterator[Row[Any]]:
    """Yield ``gov_log`` rows with ``seq > after_seq`` in order, :data:`CHUNK_SIZE` per query."""
    last = after_seq
    while True:
        with store_errors(engine.url, "cannot read the audit log"), engine.connect() as conn:
            rows = conn.execute(
                select(LogEntryRow.__table__)
                .where(LogEntryRow.seq > last)
                .order_by(LogEntryRow.seq)
                .limit(CHUNK_SIZE)
            ).all()
        yield from rows
        if len(rows) < CHUNK_SIZE:
            return
        last = int(rows[-1].seq)


def _read_checkpoints(engine: Engine) -> list[CheckpointInfo]:
    with store_errors(engine.url, "cannot read the audit log"), engine.connect() as conn:
        rows = conn.execute(select(Checkpoint.__table__).order_by(Checkpoint.seq)).all()
    return [CheckpointInfo.from_row(r) for r in rows]


def _raw_from_row(row: Row[Any]) -> RawEntry:
    return RawEntry(
        seq=int(row.seq),
        created_at=row.created_at,
        actor=row.actor,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        payload=row.payload,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


NOT_PINNED = (
    "this client's signing key {fingerprint} ({path}) has never signed a checkpoint of this "
    "log and is not registered in it, so no key is pinned: pass --public-key with the "
    "organisation's key fingerprint"
)
"""Warning of :func:`verify_log` when the local key file exists but is no trust root."""


def _key_known_to_log(engine: Engine, signing: SigningKey) -> bool:
    """Whether the log has seen ``signing``: its anchor names the store, a checkpoint or a
    ``log.checkpoint`` entry names its fingerprint, or a key event registers it."""
    if read_anchor(anchor_path(signing.path), store_key(engine.url)) is not None:
        return True
    fp = signing.fingerprint
    named = '"key_fingerprint":' + json.dumps(fp)  # as canonical JSON writes it
    with store_errors(engine.url, "cannot read the audit log"), engine.connect() as conn:
        if conn.execute(
            select(Checkpoint.seq).where(Checkpoint.key_fingerprint == fp).limit(1)
        ).first():
            return True
        recorded = conn.execute(
            select(LogEntryRow.seq)
            .where(LogEntryRow.action == CHECKPOINT_ACTION)
            .where(LogEntryRow.payload.contains(named, autoescape=True))
            .limit(1)
        ).first()
        if recorded is not None:
            return True
        events = read_key_events(conn)
    return any(e.kind == "trust" and e.key_fingerprint == fp for e in events)


def _local_trust(
    engine: Engine | None, key: SigningKeyLike, public_keys: Iterable[str] | None
) -> tuple[frozenset[str] | None, str | None]:
    """Trusted keys (roots) and a warning: ``public_keys`` plus ``key``; by default the
    local key file, if it exists and the log has seen it (:func:`_key_known_to_log`)."""
    trusted = trusted_keys(public_keys)
    if key is not None:
        signing = (
            key
            if isinstance(key, SigningKey)
            else load_signing_key(
                key, store_url=None if engine is None else _engine_url(engine), create=False
            )
        )
        return (trusted or frozenset()) | {signing.fingerprint}, None
    if trusted is not None or engine is None:
        return trusted, None
    default = key_path(None, _engine_url(engine))
    if not default.exists():
        return None, None
    local = load_signing_key(default, create=False)
    if _key_known_to_log(engine, local):
        return frozenset({local.fingerprint}), None
    return None, NOT_PINNED.format(fingerprint=local.fingerprint, path=default)


def _local_anchor(engine: Engine, key: SigningKeyLike, anchor: Any) -> Anchor | None:
    """The anchor to check: ``anchor`` (a file or an :class:`Anchor`), else the one beside
    the key file (``key``, else the store's default key file), if it names this store."""
    store = store_key(engine.url)
    if isinstance(anchor, Anchor):
        return anchor
    if anchor is not None:
        return load_anchor(anchor, store)
    if isinstance(key, SigningKey):
        file = key.path
    else:
        file = key_path(key, _engine_url(engine))
    return read_anchor(anchor_path(file), store)


def _anchor_lookup(engine: Engine) -> Any:
    def lookup(seq: int) -> tuple[str | None, str | None]:
        with store_errors(engine.url, "cannot read the audit log"), engine.connect() as conn:
            entry = conn.execute(
                select(LogEntryRow.entry_hash).where(LogEntryRow.seq == seq)
            ).scalar()
            signature = conn.execute(
                select(Checkpoint.signature).where(Checkpoint.seq == seq)
            ).scalar()
        return entry, signature

    return lookup


def verify_log(
    engine: Engine,
    *,
    public_keys: Iterable[str] | None = None,
    key: SigningKeyLike = None,
    principal: Principal | None = None,
    anchor: Anchor | str | os.PathLike[str] | None = None,
) -> LogVerification:
    """Verify the whole audit log in the store and name its first bad entry.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    public_keys : iterable of str, optional
        Trusted checkpoint keys: raw Ed25519 public keys or their SHA-256 fingerprints
        (64 hex digits each). A checkpoint signed by any other key is bad
        (``unknown_key``).
    key : SigningKey or path-like, optional
        A signing key (or its PEM file) whose public key is trusted too. When neither
        ``public_keys`` nor ``key`` is given, the store's key file
        (:func:`fairmark.governance.keys.key_path`) is trusted if it exists and this log
        has seen it (it signed a checkpoint of the log, as a checkpoint row, a
        ``log.checkpoint`` entry or the anchor beside it says, or the log registers it:
        ``log.key.trust`` or bootstrap); otherwise keys are not checked and a warning says
        so (:data:`NOT_PINNED` when the file exists). These are the roots: keys the log
        registers (``log.key.trust``) are trusted too once a checkpoint signed by a
        trusted key covers the registration, until withdrawn (``log.key.distrust``;
        :mod:`fairmark.governance.log_trust`).
    principal : Principal, optional
        When given, must hold ``log.read``.
    anchor : Anchor or path-like, optional
        The newest checkpoint known from outside the store: an anchor file
        (``<key file>.head.json``, :mod:`fairmark.governance.log_anchor`) or a single
        checkpoint statement such as an evidence bundle's ``checkpoint.json``. Default: the
        anchor file beside ``key`` (else beside the store's default key file), when it
        holds a statement for this store. The store must then hold the anchored entry
        with its hash (else ``truncated``, or ``altered``) and its checkpoint row with its
        signature (else ``missing``).

    Returns
    -------
    LogVerification
        ``ok`` false with ``first_bad`` naming the first problem in ``seq`` order (see
        :data:`BAD_KINDS`), and warnings for what could not be established. When a trusted
        key is known (``public_keys``, ``key`` or the default key file the log has seen),
        a non-empty log without a checkpoint signed by it fails (``no_checkpoint``).

    Raises
    ------
    UsageError
        A public key is not 64 hex digits; ``key`` cannot be read; an explicit ``anchor``
        file is missing or names other stores only.
    DataError
        An anchor file is not JSON or lacks a field.
    AccessError
        ``principal`` may not ``log.read``.
    StoreError
        The store cannot be read.

    Notes
    -----
    The anchor is read first, then the checkpoints, then the entries in chunks of
    :data:`CHUNK_SIZE`; every anchor and checkpoint read covers entries committed before
    it, so entries appended while verifying never cause a false alarm. Memory: one chunk
    plus the checkpoints.
    A key file that merely exists is no root: an auditor's key, or a user's before an
    admin registers it, has signed nothing here, and pinning it would report every
    checkpoint of an intact log as ``unknown_key``.
    Sources: Schneier & Kelsey 1999; Crosby & Wallach 2009; RFC 6962 section 3.5; RFC 5280
    section 6 (a trust anchor is configured, not found).
    """
    _authorize_read(principal)
    trusted, not_pinned = _local_trust(engine, key, public_keys)
    pinned = _local_anchor(engine, key, anchor)  # first: it covers entries committed already
    events: list[KeyEvent] = []
    if trusted is not None:
        with store_errors(engine.url, "cannot read the audit log"), engine.connect() as conn:
            events = read_key_events(conn)
    checkpoints = _read_checkpoints(engine)
    rows = (_raw_from_row(row) for row in _iter_rows(engine))
    result = walk_log(
        rows,
        checkpoints,
        trusted,
        source="store",
        reload_checkpoints=lambda: _read_checkpoints(engine),
        anchor=pinned,
        anchor_lookup=_anchor_lookup(engine),
        key_events=events,
    )
    if not_pinned is None:
        return result
    return replace(result, warnings=(not_pinned, *result.warnings))


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportInfo:
    """What :func:`export_log` wrote.

    Attributes
    ----------
    out : str
        The file written, or ``-`` for a stream.
    n_entries, n_checkpoints : int
    first_seq, last_seq : int or None
        The entries exported (``None`` when none).
    head_hash : str or None
        ``entry_hash`` of the last entry exported.
    since_seq : int or None
        Entries after this ``seq`` only.
    sha256 : str or None
        SHA-256 of the file written (``None`` for a stream).
    """

    out: str
    n_entries: int
    n_checkpoints: int
    first_seq: int | None
    last_seq: int | None
    head_hash: str | None
    since_seq: int | None
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {
            "out": self.out,
            "n_entries": self.n_entries,
            "n_checkpoints": self.n_checkpoints,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "head_hash": self.head_hash,
            "since_seq": self.since_seq,
            "sha256": self.sha256,
        }


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _write_export(
    engine: Engine, handle: IO[str], since_seq: int | None
) -> tuple[int, int, int | None, int | None, str | None]:
    checkpoints = _read_checkpoints(engine)  # first: each covers entries already committed
    handle.write(
        _line(
            {
                "type": "header",
                "log": LOG_NAME,
                "format": EXPORT_FORMAT,
                "since_seq": since_seq,
                "exported_at": utc_stamp(),
            }
        )
    )
    n = 0
    first: int | None = None
    last: int | None = None
    head: str | None = None
    for row in _iter_rows(engine, after_seq=since_seq or 0):
        entry = LogEntry.from_row(row)
        handle.write(_line({"type": "entry", **entry.to_dict()}))
        n += 1
        first = entry.seq if first is None else first
        last, head = entry.seq, entry.entry_hash
    # checkpoints made while the entries were read, of entries exported, are kept too;
    # one read first beyond the last entry exported means the log was truncated
    known = {cp.seq for cp in checkpoints}
    checkpoints += [
        cp
        for cp in _read_checkpoints(engine)
        if cp.seq not in known and last is not None and cp.seq <= last
    ]
    checkpoints.sort(key=lambda cp: cp.seq)
    n_cp = 0
    for cp in checkpoints:
        if since_seq is not None and cp.seq <= since_seq:
            continue
        document = cp.to_dict()
        document.pop("log_seq")
        handle.write(_line({"type": "checkpoint", **document}))
        n_cp += 1
    return n, n_cp, first, last, head


_JOURNALS = ("-wal", "-shm", "-journal")


def _protected_files(engine: Engine) -> list[tuple[Path, str]]:
    """Files an export must never replace: the SQLite store (and its journals), the
    default signing key and its anchor."""
    url = _engine_url(engine)
    files: list[tuple[Path, str]] = []
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
        if not database.startswith("file:"):
            store = Path(database)
            files.append((store, "the store"))
            files += [
                (store.with_name(store.name + suffix), "the store's journal")
                for suffix in _JOURNALS
            ]
    key = key_path(None, url)
    files += [(key, "the signing key"), (anchor_path(key), "the signing key's anchor")]
    return files


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def _check_export_target(engine: Engine, target: Path, force: bool) -> None:
    """Refuse a folder, an existing file without ``force``, and a file fairmark needs."""
    if target.is_dir():
        raise UsageError(f"--out {target} is a folder; expected a file name")
    for file, what in _protected_files(engine):
        if _same_file(target, file):
            raise UsageError(
                f"--out {target} is {what} ({file}); expected another file name (not even "
                "--force replaces it)"
            )
    if not force and (target.exists() or target.is_symlink()):
        raise UsageError(
            f"--out {target} already exists; expected a new file name (or --force to replace it)"
        )


def _place(temp: Path, target: Path, force: bool) -> None:
    """Move the finished ``temp`` to ``target``: replace it with ``force``, else only create
    it (a hard link fails if ``target`` appeared meanwhile)."""
    if force:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)
    except FileExistsError:
        raise UsageError(
            f"--out {target} already exists; expected a new file name (or --force to replace it)"
        ) from None
    except OSError:  # no hard links on this file system: check, then rename
        if target.exists() or target.is_symlink():
            raise UsageError(
                f"--out {target} already exists; expected a new file name (or --force to "
                "replace it)"
            ) from None
        os.replace(temp, target)
        return
    temp.unlink()


def export_log(
    engine: Engine,
    out: IO[str] | str | os.PathLike[str],
    *,
    since_seq: int | None = None,
    principal: Principal | None = None,
    force: bool = False,
) -> ExportInfo:
    """Export the audit log as JSON Lines with its checkpoints (format: module docstring).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    out : text stream or path-like
        Where to write; a path is written to a temporary file in its folder (mode 0644)
        and moved into place when complete, so a failed export leaves nothing behind.
    since_seq : int, optional
        Only entries with ``seq > since_seq`` (and the checkpoints covering them); the
        header records it so :func:`verify_export` knows where the entries start.
    principal : Principal, optional
        When given, must hold ``log.read``.
    force : bool, default False
        Replace ``out`` if it exists. The SQLite store file (and its journals), the
        signing key file and its anchor are never replaced.

    Returns
    -------
    ExportInfo

    Raises
    ------
    UsageError
        ``since_seq`` is not a whole number >= 0; ``out`` is a folder, exists (without
        ``force``), is the store, the signing key or its anchor; or the file cannot be
        written. Nothing is written then.
    AccessError
        ``principal`` may not ``log.read``.
    StoreError
        The store cannot be read.

    Notes
    -----
    Streaming: :data:`CHUNK_SIZE` rows at a time. Checkpoints are read before the entries,
    so every exported checkpoint covers an exported entry unless the log was truncated.
    Without ``force`` the finished file is hard-linked into place, so a file created at
    ``out`` while exporting is not replaced either.
    Source: JSON Lines (https://jsonlines.org); EU AI Act Art. 12 and ISO/IEC 42001:2023
    clause 7.5 (records made available to auditors); POSIX ``rename``/``link`` (atomic).
    """
    _authorize_read(principal)
    if since_seq is not None and (
        isinstance(since_seq, bool) or not isinstance(since_seq, int) or since_seq < 0
    ):
        raise UsageError(f"--since is {since_seq!r}; expected a whole number >= 0 (a seq)")
    if not isinstance(out, str | os.PathLike):
        n, n_cp, first, last, head = _write_export(engine, out, since_seq)
        return ExportInfo("-", n, n_cp, first, last, head, since_seq)
    target = Path(out)
    _check_export_target(engine, target, force)
    partial: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        partial = Path(name)
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            n, n_cp, first, last, head = _write_export(engine, handle, since_seq)
        digest = hashlib.sha256(partial.read_bytes()).hexdigest()
        _place(partial, target, force)
    except OSError as exc:
        raise UsageError(
            f"cannot write log export {target}: {exc.strerror or exc}; expected a writable path"
        ) from None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)
    return ExportInfo(str(target), n, n_cp, first, last, head, since_seq, digest)
