"""The anchor beside the key file makes wipes and truncations of the audit log detectable.

QA (issue #7): with the append-only guards dropped, deleting the checkpoints together with
the entries they cover, or wiping both tables, used to verify as intact. Each test builds
a log of 20 entries with checkpoints of entry 12 (record 13) and entry 20 (record 21),
tampers with it, and checks the exact first bad entry, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from tests.governance._log_helpers import append_many, rewrite_from, unguarded

from fairmark.errors import UsageError
from fairmark.governance.access import Principal
from fairmark.governance.keys import SigningKey, load_signing_key
from fairmark.governance.log import create_checkpoint, sign_head, verify_log
from fairmark.governance.log_anchor import (
    Anchor,
    anchor_path,
    load_anchor,
    read_anchor,
    store_key,
    write_anchor,
)
from fairmark.store.db import write_transaction
from fairmark.store.models_governance import Checkpoint

ADMIN = Principal(name="ada", role="admin")


@pytest.fixture(autouse=True)
def _key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "default-key" / "signing_key.pem"))


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return load_signing_key(tmp_path / "keys" / "signing_key.pem")


@pytest.fixture
def log(gov_engine: Engine, key: SigningKey, seed_people) -> Engine:
    """Entries 1..21: checkpoints of 12 (record 13) and 20 (record 21)."""
    seed_people({"ada": "admin"})
    append_many(gov_engine, 12)
    assert create_checkpoint(gov_engine, key=key, principal=ADMIN).seq == 12
    append_many(gov_engine, 7, start=12)
    assert create_checkpoint(gov_engine, key=key, principal=ADMIN).seq == 20
    assert verify_log(gov_engine, key=key).ok
    return gov_engine


def _anchor(engine: Engine, key: SigningKey) -> Anchor:
    found = read_anchor(anchor_path(key.path), store_key(engine.url))
    assert found is not None
    return found


def _bad(engine: Engine, **kwargs) -> tuple[int, str, str]:
    result = verify_log(engine, **kwargs)
    assert not result.ok
    assert result.first_bad is not None
    return result.first_bad.seq, result.first_bad.kind, result.first_bad.message


def test_a_checkpoint_writes_the_anchor_beside_the_key(log: Engine, key: SigningKey):
    file = Path(str(key.path) + ".head.json")
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    document = json.loads(file.read_text())
    assert list(document) == [store_key(log.url)]
    statement = document[store_key(log.url)]
    with log.connect() as conn:
        row = conn.execute(select(Checkpoint.__table__).where(Checkpoint.seq == 20)).one()
    assert statement == {
        "log": "fairmark.gov_log",
        "seq": 20,
        "entry_hash": row.entry_hash,
        "created_at": row.created_at,
        "key_fingerprint": key.fingerprint,
        "signature": row.signature,
        "public_key": key.public_hex,
    }
    assert "***" not in store_key(log.url) or log.url.password is not None


def test_a_rolled_back_checkpoint_writes_no_anchor(gov_engine: Engine, key: SigningKey):
    append_many(gov_engine, 3)
    with pytest.raises(RuntimeError), write_transaction(gov_engine) as conn:
        assert sign_head(conn, key, "ada") is not None
        raise RuntimeError("the caller fails after signing")
    assert not anchor_path(key.path).exists()
    with write_transaction(gov_engine) as conn:  # the next commit does not write it either
        conn.execute(text("SELECT 1"))
    assert not anchor_path(key.path).exists()


def test_a_full_wipe_fails(log: Engine, key: SigningKey, monkeypatch: pytest.MonkeyPatch):
    signed = _anchor(log, key)
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
        conn.execute(text("DELETE FROM gov_log"))
    seq, kind, message = _bad(log, key=key)
    assert (seq, kind) == (1, "truncated")
    assert message.startswith(
        "the log was truncated: the log is empty (wiped) but this machine signed entry 20 at "
        f"{signed.created_at}"
    )
    # the default key file (no --key) finds the anchor beside it too
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(key.path))
    assert _bad(log)[:2] == (1, "truncated")


def test_deleting_the_last_entries_with_their_checkpoints_fails(log: Engine, key: SigningKey):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints WHERE seq >= 12"))
        conn.execute(text("DELETE FROM gov_log WHERE seq >= 13"))
    seq, kind, message = _bad(log, key=key)
    assert (seq, kind) == (13, "truncated")
    assert "the log ends at entry 12 but this machine signed entry 20 at" in message


def test_deleting_only_the_newest_checkpoint_fails(log: Engine, key: SigningKey):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints WHERE seq = 20"))
        conn.execute(text("DELETE FROM gov_log WHERE seq = 21"))
    seq, kind, message = _bad(log, key=key)
    assert (seq, kind) == (20, "missing")
    assert message.startswith("the checkpoint of entry 20 is missing: this machine signed")


def test_a_rewrite_with_its_checkpoints_deleted_fails(log: Engine, key: SigningKey):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
        rewrite_from(conn, 5, actor="mallory")
    seq, kind, _message = _bad(log, key=key)
    # the log.checkpoint records name checkpoints that are gone: that comes first
    assert (seq, kind) == (12, "missing")
    with unguarded(log) as conn:  # and without those records, the anchor catches it
        conn.execute(text("DELETE FROM gov_log WHERE action = 'log.checkpoint'"))
        conn.execute(text("DELETE FROM gov_log WHERE seq > 12"))
    seq, kind, _message = _bad(log, key=key)
    assert (seq, kind) == (13, "truncated")


def test_a_rewritten_anchored_entry_fails_as_altered(log: Engine, key: SigningKey):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
        conn.execute(text("DELETE FROM gov_log WHERE action = 'log.checkpoint'"))
        conn.execute(text("UPDATE gov_log SET seq = seq - 1 WHERE seq > 13"))
        rewrite_from(conn, 1)
    seq, kind, message = _bad(log, key=key)
    assert (seq, kind) == (20, "truncated")  # 19 entries left: entry 20 is gone
    append_many(log, 1, start=99)  # a fresh entry 20 with another hash
    seq, kind, message = _bad(log, key=key)
    assert (seq, kind) == (20, "altered")
    assert message.startswith("entry 20 does not match the checkpoint this machine signed at")


def test_no_trusted_checkpoint_fails_without_an_anchor(log: Engine, key: SigningKey):
    anchor_path(key.path).unlink()
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
        conn.execute(text("DELETE FROM gov_log WHERE action = 'log.checkpoint'"))
        conn.execute(text("DELETE FROM gov_log WHERE seq > 12"))
    seq, kind, message = _bad(log, key=key)
    assert (seq, kind) == (1, "no_checkpoint")
    assert message.startswith("the log has 12 entries but no checkpoint signed by a trusted key")
    # pinned --public-key alone: the same
    assert _bad(log, public_keys=[key.fingerprint])[:2] == (1, "no_checkpoint")
    # no key known at all: only a warning
    result = verify_log(log)
    assert result.ok
    assert result.warnings[0].startswith("no checkpoint: the 12 entries are not signed")


def test_an_empty_log_with_a_key_but_no_anchor_is_ok(gov_engine: Engine, key: SigningKey):
    result = verify_log(gov_engine, key=key)
    assert result.ok
    assert result.warnings == ("the log is empty",)


def test_the_anchor_never_moves_backwards(log: Engine, key: SigningKey, tmp_path: Path):
    file = anchor_path(key.path)
    store = store_key(log.url)
    before = file.read_bytes()
    older = Anchor(seq=12, entry_hash="a" * 64, created_at="t", key_fingerprint="f", signature="s")
    assert write_anchor(file, store, older) is False
    assert file.read_bytes() == before
    newer = Anchor(seq=21, entry_hash="b" * 64, created_at="t", key_fingerprint="f", signature="s")
    other = "sqlite:////elsewhere/other.db"
    assert write_anchor(file, other, older) is True  # another store: its own statement
    assert write_anchor(file, store, newer) is True
    assert read_anchor(file, store).seq == 21
    assert read_anchor(file, other).seq == 12


def test_anchor_files_are_checked(tmp_path: Path):
    with pytest.raises(UsageError, match="does not exist; expected an anchor file"):
        load_anchor(tmp_path / "none.json", "s")
    other = tmp_path / "other.head.json"
    other.write_text(json.dumps({"sqlite:////x.db": {"seq": 1}}))
    with pytest.raises(UsageError, match="has no checkpoint of store s; expected one of"):
        load_anchor(other, "s")
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"seq": 0, "entry_hash": "x"}))
    with pytest.raises(Exception, match="field 'seq' is missing or wrong"):
        load_anchor(broken, "s")


def test_a_bundle_checkpoint_json_anchors_the_store(log: Engine, key: SigningKey, tmp_path: Path):
    """An auditor holding a bundle's checkpoint.json (CheckpointInfo.to_dict) checks the
    store against it, with the organisation's key pinned and no local anchor."""
    with write_transaction(log) as conn:
        info = sign_head(conn, key, "ada")
    assert info is not None and info.seq == 21
    bundle_checkpoint = tmp_path / "bundle" / "checkpoint.json"
    bundle_checkpoint.parent.mkdir()
    bundle_checkpoint.write_text(json.dumps(info.to_dict()))
    anchor_path(key.path).unlink()
    pinned = {"public_keys": [key.fingerprint], "anchor": bundle_checkpoint}
    assert verify_log(log, **pinned).ok
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints WHERE seq >= 20"))
        conn.execute(text("DELETE FROM gov_log WHERE seq >= 21"))
    seq, kind, message = _bad(log, **pinned)
    assert (seq, kind) == (21, "truncated")
    assert f"signed entry 21 at {info.created_at} (anchor {bundle_checkpoint})" in message
    with log.connect() as conn:
        assert conn.execute(select(func.max(Checkpoint.seq))).scalar() == 12
