"""Typed results of ``fairmark protect``: one frozen dataclass per operation.

Every result turns into a versioned JSON document with ``to_dict()``
(``"schema_version": "1.0"`` and a ``"kind"``). No result ever holds key material or a raw
data-subject id: keys appear by their key id (first 16 hex digits of SHA-256), subjects by
their lookup id (an HMAC under a secret key).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

__all__ = [
    "SCHEMA_VERSION",
    "DecryptResult",
    "EncryptResult",
    "KeygenResult",
    "PseudonymizeResult",
    "RotateResult",
    "ShredResult",
]

SCHEMA_VERSION = "1.0"
"""Version of every ``protect_*`` result document."""

ENCRYPTION_ALGORITHM = "AES-256-GCM"
KEY_WRAP_ALGORITHM = "A256KW"
PSEUDONYM_ALGORITHM = "HMAC-SHA-256"


def _time(value: datetime | None) -> str | None:
    """ISO 8601 UTC text with microseconds and a ``Z``, or ``None``."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Document:
    """``to_dict`` / ``to_json`` shared by the results (a mixin, no state).

    The document is the dataclass fields in order (tuples as lists, datetimes as UTC ISO
    text) followed by the class's ``constants`` (algorithm names and the like).
    """

    kind: ClassVar[str]
    constants: ClassVar[dict[str, Any]] = {}

    def _fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, datetime):
                value = _time(value)
            out[f.name] = value
        return {**out, **self.constants}

    def to_dict(self) -> dict[str, Any]:
        """The result as a JSON-ready dict: ``schema_version``, ``kind``, then the fields."""
        return {"schema_version": SCHEMA_VERSION, "kind": self.kind, **self._fields()}

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class KeygenResult(_Document):
    """A key file written by :func:`fairmark.privacy.protect.keys.generate_key`.

    Attributes
    ----------
    path : str
        The new key file (base64 text, mode 0600).
    key_id : str
        First 16 hex digits of SHA-256 of the key.
    """

    path: str
    key_id: str
    kind: ClassVar[str] = "protect_keygen"
    constants: ClassVar[dict[str, Any]] = {"bits": 256, "file_mode": "0600"}


@dataclass(frozen=True)
class PseudonymizeResult(_Document):
    """What :func:`fairmark.privacy.protect.pseudonymize` wrote.

    Attributes
    ----------
    source : str
        The input (a path or the kind of in-memory table).
    out : str
        The output file.
    out_format : {"parquet", "csv"}
    columns : tuple of str
        The pseudonymised columns (now 64-hex-digit text).
    normalize : tuple of str
        Normalisations applied before hashing, in order (``trim``, ``lowercase``).
    key_id : str
        Id of the pseudonymisation key.
    n_rows : int
        Rows written.
    n_values : int
        Cells pseudonymised (all columns together).
    n_nulls : int
        Cells left null because they were null.
    n_empty : int
        Cells left empty because they were empty text (after normalisation).

    Notes
    -----
    Algorithm: HMAC-SHA-256 (RFC 2104, FIPS 198-1); pseudonymisation in the sense of
    GDPR Art. 4(5).
    """

    source: str
    out: str
    out_format: str
    columns: tuple[str, ...]
    normalize: tuple[str, ...]
    key_id: str
    n_rows: int
    n_values: int
    n_nulls: int
    n_empty: int
    kind: ClassVar[str] = "protect_pseudonymize"
    constants: ClassVar[dict[str, Any]] = {"algorithm": PSEUDONYM_ALGORITHM}


@dataclass(frozen=True)
class EncryptResult(_Document):
    """What :func:`fairmark.privacy.protect.encrypt` wrote.

    Attributes
    ----------
    source, out : str
        Input and output.
    out_format : {"parquet", "csv"}
    columns : tuple of str
        The encrypted columns (now base64 text).
    subject_column : str
        The column naming each row's data subject (left as it is).
    keystore : str
        URL of the keystore (password hidden).
    master_key_id : str
        Id of the master key that wraps the data keys.
    n_rows : int
        Rows written.
    n_subjects : int
        Distinct data subjects in the input.
    n_keys_created : int
        Data keys created by this run (subjects seen for the first time).
    n_cells_encrypted : int
        Cells encrypted (all columns together).
    n_null_cells : int
        Cells left null.

    Notes
    -----
    AES-256-GCM (NIST SP 800-38D) with one data key per subject, wrapped with AES Key
    Wrap (RFC 3394) under the master key.
    """

    source: str
    out: str
    out_format: str
    columns: tuple[str, ...]
    subject_column: str
    keystore: str
    master_key_id: str
    n_rows: int
    n_subjects: int
    n_keys_created: int
    n_cells_encrypted: int
    n_null_cells: int
    kind: ClassVar[str] = "protect_encrypt"
    constants: ClassVar[dict[str, Any]] = {
        "algorithm": ENCRYPTION_ALGORITHM,
        "key_wrap": KEY_WRAP_ALGORITHM,
    }


@dataclass(frozen=True)
class DecryptResult(_Document):
    """What :func:`fairmark.privacy.protect.decrypt` wrote.

    Attributes
    ----------
    source, out : str
        Input and output.
    out_format : {"parquet", "csv"}
    columns : tuple of str
        The decrypted columns.
    subject_column : str
    keystore : str
        URL of the keystore (password hidden).
    master_key_id : str
    n_rows : int
        Rows written.
    n_cells_decrypted : int
        Cells decrypted (all columns together).
    n_null_cells : int
        Cells that were null in the input.
    n_cells_unrecoverable : int
        Cells written as null because their subject's data key was shredded.
    n_subjects_unrecoverable : int
        Distinct shredded subjects among the input rows.

    Notes
    -----
    A cell is unrecoverable only when the keystore records the shred of its subject
    (``key_events``); a missing key that was never shredded is an error, not a null.
    """

    source: str
    out: str
    out_format: str
    columns: tuple[str, ...]
    subject_column: str
    keystore: str
    master_key_id: str
    n_rows: int
    n_cells_decrypted: int
    n_null_cells: int
    n_cells_unrecoverable: int
    n_subjects_unrecoverable: int
    kind: ClassVar[str] = "protect_decrypt"
    constants: ClassVar[dict[str, Any]] = {"algorithm": ENCRYPTION_ALGORITHM}

    def _fields(self) -> dict[str, Any]:
        reason = "shredded" if self.n_cells_unrecoverable else None
        return {**super()._fields(), "unrecoverable_reason": reason}


ShredStatus = Literal["shredded", "already_shredded", "no_key"]


@dataclass(frozen=True)
class ShredResult(_Document):
    """The outcome of :func:`fairmark.privacy.protect.shred_subject`.

    Attributes
    ----------
    subject_lookup_id : str
        The subject's lookup id in the keystore (HMAC-SHA-256 hex; not the raw id).
    status : {"shredded", "already_shredded", "no_key"}
        ``shredded``: the data key was deleted now; ``already_shredded``: an earlier shred
        is on record; ``no_key``: the keystore never held a key for this subject.
    shredded_at : datetime or None
        When the key was deleted (now, or by the earlier shred), UTC.
    event_id : str or None
        ``key_events`` row recording the shred.
    keystore : str
        URL of the keystore (password hidden).
    master_key_id : str
        Id of the master key.
    """

    subject_lookup_id: str
    status: ShredStatus
    shredded_at: datetime | None
    event_id: str | None
    keystore: str
    master_key_id: str
    kind: ClassVar[str] = "protect_shred"


RotateStatus = Literal["rotated", "already_rotated"]


@dataclass(frozen=True)
class RotateResult(_Document):
    """The outcome of :func:`fairmark.privacy.protect.rotate_master_key`.

    Attributes
    ----------
    keystore : str
        URL of the keystore (password hidden).
    old_key_id, new_key_id : str
        Ids of the old and the new master key.
    status : {"rotated", "already_rotated"}
        ``already_rotated``: the keystore was already under the new key; nothing changed.
    n_keys_rewrapped : int
        Data keys re-wrapped (the subject-lookup key not counted).
    rotated_at : datetime
        When the rotation was committed (or the earlier one, if already rotated), UTC.
    event_id : str or None
        ``key_events`` row recording the rotation; ``None`` when nothing changed.
    """

    keystore: str
    old_key_id: str
    new_key_id: str
    status: RotateStatus
    n_keys_rewrapped: int
    rotated_at: datetime | None
    event_id: str | None
    kind: ClassVar[str] = "protect_rotate_key"
