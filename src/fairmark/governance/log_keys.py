"""The store's list of trusted checkpoint keys, kept in the audit log itself.

On a team store (PostgreSQL) every client signs checkpoints with its own key file
(``~/.config/fairmark/signing_key.pem``). Which of those keys the store trusts is recorded
in the hash-chained log, by admins, with no table of its own
(:mod:`fairmark.governance.log_trust` describes the entries and how verification uses
them):

- :func:`trust_key` appends ``log.key.trust`` (entity: the key's fingerprint; payload:
  the raw public key, a label, who registered it);
- :func:`distrust_key` appends ``log.key.distrust``;
- :func:`list_keys` judges each registered key with the trust rules of verification
  (trusted, pending, distrusted), rooted in the verifier's own keys;
- :func:`signing_allowed` tells a client whether to sign: on a store that registers keys,
  only with one of them (on SQLite every client signs with the key beside the file, as
  before: :func:`key_gate_applies`).

The first key registers itself: the ``log.checkpoint`` entry of a store's first
checkpoint, when an admin's client signs it, carries the key
(:func:`fairmark.governance.log.sign_head`).

Sources: NIST SP 800-57 Part 1 Rev. 5 sections 8.1.5 and 8.3.1 (key registration and
revocation); RFC 6962 section 3.5 (log signing keys known to clients); ISO/IEC
42001:2023 clause 7.5 (documented information); EU AI Act Art. 12 (record-keeping).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, or_, select

from fairmark.errors import UsageError
from fairmark.governance.access import Principal, authorize
from fairmark.governance.chain import append_entry
from fairmark.governance.keys import SigningKey, check_public_key, fingerprint
from fairmark.governance.log_trust import (
    KEY_DISTRUST_ACTION,
    KEY_TRUST_ACTION,
    KeyEvent,
    KeyRecord,
    KeyStanding,
    key_event,
    key_registry,
    key_standings,
    resolve_key_trust,
)
from fairmark.store.db import store_errors, write_transaction
from fairmark.store.models_governance import Checkpoint, LogEntryRow

__all__ = [
    "LABEL_MAX",
    "NOT_TRUSTED",
    "KeyListing",
    "distrust_key",
    "key_gate_applies",
    "key_standing",
    "list_keys",
    "read_key_events",
    "signing_allowed",
    "trust_key",
]

LABEL_MAX = 200
"""Longest key label, in characters."""

NOT_TRUSTED = (
    "this client's signing key (fingerprint {fingerprint}) is not trusted by the store; "
    "an admin runs 'fairmark log trust-key {public_key} --label LABEL'"
)
"""Why a client does not sign on a store that registers other keys (``str.format``)."""

_CHECKPOINT_ACTION = "log.checkpoint"
_HEX = frozenset("0123456789abcdef")


def read_key_events(conn: Connection) -> list[KeyEvent]:
    """Read every key registration and withdrawal of the store's log, in ``seq`` order.

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    list of KeyEvent
        From ``log.key.trust``, ``log.key.distrust`` and ``log.checkpoint`` entries that
        carry a bootstrap ``trust`` (:func:`fairmark.governance.log_trust.key_event`);
        malformed entries register nothing.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        The log cannot be read (callers wrap it in ``store_errors``).
    """
    rows = conn.execute(
        select(
            LogEntryRow.seq,
            LogEntryRow.action,
            LogEntryRow.entity_id,
            LogEntryRow.payload,
            LogEntryRow.actor,
            LogEntryRow.created_at,
        )
        .where(
            or_(
                LogEntryRow.action.in_((KEY_TRUST_ACTION, KEY_DISTRUST_ACTION)),
                and_(
                    LogEntryRow.action == _CHECKPOINT_ACTION,
                    LogEntryRow.payload.contains('"trust":{', autoescape=True),
                ),
            )
        )
        .order_by(LogEntryRow.seq)
    ).all()
    events = (
        key_event(
            seq=int(r.seq),
            action=r.action,
            entity_id=r.entity_id,
            payload=r.payload,
            actor=r.actor,
            created_at=r.created_at,
        )
        for r in rows
    )
    return [e for e in events if e is not None]


def key_gate_applies(engine: Engine) -> bool:
    """Whether clients sign only with keys the store trusts: every backend but SQLite.

    Parameters
    ----------
    engine : sqlalchemy.Engine

    Returns
    -------
    bool
        ``False`` for SQLite: a SQLite store is one file and its key normally lies beside
        it (shared by whoever can write the file), so every client signs with it, as
        before key registration existed.
    """
    return engine.dialect.name != "sqlite"


def signing_allowed(conn: Connection, key_fingerprint: str) -> bool:
    """Whether a client holding this key should sign checkpoints of the store.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    key_fingerprint : str
        The client's key fingerprint (hex).

    Returns
    -------
    bool
        True when the log registers no trusted key at all (a store from before key
        registration, or one whose first checkpoint was not an admin's), or when this key
        is registered and not withdrawn.

    Raises
    ------
    sqlalchemy.exc.SQLAlchemyError
        The log cannot be read (callers wrap it in ``store_errors``).

    Notes
    -----
    What the log says now, covered by a checkpoint yet or not: a client asks whether to
    sign, not whether to believe. Source: RFC 6962 section 3.5 (a log signs with keys its
    clients know).
    """
    records = key_registry(read_key_events(conn))
    active = {fp for fp, r in records.items() if r.status == "trusted"}
    return not active or key_fingerprint.lower() in active


@dataclass(frozen=True)
class KeyListing:
    """What :func:`list_keys` found: each registered key, judged from the verifier's roots.

    Attributes
    ----------
    keys : tuple of KeyStanding
        In order of first registration.
    roots : frozenset of str or None
        The roots (lower-case hex raw keys and/or fingerprints); ``None`` when there is
        none (every key ``unchecked``).
    warning : str or None
        Why the local key file is no root, as ``fairmark log verify`` says it.

    Notes
    -----
    Source: RFC 5280 section 6 (trust from a locally configured anchor).
    """

    keys: tuple[KeyStanding, ...]
    roots: frozenset[str] | None
    warning: str | None = None


def list_keys(
    engine: Engine,
    *,
    principal: Principal | None = None,
    public_keys: Iterable[str] | None = None,
    key: SigningKey | str | os.PathLike[str] | None = None,
) -> KeyListing:
    """List the checkpoint keys the store's log registers, judged as verification would.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    principal : Principal, optional
        When given, must hold ``log.read``.
    public_keys : iterable of str, optional
        Root keys: raw Ed25519 public keys or fingerprints (64 hex digits each).
    key : SigningKey or path-like, optional
        A signing key (or its PEM file) whose public key is a root too. Without
        ``public_keys`` and ``key`` the store's key file is the root under the rules of
        :func:`fairmark.governance.log.verify_log` (which share this code).

    Returns
    -------
    KeyListing
        Each key in order of first registration: ``trusted`` (a root, or registered by an
        entry a checkpoint of a trusted key covers), ``pending`` (no such checkpoint covers
        it yet), ``distrusted``; all ``unchecked`` when there is no root.

    Raises
    ------
    UsageError
        A public key is not 64 hex digits or is a point of small order; ``key`` cannot be
        read.
    AccessError
        ``principal`` may not ``log.read``.
    StoreError
        The store cannot be read.

    Notes
    -----
    The same rules as ``fairmark log verify`` (:func:`resolve_key_trust`): a
    registration appended by someone with database access stays ``pending`` until a
    checkpoint of a trusted key covers it. Checkpoint signatures are checked, and a
    checkpoint counts only while the log's entry still has the hash it signed; the hash
    chain between entries is not walked (``fairmark log verify`` does that). Sources:
    RFC 5280 section 6 (trust from a local anchor); NIST SP 800-57 Part 1 Rev. 5 section
    8.1.5.
    """
    from fairmark.governance.log import _local_trust
    from fairmark.governance.log_verify import CheckpointInfo

    if principal is not None:
        authorize(principal, "log.read")
    roots, warning = _local_trust(engine, key, public_keys)
    with store_errors(engine.url, "cannot read the audit log"), engine.connect() as conn:
        events = read_key_events(conn)
        rows = conn.execute(  # only checkpoints that still match the log's entry
            select(Checkpoint.__table__)
            .join(
                LogEntryRow,
                and_(
                    LogEntryRow.seq == Checkpoint.seq,
                    LogEntryRow.entry_hash == Checkpoint.entry_hash,
                ),
            )
            .order_by(Checkpoint.seq)
        ).all()
    checkpoints = [CheckpointInfo.from_row(r) for r in rows]
    trust = None if roots is None else resolve_key_trust(roots, events, checkpoints)
    standings = key_standings(trust, key_registry(events).values())
    return KeyListing(tuple(standings), roots, warning)


def key_standing(engine: Engine, key_fingerprint: str) -> KeyStanding | None:
    """One registered key judged as ``fairmark log keys`` judges it, from the local roots.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    key_fingerprint : str
        The key's SHA-256 fingerprint (64 hex digits).

    Returns
    -------
    KeyStanding or None
        The key's verified standing (:func:`list_keys` with its default root, the local
        key file): ``trusted`` only once a checkpoint of a trusted key covers its
        registration, else ``pending`` (``unchecked`` without a root). ``None`` when the
        log registers no such key.

    Raises
    ------
    StoreError
        The store cannot be read.

    Notes
    -----
    For the output of ``fairmark log trust-key``: a registration is not trusted by its
    own entry but by a checkpoint covering it (:mod:`fairmark.governance.log_trust`);
    computed after the CLI's automatic checkpoint. Not authorised here: the caller has
    just been authorised to register the key. Source: NIST SP 800-57 Part 1 Rev. 5
    section 8.1.5; RFC 5280 section 6.
    """
    wanted = key_fingerprint.lower()
    listing = list_keys(engine)
    return next((k for k in listing.keys if k.record.key_fingerprint == wanted), None)


def _ensure_actor(conn: Connection, principal: Principal) -> None:
    from fairmark.governance.identity import ensure_actor

    ensure_actor(conn, principal)


def _hex64(value: object, what: str) -> str:
    text = str(value).strip().lower()
    if len(text) != 64 or not set(text) <= _HEX:
        raise UsageError(
            f"{what} {value!r} is not 64 hex digits; expected "
            + (
                "the raw Ed25519 public key that 'fairmark log public-key' prints"
                if what == "public key"
                else "a key fingerprint from 'fairmark log keys'"
            )
        )
    return text


def _check_label(label: object) -> str:
    text = label.strip() if isinstance(label, str) else ""
    if not text:
        raise UsageError(
            f"--label is {label!r}; expected a short name for the key, e.g. 'ada laptop'"
        )
    control = next((c for c in text if ord(c) < 32 or ord(c) == 127), None)
    if control is not None:
        raise UsageError(
            f"--label has a control character ({control!r} at position "
            f"{text.index(control) + 1}); expected one line of printable text"
        )
    if len(text) > LABEL_MAX:
        raise UsageError(
            f"--label has {len(text)} characters; expected at most {LABEL_MAX} characters"
        )
    return text


def trust_key(engine: Engine, public_key: str, *, label: str, principal: Principal) -> KeyRecord:
    """Register a checkpoint key as trusted by the store (``log.key.trust``).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    public_key : str
        The raw Ed25519 public key, 64 hex digits (what ``fairmark log public-key`` prints;
        :func:`fairmark.governance.keys.public_key_hex` reads it from a file).
    label : str
        Whose key it is, one line of at most :data:`LABEL_MAX` characters.
    principal : Principal
        Needs ``log.checkpoint`` (admin), the permission of ``fairmark log checkpoint``.

    Returns
    -------
    KeyRecord
        The key, status ``trusted``, ``seq`` the new entry.

    Raises
    ------
    AccessError
        ``principal`` may not ``log.checkpoint``.
    UsageError
        ``public_key`` is not 64 hex digits, is not a usable Ed25519 key (not a curve
        point, a point of small order: :func:`fairmark.governance.keys.check_public_key`),
        or is the fingerprint of a key the store knows (not the key itself); ``label`` is
        empty, too long or has a control character (the message says which); the key is
        already trusted. Nothing is written.
    StoreError
        The store refuses the write.

    Notes
    -----
    The registration counts for a verifier once a checkpoint signed by a key it already
    trusts covers the entry (:mod:`fairmark.governance.log_trust`): the admin's own next
    checkpoint (after every CLI write) does. Source: NIST SP 800-57 Part 1 Rev. 5 section
    8.1.5 (key registration).
    """
    authorize(principal, "log.checkpoint")
    public = _hex64(public_key, "public key")
    text = _check_label(label)
    fp = fingerprint(public)
    with store_errors(engine.url, "cannot register the key in the audit log"):
        with write_transaction(engine) as conn:
            _ensure_actor(conn, principal)  # takes the log's lock first
            records = key_registry(read_key_events(conn))
            known = {r.key_fingerprint for r in records.values()}
            known |= set(conn.execute(select(Checkpoint.key_fingerprint).distinct()).scalars())
            if public in known:
                raise UsageError(
                    f"{public} is the fingerprint of a key, not the key; expected the raw "
                    "public key ('fairmark log public-key' prints it on the key's machine)"
                )
            check_public_key(public)  # after: a fingerprint is named as one first
            current = records.get(fp)
            if current is not None and current.status == "trusted":
                raise UsageError(
                    f"key {fp} is already trusted (entry {current.seq}, label "
                    f"{current.label!r}); expected a key the store does not trust yet"
                )
            entry = append_entry(
                conn,
                actor=principal.name,
                action=KEY_TRUST_ACTION,
                entity_type="key",
                entity_id=fp,
                payload={
                    "public_key": public,
                    "key_fingerprint": fp,
                    "label": text,
                    "by": principal.name,
                },
            )
    return KeyRecord(
        key_fingerprint=fp,
        public_key=public,
        label=text,
        status="trusted",
        seq=entry.seq,
        registered_seq=entry.seq,
        registered_by=principal.name,
    )


def distrust_key(engine: Engine, key: str, *, principal: Principal) -> KeyRecord:
    """Withdraw a registered checkpoint key (``log.key.distrust``).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    key : str
        The key's fingerprint (as ``fairmark log keys`` lists it) or its raw public key.
    principal : Principal
        Needs ``log.checkpoint`` (admin).

    Returns
    -------
    KeyRecord
        The key, status ``distrusted``, ``seq`` the new entry.

    Raises
    ------
    AccessError
        ``principal`` may not ``log.checkpoint``.
    UsageError
        ``key`` is not 64 hex digits, is not registered, is already distrusted, or is the
        store's last trusted key (a store needs one to sign with). Nothing is written.
    StoreError
        The store refuses the write.

    Notes
    -----
    Checkpoints the key signs from this entry on are ``unknown_key`` for verifiers that
    do not name the key themselves; earlier ones stay valid (NIST SP 800-57 Part 1 Rev. 5
    section 8.3.1: signatures made before a revocation keep their meaning).
    """
    authorize(principal, "log.checkpoint")
    value = _hex64(key, "key fingerprint")
    with store_errors(engine.url, "cannot withdraw the key in the audit log"):
        with write_transaction(engine) as conn:
            _ensure_actor(conn, principal)  # takes the log's lock first
            records = key_registry(read_key_events(conn))
            record = records.get(value) or next(
                (r for r in records.values() if r.public_key == value), None
            )
            if record is None:
                raise UsageError(
                    f"key {value} is not registered in the store's audit log; expected a "
                    "fingerprint from 'fairmark log keys'"
                )
            if record.status == "distrusted":
                raise UsageError(
                    f"key {record.key_fingerprint} is already distrusted (entry "
                    f"{record.distrusted_seq}); expected a trusted key"
                )
            others = [r for r in records.values() if r.status == "trusted" and r is not record]
            if not others:
                raise UsageError(
                    f"key {record.key_fingerprint} is the store's last trusted key; expected "
                    "another trusted key first ('fairmark log trust-key')"
                )
            entry = append_entry(
                conn,
                actor=principal.name,
                action=KEY_DISTRUST_ACTION,
                entity_type="key",
                entity_id=record.key_fingerprint,
                payload={
                    "key_fingerprint": record.key_fingerprint,
                    "label": record.label,
                    "by": principal.name,
                },
            )
    return KeyRecord(
        key_fingerprint=record.key_fingerprint,
        public_key=record.public_key,
        label=record.label,
        status="distrusted",
        seq=entry.seq,
        registered_seq=record.registered_seq,
        registered_by=record.registered_by,
        distrusted_seq=entry.seq,
        distrusted_by=principal.name,
        bootstrap=record.bootstrap,
    )
