"""Crypto-shredding on SQLite and PostgreSQL: the key goes, the event stays."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from fairmark.errors import UsageError
from fairmark.privacy.protect.decrypt import decrypt
from fairmark.privacy.protect.encrypt import encrypt
from fairmark.privacy.protect.keys import SecretKey
from fairmark.privacy.protect.keystore import Keystore
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


def test_shred_deletes_the_key_and_records_the_event(
    store_url: str, master_key: SecretKey, filled: Path, data_dir: Path
):
    before = datetime.now(UTC)
    with Keystore(master_key, store_url) as ks:
        result = shred_subject(ks, SUBJECTS[1])
        lookup = _lookup_id(master_key, SUBJECTS[1])
        assert result.status == "shredded" and result.subject_lookup_id == lookup
        assert result.shredded_at is not None and result.shredded_at >= before
        assert _rows(ks, f"SELECT count(*) FROM subject_keys WHERE lookup_id = '{lookup}'") == [
            (0,)
        ]
        assert _rows(ks, "SELECT count(*) FROM subject_keys") == [(2,)]
        events = _rows(ks, "SELECT event_id, event, subject_lookup_id, master_key_id, "
                           "new_master_key_id, n_keys FROM key_events")
        assert events == [(result.event_id, "shred", lookup, master_key.key_id, None, None)]
        again = shred_subject(ks, SUBJECTS[1])
        assert again.status == "already_shredded" and again.event_id == result.event_id
        assert again.shredded_at == result.shredded_at
        assert shred_subject(ks, "nobody@example.org").status == "no_key"
        assert len(_rows(ks, "SELECT * FROM key_events")) == 1
        doc = result.to_dict()
        assert doc["kind"] == "protect_shred" and doc["schema_version"] == "1.0"
        assert SUBJECTS[1] not in repr(doc)
        out = decrypt(filled, "phone,n", "email", ks, data_dir / "d.parquet")
    assert (out.n_cells_unrecoverable, out.n_subjects_unrecoverable) == (2, 1)
    assert pq.read_table(data_dir / "d.parquet").to_pylist() == [
        {"email": SUBJECTS[0], "phone": "1", "n": 1},
        {"email": SUBJECTS[1], "phone": None, "n": None},
        {"email": SUBJECTS[2], "phone": "3", "n": 3},
    ]


def test_key_events_are_append_only(store_url: str, master_key: SecretKey, filled: Path):
    with Keystore(master_key, store_url) as ks:
        shred_subject(ks, SUBJECTS[0])
        for statement in ("UPDATE key_events SET event = 'rotate'", "DELETE FROM key_events"):
            with pytest.raises(DBAPIError, match="key_events is append-only"):
                with ks.engine.begin() as conn:
                    conn.execute(text(statement))
        assert len(_rows(ks, "SELECT * FROM key_events")) == 1


def test_sqlite_shred_overwrites_the_wrapped_key_in_the_file(
    tmp_path: Path, master_key: SecretKey, data_dir: Path
):
    url = f"sqlite:///{tmp_path / 'ks.db'}"
    frame = pd.DataFrame({"s": SUBJECTS, "v": ["1", "2", "3"]})
    with Keystore(master_key, url) as ks:
        encrypt(frame, "v", "s", ks, data_dir / "e.parquet")
        [(wrapped,)] = _rows(
            ks, f"SELECT wrapped_key FROM subject_keys WHERE lookup_id = "
                f"'{_lookup_id(master_key, SUBJECTS[0])}'"
        )
        assert bytes(wrapped) in (tmp_path / "ks.db").read_bytes()
        shred_subject(ks, SUBJECTS[0])
    assert bytes(wrapped) not in (tmp_path / "ks.db").read_bytes()


@SQLITE_ONLY  # logic without database-specific behaviour
def test_subject_ids_must_be_text_or_integers(store_url: str, master_key: SecretKey):
    with Keystore(master_key, store_url) as ks:
        assert ks.lookup_id(7) == ks.lookup_id("7")
        for bad, expected in ((None, "NoneType is not text"), (1.5, "float"), ("  ", "blank"),
                              (True, "bool")):
            with pytest.raises(UsageError, match=expected):
                shred_subject(ks, bad)

