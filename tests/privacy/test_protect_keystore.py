"""The keystore on SQLite and PostgreSQL: lookup ids, wrapped keys, no raw subject ids."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap
from sqlalchemy import text

from fairmark.errors import DataError
from fairmark.privacy.protect.decrypt import decrypt
from fairmark.privacy.protect.encrypt import encrypt
from fairmark.privacy.protect.keys import SecretKey
from fairmark.privacy.protect.keystore import Keystore, wrap
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


def test_aes_key_wrap_matches_rfc_3394_section_4_6():
    kek = SecretKey.from_bytes(
        bytes.fromhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
    )
    key = bytes.fromhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
    assert wrap(kek, key).hex().upper() == (
        "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"
    )


def test_the_keystore_holds_wrapped_keys_and_no_subject_id(
    store_url: str, master_key: SecretKey, filled: Path
):
    with Keystore(master_key, store_url) as ks:
        rows = _rows(ks, "SELECT lookup_id, wrapped_key, wrap_algorithm, master_key_id, "
                         "created_at FROM subject_keys ORDER BY lookup_id")
        meta = _rows(ks, "SELECT name, wrapped_key, master_key_id FROM keystore_meta")
        assert [r[0] for r in rows] == sorted(_lookup_id(master_key, s) for s in SUBJECTS)
        assert ks.lookup_id(SUBJECTS[0]) == _lookup_id(master_key, SUBJECTS[0])
        for _lookup, wrapped, algorithm, key_id, created_at in rows:
            assert len(bytes(wrapped)) == 40 and algorithm == "A256KW"
            assert key_id == master_key.key_id
            assert len(aes_key_unwrap(master_key.material, bytes(wrapped))) == 32
            assert created_at is not None
        assert len({bytes(r[1]) for r in rows}) == 3
        [(name, wrapped_lookup, meta_key_id)] = meta
        assert (name, meta_key_id) == ("subject_lookup", master_key.key_id)
        assert aes_key_unwrap(master_key.material, bytes(wrapped_lookup)) == _hkdf_sha256(
            master_key.material, b"fairmark/protect/v1/subject-lookup-key"
        )
        dump = repr(rows + meta + _rows(ks, "SELECT * FROM key_events"))
    for subject in SUBJECTS:
        assert subject not in dump and subject.split("@")[0] not in dump
    if store_url.startswith("sqlite"):
        raw = Path(store_url.removeprefix("sqlite:///")).read_bytes()
        assert not any(s.encode() in raw for s in SUBJECTS)
        assert master_key.material not in raw


def test_a_fresh_store_gets_a_keystore_only_when_something_is_encrypted(
    store_url: str, master_key: SecretKey
):
    with Keystore(master_key, store_url) as ks:
        assert not ks.exists
        assert shred_subject(ks, "x").status == "no_key"
        assert _rows(ks, "SELECT count(*) FROM keystore_meta") == [(0,)]
        ks.ensure_created()
        ks.ensure_created()
        assert ks.exists
        assert _rows(ks, "SELECT count(*) FROM keystore_meta") == [(1,)]


def test_a_key_created_meanwhile_by_another_process_wins(store_url: str, master_key: SecretKey):
    with Keystore(master_key, store_url) as first, Keystore(master_key, store_url) as second:
        lookup = first.lookup_id("dora")
        made = first.data_keys([lookup], create=True)
        assert made.created == 1
        # `second` did not see it (its SELECT came first): its INSERT conflicts and
        # it must use the stored key, never its own
        stored, created = second._create([lookup])
        assert created == 0 and stored == made.keys
        assert _rows(first, "SELECT count(*) FROM subject_keys") == [(1,)]


@SQLITE_ONLY  # logic without database-specific behaviour
def test_an_altered_key_row_is_an_authentication_failure_on_decrypt(
    store_url: str, master_key: SecretKey, filled: Path, data_dir: Path
):
    with Keystore(master_key, store_url) as ks:
        with ks.engine.begin() as conn:
            conn.execute(text("UPDATE subject_keys SET wrapped_key = :w"), {"w": bytes(40)})
        with pytest.raises(DataError, match="authentication failed: the data key of subject"):
            decrypt(filled, "phone", "email", ks, data_dir / "d.parquet")
    assert not (data_dir / "d.parquet").exists()
