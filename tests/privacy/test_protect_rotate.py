"""Master-key rotation on SQLite and PostgreSQL: all keys re-wrapped in one transaction."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
from sqlalchemy import text

from fairmark.errors import DataError, UsageError
from fairmark.privacy.protect.decrypt import decrypt
from fairmark.privacy.protect.encrypt import encrypt
from fairmark.privacy.protect.keys import SecretKey, generate_key
from fairmark.privacy.protect.keystore import Keystore
from fairmark.privacy.protect.rotate import rotate_master_key
from fairmark.privacy.protect.shred import shred_subject

SUBJECTS = ["alice@example.org", "bob@example.org", "carol@example.org"]
SQLITE_ONLY = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def _hkdf_sha256(ikm: bytes, info: bytes) -> bytes:
    """RFC 5869 (empty salt, L = 32) written out with the standard library."""
    prk = hmac.new(bytes(32), ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def _lookup_id(master: SecretKey, subject: str) -> str:
    lookup_key = _hkdf_sha256(master.material, b"fairmark/protect/v1/subject-lookup-key")
    return hmac.new(lookup_key, subject.encode(), hashlib.sha256).hexdigest()


def _rows(ks: Keystore, sql: str) -> list[tuple]:
    with ks.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


@pytest.fixture
def filled(store_url: str, master_key: SecretKey, data_dir: Path) -> Path:
    """An encrypted file of three subjects; its keystore at ``store_url``."""
    frame = pd.DataFrame({"email": SUBJECTS, "phone": ["1", "2", "3"], "n": [1, 2, 3]})
    with Keystore(master_key, store_url) as ks:
        encrypt(frame, "phone,n", "email", ks, data_dir / "e.parquet")
    return data_dir / "e.parquet"


def test_rotation_rewraps_every_key_and_retires_the_old_one(
    store_url: str, master_key: SecretKey, key_dir: Path, filled: Path, data_dir: Path
):
    new = generate_key(key_dir / "new.key")
    with Keystore(master_key, store_url) as ks:
        shred_subject(ks, SUBJECTS[2])
        deks = {
            r[0]: aes_key_unwrap(master_key.material, bytes(r[1]))
            for r in _rows(ks, "SELECT lookup_id, wrapped_key FROM subject_keys")
        }
    result = rotate_master_key(master_key, new, store_url)
    assert (result.status, result.n_keys_rewrapped) == ("rotated", 2)
    assert (result.old_key_id, result.new_key_id) == (master_key.key_id, new.key_id)
    with pytest.raises(UsageError, match=r"^authentication failed: master key"):
        assert Keystore(master_key, store_url).exists
    with Keystore(new, store_url) as ks:
        rows = _rows(ks, "SELECT lookup_id, wrapped_key, master_key_id FROM subject_keys")
        assert {r[0]: aes_key_unwrap(new.material, bytes(r[1])) for r in rows} == deks
        assert {r[2] for r in rows} == {new.key_id}
        assert ks.lookup_id(SUBJECTS[0]) == _lookup_id(master_key, SUBJECTS[0])  # unchanged
        events = _rows(ks, "SELECT event, master_key_id, new_master_key_id, n_keys "
                           "FROM key_events WHERE event = 'rotate'")
        assert events == [("rotate", master_key.key_id, new.key_id, 2)]
        out = decrypt(filled, "phone,n", "email", ks, data_dir / "d.parquet")
        assert (out.n_cells_decrypted, out.n_cells_unrecoverable) == (4, 2)
        assert shred_subject(ks, SUBJECTS[2]).status == "already_shredded"
    again = rotate_master_key(master_key, new, store_url)
    assert (again.status, again.n_keys_rewrapped, again.event_id) == ("already_rotated", 0, None)


@SQLITE_ONLY  # logic without database-specific behaviour
def test_a_wrong_old_key_rotates_nothing(
    store_url: str, master_key: SecretKey, key_dir: Path, filled: Path
):
    wrong, new = generate_key(key_dir / "wrong.key"), generate_key(key_dir / "new.key")
    with pytest.raises(UsageError, match=r"^authentication failed: old master key") as exc:
        rotate_master_key(wrong, new, store_url)
    assert "\n" not in str(exc.value)
    with pytest.raises(UsageError, match="same key"):
        rotate_master_key(master_key, master_key, store_url)
    with Keystore(master_key, store_url) as ks:
        assert {r[0] for r in _rows(ks, "SELECT master_key_id FROM subject_keys")} == {
            master_key.key_id
        }


def test_rotation_is_all_or_nothing(
    store_url: str, master_key: SecretKey, key_dir: Path, filled: Path
):
    """One altered row stops the rotation: no row, and not the lookup key, has changed."""
    new = generate_key(key_dir / "new.key")
    with Keystore(master_key, store_url) as ks:
        before = sorted(_rows(ks, "SELECT lookup_id, wrapped_key FROM subject_keys"))
        last = before[-1][0]
        with ks.engine.begin() as conn:
            conn.execute(
                text("UPDATE subject_keys SET wrapped_key = :w WHERE lookup_id = :i"),
                {"w": bytes(40), "i": last},
            )
    with pytest.raises(DataError, match="authentication failed: the data key of subject"):
        rotate_master_key(master_key, new, store_url)
    with Keystore(master_key, store_url) as ks:
        after = sorted(_rows(ks, "SELECT lookup_id, wrapped_key, master_key_id FROM subject_keys"))
        assert [(r[0], bytes(r[1])) for r in after[:-1]] == [
            (r[0], bytes(r[1])) for r in before[:-1]
        ]
        assert {r[2] for r in after} == {master_key.key_id}
        assert _rows(ks, "SELECT count(*) FROM key_events") == [(0,)]


@SQLITE_ONLY  # logic without database-specific behaviour
def test_rotating_a_store_without_keystore_is_refused(
    store_url: str, master_key: SecretKey, key_dir: Path
):
    with pytest.raises(DataError, match="holds no keystore"):
        rotate_master_key(master_key, generate_key(key_dir / "n.key"), store_url)
