"""Verifying the audit log's hash chain and signed checkpoints, with or without a store.

This module holds the rules; it reads nothing itself. :func:`fairmark.governance.log.verify_log`
feeds it the store's rows, :func:`verify_entries` exported JSON (evidence bundles use it),
and :func:`verify_export` a JSON Lines file from ``fairmark log export`` (offline: an
auditor needs the file and the organisation's published key fingerprint, not the store).

The walk is streaming (one entry at a time; only the checkpoints are kept in memory) and
reports the *first* problem in ``seq`` order, one of :data:`BAD_KINDS`:

1. ``seq`` continuity: a gap is a deletion (``missing``); in an export, an entry out of
   ``seq`` order is ``inserted_or_reordered``.
2. Entry 1 starts from the genesis hash (``bad_genesis``); every later entry's
   ``prev_hash`` is its predecessor's stored ``entry_hash`` (``inserted_or_reordered``).
3. ``entry_hash`` recomputed from the entry's content (``altered``); the payload is a
   canonical JSON object (``altered``).
4. The checkpoint covering this entry, if any: its key fingerprint matches its public key
   and is a usable Ed25519 key (not of small order: RFC 8032 section 5.1.3), and its
   signature verifies (``bad_signature``), its key is trusted (``unknown_key``),
   and its signed ``entry_hash`` is the log's (``altered``: rewritten and re-hashed).
   Trusted are the verifier's roots (``trusted``) and the keys the log registers
   (``log.key.trust``) by entries covered by a checkpoint of a key already trusted, less
   those withdrawn (``log.key.distrust``) for checkpoints from the withdrawal on: the
   fixpoint is computed before the walk (:mod:`fairmark.governance.log_trust`).
5. At the end: a checkpoint beyond the last entry (``truncated``); a ``log.checkpoint``
   entry whose checkpoint is gone (``missing``).
6. With an anchor (:mod:`fairmark.governance.log_anchor`, the newest checkpoint signed on
   this machine, kept outside the store): the anchored entry is there (``truncated``; an
   empty log was wiped), with the anchored hash (``altered``), and its checkpoint row with
   the anchored signature (``missing``).
7. With a trusted key: a non-empty log holds at least one checkpoint signed by a trusted
   key (``no_checkpoint``): deleting every checkpoint is tampering, not a warning.

Sources: Schneier & Kelsey 1999, "Secure audit logs to support computer forensics" (ACM
TISSEC 2(2)); Crosby & Wallach 2009, "Efficient Data Structures for Tamper-Evident
Logging" (USENIX Security); RFC 6962 section 3.5 (signed tree heads); RFC 8032 (Ed25519).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fairmark.errors import DataError, UsageError
from fairmark.governance.chain import GENESIS_HASH, canonical_json, entry_hash
from fairmark.governance.keys import (
    check_trusted_value,
    fingerprint,
    public_key_problem,
    verify_signature,
)
from fairmark.governance.log_anchor import Anchor
from fairmark.governance.log_trust import (
    KeyEvent,
    KeyTrust,
    event_of_record,
    key_event,
    resolve_key_trust,
)

__all__ = [
    "BAD_KINDS",
    "CHECKPOINT_ACTION",
    "EXPORT_FORMAT",
    "LOG_NAME",
    "BadEntry",
    "CheckpointInfo",
    "LogVerification",
    "RawEntry",
    "checkpoint_statement",
    "trusted_keys",
    "verify_entries",
    "verify_export",
    "walk_log",
]

LOG_NAME = "fairmark.gov_log"
"""The ``log`` field of every checkpoint statement and export header."""

EXPORT_FORMAT = 1
"""Version of the JSON Lines export format (the header's ``format``)."""

CHECKPOINT_ACTION = "log.checkpoint"
"""Action of the log entry appended after each checkpoint."""

BadKind = Literal[
    "missing",
    "altered",
    "inserted_or_reordered",
    "truncated",
    "bad_signature",
    "unknown_key",
    "bad_genesis",
    "no_checkpoint",
]
BAD_KINDS: tuple[str, ...] = (
    "missing",
    "altered",
    "inserted_or_reordered",
    "truncated",
    "bad_signature",
    "unknown_key",
    "bad_genesis",
    "no_checkpoint",
)
"""What :attr:`BadEntry.kind` can be.

``missing``
    One or more entries were deleted (a ``seq`` gap), or a checkpoint recorded in the log
    was deleted.
``altered``
    An entry's content no longer matches its hash, or the log no longer matches a signed
    checkpoint (it was rewritten and re-hashed).
``inserted_or_reordered``
    An entry does not follow its predecessor (its ``prev_hash`` is not the previous entry's
    hash), or, in an export, comes out of ``seq`` order.
``truncated``
    A checkpoint covers entries beyond the end of the log: the last entries were deleted.
``bad_signature``
    A checkpoint's signature does not verify with its public key, or that key is no
    usable Ed25519 key (:func:`fairmark.governance.keys.public_key_problem`).
``unknown_key``
    A checkpoint is validly signed, but by a key that is not trusted.
``bad_genesis``
    Entry 1 does not start from the genesis hash (64 zeros).
``no_checkpoint``
    A trusted key is known but the non-empty log holds no checkpoint signed by it (every
    checkpoint was deleted, or none was ever signed).

An anchor (a checkpoint statement kept outside the store) adds ``truncated`` (its entry is
gone; for an empty log: the log was wiped), ``altered`` (its entry has another hash) and
``missing`` (its checkpoint row is gone).
"""

_ENTRY_FIELDS = (
    "seq",
    "created_at",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "payload",
    "prev_hash",
    "entry_hash",
)
_CHECKPOINT_FIELDS = (
    "seq",
    "entry_hash",
    "created_at",
    "key_fingerprint",
    "public_key",
    "signature",
)

# --------------------------------------------------------------------------- checkpoints


def checkpoint_statement(
    *, seq: int, entry_hash: str, created_at: str, key_fingerprint: str
) -> bytes:
    """Return the bytes a checkpoint signs.

    Parameters
    ----------
    seq : int
        The last log entry the checkpoint covers.
    entry_hash : str
        That entry's ``entry_hash`` (64 hex digits).
    created_at : str
        When the checkpoint was made (:func:`fairmark.governance.chain.utc_stamp`).
    key_fingerprint : str
        SHA-256 of the signing key's raw public key, hex.

    Returns
    -------
    bytes
        UTF-8 of ``canonical_json({"log": "fairmark.gov_log", "seq": seq, "entry_hash":
        entry_hash, "created_at": created_at, "key_fingerprint": key_fingerprint})``.

    Notes
    -----
    Source: RFC 6962 section 3.5 (a signed tree head names the tree size, its root hash
    and a timestamp); here the "root" is the head of a hash chain.
    """
    return canonical_json(
        {
            "log": LOG_NAME,
            "seq": seq,
            "entry_hash": entry_hash,
            "created_at": created_at,
            "key_fingerprint": key_fingerprint,
        }
    ).encode("utf-8")


@dataclass(frozen=True)
class CheckpointInfo:
    """A signed checkpoint of the log head.

    Attributes
    ----------
    seq : int
        The last entry covered.
    entry_hash : str
        Its hash.
    created_at : str
        ISO 8601 UTC.
    key_fingerprint : str
        SHA-256 of the raw public key, hex.
    public_key : str
        Raw Ed25519 public key, hex.
    signature : str
        Ed25519 signature of :func:`checkpoint_statement`, hex.
    log_seq : int or None
        ``seq`` of the ``log.checkpoint`` entry appended after the checkpoint (``None``
        for a checkpoint read back from the store or an export).
    """

    seq: int
    entry_hash: str
    created_at: str
    key_fingerprint: str
    public_key: str
    signature: str
    log_seq: int | None = None

    @classmethod
    def from_row(cls, row: Any) -> CheckpointInfo:
        """Build from a ``gov_checkpoints`` row (or any object with its six columns)."""
        return cls(
            seq=int(row.seq),
            entry_hash=row.entry_hash,
            created_at=row.created_at,
            key_fingerprint=row.key_fingerprint,
            public_key=row.public_key,
            signature=row.signature,
        )

    def statement(self) -> bytes:
        """Return the signed statement (:func:`checkpoint_statement`)."""
        return checkpoint_statement(
            seq=self.seq,
            entry_hash=self.entry_hash,
            created_at=self.created_at,
            key_fingerprint=self.key_fingerprint,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the checkpoint as a JSON-ready dict (the export's checkpoint line, plus
        ``log_seq``)."""
        return {
            "log": LOG_NAME,
            "seq": self.seq,
            "entry_hash": self.entry_hash,
            "created_at": self.created_at,
            "key_fingerprint": self.key_fingerprint,
            "public_key": self.public_key,
            "signature": self.signature,
            "log_seq": self.log_seq,
        }


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class BadEntry:
    """The first problem found in a log.

    Attributes
    ----------
    seq : int
        The first entry concerned (for a checkpoint problem: the entry it covers).
    kind : str
        One of :data:`BAD_KINDS`.
    message : str
        One line naming the entry and what is wrong with it.
    """

    seq: int
    kind: BadKind
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Return ``{"seq", "kind", "message"}``."""
        return {"seq": self.seq, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class LogVerification:
    """The result of verifying a log (in the store or exported).

    Attributes
    ----------
    ok : bool
        No problem found.
    n_entries : int
        Entries read.
    head_seq : int or None
        ``seq`` of the last entry (``None`` for an empty log).
    head_hash : str or None
        Its ``entry_hash``.
    n_checkpoints : int
    last_checkpoint_seq : int or None
    first_bad : BadEntry or None
        The first problem, in ``seq`` order.
    warnings : tuple of str
        What verification could not establish (unsigned newest entries, no trusted key).
    trusted_keys : tuple of str
        The verifier's own trusted keys (roots: public keys or fingerprints given, or the
        local key's fingerprint); empty: keys not checked.
    source : str
        ``store`` or the export file verified.
    keys_trusted_by_log : tuple of str
        Fingerprints of further keys trusted because the log registers them
        (``log.key.trust``, covered by a checkpoint of a trusted key, not withdrawn).
    """

    ok: bool
    n_entries: int
    head_seq: int | None
    head_hash: str | None
    n_checkpoints: int
    last_checkpoint_seq: int | None
    first_bad: BadEntry | None
    warnings: tuple[str, ...] = ()
    trusted_keys: tuple[str, ...] = ()
    source: str = "store"
    keys_trusted_by_log: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict."""
        return {
            "ok": self.ok,
            "source": self.source,
            "n_entries": self.n_entries,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "n_checkpoints": self.n_checkpoints,
            "last_checkpoint_seq": self.last_checkpoint_seq,
            "first_bad": None if self.first_bad is None else self.first_bad.to_dict(),
            "warnings": list(self.warnings),
            "trusted_keys": list(self.trusted_keys),
            "keys_trusted_by_log": list(self.keys_trusted_by_log),
        }


@dataclass(frozen=True)
class RawEntry:
    """One log entry exactly as stored (the payload as text, as it was hashed).

    Attributes
    ----------
    seq : int
    created_at, actor, action, entity_type, entity_id : str
    payload : str
        Canonical JSON text of the payload.
    prev_hash, entry_hash : str
        64 hex digits each.
    """

    seq: int
    created_at: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    payload: str
    prev_hash: str
    entry_hash: str


def _short(digest: str) -> str:
    return f"{digest[:12]}…" if len(digest) > 12 else digest


def trusted_keys(public_keys: Iterable[str] | None) -> frozenset[str] | None:
    """Normalise trusted keys: raw Ed25519 public keys or SHA-256 fingerprints, in hex.

    Parameters
    ----------
    public_keys : iterable of str, str or None
        Each 64 hex digits (a raw 32-byte key and a fingerprint have the same length; a
        checkpoint is trusted when either its key or its fingerprint is listed).

    Returns
    -------
    frozenset of str or None
        Lower-case values; ``None`` when ``public_keys`` is ``None`` (keys not checked).

    Raises
    ------
    UsageError
        A value is not 64 hex digits, or is certainly no usable key (a point of small
        order, a non-canonical encoding: :func:`fairmark.governance.keys.check_trusted_value`).
    """
    if public_keys is None:
        return None
    if isinstance(public_keys, str):
        public_keys = [public_keys]
    trusted: set[str] = set()
    for value in public_keys:
        text = str(value).strip().lower()
        if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
            raise UsageError(
                f"public key {value!r} is not 64 hex digits; expected a raw Ed25519 public "
                "key or its SHA-256 fingerprint in hex"
            )
        check_trusted_value(text)
        trusted.add(text)
    return frozenset(trusted)


@dataclass
class _Walk:
    """Streaming verifier: feed entries in order, then :meth:`finish`."""

    checkpoints: dict[int, CheckpointInfo]
    trusted: frozenset[str] | None
    start_seq: int = 1
    n: int = 0
    prev_seq: int | None = None
    prev_hash: str | None = None
    first_bad: BadEntry | None = None
    gap_expected: int | None = None  # an unresolved seq gap (for reordered exports)
    max_seq: int = 0
    good_checkpoint: int = 0  # seq of the last checkpoint that matched
    cp_records: dict[int, int] = field(default_factory=dict)  # cp seq -> entry recording it
    late: Callable[[], Iterable[CheckpointInfo]] | None = None  # re-read the checkpoints
    last_cp_record: int | None = None
    late_cache: list[CheckpointInfo] | None = None
    anchor: Anchor | None = None
    anchor_hash: str | None = None  # entry_hash of the anchored entry, when read
    # re-reads (entry_hash, checkpoint signature) at a seq from a live store
    anchor_lookup: Callable[[int], tuple[str | None, str | None]] | None = None
    key_trust: KeyTrust | None = None  # roots plus the log's registrations (fixpoint)

    def trusts(self, cp: CheckpointInfo) -> bool:
        """Whether ``cp``'s key is trusted (always, when keys are not checked)."""
        if self.trusted is None:
            return True
        if self.key_trust is not None:
            return self.key_trust.allows(cp)
        return cp.public_key.lower() in self.trusted or cp.key_fingerprint.lower() in self.trusted

    def bad(self, seq: int, kind: BadKind, message: str) -> None:
        if self.first_bad is None:
            self.first_bad = BadEntry(seq=seq, kind=kind, message=message)

    def feed(self, e: RawEntry) -> None:
        self.n += 1
        if self.first_bad is None:
            self._check(e)
        elif (
            self.gap_expected is not None
            and e.seq == self.gap_expected
            and self.first_bad.kind == "missing"
        ):
            # the "missing" entry turned up later: the export's lines were reordered
            self.first_bad = BadEntry(
                seq=e.seq,
                kind="inserted_or_reordered",
                message=f"entry {e.seq} is out of order (it comes after entry {self.max_seq})",
            )
            self.gap_expected = None
        if self.anchor is not None and e.seq == self.anchor.seq:
            self.anchor_hash = e.entry_hash
        if e.action == CHECKPOINT_ACTION:
            self._note_checkpoint_record(e)
        if self.prev_seq is None or e.seq > self.max_seq:
            self.max_seq = e.seq
        self.prev_seq, self.prev_hash = e.seq, e.entry_hash

    def _note_checkpoint_record(self, e: RawEntry) -> None:
        try:
            covered = json.loads(e.payload).get("seq")
        except (ValueError, AttributeError):
            return
        if isinstance(covered, int) and not isinstance(covered, bool):
            self.cp_records[covered] = e.seq

    def _check(self, e: RawEntry) -> None:
        expected = self.start_seq if self.prev_seq is None else self.prev_seq + 1
        if e.seq != expected:
            if e.seq > expected:
                what = (
                    f"entry {expected} is missing"
                    if e.seq == expected + 1
                    else f"entries {expected} to {e.seq - 1} are missing"
                )
                where = (
                    f"the log starts at entry {e.seq}"
                    if self.prev_seq is None
                    else f"seq jumps from {self.prev_seq} to {e.seq}"
                )
                self.bad(expected, "missing", f"{what} ({where})")
                self.gap_expected = expected
            elif e.seq == self.prev_seq:
                self.bad(e.seq, "inserted_or_reordered", f"entry {e.seq} appears twice")
            else:
                self.bad(
                    e.seq,
                    "inserted_or_reordered",
                    f"entry {e.seq} is out of order (it comes after entry {self.prev_seq})",
                )
            return
        if e.seq == 1 and e.prev_hash != GENESIS_HASH:
            self.bad(
                1,
                "bad_genesis",
                f"entry 1 does not start the log: its prev_hash is {_short(e.prev_hash)}, "
                "expected the genesis hash (64 zeros)",
            )
            return
        if self.prev_hash is not None and e.prev_hash != self.prev_hash:
            self.bad(
                e.seq,
                "inserted_or_reordered",
                f"entry {e.seq} does not follow entry {e.seq - 1} (prev_hash "
                f"{_short(e.prev_hash)} is not the hash of entry {e.seq - 1}, "
                f"{_short(self.prev_hash)})",
            )
            return
        try:
            recomputed = entry_hash(
                seq=e.seq,
                created_at=e.created_at,
                actor=e.actor,
                action=e.action,
                entity_type=e.entity_type,
                entity_id=e.entity_id,
                payload=e.payload,
                prev_hash=e.prev_hash,
            )
        except UsageError:
            recomputed = None
        if recomputed != e.entry_hash:
            self.bad(
                e.seq, "altered", f"entry {e.seq} was altered: its hash does not match its content"
            )
            return
        try:
            parsed = json.loads(e.payload)
            canonical = isinstance(parsed, dict) and canonical_json(parsed) == e.payload
        except (ValueError, UsageError):
            canonical = False
        if not canonical:
            self.bad(
                e.seq,
                "altered",
                f"entry {e.seq} was altered: its payload is not a canonical JSON object",
            )
            return
        checkpoint = self.checkpoints.get(e.seq)
        if checkpoint is not None:
            self._check_checkpoint(checkpoint, e)

    def _check_checkpoint(self, cp: CheckpointInfo, e: RawEntry) -> None:
        where = f"the checkpoint of entry {cp.seq}"
        try:
            consistent = fingerprint(cp.public_key) == cp.key_fingerprint
        except (ValueError, TypeError):
            consistent = False
        if not consistent:
            self.bad(
                cp.seq,
                "bad_signature",
                f"{where} names key fingerprint {_short(cp.key_fingerprint)}, which is not "
                "the fingerprint of its public key",
            )
            return
        unusable = public_key_problem(cp.public_key)
        if unusable is not None:  # e.g. small order: anyone can forge its signatures
            self.bad(
                cp.seq,
                "bad_signature",
                f"{where} is signed by key {cp.key_fingerprint}, which is not a usable "
                f"Ed25519 key: {unusable}",
            )
            return
        if not verify_signature(cp.public_key, cp.statement(), cp.signature):
            self.bad(
                cp.seq,
                "bad_signature",
                f"{where} has a bad signature: its statement was altered or it was not "
                f"signed by key {cp.key_fingerprint}",
            )
            return
        if not self.trusts(cp):
            who = cp.key_fingerprint if self.key_trust is None else self.key_trust.why_not(cp)
            self.bad(cp.seq, "unknown_key", f"{where} is signed by an unknown key {who}")
            return
        if cp.entry_hash != e.entry_hash:
            self.bad(
                cp.seq,
                "altered",
                f"entry {cp.seq} does not match {where} (signed hash "
                f"{_short(cp.entry_hash)}, log has {_short(e.entry_hash)}): the log was "
                f"rewritten between entries {self.good_checkpoint + 1} and {cp.seq}",
            )
            return
        self.good_checkpoint = cp.seq

    def _late_checkpoints(self) -> list[CheckpointInfo]:
        """The checkpoints re-read once from a live store (cached)."""
        if self.late_cache is None:
            self.late_cache = [] if self.late is None else list(self.late())
        return self.late_cache

    def _late_trusted_checkpoint(self) -> bool:
        """Whether a checkpoint of an entry read, validly signed by a trusted key, was
        committed while the entries were being read (a live store only)."""
        if self.late is None or self.prev_seq is None:
            return False
        return any(
            cp.seq <= self.prev_seq
            and self.trusted is not None
            and self.trusts(cp)
            and verify_signature(cp.public_key, cp.statement(), cp.signature)
            for cp in self._late_checkpoints()
            if cp.seq not in self.checkpoints
        )

    def _check_anchor(self, anchor: Anchor) -> None:
        signed = f"signed entry {anchor.seq} at {anchor.created_at} (anchor {anchor.source})"
        seen_hash = self.anchor_hash
        cp = self.checkpoints.get(anchor.seq)
        cp_signature = None if cp is None else cp.signature
        if (seen_hash is None or cp is None) and self.anchor_lookup is not None:
            # committed while the log was being read?
            late_hash, late_signature = self.anchor_lookup(anchor.seq)
            seen_hash = seen_hash or late_hash
            cp_signature = cp_signature or late_signature
        if seen_hash is None:
            last = self.prev_seq
            if last is None or self.n == 0:
                text = f"the log is empty (wiped) but this machine {signed}"
            else:
                text = f"the log ends at entry {last} but this machine {signed}"
            self.bad(
                (last or self.start_seq - 1) + 1,
                "truncated",
                f"the log was truncated: {text}",
            )
        elif seen_hash != anchor.entry_hash:
            self.bad(
                anchor.seq,
                "altered",
                f"entry {anchor.seq} does not match the checkpoint this machine signed at "
                f"{anchor.created_at} (anchor {anchor.source}; signed hash "
                f"{_short(anchor.entry_hash)}, log has {_short(seen_hash)}): "
                "the log was rewritten",
            )
        elif cp_signature != anchor.signature:
            state = "is missing" if cp_signature is None else "was replaced"
            self.bad(
                anchor.seq,
                "missing",
                f"the checkpoint of entry {anchor.seq} {state}: this machine {signed}",
            )

    def finish(self, *, source: str, extra_warnings: Iterable[str] = ()) -> LogVerification:
        cps = sorted(self.checkpoints.values(), key=lambda c: c.seq)
        end = self.prev_seq if self.first_bad is None else self.max_seq
        if self.first_bad is None:
            beyond = [c for c in cps if self.prev_seq is None or c.seq > self.prev_seq]
            if beyond:
                last = self.prev_seq or (self.start_seq - 1)
                lost = beyond[-1].seq
                ends = f"ends at entry {last}" if last >= 1 else "is empty"
                self.bad(
                    last + 1,
                    "truncated",
                    f"the log was truncated: it {ends} but the checkpoint of entry {lost} "
                    f"was signed, so entries from {last + 1} on were deleted",
                )
        if self.first_bad is None:
            gone = sorted(
                (covered, recorder)
                for covered, recorder in self.cp_records.items()
                if covered >= self.start_seq and covered not in self.checkpoints
            )
            if gone and self.late is not None:  # made while the entries were being read?
                late = {cp.seq for cp in self._late_checkpoints()}
                gone = [(covered, recorder) for covered, recorder in gone if covered not in late]
            if gone:
                covered, recorder = gone[0]
                self.bad(
                    covered,
                    "missing",
                    f"the checkpoint of entry {covered} is missing (entry {recorder} "
                    "records that it was made)",
                )
        if self.first_bad is None and self.anchor is not None and self.anchor.seq >= self.start_seq:
            self._check_anchor(self.anchor)
        if (
            self.first_bad is None
            and self.trusted is not None
            and self.prev_seq is not None
            and self.start_seq == 1
            and self.good_checkpoint == 0
            and not self._late_trusted_checkpoint()
        ):
            self.bad(
                self.start_seq,
                "no_checkpoint",
                f"the log has {self.n} entries but no checkpoint signed by a trusted key: "
                "its checkpoints were deleted (or none was ever signed; run "
                "'fairmark log checkpoint' on a store that was never checkpointed)",
            )
        warnings = list(extra_warnings)
        last_cp = cps[-1].seq if cps else None
        if self.n == 0 and self.first_bad is None:
            warnings.append("the log is empty")
        elif self.prev_seq is not None and self.first_bad is None:
            signed_to = last_cp or 0
            unsigned = self.prev_seq - signed_to
            if last_cp is not None and self.cp_records.get(last_cp) == last_cp + 1:
                unsigned -= 1  # the checkpoint's own log.checkpoint entry
            if last_cp is None:
                warnings.append(
                    f"no checkpoint: the {self.prev_seq} entries are not signed, so deleting "
                    "the newest of them would go unnoticed (run 'fairmark log checkpoint')"
                )
            elif unsigned > 0:
                noun = "entry" if unsigned == 1 else "entries"
                warnings.append(
                    f"{unsigned} {noun} after the last checkpoint (entry {last_cp}) "
                    f"{'is' if unsigned == 1 else 'are'} not yet signed"
                )
        if self.trusted is None and cps:
            warnings.append(
                "checkpoint keys were not checked against a trusted key "
                "(pass --public-key with the organisation's published key fingerprint)"
            )
        return LogVerification(
            ok=self.first_bad is None,
            n_entries=self.n,
            head_seq=end,
            head_hash=self.prev_hash,
            n_checkpoints=len(cps),
            last_checkpoint_seq=last_cp,
            first_bad=self.first_bad,
            warnings=tuple(warnings),
            trusted_keys=tuple(sorted(self.trusted or ())),
            source=source,
            keys_trusted_by_log=(() if self.key_trust is None else self.key_trust.trusted_by_log()),
        )


def _field(record: dict[str, Any], name: str, kind: type, where: str) -> Any:
    if name not in record:
        raise DataError(f"{where} has no field {name!r}; expected a fairmark log export")
    value = record[name]
    if kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise DataError(
            f"{where}: field {name!r} is {type(value).__name__}; expected {kind.__name__}"
        )
    return value


def _raw_from_dict(record: Any, where: str) -> RawEntry:
    if not isinstance(record, dict):
        raise DataError(f"{where} is not a JSON object; expected a log entry")
    kinds: dict[str, type] = {"seq": int, "payload": dict}
    values = {name: _field(record, name, kinds.get(name, str), where) for name in _ENTRY_FIELDS}
    try:
        payload = canonical_json(values["payload"])
    except UsageError:
        raise DataError(f"{where}: its payload is not plain JSON") from None
    return RawEntry(**{**values, "payload": payload})


def _checkpoint_from_dict(record: Any, where: str) -> CheckpointInfo:
    if not isinstance(record, dict):
        raise DataError(f"{where} is not a JSON object; expected a checkpoint")
    values = {
        name: _field(record, name, int if name == "seq" else str, where)
        for name in _CHECKPOINT_FIELDS
    }
    return CheckpointInfo(**values)


def verify_entries(
    entries: Iterable[dict[str, Any]],
    checkpoints: Iterable[dict[str, Any] | CheckpointInfo] = (),
    public_keys: Iterable[str] | None = None,
    *,
    since_seq: int | None = None,
    source: str = "entries",
) -> LogVerification:
    """Verify exported log entries (and checkpoints) without a store.

    Parameters
    ----------
    entries : iterable of dict
        Entries in export order, each as :meth:`LogEntry.to_dict` (an extra ``type`` key
        is ignored); read once, streaming.
    checkpoints : iterable of dict or CheckpointInfo
        Checkpoints (``seq``, ``entry_hash``, ``created_at``, ``key_fingerprint``,
        ``public_key``, ``signature``).
    public_keys : iterable of str, optional
        Trusted keys (raw hex or fingerprint), the roots: keys the entries register
        (``log.key.trust``) are trusted too once a checkpoint of a trusted key covers the
        registration (:mod:`fairmark.governance.log_trust`). ``None``: keys not checked (a
        warning says so); signatures and hashes are still checked.
    since_seq : int, optional
        The entries start after this ``seq`` (a partial export, ``export_log(since_seq=)``):
        the first entry must be ``since_seq + 1`` and its link to the entry before is not
        checked (a warning says so).
    source : str
        Named in the result (e.g. the file).

    Returns
    -------
    LogVerification
        Same rules as :func:`verify_log`.

    Raises
    ------
    DataError
        An entry or checkpoint lacks a field or has one of the wrong type, or two
        checkpoints cover the same entry.
    UsageError
        A public key is not 64 hex digits, or ``since_seq`` is negative.

    Notes
    -----
    With ``public_keys`` the entries are kept in memory (the key registrations must be
    known before the first checkpoint is judged); without, they are streamed.
    """
    if since_seq is not None and (
        isinstance(since_seq, bool) or not isinstance(since_seq, int) or since_seq < 0
    ):
        raise UsageError(f"since_seq is {since_seq!r}; expected a whole number >= 0")
    checkpoint_infos = (
        record
        if isinstance(record, CheckpointInfo)
        else _checkpoint_from_dict(record, f"checkpoint {i}")
        for i, record in enumerate(checkpoints, start=1)
    )
    raws: Iterable[RawEntry] = (
        _raw_from_dict(record, f"entry {i}") for i, record in enumerate(entries, start=1)
    )
    roots = trusted_keys(public_keys)
    events: list[KeyEvent] = []
    if roots is not None:
        raws = list(raws)
        events = [e for e in map(_key_event_of, raws) if e is not None]
    return walk_log(
        raws,
        checkpoint_infos,
        roots,
        since_seq=since_seq,
        source=source,
        key_events=events,
    )


def _key_event_of(e: RawEntry) -> KeyEvent | None:
    return key_event(
        seq=e.seq,
        action=e.action,
        entity_id=e.entity_id,
        payload=e.payload,
        actor=e.actor,
        created_at=e.created_at,
    )


def walk_log(
    entries: Iterable[RawEntry],
    checkpoints: Iterable[CheckpointInfo],
    trusted: frozenset[str] | None,
    *,
    since_seq: int | None = None,
    source: str = "store",
    reload_checkpoints: Callable[[], Iterable[CheckpointInfo]] | None = None,
    anchor: Anchor | None = None,
    anchor_lookup: Callable[[int], tuple[str | None, str | None]] | None = None,
    key_events: Iterable[KeyEvent] = (),
) -> LogVerification:
    """Apply the verification rules (module docstring) to entries as stored.

    Parameters
    ----------
    entries : iterable of RawEntry
        In the order read (by ``seq`` from a store, file order from an export); consumed
        once, streaming.
    checkpoints : iterable of CheckpointInfo
        All checkpoints (kept in memory).
    trusted : frozenset of str or None
        Lower-case hex raw public keys and/or fingerprints a checkpoint must be signed by
        (the roots); ``None``: keys are not checked (a warning says so).
    since_seq : int, optional
        The entries start after this ``seq`` (partial export).
    source : str
        Named in the result.
    reload_checkpoints : callable, optional
        Re-reads the checkpoints; a live store passes it so that a checkpoint made while
        the entries were being read (its ``log.checkpoint`` entry read, its row not) is not
        reported as deleted.
    anchor : Anchor, optional
        The newest checkpoint known from outside the log
        (:mod:`fairmark.governance.log_anchor`): its entry, hash and checkpoint row must
        be in the log (rule 6 of the module docstring).
    anchor_lookup : callable, optional
        ``seq -> (entry_hash, checkpoint signature)`` re-read from a live store, so that an
        anchor written while the log was being read is not reported as truncation.
    key_events : iterable of KeyEvent
        The key registrations and withdrawals among ``entries``
        (:func:`fairmark.governance.log_trust.key_event`), read beforehand: with
        ``trusted``, the keys they register are trusted from the fixpoint of
        :func:`fairmark.governance.log_trust.resolve_key_trust`.

    Returns
    -------
    LogVerification

    Raises
    ------
    DataError
        Two checkpoints cover the same entry.
    """
    by_seq: dict[int, CheckpointInfo] = {}
    for cp in checkpoints:
        if cp.seq in by_seq:
            raise DataError(f"two checkpoints cover entry {cp.seq}; expected one per entry")
        by_seq[cp.seq] = cp
    start = (since_seq or 0) + 1
    walk = _Walk(
        checkpoints=by_seq,
        trusted=trusted,
        start_seq=start,
        late=reload_checkpoints,
        anchor=anchor,
        anchor_lookup=anchor_lookup,
        key_trust=(
            None if trusted is None else resolve_key_trust(trusted, key_events, by_seq.values())
        ),
    )
    for entry in entries:
        walk.feed(entry)
    extra = []
    if start > 1:
        extra.append(
            f"the entries start at entry {start}: entries before it are not included and "
            f"the link of entry {start} to entry {start - 1} is not checked"
        )
    return walk.finish(source=source, extra_warnings=extra)


def _read_lines(path: Path, name: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    shown = name or str(path)  # as messages name it
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read log export {shown}: {exc.strerror or exc}; expected a "
            "readable JSON Lines file from 'fairmark log export'"
        ) from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    raise DataError(
                        f"line {number} of {shown} is not JSON; expected one JSON object per "
                        "line (a fairmark log export)"
                    ) from None
                if not isinstance(record, dict) or record.get("type") not in (
                    "header",
                    "entry",
                    "checkpoint",
                ):
                    raise DataError(
                        f"line {number} of {shown} is not a header, entry or checkpoint; "
                        "expected a fairmark log export"
                    )
                yield number, record
        except UnicodeDecodeError:
            raise DataError(f"{shown} is not UTF-8 text; expected a fairmark log export") from None


def verify_export(
    path: str | os.PathLike[str],
    *,
    public_keys: Iterable[str] | None = None,
    anchor: Anchor | None = None,
    source: str | None = None,
) -> LogVerification:
    """Verify a JSON Lines export from :func:`export_log` offline (no store needed).

    Parameters
    ----------
    path : path-like
        The export file.
    public_keys : iterable of str, optional
        Trusted checkpoint keys (raw hex or fingerprint), the roots; keys the export
        registers are trusted as :func:`verify_entries` says. ``None``: keys not checked.
    anchor : Anchor, optional
        A checkpoint statement held outside the export (e.g. an evidence bundle's
        ``checkpoint.json``, :func:`fairmark.governance.log_anchor.load_anchor`): the
        export must hold its entry, hash and checkpoint.
    source : str, optional
        How messages and the result name the export (e.g. ``-`` for one read from stdin
        and spooled to ``path``); default ``path``.

    Returns
    -------
    LogVerification
        As :func:`verify_entries`, ``source`` the file (or ``source``).

    Raises
    ------
    UsageError
        The file cannot be read; a public key is not 64 hex digits.
    DataError
        The file is not an export: no header first, a line that is not JSON or not an
        entry or checkpoint, a header from another log or format, an entry after the
        checkpoints, a field missing or of the wrong type (names the line).

    Notes
    -----
    Reads the file twice (checkpoints and key registrations, then entries), so memory
    stays bounded.
    """
    spool = Path(path)
    file = source or str(spool)  # its name in messages
    header: dict[str, Any] | None = None
    checkpoints: list[CheckpointInfo] = []
    events: list[KeyEvent] = []
    seen_checkpoint = False
    for number, record in _read_lines(spool, file):
        kind = record["type"]
        if header is None:
            if kind != "header":
                raise DataError(
                    f"line {number} of {file} is not the export header; expected a fairmark "
                    'log export (its first line is {"type": "header", ...})'
                )
            if record.get("log") != LOG_NAME or record.get("format") != EXPORT_FORMAT:
                raise DataError(
                    f"{file} is an export of log {record.get('log')!r} format "
                    f"{record.get('format')!r}; expected log {LOG_NAME!r} format {EXPORT_FORMAT}"
                )
            header = record
        elif kind == "header":
            raise DataError(f"line {number} of {file} is a second header; expected one")
        elif kind == "checkpoint":
            seen_checkpoint = True
            checkpoints.append(_checkpoint_from_dict(record, f"line {number} of {file}"))
        elif seen_checkpoint:
            raise DataError(
                f"line {number} of {file} is an entry after the checkpoints; expected all "
                "entries first"
            )
        else:
            event = event_of_record(record)
            if event is not None:
                events.append(event)
    if header is None:
        raise DataError(f"{file} is empty; expected a fairmark log export")
    since = header.get("since_seq")
    if since is not None and (isinstance(since, bool) or not isinstance(since, int) or since < 0):
        raise DataError(f"{file}: header since_seq is {since!r}; expected null or a whole number")

    def entries() -> Iterator[RawEntry]:
        for number, record in _read_lines(spool, file):
            if record["type"] == "entry":
                yield _raw_from_dict(record, f"line {number} of {file}")

    return walk_log(
        entries(),
        checkpoints,
        trusted_keys(public_keys),
        since_seq=since,
        source=file,
        anchor=anchor,
        key_events=events,
    )
