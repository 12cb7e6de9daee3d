"""Crypto-shredding: delete one data subject's data key, so all their encrypted fields die.

Every field of a subject encrypted by :func:`fairmark.privacy.protect.encrypt` is sealed
with that subject's data key, and the keystore row holds the only wrapped copy of it.
Deleting the row makes every copy of those fields (exports, backups of the *data*,
replicas) permanently undecryptable, without finding and rewriting them: the erasure of
GDPR Art. 17 carried out as a technical measure (Art. 32), called crypto-shredding or
cryptographic erasure (NIST SP 800-88 Rev. 1, "Guidelines for Media Sanitization",
§2.6 "Cryptographic Erase").

What remains: the shred is recorded in the append-only ``key_events`` table (lookup id,
time, master key id; never the raw subject id). On SQLite the delete runs with
``PRAGMA secure_delete=ON`` so the freed bytes are overwritten in the database file. Copies
of the *keystore* outside that file (database backups, a PostgreSQL table until
``VACUUM`` reuses its space, file-system snapshots) still hold the wrapped key until they
expire: keep keystore backups short-lived, and wrapped keys are useless without the master
key.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select

from fairmark.privacy.protect.keystore import Keystore
from fairmark.privacy.protect.result import ShredResult
from fairmark.store.db import store_errors, write_transaction
from fairmark.store.models import KeyEvent, SubjectKey

__all__ = ["shred_subject"]


def shred_subject(keystore: Keystore, subject_id: str | int) -> ShredResult:
    """Crypto-shred one data subject: delete their data key and record the event.

    Parameters
    ----------
    keystore : Keystore
        The keystore, opened with its master key (needed to compute the subject's lookup
        id; the keystore holds no raw ids).
    subject_id : str or int
        The subject's id exactly as in the subject column used for encryption (text, or an
        integer id).

    Returns
    -------
    ShredResult
        ``status="shredded"`` when a key was deleted now; ``"already_shredded"`` when an
        earlier shred is on record (idempotent: nothing changes); ``"no_key"`` when the
        keystore never held a key for this subject (nothing to do; not an error, so that a
        data-subject request can shred across sources that may not know the subject).

    Raises
    ------
    UsageError
        ``subject_id`` is blank or neither text nor an integer.
    StoreError
        The database fails; nothing is deleted then (delete and event are one transaction).

    Notes
    -----
    The delete and the ``key_events`` insert commit together. Source: GDPR Art. 17(1)
    (right to erasure), Art. 32(1) (security of processing), Art. 5(2) (accountability);
    NIST SP 800-88 Rev. 1 §2.6 (cryptographic erase).
    """
    lookup_id = keystore.lookup_id(subject_id)
    engine = keystore.engine
    now = datetime.now(UTC)
    event_id = str(uuid.uuid4())
    with store_errors(engine.url, "cannot shred subject"):
        with write_transaction(engine) as conn:
            sqlite = engine.dialect.name == "sqlite"
            if sqlite:  # overwrite the freed row in the database file (SQLite "PRAGMA")
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
            deleted = conn.execute(
                delete(SubjectKey)
                .where(SubjectKey.lookup_id == lookup_id)
                .returning(SubjectKey.master_key_id)
            ).all()
            if deleted:
                conn.execute(
                    insert(KeyEvent).values(
                        event_id=event_id,
                        occurred_at=now,
                        event="shred",
                        subject_lookup_id=lookup_id,
                        master_key_id=deleted[0][0],
                        new_master_key_id=None,
                        n_keys=None,
                    )
                )
            else:
                earlier = conn.execute(
                    select(KeyEvent.event_id, KeyEvent.occurred_at)
                    .where(KeyEvent.event == "shred", KeyEvent.subject_lookup_id == lookup_id)
                    .order_by(KeyEvent.occurred_at.desc())
                    .limit(1)
                ).one_or_none()
    keystore.forget(lookup_id)
    if deleted:
        return ShredResult(
            subject_lookup_id=lookup_id,
            status="shredded",
            shredded_at=now,
            event_id=event_id,
            keystore=keystore.url,
            master_key_id=keystore.master_key_id,
        )
    return ShredResult(
        subject_lookup_id=lookup_id,
        status="already_shredded" if earlier is not None else "no_key",
        shredded_at=None if earlier is None else earlier[1],
        event_id=None if earlier is None else earlier[0],
        keystore=keystore.url,
        master_key_id=keystore.master_key_id,
    )
