"""Master-key rotation: re-wrap every data key under a new master key, all or nothing.

Rotation changes no encrypted cell: cells are sealed with the per-subject data keys, which
stay the same; only their wrapping changes. Every wrapped key (the data keys and the
subject-lookup key) is unwrapped with the old master key and wrapped with the new one in
**one** transaction, so the keystore is never half under one key and half under the other;
afterwards the old master key opens nothing and can be destroyed.

Pseudonym keys are not rotated here. A pseudonym is HMAC-SHA-256 of the raw value, a
one-way function: mapping old pseudonyms to new ones needs the raw values. To rotate a
pseudonymisation key, run :func:`fairmark.privacy.protect.pseudonymize` again on the
*source* data with the new key (and let the old pseudonymised files expire).

Source: NIST SP 800-57 Part 1 Rev. 5 §5.3 (cryptoperiods) and §8.2.3 (key replacement);
GDPR Art. 32(1) ("regularly testing … the effectiveness of technical measures").
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap
from sqlalchemy import Connection, bindparam, insert, select, update

from fairmark.errors import DataError, UsageError
from fairmark.privacy.protect.keys import SecretKey
from fairmark.privacy.protect.keystore import open_keystore_engine, unwrap, wrap
from fairmark.privacy.protect.result import RotateResult
from fairmark.store.db import redact_url, store_errors, write_transaction
from fairmark.store.models import KeyEvent, KeystoreMeta, SubjectKey

__all__ = ["REWRAP_CHUNK", "rotate_master_key"]

REWRAP_CHUNK = 5_000
"""Data keys read and re-wrapped per step (keyset pagination inside the one transaction)."""


def _auth_failed(url: str, old: SecretKey, stored: str) -> UsageError:
    return UsageError(
        f"authentication failed: old master key {old.key_id} does not open the keystore at "
        f"{url} (its keys are wrapped under master key {stored}); expected that key as "
        "--old-key"
    )


def _rewrap_subject_keys(conn: Connection, url: str, old: SecretKey, new: SecretKey) -> int:
    """Re-wrap every ``subject_keys`` row, :data:`REWRAP_CHUNK` rows at a time."""
    statement = (
        update(SubjectKey)
        .where(SubjectKey.lookup_id == bindparam("b_lookup_id"))
        .values(wrapped_key=bindparam("b_wrapped_key"), master_key_id=new.key_id)
    )
    count, after = 0, ""
    while True:
        rows = conn.execute(
            select(SubjectKey.lookup_id, SubjectKey.master_key_id, SubjectKey.wrapped_key)
            .where(SubjectKey.lookup_id > after)
            .order_by(SubjectKey.lookup_id)
            .limit(REWRAP_CHUNK)
        ).all()
        if not rows:
            return count
        params = []
        for lookup_id, master_key_id, wrapped in rows:
            if master_key_id != old.key_id:
                raise DataError(
                    f"the data key of subject {lookup_id[:16]}… in the keystore at {url} is "
                    f"wrapped under master key {master_key_id}, not {old.key_id}; expected "
                    "one master key for the whole keystore; nothing was rotated"
                )
            try:
                dek = unwrap(old, wrapped)
            except InvalidUnwrap:
                raise DataError(
                    f"authentication failed: the data key of subject {lookup_id[:16]}… in "
                    f"the keystore at {url} does not unwrap under master key {old.key_id}; "
                    "expected an unaltered keystore row; nothing was rotated"
                ) from None
            params.append({"b_lookup_id": lookup_id, "b_wrapped_key": wrap(new, dek)})
        conn.execute(statement, params)
        count += len(rows)
        after = rows[-1][0]


def rotate_master_key(
    old_key: SecretKey, new_key: SecretKey, url: str | None = None
) -> RotateResult:
    """Re-wrap the whole keystore from ``old_key`` to ``new_key`` in one transaction.

    Parameters
    ----------
    old_key : SecretKey
        The master key the keystore is under now.
    new_key : SecretKey
        The new master key (e.g. from ``fairmark protect keygen``).
    url : str or None
        Store URL; ``None``: ``$FAIRMARK_DB_URL``, else ``./.fairmark/fairmark.db``.

    Returns
    -------
    RotateResult
        ``status="rotated"`` with the number of data keys re-wrapped, or
        ``"already_rotated"`` (nothing changed) when the keystore is already under
        ``new_key``, so that a rotation interrupted after its commit can be re-run.

    Raises
    ------
    UsageError
        The two keys are the same; "authentication failed": the keystore is under neither
        key, or its subject-lookup key does not unwrap under ``old_key``.
    DataError
        The store holds no keystore (nothing was ever encrypted with it), or a data key is
        under another master key or does not unwrap (an altered row). Nothing is changed.
    StoreError
        The database fails; the transaction is rolled back, nothing is changed.

    Notes
    -----
    The transaction locks the keystore: ``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR
    UPDATE`` of ``keystore_meta`` on PostgreSQL, which concurrent encryption also locks
    (``FOR SHARE``) before it adds a key, so no key is added under the old master key
    mid-rotation. The rotation is recorded in ``key_events`` (old and new key ids, number of
    keys). Source: NIST SP 800-57 Part 1 Rev. 5 §8.2.3; RFC 3394.
    """
    for name, key in (("old_key", old_key), ("new_key", new_key)):
        if not isinstance(key, SecretKey):
            raise UsageError(
                f"{name} is a {type(key).__name__}; expected a SecretKey from load_key()"
            )
    if old_key.key_id == new_key.key_id:
        raise UsageError(
            f"the old and the new master key are the same key ({old_key.key_id}); expected a "
            "new key (fairmark protect keygen NEW_KEY_FILE)"
        )
    engine = open_keystore_engine(url)
    shown = redact_url(engine.url)
    try:
        now = datetime.now(UTC)
        event_id = str(uuid.uuid4())
        with store_errors(engine.url, "cannot rotate master key"):
            with write_transaction(engine) as conn:
                meta = conn.execute(
                    select(
                        KeystoreMeta.master_key_id,
                        KeystoreMeta.wrapped_key,
                        KeystoreMeta.rotated_at,
                    )
                    .where(KeystoreMeta.name == "subject_lookup")
                    .with_for_update()
                ).one_or_none()
                if meta is None:
                    raise DataError(
                        f"the store at {shown} holds no keystore (nothing was encrypted with "
                        "it); expected the --db of the keystore to rotate"
                    )
                if meta.master_key_id == new_key.key_id:
                    return RotateResult(
                        keystore=shown,
                        old_key_id=old_key.key_id,
                        new_key_id=new_key.key_id,
                        status="already_rotated",
                        n_keys_rewrapped=0,
                        rotated_at=meta.rotated_at,
                        event_id=None,
                    )
                if meta.master_key_id != old_key.key_id:
                    raise _auth_failed(shown, old_key, meta.master_key_id)
                try:
                    lookup_key = unwrap(old_key, meta.wrapped_key)
                except InvalidUnwrap:
                    raise _auth_failed(shown, old_key, meta.master_key_id) from None
                count = _rewrap_subject_keys(conn, shown, old_key, new_key)
                conn.execute(
                    update(KeystoreMeta)
                    .where(KeystoreMeta.name == "subject_lookup")
                    .values(
                        wrapped_key=wrap(new_key, lookup_key),
                        master_key_id=new_key.key_id,
                        rotated_at=now,
                    )
                )
                conn.execute(
                    insert(KeyEvent).values(
                        event_id=event_id,
                        occurred_at=now,
                        event="rotate",
                        subject_lookup_id=None,
                        master_key_id=old_key.key_id,
                        new_master_key_id=new_key.key_id,
                        n_keys=count,
                    )
                )
    finally:
        engine.dispose()
    return RotateResult(
        keystore=shown,
        old_key_id=old_key.key_id,
        new_key_id=new_key.key_id,
        status="rotated",
        n_keys_rewrapped=count,
        rotated_at=now,
        event_id=event_id,
    )
