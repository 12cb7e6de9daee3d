"""The audit log's anchor: the newest checkpoint this machine signed, kept outside the store.

A checkpoint in ``gov_checkpoints`` proves the log up to its ``seq``, but someone who can
write the database can delete the checkpoints together with the entries they cover (or
wipe both tables), and the store alone can no longer tell. So whenever a checkpoint is
signed with a key file, the statement is also written beside the key, in
``<key file>.head.json`` (mode 0600, written to a temporary file and renamed into place)::

    {"<store URL, password hidden>": {"log": "fairmark.gov_log", "seq": 27,
     "entry_hash": "...", "created_at": "...", "key_fingerprint": "...",
     "signature": "...", "public_key": "..."}}

one statement per store, never moved backwards (a smaller ``seq`` does not replace a
larger one). The anchor is per client machine (per key file): it records what *this*
machine signed. :func:`fairmark.governance.log.verify_log` then requires the store to hold
the anchored entry with that hash and the checkpoint with that signature. An auditor can
anchor a store to the ``checkpoint.json`` of an evidence bundle they hold (same fields).

Before this machine signs a new head, :func:`fairmark.governance.log.sign_head` checks the
log against the anchor (and the tail after it) and refuses with :class:`LogIntegrityError`
when they disagree, and :func:`write_anchor` (given ``holds``) refuses to move an anchor
whose entry the log no longer holds: a fresh signature must never cover a log that was cut
back and written again.

Sources: Crosby & Wallach 2009, "Efficient Data Structures for Tamper-Evident Logging"
(USENIX Security: a log is only tamper-evident against its own operator when commitments
to its head are kept by someone else); RFC 6962 section 3.5 and RFC 9162 section 8.1
(clients remember the newest signed tree head they saw, and never accept an older one);
Schneier & Kelsey 1999 (ACM TISSEC 2(2)).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from fairmark.errors import DataError, UsageError

__all__ = [
    "ANCHOR_SUFFIX",
    "MISMATCH",
    "Anchor",
    "LogIntegrityError",
    "anchor_path",
    "load_anchor",
    "read_anchor",
    "store_key",
    "write_anchor",
]

ANCHOR_SUFFIX = ".head.json"
"""Suffix added to the key file's name to name its anchor file."""

_FIELDS = ("seq", "entry_hash", "created_at", "key_fingerprint", "signature")

MISMATCH = (
    "the audit log does not match its signed head (entry {seq}); run 'fairmark log verify' "
    "({detail})"
)
"""Message of :class:`LogIntegrityError` (``str.format`` with ``seq`` and ``detail``)."""


class LogIntegrityError(DataError):
    """The audit log no longer matches what this machine signed: nothing is signed over it.

    Raised instead of signing a checkpoint (or moving the anchor) when the anchored entry,
    the newest checkpoint or the unsigned tail after them does not check out. A failed
    verification, so the command line exits 1 (not 2).

    Parameters
    ----------
    message : str
        One line (:data:`MISMATCH`): the first entry concerned and what is wrong.

    Notes
    -----
    Sources: Crosby & Wallach 2009 (a signer must only commit to a head that extends the
    heads it committed to before); RFC 9162 section 8.1.4 (a client refuses a tree head
    inconsistent with the one it kept).
    """

    exit_code = 1

    @classmethod
    def at(cls, seq: int, detail: str) -> LogIntegrityError:
        """Build the error naming entry ``seq`` with ``detail`` (:data:`MISMATCH`)."""
        return cls(MISMATCH.format(seq=seq, detail=detail))


@dataclass(frozen=True)
class Anchor:
    """A checkpoint statement held outside the store.

    Attributes
    ----------
    seq : int
        The log entry the checkpoint covers.
    entry_hash : str
        That entry's hash (64 hex digits).
    created_at : str
        When it was signed (ISO 8601 UTC).
    key_fingerprint : str
        SHA-256 of the signing key's raw public key, hex.
    signature : str
        Ed25519 signature of the checkpoint statement, hex.
    source : str
        The file it was read from (for messages).
    public_key : str or None
        The raw public key, hex, when recorded.
    """

    seq: int
    entry_hash: str
    created_at: str
    key_fingerprint: str
    signature: str
    source: str = ""
    public_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the statement as stored in an anchor file."""
        document: dict[str, Any] = {
            "log": "fairmark.gov_log",
            "seq": self.seq,
            "entry_hash": self.entry_hash,
            "created_at": self.created_at,
            "key_fingerprint": self.key_fingerprint,
            "signature": self.signature,
        }
        if self.public_key is not None:
            document["public_key"] = self.public_key
        return document


def anchor_path(key_file: str | os.PathLike[str]) -> Path:
    """Return the anchor file beside a signing key file: ``<key file>.head.json``."""
    path = Path(key_file)
    return path.with_name(path.name + ANCHOR_SUFFIX)


def store_key(url: str | URL) -> str:
    """Name a store in an anchor file: its URL with the password hidden.

    Parameters
    ----------
    url : str or sqlalchemy.engine.URL
        The store URL (as the engine has it). A SQLite file path is made absolute, so
        that relative and absolute spellings of one file name one store.

    Returns
    -------
    str
        E.g. ``sqlite:////home/me/.fairmark/fairmark.db`` or
        ``postgresql+psycopg://app:***@db/fairmark``.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database
        and parsed.database != ":memory:"
        and not parsed.database.startswith("file:")
    ):
        parsed = parsed.set(database=Path(parsed.database).resolve().as_posix())
    return parsed.render_as_string(hide_password=True)


def _anchor_from_dict(record: Any, source: str) -> Anchor:
    if not isinstance(record, dict):
        raise DataError(f"anchor {source} is not a JSON object; expected a checkpoint statement")
    for name in _FIELDS:
        value = record.get(name)
        good = (
            isinstance(value, int) and not isinstance(value, bool) and value >= 1
            if name == "seq"
            else isinstance(value, str) and bool(value)
        )
        if not good:
            raise DataError(
                f"anchor {source}: field {name!r} is missing or wrong; expected a checkpoint "
                "statement with seq, entry_hash, created_at, key_fingerprint and signature"
            )
    public = record.get("public_key")
    return Anchor(
        seq=record["seq"],
        entry_hash=record["entry_hash"],
        created_at=record["created_at"],
        key_fingerprint=record["key_fingerprint"],
        signature=record["signature"],
        source=source,
        public_key=public if isinstance(public, str) else None,
    )


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read anchor {path}: {exc.strerror or exc}; expected a readable JSON file"
        ) from None
    except UnicodeDecodeError:
        raise DataError(f"anchor {path} is not UTF-8 text; expected JSON") from None
    try:
        return json.loads(text)
    except ValueError:
        raise DataError(
            f"anchor {path} is not JSON; expected a fairmark anchor file or an evidence "
            "bundle's checkpoint.json"
        ) from None


def read_anchor(path: str | os.PathLike[str], store: str) -> Anchor | None:
    """Return this store's anchor from an anchor file, or ``None`` when it has none.

    Parameters
    ----------
    path : path-like
        An anchor file (``<key file>.head.json``); a missing file means no anchor.
    store : str
        The store, as :func:`store_key` names it.

    Returns
    -------
    Anchor or None

    Raises
    ------
    DataError
        The file is not JSON, not an object, or this store's statement lacks a field.
    UsageError
        The file exists but cannot be read.
    """
    file = Path(path)
    if not file.exists():
        return None
    document = _read_json(file)
    if not isinstance(document, dict):
        raise DataError(f"anchor {file} is not a JSON object; expected a fairmark anchor file")
    record = document.get(store)
    return None if record is None else _anchor_from_dict(record, str(file))


def load_anchor(path: str | os.PathLike[str], store: str) -> Anchor:
    """Read an anchor given explicitly (``fairmark log verify --anchor FILE``).

    Parameters
    ----------
    path : path-like
        Either an anchor file (a map from store to statement) or a single checkpoint
        statement, such as the ``checkpoint.json`` of an evidence bundle (fields ``seq``,
        ``entry_hash``, ``created_at``, ``key_fingerprint``, ``signature``).
    store : str
        The store, as :func:`store_key` names it (used for an anchor file).

    Returns
    -------
    Anchor

    Raises
    ------
    UsageError
        The file does not exist or cannot be read, or is an anchor file without a
        statement for this store.
    DataError
        The file is not JSON or the statement lacks a field.
    """
    file = Path(path)
    if not file.is_file():
        raise UsageError(
            f"anchor {file} does not exist; expected an anchor file (<key file>{ANCHOR_SUFFIX}) "
            "or an evidence bundle's checkpoint.json"
        )
    document = _read_json(file)
    if isinstance(document, dict) and "seq" in document and "entry_hash" in document:
        return _anchor_from_dict(document, str(file))
    if not isinstance(document, dict):
        raise DataError(f"anchor {file} is not a JSON object; expected a checkpoint statement")
    if store not in document:
        known = ", ".join(sorted(document)) or "none"
        raise UsageError(
            f"anchor {file} has no checkpoint of store {store}; expected one of its stores "
            f"({known}) or a bundle's checkpoint.json"
        )
    return _anchor_from_dict(document[store], str(file))


@contextlib.contextmanager
def _locked(file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<file>.lock`` (POSIX ``flock``; no lock elsewhere)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: best effort without a lock
        yield
        return
    fd = os.open(file.with_name(file.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_anchor(
    path: str | os.PathLike[str],
    store: str,
    anchor: Anchor,
    *,
    holds: Callable[[Anchor], bool] | None = None,
) -> bool:
    """Record ``anchor`` as this store's newest checkpoint, unless the file has a newer one.

    Parameters
    ----------
    path : path-like
        The anchor file (created with mode 0600 when missing).
    store : str
        The store, as :func:`store_key` names it.
    anchor : Anchor
        The checkpoint just signed (and committed).
    holds : callable, optional
        ``holds(current) -> bool``: whether the store still holds the entry (with its
        hash) and the checkpoint the file's current statement for this store names. When
        it returns ``False`` the anchor is not moved. ``None``: not checked.

    Returns
    -------
    bool
        Whether the file was updated (``False``: it already holds ``seq`` >= this one).

    Raises
    ------
    LogIntegrityError
        ``holds`` says the store no longer holds the anchored entry or checkpoint; the
        file is left as it is.
    OSError
        The file cannot be written (callers warn; the checkpoint itself stands).

    Notes
    -----
    Written under a lock to a temporary file in the same folder, then ``os.replace``d:
    never half-written, never moved backwards by a slower concurrent writer.
    Source: RFC 9162 section 8.1.4 (a client keeps the newest signed tree head).
    """
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    with _locked(file):
        document: dict[str, Any] = {}
        if file.exists():
            try:
                loaded = json.loads(file.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                loaded = None  # unreadable: replaced by a good one
            if isinstance(loaded, dict):
                document = loaded
        current = document.get(store)
        if isinstance(current, dict):
            seq = current.get("seq")
            if isinstance(seq, int) and not isinstance(seq, bool) and seq >= anchor.seq:
                return False
            try:
                anchored = _anchor_from_dict(current, str(file))
            except DataError:
                anchored = None  # a malformed statement: replaced by a good one
            if anchored is not None and holds is not None and not holds(anchored):
                raise LogIntegrityError.at(
                    anchored.seq,
                    f"the log no longer holds entry {anchored.seq} and its checkpoint as this "
                    f"machine signed them at {anchored.created_at} (anchor {file}); the anchor "
                    "is not moved",
                )
        document[store] = anchor.to_dict()
        fd, temp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=2, sort_keys=True)
                handle.write("\n")
            os.replace(temp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    return True
