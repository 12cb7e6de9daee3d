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
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from fairmark.governance.keys import fingerprint, public_key_problem, verify_signature

if TYPE_CHECKING:  # log_verify imports this module
    from fairmark.governance.log_verify import CheckpointInfo

__all__ = [
    "BOOTSTRAP_LABEL",
    "KEY_DISTRUST_ACTION",
    "KEY_TRUST_ACTION",
    "KeyEvent",
    "KeyRecord",
    "KeyStanding",
    "KeyTrust",
    "SignedBy",
    "event_of_record",
    "key_event",
    "key_registry",
    "key_standings",
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
        hex digits or not a usable Ed25519 key, such as a point of small order:
        :func:`fairmark.governance.keys.public_key_problem`; a fingerprint that is not the
        key's; a bootstrap ``trust`` for another key than the checkpoint's): such an entry
        registers nothing.

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
    if public_key_problem(public) is not None:
        return None  # e.g. a small-order key: anyone could sign for it
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


def _decisive(history: list[KeyEvent], seq: int) -> KeyEvent | None:
    """The event deciding a checkpoint of entry ``seq``: the last one at or before it,
    else the first one after it (``history``: one key's effective events, in order)."""
    if not history:
        return None
    before = [e for e in history if e.seq <= seq]
    return before[-1] if before else history[0]


class _Coverage(NamedTuple):
    """How a key event took effect: in which round of the fixpoint, by which checkpoint."""

    round: int
    checkpoint: SignedBy


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
    coverage : dict
        ``event seq -> (round, checkpoint)``: the earliest checkpoint, trusted in the
        fixpoint round in which the event took effect, that covers it
        (:func:`resolve_key_trust`); :meth:`origin` follows it back to a root.

    Notes
    -----
    Built by :func:`resolve_key_trust`. Sources: RFC 5280 section 6 (trust from a locally
    configured anchor); NIST SP 800-57 Part 1 Rev. 5 section 8.3.1 (a revoked key's earlier
    signatures keep their meaning).
    """

    roots: frozenset[str]
    events: tuple[KeyEvent, ...] = ()
    covered_to: int = 0
    coverage: Mapping[int, _Coverage] = field(default_factory=dict, compare=False)

    def _history(self, fp: str) -> list[KeyEvent]:
        return [e for e in self.events if e.key_fingerprint == fp and e.seq <= self.covered_to]

    def is_root(self, cp: SignedBy) -> bool:
        """Whether the checkpoint's key is one of the roots."""
        return str(cp.public_key).lower() in self.roots or _cp_fingerprint(cp) in self.roots

    def origin(self, seq: int) -> tuple[SignedBy, str] | None:
        """Which checkpoint made key event ``seq`` take effect, and from which root.

        Parameters
        ----------
        seq : int
            A key event's entry.

        Returns
        -------
        tuple or None
            ``(checkpoint, root fingerprint)``: the earliest checkpoint of a key trusted
            at the time that covers the entry, and the root key at the end of the chain
            (that checkpoint's key, or the key whose checkpoint covered its registration,
            and so on). ``None`` when the event did not take effect.

        Notes
        -----
        The chain steps only to events that took effect in an earlier round of
        :func:`resolve_key_trust`, so it ends, at a root. Source: RFC 5280 section 6
        (a certification path ends at a trust anchor).
        """
        cover = self.coverage.get(seq)
        if cover is None:
            return None
        first, step = cover.checkpoint, cover
        while not self.is_root(step.checkpoint):
            signer, earlier = _cp_fingerprint(step.checkpoint), step.round
            history = [
                e
                for e in self.events
                if e.key_fingerprint == signer
                and e.seq in self.coverage
                and self.coverage[e.seq].round < earlier
            ]
            decisive = _decisive(history, step.checkpoint.seq)
            if decisive is None or decisive.kind != "trust":  # not reached: trusted then
                return None
            step = self.coverage[decisive.seq]
        return first, _cp_fingerprint(step.checkpoint)

    def allows(self, cp: SignedBy) -> bool:
        """Whether a checkpoint signed by ``cp``'s key is trusted (its signature aside).

        A root key always is. Otherwise the key's effective events decide: the last one at
        or before the checkpoint (a ``distrust`` withdraws it from there on), else the first
        one after it (a key registered later in the log is trusted for earlier
        checkpoints too).
        """
        if self.is_root(cp):
            return True
        decisive = _decisive(self._history(_cp_fingerprint(cp)), cp.seq)
        return decisive is not None and decisive.kind == "trust"

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
    is linear in the checkpoints and events. Every event that takes effect records the
    earliest checkpoint, trusted in that round, that covers it (``KeyTrust.coverage``,
    for :meth:`KeyTrust.origin`). Sources: RFC 5280 section 6 (path validation from a
    trust anchor); NIST SP 800-57 Part 1 Rev. 5 section 8.3.1.
    """
    ordered = tuple(sorted(events, key=lambda e: e.seq))
    trust = KeyTrust(frozenset(roots), ordered, 0)
    signed = [cp for cp in checkpoints if _well_signed(cp)]
    coverage: dict[int, _Coverage] = {}
    round_ = 0
    while True:
        allowed = sorted((cp for cp in signed if trust.allows(cp)), key=lambda cp: cp.seq)
        frontier = allowed[-1].seq if allowed else 0
        if frontier <= trust.covered_to:
            return trust
        round_ += 1
        seqs = [cp.seq for cp in allowed]
        for e in ordered:
            if trust.covered_to < e.seq <= frontier:
                coverage[e.seq] = _Coverage(round_, allowed[bisect_left(seqs, e.seq)])
        trust = KeyTrust(trust.roots, ordered, frontier, dict(coverage))


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
        As the latest entry about the key says, covered by a trusted checkpoint or not
        (an entry forged with database access says it too): what a verifier trusts is
        :class:`KeyStanding`.
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


@dataclass(frozen=True)
class KeyStanding:
    """A registered key as a verifier sees it: what the log says and what is trusted.

    Attributes
    ----------
    record : KeyRecord
        What the log's entries say (``record.status`` is the newest entry's word).
    status : {"trusted", "pending", "distrusted", "unchecked"}
        ``trusted``: a root, or the newest entry about the key that a trusted checkpoint
        covers registers it (verification trusts its checkpoints); ``distrusted``: that
        entry withdraws it; ``pending``: no entry about it is covered by a checkpoint of
        a trusted key yet, so verification does not trust it (``unknown_key``);
        ``unchecked``: the verifier has no root key, so nothing can be trusted.
    status_seq : int or None
        The entry that set ``status`` (``None`` for a root, ``pending``, ``unchecked``).
    covered_by : int or None
        The ``seq`` of the checkpoint that made ``status_seq`` take effect.
    covered_by_key : str or None
        That checkpoint's key fingerprint.
    root : str or None
        Fingerprint of the root key the status comes from (the key itself for a root).
    pending_seq : int or None
        The newest entry about the key that no trusted checkpoint covers yet (it changes
        nothing until one does; ``None`` for a root).

    Notes
    -----
    Built by :func:`key_standings` with the rules of verification
    (:func:`resolve_key_trust`). Sources: RFC 5280 section 6 (a path to a trust anchor);
    NIST SP 800-57 Part 1 Rev. 5 sections 8.1.5 and 8.3.1.
    """

    record: KeyRecord
    status: Literal["trusted", "pending", "distrusted", "unchecked"]
    status_seq: int | None = None
    covered_by: int | None = None
    covered_by_key: str | None = None
    root: str | None = None
    pending_seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the standing as a JSON-ready dict: the record's fields, ``status``
        replaced by the verified one and the log's word kept as ``log_status``."""
        document = self.record.to_dict()
        document["log_status"] = document["status"]
        document.update(
            status=self.status,
            status_seq=self.status_seq,
            covered_by=self.covered_by,
            covered_by_key=self.covered_by_key,
            root=self.root,
            pending_seq=self.pending_seq,
        )
        return document


def key_standings(trust: KeyTrust | None, records: Iterable[KeyRecord]) -> list[KeyStanding]:
    """Judge registered keys with the trust rules of verification.

    Parameters
    ----------
    trust : KeyTrust or None
        From :func:`resolve_key_trust` over the log's events and checkpoints, rooted in the
        verifier's keys; ``None`` when the verifier has no root (every key ``unchecked``).
    records : iterable of KeyRecord
        :func:`key_registry` of the same events.

    Returns
    -------
    list of KeyStanding
        In the order of ``records``.

    Raises
    ------
    Nothing: an event that did not take effect leaves its key ``pending``.

    Notes
    -----
    A key's status is what :meth:`KeyTrust.allows` decides for a checkpoint after every
    entry read: a root is always trusted; otherwise the newest of its entries that took
    effect decides. Source: as :func:`resolve_key_trust`.
    """
    out = []
    for record in records:
        fp = record.key_fingerprint
        if trust is None:
            out.append(KeyStanding(record, "unchecked"))
            continue
        if fp in trust.roots or record.public_key in trust.roots:
            out.append(KeyStanding(record, "trusted", root=fp))
            continue
        mine = [e for e in trust.events if e.key_fingerprint == fp]
        effective = [e for e in mine if e.seq <= trust.covered_to]
        waiting = [e.seq for e in mine if e.seq > trust.covered_to]
        pending_seq = waiting[-1] if waiting else None
        origin = trust.origin(effective[-1].seq) if effective else None
        if not effective or origin is None:
            out.append(KeyStanding(record, "pending", pending_seq=pending_seq))
            continue
        checkpoint, root = origin
        out.append(
            KeyStanding(
                record,
                "trusted" if effective[-1].kind == "trust" else "distrusted",
                status_seq=effective[-1].seq,
                covered_by=checkpoint.seq,
                covered_by_key=_cp_fingerprint(checkpoint),
                root=root,
                pending_seq=pending_seq,
            )
        )
    return out
