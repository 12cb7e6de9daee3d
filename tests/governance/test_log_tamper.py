"""Every kind of tampering with the audit log is caught, and the first bad entry is named.

Each test builds a log of 20 entries with a checkpoint of entry 12 (entry 13 records it),
tampers with it the way an attacker with database access would (append-only guards
switched off), and checks the exact first bad ``seq`` and kind, on SQLite and PostgreSQL.
Exported JSON Lines files are tampered with too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from tests.governance._log_helpers import (
    append_many,
    move,
    rehash,
    rewrite_from,
    rows,
    set_row,
    sha256_hex,
    unguarded,
)

from fairmark.governance.access import Principal
from fairmark.governance.chain import canonical_json
from fairmark.governance.keys import SigningKey, load_signing_key
from fairmark.governance.log import (
    checkpoint_statement,
    create_checkpoint,
    export_log,
    verify_export,
    verify_log,
)

ADMIN = Principal(name="ada", role="admin")


@pytest.fixture(autouse=True)
def _key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch ~/.config: the default signing key lives in the test folder."""
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "default-key" / "signing_key.pem"))


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return load_signing_key(tmp_path / "keys" / "signing_key.pem")


@pytest.fixture
def log(gov_engine: Engine, key: SigningKey, seed_people) -> Engine:
    """20 entries; checkpoint of entry 12 (recorded by entry 13); entries 14..20 after it."""
    seed_people({"ada": "admin"})
    append_many(gov_engine, 12)
    info = create_checkpoint(gov_engine, key=key, principal=ADMIN)
    assert (info.seq, info.log_seq) == (12, 13)
    append_many(gov_engine, 7, start=12)
    result = verify_log(gov_engine, key=key)
    assert result.ok, result.first_bad
    assert (result.n_entries, result.head_seq, result.last_checkpoint_seq) == (20, 20, 12)
    return gov_engine


def first_bad(engine: Engine, key: SigningKey, **kwargs) -> tuple[int, str, str]:
    result = verify_log(engine, key=key, **kwargs)
    assert not result.ok
    assert result.first_bad is not None
    return result.first_bad.seq, result.first_bad.kind, result.first_bad.message


# ----------------------------------------------------------------------------- edits


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("payload", canonical_json({"i": 3, "note": "changed", "ratio": 0.3})),
        ("actor", "mallory"),
        ("created_at", "2020-01-01T00:00:00.000000Z"),
        ("action", "system.retire"),
        ("entity_id", "another-system"),
    ],
)
def test_an_edited_field_is_caught_at_that_entry(log: Engine, key, column, value):
    with unguarded(log) as conn:
        set_row(conn, 4, {column: value})
    assert first_bad(log, key) == (
        4,
        "altered",
        "entry 4 was altered: its hash does not match its content",
    )


def test_an_edit_after_the_checkpoint_is_caught_too(log: Engine, key):
    with unguarded(log) as conn:
        set_row(conn, 17, {"actor": "mallory"})
    assert first_bad(log, key)[:2] == (17, "altered")


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(log: Engine, key):
    with unguarded(log) as conn:
        row = rows(conn)[4]  # entry 5
        set_row(conn, 5, rehash(row, actor="mallory"))
    seq, kind, message = first_bad(log, key)
    assert (seq, kind) == (6, "inserted_or_reordered")
    assert message.startswith("entry 6 does not follow entry 5 (prev_hash ")


def test_a_payload_that_is_not_json_is_caught(log: Engine, key):
    with unguarded(log) as conn:
        row = rows(conn)[-1]  # the last entry: no later link to break
        set_row(conn, 20, rehash(row, payload="{not json"))
    assert first_bad(log, key) == (
        20,
        "altered",
        "entry 20 was altered: its payload is not a canonical JSON object",
    )


# ----------------------------------------------------------------------------- deletions


def test_a_deleted_middle_entry_is_named(log: Engine, key):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq = 7"))
    assert first_bad(log, key) == (7, "missing", "entry 7 is missing (seq jumps from 6 to 8)")


def test_several_deleted_entries_are_named(log: Engine, key):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq BETWEEN 7 AND 9"))
    assert first_bad(log, key) == (
        7,
        "missing",
        "entries 7 to 9 are missing (seq jumps from 6 to 10)",
    )


def test_a_deleted_first_entry_is_named(log: Engine, key):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq = 1"))
    assert first_bad(log, key) == (1, "missing", "entry 1 is missing (the log starts at entry 2)")


def test_deleting_the_last_entries_is_caught_by_the_checkpoint(log: Engine, key):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq >= 11"))
    assert first_bad(log, key) == (
        11,
        "truncated",
        "the log was truncated: it ends at entry 10 but the checkpoint of entry 12 was "
        "signed, so entries from 11 on were deleted",
    )


def test_deleting_a_checkpoint_is_caught_by_its_log_entry(log: Engine, key):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
    assert first_bad(log, key) == (
        12,
        "missing",
        "the checkpoint of entry 12 is missing (entry 13 records that it was made)",
    )


def test_deleting_only_unsigned_newest_entries_goes_unnoticed_but_is_warned_about(
    log: Engine, key
):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq >= 18"))
    result = verify_log(log, key=key)
    assert result.ok
    assert result.warnings == (
        "4 entries after the last checkpoint (entry 12) are not yet signed",
    )


# ----------------------------------------------------------------------------- insertions


def test_a_forged_entry_inserted_in_the_middle_is_named(log: Engine, key):
    with unguarded(log) as conn:
        for seq in range(20, 9, -1):  # make room at 10 (highest first: seq is the key)
            move(conn, seq, seq + 1)
        forged = {
            "seq": 10,
            "created_at": "2026-11-30T10:00:00.000000Z",
            "actor": "mallory",
            "action": "review.decide",
            "entity_type": "review",
            "entity_id": "1",
            "payload": canonical_json({"decision": "approve"}),
            "prev_hash": sha256_hex("forged"),
        }
        from fairmark.governance.chain import entry_hash

        forged["entry_hash"] = entry_hash(**forged)
        conn.execute(
            text(
                "INSERT INTO gov_log (seq, created_at, actor, action, entity_type, entity_id, "
                "payload, prev_hash, entry_hash) VALUES (:seq, :created_at, :actor, :action, "
                ":entity_type, :entity_id, :payload, :prev_hash, :entry_hash)"
            ),
            forged,
        )
    seq, kind, message = first_bad(log, key)
    assert (seq, kind) == (10, "inserted_or_reordered")
    assert message.startswith("entry 10 does not follow entry 9 (prev_hash ")


def test_two_swapped_entries_are_named(log: Engine, key):
    with unguarded(log) as conn:
        move(conn, 5, -5)
        move(conn, 6, 5)
        move(conn, -5, 6)
    seq, kind, message = first_bad(log, key)
    assert (seq, kind) == (5, "inserted_or_reordered")
    assert message.startswith("entry 5 does not follow entry 4")


def test_a_first_entry_not_starting_from_genesis_is_named(log: Engine, key):
    with unguarded(log) as conn:
        row = rows(conn)[0]
        set_row(conn, 1, rehash(row, prev_hash=sha256_hex("elsewhere")))
    seq, kind, message = first_bad(log, key)
    assert (seq, kind) == (1, "bad_genesis")
    assert message.startswith("entry 1 does not start the log: its prev_hash is ")


# ----------------------------------------------------------------------------- rewrites


def test_a_consistently_rewritten_chain_is_caught_by_the_checkpoint(log: Engine, key):
    with unguarded(log) as conn:
        rewrite_from(conn, 3, actor="mallory")
    seq, kind, message = first_bad(log, key)
    assert (seq, kind) == (12, "altered")
    assert message.startswith("entry 12 does not match the checkpoint of entry 12 (signed hash")
    assert message.endswith("the log was rewritten between entries 1 and 12")


def test_a_rewrite_after_the_checkpoint_is_not_signed_yet(log: Engine, key):
    """What checkpoints cannot do: entries after the last one can be rewritten unnoticed."""
    with unguarded(log) as conn:
        rewrite_from(conn, 15, actor="mallory")
    result = verify_log(log, key=key)
    assert result.ok
    assert result.warnings == (
        "7 entries after the last checkpoint (entry 12) are not yet signed",
    )


def test_a_checkpoint_edited_to_match_a_rewrite_has_a_bad_signature(log: Engine, key):
    with unguarded(log) as conn:
        rewrite_from(conn, 3, actor="mallory")
        new_hash = conn.execute(text("SELECT entry_hash FROM gov_log WHERE seq = 12")).scalar()
        conn.execute(text("UPDATE gov_checkpoints SET entry_hash = :h"), {"h": new_hash})
    seq, kind, message = first_bad(log, key)
    assert (seq, kind) == (12, "bad_signature")
    assert message.startswith("the checkpoint of entry 12 has a bad signature")


def test_a_checkpoint_re_signed_with_another_key_is_an_unknown_key(
    log: Engine, key, tmp_path: Path
):
    mallory = load_signing_key(tmp_path / "mallory.pem")
    with unguarded(log) as conn:
        rewrite_from(conn, 3, actor="mallory")
        new_hash = conn.execute(text("SELECT entry_hash FROM gov_log WHERE seq = 12")).scalar()
        created = "2026-11-30T12:00:00.000000Z"
        statement = checkpoint_statement(
            seq=12, entry_hash=new_hash, created_at=created, key_fingerprint=mallory.fingerprint
        )
        conn.execute(
            text(
                "UPDATE gov_checkpoints SET entry_hash = :h, created_at = :c, "
                "key_fingerprint = :f, public_key = :p, signature = :s"
            ),
            {
                "h": new_hash,
                "c": created,
                "f": mallory.fingerprint,
                "p": mallory.public_hex,
                "s": mallory.sign(statement),
            },
        )
    assert first_bad(log, key) == (
        12,
        "unknown_key",
        f"the checkpoint of entry 12 is signed by an unknown key {mallory.fingerprint}",
    )
    # trusting keys by fingerprint: the same verdict; trusting mallory: accepted
    assert first_bad(log, None, public_keys=[key.fingerprint])[1] == "unknown_key"
    assert verify_log(log, public_keys=[mallory.public_hex]).ok


def test_a_checkpoint_whose_fingerprint_is_not_its_key_is_bad(log: Engine, key):
    with unguarded(log) as conn:
        conn.execute(text("UPDATE gov_checkpoints SET key_fingerprint = :f"), {"f": "ab" * 32})
    seq, kind, message = first_bad(log, key)
    assert (seq, kind) == (12, "bad_signature")
    assert "which is not the fingerprint of its public key" in message


def test_the_first_problem_in_seq_order_wins(log: Engine, key):
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq = 15"))
        set_row(conn, 9, {"actor": "mallory"})
        conn.execute(text("UPDATE gov_checkpoints SET signature = :s"), {"s": "00" * 64})
    assert first_bad(log, key)[:2] == (9, "altered")


# ----------------------------------------------------------------------------- exports


@pytest.fixture
def export(log: Engine, tmp_path: Path, key) -> Path:
    out = tmp_path / "export.jsonl"
    info = export_log(log, out)
    assert (info.n_entries, info.n_checkpoints) == (20, 1)
    assert verify_export(out, public_keys=[key.fingerprint]).ok
    return out


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _entry_line(lines: list[str], seq: int) -> int:
    for i, line in enumerate(lines):
        record = json.loads(line)
        if record["type"] == "entry" and record["seq"] == seq:
            return i
    raise AssertionError(seq)


def _verdict(path: Path, key: SigningKey) -> tuple[int, str, str]:
    result = verify_export(path, public_keys=[key.fingerprint])
    assert not result.ok
    assert result.source == str(path)
    return result.first_bad.seq, result.first_bad.kind, result.first_bad.message


def test_an_edited_export_line_is_named(export: Path, key):
    lines = _lines(export)
    i = _entry_line(lines, 4)
    record = json.loads(lines[i])
    record["payload"]["note"] = "nothing happened"
    lines[i] = json.dumps(record) + "\n"
    export.write_text("".join(lines), encoding="utf-8")
    assert _verdict(export, key) == (
        4,
        "altered",
        "entry 4 was altered: its hash does not match its content",
    )


def test_a_dropped_export_line_is_named(export: Path, key):
    lines = _lines(export)
    del lines[_entry_line(lines, 6)]
    export.write_text("".join(lines), encoding="utf-8")
    assert _verdict(export, key) == (6, "missing", "entry 6 is missing (seq jumps from 5 to 7)")


def test_swapped_export_lines_are_named(export: Path, key):
    lines = _lines(export)
    i, j = _entry_line(lines, 5), _entry_line(lines, 6)
    lines[i], lines[j] = lines[j], lines[i]
    export.write_text("".join(lines), encoding="utf-8")
    assert _verdict(export, key) == (
        5,
        "inserted_or_reordered",
        "entry 5 is out of order (it comes after entry 6)",
    )


def test_a_truncated_export_is_caught_by_its_checkpoint(export: Path, key):
    lines = _lines(export)
    checkpoints = [line for line in lines if json.loads(line)["type"] == "checkpoint"]
    kept = lines[: _entry_line(lines, 9)] + checkpoints
    export.write_text("".join(kept), encoding="utf-8")
    assert _verdict(export, key)[:2] == (9, "truncated")


def test_an_export_checkpoint_with_a_forged_signature_is_caught(export: Path, key):
    lines = _lines(export)
    record = json.loads(lines[-1])
    assert record["type"] == "checkpoint"
    record["signature"] = "11" * 64
    lines[-1] = json.dumps(record) + "\n"
    export.write_text("".join(lines), encoding="utf-8")
    assert _verdict(export, key)[:2] == (12, "bad_signature")


def test_the_store_was_not_touched_by_the_export_checks(log: Engine, export: Path, key):
    assert verify_log(log, key=key).ok
