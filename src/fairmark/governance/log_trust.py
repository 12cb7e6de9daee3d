"""Which checkpoint keys a verification trusts: local roots plus keys registered in the log.

A team store is written by several clients, each signing checkpoints with its own key
file. The store keeps its list of trusted keys **in the audit log itself**:

``log.key.trust``
    An admin registered a key: ``entity_type`` ``key``, ``entity_id`` its fingerprint,
    payload ``{"public_key": <raw key hex>, "key_fingerprint", "label", "by"}``.
``log.key.distrust``
    An admin withdrew it: ``entity_id`` the fingerprint, payload ``{"key_fingerprint",
    "by"}``. Checkpoints the key signs from that entry on (``seq`` >= the entry's) are no
    longer trusted; earlier ones stay valid.
bootstrap
    The ``log.checkpoint`` entry recording a store's first checkpoint, when an admin signed
    it, carries ``"trust": {"public_key", "label", "by"}``: the first key registers
    itself in the same transaction (a ``log.checkpoint`` entry with ``trust`` registers the
    key of the checkpoint it records, nothing else).

Nothing in the log is believed on its own word: trust is rooted locally. The **roots**
are the keys the verifier names (``--public-key``, ``--key``, else the local key file; in
an evidence bundle, the pinned keys and the bundle's own key). A key registered by an
entry becomes trusted once a checkpoint signed by an already trusted key covers that entry
(the checkpoint's ``seq`` >= the entry's). :func:`resolve_key_trust` computes that
fixpoint over all checkpoints before any checkpoint is judged, so a checkpoint signed by a
key that becomes trusted later in the log is fine; a registration covered only by
checkpoints of untrusted keys (an attacker's own) trusts nothing. Roots are never
withdrawn by the log.

This module holds the rules and reads nothing;
:mod:`fairmark.governance.log_keys` reads and writes the entries in a store.

Sources: RFC 6962 section 3.5 and RFC 9162 section 8.1 (a client trusts signed tree heads
by keys it knows); RFC 5280 section 6 (a path of trust from a locally configured trust
anchor); NIST SP 800-57 Part 1 Rev. 5 section 8.3.1 (key revocation: signatures made
before the revocation stay valid); Crosby & Wallach 2009 (USENIX Security).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from fairmark.governance.keys import fingerprint, verify_signature

if TYPE_CHECKING:  # log_verify imports this module
    from fairmark.governance.log_verify import CheckpointInfo

__all__ = [
    "BOOTSTRAP_LABEL",
    "KEY_DISTRUST_ACTION",
    "KEY_TRUST_ACTION",
    "KeyEvent",
    "KeyRecord",
    "KeyTrust",
    "SignedBy",
    "event_of_record",
    "key_event",
    "key_registry",
    "resolve_key_trust",
    "trust_from_records",
]

KEY_TRUST_ACTION = "log.key.trust"
"""Action of the entry registering a checkpoint key."""

KEY_DISTRUST_ACTION = "log.key.distrust"
"""Action of the entry withdrawing a registered checkpoint key."""

BOOTSTRAP_LABEL = "first checkpoint key (bootstrap)"
"""Label of the key registered by a store's first checkpoint."""

_CHECKPOINT_ACTION = "log.checkpoint"  # as log_verify.CHECKPOINT_ACTION (no import cycle)
_HEX = frozenset("0123456789abcdef")


def _is_hex64(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


@dataclass(frozen=True)
class KeyEvent:
    """One registration or withdrawal of a checkpoint key, as the log records it.

    Attributes
    ----------
    seq : int
        The log entry.
    kind : {"trust", "distrust"}
    key_fingerprint : str
        SHA-256 of the raw public key, 64 lower-case hex digits.
    public_key : str or None
        The raw Ed25519 public key, hex (registrations only).
    label : str or None
        What the admin called the key (registrations only).
    by : str
        Who registered or withdrew it (the entry's actor).
    created_at : str
        The entry's time (ISO 8601 UTC).
    bootstrap : bool
        Registered by the ``log.checkpoint`` entry of a store's first checkpoint.
    """

    seq: int
    kind: Literal["trust", "distrust"]
    key_fingerprint: str
    public_key: str | None
    label: str | None
    by: str
    created_at: str = ""
    bootstrap: bool = False


def key_event(
    *,
    seq: int,
    action: str,
    entity_id: str,
    payload: Mapping[str, Any] | str,
    actor: str = "",
    created_at: str = "",
) -> KeyEvent | None:
    """Read the key event a log entry records, if any.

    Parameters
    ----------
    seq : int
    action, entity_id : str
        The entry's fields.
    payload : dict or str
        Its payload (parsed, or the canonical JSON text as stored).
    actor, created_at : str
        The entry's actor and time, kept on the event.

    Returns
    -------
    KeyEvent or None
        ``None`` for any other entry, and for a malformed one (a public key that is not 64
        hex digits, a fingerprint that is not the key's, a bootstrap ``trust`` for another
        key than the checkpoint's): such an entry registers nothing.

    Raises
    ------
    Nothing: a damaged entry is the chain walk's to report
    (:mod:`fairmark.governance.log_verify`).

    Notes
    -----
    The three forms are described in the module docstring. Source: NIST SP 800-57 Part 1
    Rev. 5 sections 8.1.5 (registration) and 8.3.1 (revocation).
    """
    if action not in (KEY_TRUST_ACTION, KEY_DISTRUST_ACTION, _CHECKPOINT_ACTION):
        return None
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return None
    if not isinstance(payload, Mapping):
        return None
    if action == KEY_DISTRUST_ACTION:
        if not _is_hex64(entity_id):
            return None
        return KeyEvent(seq, "distrust", entity_id, None, None, actor, created_at)
    bootstrap = action == _CHECKPOINT_ACTION
    source: Mapping[str, Any] = payload
    expected: Any = entity_id
    if bootstrap:
        trust = payload.get("trust")
        if not isinstance(trust, Mapping):
            return None
        source, expected = trust, payload.get("key_fingerprint")
    public, label = source.get("public_key"), source.get("label")
    if not _is_hex64(public) or not isinstance(label, str):
        return None
    fp = fingerprint(public)
    if fp != expected:
        return None
    by = source.get("by") if bootstrap and isinstance(source.get("by"), str) else actor
    # a bootstrap names the admin ("by"), not "system", who signs a periodic checkpoint
    return KeyEvent(seq, "trust", fp, public, label, str(by), created_at, bootstrap)


class SignedBy(Protocol):
    """What trust looks at in a checkpoint: the entry it covers and its key.

    Attributes
    ----------
    seq : int
        The last log entry the checkpoint covers.
    public_key : str
        Raw Ed25519 public key, hex.
    key_fingerprint : str
        SHA-256 of the raw public key, hex.

    Notes
    -----
    :class:`fairmark.governance.log_verify.CheckpointInfo` is one; so is an exported
    checkpoint line read by :mod:`fairmark.governance.evidence_verify`.
    """

    @property
    def seq(self) -> int: ...

    @property
    def public_key(self) -> str: ...

    @property
    def key_fingerprint(self) -> str: ...


def event_of_record(record: Mapping[str, Any]) -> KeyEvent | None:
    """:func:`key_event` of an exported entry (a JSON Lines ``entry`` line, parsed).

    Parameters
    ----------
    record : dict
        As :meth:`fairmark.governance.chain.LogEntry.to_dict` writes it.

    Returns
    -------
    KeyEvent or None
        ``None`` for any other entry and for one with a missing or mistyped field (the chain
        walk reports those).
    """
    seq, payload = record.get("seq"), record.get("payload")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(payload, Mapping):
        return None
    return key_event(
        seq=seq,
        action=str(record.get("action", "")),
        entity_id=str(record.get("entity_id", "")),
        payload=payload,
        actor=str(record.get("actor", "")),
        created_at=str(record.get("created_at", "")),
    )


@dataclass(frozen=True)
class _Record:
    """An exported checkpoint line seen as :class:`SignedBy`."""

    record: Mapping[str, Any]

    @property
    def seq(self) -> int:
        seq = self.record.get("seq")
        return seq if isinstance(seq, int) and not isinstance(seq, bool) else 0

    @property
    def public_key(self) -> str:
        return str(self.record.get("public_key", ""))

    @property
    def key_fingerprint(self) -> str:
        return str(self.record.get("key_fingerprint", ""))


def _cp_fingerprint(cp: SignedBy) -> str:
    return str(cp.key_fingerprint).lower()


def _well_signed(cp: CheckpointInfo) -> bool:
    """The checkpoint's fingerprint is its key's and its signature verifies."""
    try:
        if fingerprint(cp.public_key) != cp.key_fingerprint:
            return False
    except (ValueError, TypeError):
        return False
    return verify_signature(cp.public_key, cp.statement(), cp.signature)


@dataclass(frozen=True)
class KeyTrust:
    """The keys a verification trusts: its roots and the key events that took effect.

    Attributes
    ----------
    roots : frozenset of str
        Lower-case hex raw public keys and/or fingerprints the verifier trusts itself.
    events : tuple of KeyEvent
        Every key event of the log read, in ``seq`` order.
    covered_to : int
        Events with ``seq <= covered_to`` took effect: a checkpoint signed by a trusted
        key covers them.

    Notes
    -----
    Built by :func:`resolve_key_trust`. Sources: RFC 5280 section 6 (trust from a locally
    configured anchor); NIST SP 800-57 Part 1 Rev. 5 section 8.3.1 (a revoked key's earlier
    signatures keep their meaning).
    """

    roots: frozenset[str]
    events: tuple[KeyEvent, ...] = ()
    covered_to: int = 0

    def _history(self, fp: str) -> list[KeyEvent]:
        return [e for e in self.events if e.key_fingerprint == fp and e.seq <= self.covered_to]

    def is_root(self, cp: SignedBy) -> bool:
        """Whether the checkpoint's key is one of the roots."""
        return str(cp.public_key).lower() in self.roots or _cp_fingerprint(cp) in self.roots

    def allows(self, cp: SignedBy) -> bool:
        """Whether a checkpoint signed by ``cp``'s key is trusted (its signature aside).

        A root key always is. Otherwise the key's effective events decide: the last one at
        or before the checkpoint (a ``distrust`` withdraws it from there on), else the first
        one after it (a key registered later in the log is trusted for earlier
        checkpoints too).
        """
        if self.is_root(cp):
            return True
        history = self._history(_cp_fingerprint(cp))
        if not history:
            return False
        before = [e for e in history if e.seq <= cp.seq]
        decisive = before[-1] if before else history[0]
        return decisive.kind == "trust"

    def allows_record(self, record: Mapping[str, Any]) -> bool:
        """:meth:`allows` for an exported checkpoint line (a dict)."""
        return self.allows(_Record(record))

    def why_not(self, cp: SignedBy) -> str:
        """Why a checkpoint's key is not trusted, to end an ``unknown_key`` message."""
        fp = _cp_fingerprint(cp)
        history = self._history(fp)
        withdrawn = [e for e in history if e.seq <= cp.seq and e.kind == "distrust"]
        if history and withdrawn:
            return f"{fp}, distrusted at entry {withdrawn[-1].seq} ({KEY_DISTRUST_ACTION})"
        pending = [e for e in self.events if e.key_fingerprint == fp and e.kind == "trust"]
        if pending and not history:
            return (
                f"{fp} (registered at entry {pending[0].seq}, but no checkpoint signed by a "
                "trusted key covers that registration)"
            )
        return fp

    def trusted_by_log(self) -> tuple[str, ...]:
        """Fingerprints, not roots, whose last effective event registers them (sorted)."""
        last: dict[str, KeyEvent] = {}
        for event in self.events:
            if event.seq <= self.covered_to:
                last[event.key_fingerprint] = event
        return tuple(
            sorted(fp for fp, e in last.items() if e.kind == "trust" and fp not in self.roots)
        )


def resolve_key_trust(
    roots: frozenset[str],
    events: Iterable[KeyEvent],
    checkpoints: Iterable[CheckpointInfo],
) -> KeyTrust:
    """Compute which registrations take effect from ``roots`` (the fixpoint).

    Parameters
    ----------
    roots : frozenset of str
        Lower-case hex raw public keys and/or fingerprints trusted by the verifier
        (:func:`fairmark.governance.log_verify.trusted_keys`).
    events : iterable of KeyEvent
        The log's key events (:func:`key_event`), any order.
    checkpoints : iterable of CheckpointInfo
        The log's checkpoints; only well-signed ones (fingerprint of their key, valid
        signature) can make a registration take effect.

    Returns
    -------
    KeyTrust

    Notes
    -----
    Start with nothing covered; repeatedly let every event up to the newest checkpoint
    signed by a currently trusted key take effect, until that frontier stops moving. The
    frontier only grows, so this ends after at most one round per checkpoint. Each round
    is linear in the checkpoints. Sources: RFC 5280 section 6 (path validation from a
    trust anchor); NIST SP 800-57 Part 1 Rev. 5 section 8.3.1.
    """
    ordered = tuple(sorted(events, key=lambda e: e.seq))
    trust = KeyTrust(frozenset(roots), ordered, 0)
    signed = [cp for cp in checkpoints if _well_signed(cp)]
    while True:
        frontier = max((cp.seq for cp in signed if trust.allows(cp)), default=0)
        if frontier <= trust.covered_to:
            return trust
        trust = KeyTrust(trust.roots, ordered, frontier)


def trust_from_records(
    roots: frozenset[str],
    entries: Iterable[Mapping[str, Any]],
    checkpoints: Iterable[Mapping[str, Any]],
) -> KeyTrust:
    """:func:`resolve_key_trust` over exported JSON (an evidence bundle's ``log.jsonl``).

    Parameters
    ----------
    roots : frozenset of str
    entries : iterable of dict
        Exported entries (:meth:`fairmark.governance.chain.LogEntry.to_dict`).
    checkpoints : iterable of dict
        Exported checkpoints; malformed ones are skipped (the chain walk reports them).

    Returns
    -------
    KeyTrust

    Raises
    ------
    Nothing: malformed lines are skipped here and reported by the chain walk
    (:func:`fairmark.governance.log_verify.verify_entries`).

    Notes
    -----
    Source: as :func:`resolve_key_trust`.
    """
    from fairmark.governance.log_verify import CheckpointInfo

    events = [e for e in map(event_of_record, entries) if e is not None]
    infos = []
    for c in checkpoints:
        try:
            infos.append(
                CheckpointInfo(
                    seq=int(c["seq"]),
                    entry_hash=str(c["entry_hash"]),
                    created_at=str(c["created_at"]),
                    key_fingerprint=str(c["key_fingerprint"]),
                    public_key=str(c["public_key"]),
                    signature=str(c["signature"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return resolve_key_trust(roots, events, infos)


@dataclass(frozen=True)
class KeyRecord:
    """A checkpoint key the store's log registers, and its current status.

    Attributes
    ----------
    key_fingerprint : str
    public_key : str
        Raw Ed25519 public key, hex.
    label : str
    status : {"trusted", "distrusted"}
        As the latest entry about the key says (whether a checkpoint covers it yet is a
        question for verification, not for the list).
    seq : int
        The entry that set ``status``.
    registered_seq : int
        The latest registration.
    registered_by : str
    distrusted_seq : int or None
    distrusted_by : str or None
    bootstrap : bool
        Registered by the store's first checkpoint.

    Notes
    -----
    Source: NIST SP 800-57 Part 1 Rev. 5 sections 8.1.5 and 8.3.1 (key registration and
    revocation records).
    """

    key_fingerprint: str
    public_key: str
    label: str
    status: Literal["trusted", "distrusted"]
    seq: int
    registered_seq: int
    registered_by: str
    distrusted_seq: int | None = None
    distrusted_by: str | None = None
    bootstrap: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the record as a JSON-ready dict."""
        return {
            "key_fingerprint": self.key_fingerprint,
            "public_key": self.public_key,
            "label": self.label,
            "status": self.status,
            "seq": self.seq,
            "registered_seq": self.registered_seq,
            "registered_by": self.registered_by,
            "distrusted_seq": self.distrusted_seq,
            "distrusted_by": self.distrusted_by,
            "bootstrap": self.bootstrap,
        }


def key_registry(events: Iterable[KeyEvent]) -> dict[str, KeyRecord]:
    """Fold key events (any order) into the current record of every registered key.

    Parameters
    ----------
    events : iterable of KeyEvent

    Returns
    -------
    dict
        ``fingerprint -> KeyRecord``, in order of first registration. A withdrawal of a
        key never registered is ignored.

    Notes
    -----
    The list is what the log *says*, covered by a checkpoint or not; verification decides
    separately what it trusts (:func:`resolve_key_trust`). Source: NIST SP 800-57 Part 1
    Rev. 5 section 8.1.5.
    """
    records: dict[str, KeyRecord] = {}
    for e in sorted(events, key=lambda x: x.seq):
        current = records.get(e.key_fingerprint)
        if e.kind == "trust":
            records[e.key_fingerprint] = KeyRecord(
                key_fingerprint=e.key_fingerprint,
                public_key=str(e.public_key),
                label=str(e.label),
                status="trusted",
                seq=e.seq,
                registered_seq=e.seq,
                registered_by=e.by,
                bootstrap=e.bootstrap,
            )
        elif current is not None:
            records[e.key_fingerprint] = KeyRecord(
                key_fingerprint=current.key_fingerprint,
                public_key=current.public_key,
                label=current.label,
                status="distrusted",
                seq=e.seq,
                registered_seq=current.registered_seq,
                registered_by=current.registered_by,
                distrusted_seq=e.seq,
                distrusted_by=e.by,
                bootstrap=current.bootstrap,
            )
    return records
