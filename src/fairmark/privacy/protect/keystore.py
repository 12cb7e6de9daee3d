"""The keystore: one data key per data subject, wrapped under a master key, in the store.

Envelope encryption. Each data subject gets a random 256-bit data-encryption key (DEK);
the keystore (tables ``subject_keys``, ``keystore_meta``, ``key_events`` of the fairmark
store, SQLite or PostgreSQL) keeps it wrapped with AES Key Wrap (RFC 3394) under the
master key, which is never stored. Deleting a subject's row destroys the only usable copy
of their DEK: every copy of their encrypted fields, wherever it is, is then unreadable
(crypto-shredding, :func:`fairmark.privacy.protect.shred_subject`).

The keystore holds no raw subject id. A subject is found by its *lookup id*,
HMAC-SHA-256 (RFC 2104) of the subject id's UTF-8 text under the *subject-lookup key*.
That key is derived once, when the keystore is created, with HKDF-SHA-256 (RFC 5869) from
the master key, and kept wrapped under the master key in ``keystore_meta``, so master-key
rotation re-wraps it instead of changing every lookup id (which would need the raw ids).

A keystore belongs to one master key at a time; opening it with another key fails with
"authentication failed" before any data is touched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from fairmark.errors import DataError, UsageError
from fairmark.privacy.protect.keys import KEY_BYTES, SecretKey
from fairmark.store.db import (
    database_url,
    open_engine,
    redact_url,
    store_errors,
    write_transaction,
)
from fairmark.store.migrate import upgrade
from fairmark.store.models import KeyEvent, KeystoreMeta, SubjectKey

__all__ = [
    "LOOKUP_KEY_INFO",
    "QUERY_CHUNK",
    "WRAP_ALGORITHM",
    "DataKeys",
    "Keystore",
    "check_keystore",
    "open_keystore_engine",
    "subject_text",
    "unwrap",
    "wrap",
]

WRAP_ALGORITHM = "A256KW"
"""AES-256 Key Wrap (RFC 3394), by its JOSE name (RFC 7518 §4.4)."""

LOOKUP_KEY_INFO = b"fairmark/protect/v1/subject-lookup-key"
"""HKDF ``info`` of the subject-lookup key (RFC 5869 §3.2: binds the key to its purpose)."""

QUERY_CHUNK = 10_000
"""Most ids bound in one ``IN (...)`` query (SQLite allows 32,766 bound parameters)."""

CACHE_SIZE = 100_000
"""Most unwrapped data keys kept in memory during one run."""

_LOOKUP_NAME = "subject_lookup"


def wrap(master: SecretKey, key: bytes) -> bytes:
    """Wrap a key under the master key with AES Key Wrap.

    Parameters
    ----------
    master : SecretKey
        The 256-bit key-encryption key.
    key : bytes
        The key to wrap (32 bytes here).

    Returns
    -------
    bytes
        The wrapped key, 8 bytes longer (40 bytes for a 256-bit key).

    Notes
    -----
    Source: RFC 3394 §2.2.1 (AES Key Wrap, default initial value A6A6A6A6A6A6A6A6);
    NIST SP 800-38F (KW mode).
    """
    return aes_key_wrap(master.material, key)


def unwrap(master: SecretKey, wrapped: bytes) -> bytes:
    """Unwrap a key wrapped by :func:`wrap`.

    Parameters
    ----------
    master : SecretKey
        The key-encryption key that wrapped it.
    wrapped : bytes
        The wrapped key.

    Returns
    -------
    bytes
        The key.

    Raises
    ------
    cryptography.hazmat.primitives.keywrap.InvalidUnwrap
        The integrity check of RFC 3394 §2.2.3 failed: another master key, or altered bytes.
    """
    return aes_key_unwrap(master.material, bytes(wrapped))


def subject_text(subject_id: object) -> str:
    """The text form of a subject id used for lookups.

    Parameters
    ----------
    subject_id : str or int
        A subject id as it appears in the subject column (text, or an integer id).

    Returns
    -------
    str
        ``subject_id`` itself for text, its decimal digits for an integer; exactly the
        text the encryption of a data column uses for that value.

    Raises
    ------
    UsageError
        ``subject_id`` is blank, or neither text nor an integer.
    """
    if isinstance(subject_id, bool) or not isinstance(subject_id, str | int):
        raise UsageError(
            f"subject id {type(subject_id).__name__} is not text or an integer; expected the "
            "value of the subject column"
        )
    text = str(subject_id)
    if not text.strip():
        raise UsageError("subject id is blank; expected the value of the subject column")
    return text


def open_keystore_engine(url: str | None) -> Engine:
    """Open the store at ``url`` and migrate it (keystore tables included).

    Parameters
    ----------
    url : str or None
        SQLAlchemy URL; ``None``: ``$FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``.

    Returns
    -------
    sqlalchemy.Engine

    Raises
    ------
    StoreError
        The store cannot be opened or migrated.
    """
    engine = open_engine(url)
    try:
        upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), QUERY_CHUNK):
        yield items[start : start + QUERY_CHUNK]


def _insert(engine: Engine, table: Any) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING`` for the engine's dialect."""
    dialect_insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    return dialect_insert(table).on_conflict_do_nothing()


@dataclass(frozen=True)
class DataKeys:
    """Unwrapped data keys found (and possibly created) for a set of lookup ids.

    Attributes
    ----------
    keys : dict of str to bytes
        ``lookup id -> 32-byte DEK`` for every id that has a key.
    created : int
        How many of them this call created.
    """

    keys: dict[str, bytes]
    created: int


class Keystore:
    """Per-subject data keys in the fairmark store, wrapped under one master key.

    Parameters
    ----------
    master_key : SecretKey
        The master key (from :func:`fairmark.privacy.protect.keys.load_key`); never stored.
    url : str or None
        Store URL (SQLite or PostgreSQL); ``None``: ``$FAIRMARK_DB_URL``, else
        ``./.fairmark/fairmark.db``.

    Attributes
    ----------
    url : str
        The store URL with the password hidden.
    master_key_id : str
        Id of the master key.

    Raises
    ------
    UsageError
        ``master_key`` is not a :class:`SecretKey`.

    Notes
    -----
    The store is opened (and migrated) lazily, at the first operation that needs it, so a
    command refused for bad input never creates a database. That first operation raises
    ``UsageError`` "authentication failed" when the keystore's keys are wrapped under
    another master key, and ``StoreError`` when the store cannot be opened, migrated or
    read. Use as a context manager, or call :meth:`close`.

    Source: NIST SP 800-57 Part 1 Rev. 5 §6.2 (key wrapping, key hierarchy); RFC 3394
    (AES Key Wrap); RFC 5869 (HKDF); RFC 2104 (HMAC). GDPR Art. 4(5), Art. 17, Art. 32.
    """

    def __init__(self, master_key: SecretKey, url: str | None = None) -> None:
        if not isinstance(master_key, SecretKey):
            raise UsageError(
                f"master_key is a {type(master_key).__name__}; expected a SecretKey from "
                "load_key()"
            )
        self.master_key = master_key
        self.master_key_id = master_key.key_id
        self._url = database_url(url)
        self.url = redact_url(self._url)
        self._engine: Engine | None = None
        self._lookup: Any = None
        self._exists = False
        self._cache: dict[str, bytes] = {}

    def _open(self) -> Engine:
        """Open and migrate the store, read the keystore and check the master key (once)."""
        if self._engine is not None:
            return self._engine
        engine = open_keystore_engine(self._url)
        self.url = redact_url(engine.url)
        try:
            lookup_key = self._read_lookup_key(engine)
        except BaseException:
            engine.dispose()
            raise
        self._exists = lookup_key is not None
        if lookup_key is None:  # what a keystore created with this master key will use
            lookup_key = self._derive_lookup_key()
        self._lookup = hmac.new(lookup_key, digestmod=hashlib.sha256)
        self._engine = engine
        return engine

    @property
    def exists(self) -> bool:
        """Whether the store holds a keystore yet (opens the store).

        A fresh store gets one from :meth:`ensure_created`, which encryption calls.
        """
        self._open()
        return self._exists

    def ensure_created(self) -> None:
        """Create the keystore in the store if it holds none yet (idempotent).

        Raises
        ------
        UsageError
            "authentication failed": the keystore exists under another master key (or was
            created meanwhile by another process under another master key).
        StoreError
            The database fails.
        """
        if self.exists:
            return
        lookup_key = self._create_lookup_key()
        self._lookup = hmac.new(lookup_key, digestmod=hashlib.sha256)
        self._exists = True

    # -- opening ---------------------------------------------------------------------------

    def _derive_lookup_key(self) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=LOOKUP_KEY_INFO
        ).derive(self.master_key.material)

    def _auth_failed(self, stored_key_id: str) -> UsageError:
        return UsageError(
            f"authentication failed: master key {self.master_key_id} does not open the "
            f"keystore at {self.url} (its keys are wrapped under master key {stored_key_id}); "
            "expected that master key"
        )

    def _unwrap_meta(self, row: Any) -> bytes:
        if row.master_key_id != self.master_key_id:
            raise self._auth_failed(row.master_key_id)
        try:
            return unwrap(self.master_key, row.wrapped_key)
        except InvalidUnwrap:
            raise self._auth_failed(row.master_key_id) from None

    def _read_lookup_key(self, engine: Engine) -> bytes | None:
        query = select(KeystoreMeta.master_key_id, KeystoreMeta.wrapped_key).where(
            KeystoreMeta.name == _LOOKUP_NAME
        )
        with store_errors(engine.url, "cannot read keystore"), engine.connect() as c:
            row = c.execute(query).one_or_none()
        return None if row is None else self._unwrap_meta(row)

    def _create_lookup_key(self) -> bytes:
        lookup_key = self._derive_lookup_key()
        row = {
            "name": _LOOKUP_NAME,
            "wrapped_key": wrap(self.master_key, lookup_key),
            "wrap_algorithm": WRAP_ALGORITHM,
            "master_key_id": self.master_key_id,
            "created_at": datetime.now(UTC),
            "rotated_at": None,
        }
        engine = self.engine
        with (
            store_errors(engine.url, "cannot create keystore"),
            write_transaction(engine) as conn,
        ):
            conn.execute(_insert(engine, KeystoreMeta), [row])
        stored = self._read_lookup_key(engine)  # another process may have created it first
        assert stored is not None
        return stored

    # -- context manager -------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine of the store (opens it)."""
        return self._open()

    def __repr__(self) -> str:
        return f"Keystore({self.url!r}, master_key_id={self.master_key_id!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Forget the unwrapped keys and release the database connections."""
        self._cache.clear()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # -- lookups ---------------------------------------------------------------------------

    def lookup_id(self, subject_id: str | int) -> str:
        """The keystore's id of a data subject.

        Parameters
        ----------
        subject_id : str or int
            The subject id (see :func:`subject_text`).

        Returns
        -------
        str
            64 hex digits: HMAC-SHA-256 (RFC 2104) of the id's UTF-8 text under the
            subject-lookup key. Not reversible without that key (GDPR Art. 4(5)).

        Raises
        ------
        UsageError
            The id is blank or of another type.
        """
        return self._lookup_text(subject_text(subject_id))

    def _lookup_text(self, text: str) -> str:
        self._open()
        mac = self._lookup.copy()
        mac.update(text.encode("utf-8"))
        return mac.hexdigest()

    def lookup_ids(self, subject_texts: Iterable[str]) -> dict[str, str]:
        """The lookup ids of many subjects at once.

        Parameters
        ----------
        subject_texts : iterable of str
            Subject ids as text, already checked (not blank) by the caller.

        Returns
        -------
        dict of str to str
            ``subject text -> lookup id`` (see :meth:`lookup_id`).
        """
        return {text: self._lookup_text(text) for text in subject_texts}

    def _check_row(self, lookup_id: str, master_key_id: str, wrapped: bytes) -> bytes:
        if master_key_id != self.master_key_id:
            raise UsageError(
                f"authentication failed: the data key of subject {lookup_id[:16]}… in the "
                f"keystore at {self.url} is wrapped under master key {master_key_id}, not "
                f"{self.master_key_id} (was the keystore rotated during this run?); expected "
                "one master key for the whole keystore"
            )
        try:
            return unwrap(self.master_key, wrapped)
        except InvalidUnwrap:
            raise DataError(
                f"authentication failed: the data key of subject {lookup_id[:16]}… in the "
                f"keystore at {self.url} does not unwrap under master key "
                f"{self.master_key_id}; expected an unaltered keystore row"
            ) from None

    def _select(self, conn: Connection, ids: list[str]) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for chunk in _chunks(ids):
            rows = conn.execute(
                select(SubjectKey.lookup_id, SubjectKey.master_key_id, SubjectKey.wrapped_key)
                .where(SubjectKey.lookup_id.in_(chunk))
            ).all()
            for lookup_id, master_key_id, wrapped in rows:
                found[lookup_id] = self._check_row(lookup_id, master_key_id, wrapped)
        return found

    def _remember(self, keys: dict[str, bytes]) -> None:
        if len(self._cache) + len(keys) > CACHE_SIZE:
            self._cache.clear()
        self._cache.update(keys)

    def data_keys(self, lookup_ids: Collection[str], *, create: bool = False) -> DataKeys:
        """Fetch (and with ``create`` make) the data keys of some subjects.

        Parameters
        ----------
        lookup_ids : collection of str
            Lookup ids (:meth:`lookup_id`).
        create : bool
            Create a random DEK (:func:`secrets.token_bytes`, 32 bytes) for each id that has
            none, wrap it and insert it; an id created meanwhile by another process keeps
            that process's key.

        Returns
        -------
        DataKeys
            Keys of every id (``create``) or of the ids that have one.

        Raises
        ------
        UsageError, DataError
            "authentication failed": a row is wrapped under another master key or does not
            unwrap (altered).
        StoreError
            The database fails.

        Notes
        -----
        One ``SELECT`` for the ids not already in memory (up to :data:`QUERY_CHUNK` of
        them), plus, when some are new, one ``INSERT … ON CONFLICT DO NOTHING`` of all of
        them (an executemany; SQLAlchemy sends it in pages of 1,000 rows on PostgreSQL) and
        one ``SELECT`` of those ids, in one write transaction that first re-reads the
        keystore's master key id (``FOR SHARE`` on PostgreSQL) so that no key is created
        under a master key being rotated away.
        """
        if create:
            self.ensure_created()
        wanted = list(dict.fromkeys(lookup_ids))
        keys = {i: self._cache[i] for i in wanted if i in self._cache}
        missing = [i for i in wanted if i not in keys]
        created = 0
        if missing:
            engine = self.engine
            with store_errors(engine.url, "cannot read data keys"):
                with engine.connect() as conn:
                    found = self._select(conn, missing)
                new = [i for i in missing if i not in found]
                if new and create:
                    made, created = self._create(new)
                    found.update(made)
            self._remember(found)
            keys.update(found)
        return DataKeys(keys=keys, created=created)

    def _create(self, ids: list[str]) -> tuple[dict[str, bytes], int]:
        now = datetime.now(UTC)
        fresh = {i: secrets.token_bytes(KEY_BYTES) for i in ids}
        rows = [
            {
                "lookup_id": i,
                "wrapped_key": wrap(self.master_key, dek),
                "wrap_algorithm": WRAP_ALGORITHM,
                "master_key_id": self.master_key_id,
                "created_at": now,
            }
            for i, dek in fresh.items()
        ]
        engine = self.engine
        with write_transaction(engine) as conn:
            meta = conn.execute(
                select(KeystoreMeta.master_key_id)
                .where(KeystoreMeta.name == _LOOKUP_NAME)
                .with_for_update(read=True)
            ).scalar_one()
            if meta != self.master_key_id:
                raise self._auth_failed(meta)
            conn.execute(_insert(engine, SubjectKey), rows)  # executemany
            stored = self._select(conn, ids)
        created = sum(1 for i in ids if stored.get(i) == fresh[i])
        return stored, created

    def shredded_among(self, lookup_ids: Collection[str]) -> dict[str, datetime]:
        """Which of these subjects have a shred on record, and when.

        Parameters
        ----------
        lookup_ids : collection of str

        Returns
        -------
        dict of str to datetime
            ``lookup id -> time of the (latest) shred`` for the ids found in
            ``key_events``.

        Raises
        ------
        StoreError
            The database fails.
        """
        ids = list(dict.fromkeys(lookup_ids))
        out: dict[str, datetime] = {}
        engine = self.engine
        with store_errors(engine.url, "cannot read key events"):
            with engine.connect() as conn:
                for chunk in _chunks(ids):
                    rows = conn.execute(
                        select(KeyEvent.subject_lookup_id, KeyEvent.occurred_at).where(
                            KeyEvent.event == "shred", KeyEvent.subject_lookup_id.in_(chunk)
                        )
                    ).all()
                    for lookup_id, occurred_at in rows:
                        if lookup_id not in out or occurred_at > out[lookup_id]:
                            out[lookup_id] = occurred_at
        return out

    def forget(self, lookup_id: str) -> None:
        """Drop one subject's unwrapped key from memory (after it was shredded)."""
        self._cache.pop(lookup_id, None)



def check_keystore(keystore: object) -> Keystore:
    """Return ``keystore`` if it is a :class:`Keystore`.

    Raises
    ------
    UsageError
        It is something else (e.g. a URL string or a key).
    """
    if not isinstance(keystore, Keystore):
        raise UsageError(
            f"keystore is a {type(keystore).__name__}; expected Keystore(master_key, url)"
        )
    return keystore
