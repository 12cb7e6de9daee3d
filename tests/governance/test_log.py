"""The audit log API: reading, signed checkpoints, verification and export (both backends)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from tests.governance._log_helpers import append_many

from fairmark.errors import DataError, UsageError
from fairmark.governance.access import AccessError, Principal
from fairmark.governance.chain import GENESIS_HASH, append_entry
from fairmark.governance.keys import SigningKey, load_signing_key, verify_signature
from fairmark.governance.log import (
    BAD_KINDS,
    CheckpointInfo,
    checkpoint_statement,
    create_checkpoint,
    export_log,
    maybe_checkpoint,
    read_entries,
    verify_entries,
    verify_export,
    verify_log,
)
from fairmark.store.db import write_transaction
from fairmark.store.models_governance import Checkpoint, LogEntryRow

ADMIN = Principal(name="ada", role="admin")


@pytest.fixture(autouse=True)
def _key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default signing key lives in the test folder, never in ~/.config."""
    path = tmp_path / "default-key" / "signing_key.pem"
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(path))
    return path


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return load_signing_key(tmp_path / "keys" / "signing_key.pem")


@pytest.fixture
def people(seed_people) -> dict[str, Principal]:
    return seed_people(
        {"ada": "admin", "otto": "owner", "rita": "reviewer", "aldo": "auditor", "vic": "viewer"}
    )


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(LogEntryRow)).scalar_one(),
            conn.execute(select(func.count()).select_from(Checkpoint)).scalar_one(),
        )


# ----------------------------------------------------------------------------- reading


def test_read_entries_filters_and_orders_by_seq(gov_engine: Engine):
    append_many(gov_engine, 7)  # entity ids sys-0, sys-1, sys-2, sys-0, ...
    with write_transaction(gov_engine) as conn:
        append_entry(conn, actor="bob", action="review.submit", entity_type="review", entity_id="1")
    everything = read_entries(gov_engine)
    assert [e.seq for e in everything] == list(range(1, 9))
    assert everything[0].prev_hash == GENESIS_HASH
    assert everything[2].payload == {"i": 2, "note": "change 2 «Ω»", "ratio": 0.30000000000000004}
    assert [e.seq for e in read_entries(gov_engine, entity_type="system", entity_id="sys-0")] == [
        1,
        4,
        7,
    ]
    assert [e.seq for e in read_entries(gov_engine, action="review.submit")] == [8]
    assert [e.seq for e in read_entries(gov_engine, limit=3)] == [1, 2, 3]
    assert [e.seq for e in read_entries(gov_engine, limit=3, newest=True)] == [6, 7, 8]
    assert read_entries(gov_engine, entity_type="user") == []


def test_read_entries_filters_by_time(gov_engine: Engine):
    base = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    with write_transaction(gov_engine) as conn:
        for day in range(4):
            append_entry(
                conn,
                actor="ada",
                action="policy.version",
                entity_type="policy",
                entity_id="p",
                at=base + timedelta(days=day),
            )
    assert [e.seq for e in read_entries(gov_engine, since="2026-01-11")] == [2, 3, 4]
    assert [e.seq for e in read_entries(gov_engine, until="2026-01-12T12:00:00Z")] == [1, 2]
    naive = datetime(2026, 1, 11, 12, 0)  # naive means UTC
    assert [
        e.seq for e in read_entries(gov_engine, since=naive, until=base.date() + timedelta(3))
    ] == [2, 3]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "last tuesday"}, "since is 'last tuesday'; expected an ISO 8601 date"),
        ({"until": ""}, "until is ''; expected an ISO 8601 date"),
        ({"limit": 0}, "limit is 0; expected a whole number >= 1"),
        ({"limit": True}, "limit is True; expected a whole number >= 1"),
    ],
)
def test_read_entries_refuses_bad_filters(gov_engine: Engine, kwargs, message):
    with pytest.raises(UsageError, match=message):
        read_entries(gov_engine, **kwargs)


def test_reading_needs_log_read(gov_engine: Engine, people):
    append_many(gov_engine, 2)
    for name in ("ada", "otto", "rita", "aldo"):
        assert len(read_entries(gov_engine, principal=people[name])) == 2
    with pytest.raises(AccessError, match=r"user 'vic' \(role viewer\) may not log\.read"):
        read_entries(gov_engine, principal=people["vic"])
    with pytest.raises(AccessError, match=r"may not log\.read"):
        verify_log(gov_engine, principal=people["vic"])
    with pytest.raises(AccessError, match=r"may not log\.read"):
        export_log(gov_engine, io.StringIO(), principal=people["vic"])
    token = Principal(
        "aldo", "auditor", via="token", scopes=frozenset({"system.read"}), token_id="t1"
    )
    with pytest.raises(AccessError, match=r"token t1 is not scoped for log\.read"):
        verify_log(gov_engine, principal=token)


# ----------------------------------------------------------------------------- checkpoints


def test_a_checkpoint_signs_the_head_and_is_logged_after_it(gov_engine: Engine, key, people):
    append_many(gov_engine, 5)
    info = create_checkpoint(gov_engine, key=key, principal=people["ada"])
    head = read_entries(gov_engine)[4]
    assert (info.seq, info.entry_hash, info.log_seq) == (5, head.entry_hash, 6)
    assert (info.public_key, info.key_fingerprint) == (key.public_hex, key.fingerprint)
    statement = json.loads(info.statement())
    assert statement == {
        "log": "fairmark.gov_log",
        "seq": 5,
        "entry_hash": head.entry_hash,
        "created_at": info.created_at,
        "key_fingerprint": key.fingerprint,
    }
    assert info.statement() == checkpoint_statement(
        seq=5,
        entry_hash=head.entry_hash,
        created_at=info.created_at,
        key_fingerprint=key.fingerprint,
    )
    assert verify_signature(key.public_hex, info.statement(), info.signature)
    record = read_entries(gov_engine)[-1]
    assert (record.seq, record.actor, record.action) == (6, "ada", "log.checkpoint")
    assert (record.entity_type, record.entity_id) == ("checkpoint", "5")
    assert record.payload == {
        "seq": 5,
        "entry_hash": head.entry_hash,
        "key_fingerprint": key.fingerprint,
        # the store's first checkpoint, signed by an admin: its key is the first trusted one
        "trust": {
            "public_key": key.public_hex,
            "label": "first checkpoint key (bootstrap)",
            "by": "ada",
        },
    }
    assert _counts(gov_engine) == (6, 1)
    result = verify_log(gov_engine, key=key)
    assert result.ok
    assert (result.n_checkpoints, result.last_checkpoint_seq) == (1, 5)
    assert result.warnings == ()  # the checkpoint's own record is not "unsigned"
    assert info.to_dict()["log_seq"] == 6


def test_a_checkpoint_of_a_checkpoint_record(gov_engine: Engine, key, people):
    append_many(gov_engine, 1)
    first = create_checkpoint(gov_engine, key=key, principal=people["ada"])
    second = create_checkpoint(gov_engine, key=key, principal=people["ada"])
    assert (first.seq, second.seq, second.log_seq) == (1, 2, 3)
    assert verify_log(gov_engine, key=key).ok


def test_the_default_key_is_created_and_trusted(gov_engine: Engine, people, _key_env: Path):
    append_many(gov_engine, 2)
    assert not _key_env.exists()
    info = create_checkpoint(gov_engine, principal=people["ada"])
    assert _key_env.exists()
    assert info.key_fingerprint == load_signing_key(_key_env, create=False).fingerprint
    result = verify_log(gov_engine)
    assert result.ok
    assert result.trusted_keys == (info.key_fingerprint,)


def test_without_any_trusted_key_the_keys_are_not_checked_and_it_says_so(
    gov_engine: Engine, key, people
):
    append_many(gov_engine, 2)
    create_checkpoint(gov_engine, key=key, principal=people["ada"])
    result = verify_log(gov_engine)  # default key file does not exist
    assert result.ok
    assert result.trusted_keys == ()
    assert result.warnings == (
        "checkpoint keys were not checked against a trusted key (pass --public-key with the "
        "organisation's published key fingerprint)",
    )


def test_only_admins_make_checkpoints_and_a_refusal_writes_nothing(gov_engine: Engine, key, people):
    append_many(gov_engine, 3)
    for name in ("otto", "rita", "aldo", "vic"):
        with pytest.raises(AccessError, match=f"user '{name}' .* may not log.checkpoint"):
            create_checkpoint(gov_engine, key=key, principal=people[name])
    assert _counts(gov_engine) == (3, 0)


def test_an_empty_log_is_not_checkpointed_and_nothing_is_written(gov_engine: Engine, key, people):
    with pytest.raises(UsageError, match="the audit log is empty: there is nothing to checkpoint"):
        create_checkpoint(gov_engine, key=key, principal=people["ada"])
    assert _counts(gov_engine) == (0, 0)


def test_a_bad_key_file_is_refused_before_anything_is_written(
    gov_engine: Engine, people, tmp_path: Path
):
    append_many(gov_engine, 1)
    bad = tmp_path / "not-a-key.pem"
    bad.write_text("hello")
    with pytest.raises(UsageError, match="is not an unencrypted PEM private key"):
        create_checkpoint(gov_engine, key=bad, principal=people["ada"])
    assert _counts(gov_engine) == (1, 0)


def test_the_first_checkpoint_bootstraps_the_admin_of_a_store_without_users(
    gov_engine: Engine, key
):
    append_many(gov_engine, 1)
    boot = Principal(name="local-admin", role="admin", via="bootstrap")
    info = create_checkpoint(gov_engine, key=key, principal=boot)
    actions = [e.action for e in read_entries(gov_engine)]
    assert actions == ["system.update", "user.bootstrap", "log.checkpoint"]
    assert info.seq == 2  # the bootstrap entry is signed too
    assert verify_log(gov_engine, key=key).ok


def test_periodic_checkpoints(gov_engine: Engine, key):
    def step() -> CheckpointInfo | None:
        with write_transaction(gov_engine) as conn:
            append_entry(
                conn, actor="ada", action="system.update", entity_type="system", entity_id="s"
            )
            return maybe_checkpoint(conn, key, every=5)

    made = [step() for _ in range(12)]
    signed = [(i + 1, m.seq, m.log_seq) for i, m in enumerate(made) if m is not None]
    # call 5 appends entry 5: checkpoint of 5 (record 6); call 10 appends entry 11, the
    # fifth after 5 (the checkpoint's own record 6 does not count): checkpoint of 11
    assert signed == [(5, 5, 6), (10, 11, 12)]
    with write_transaction(gov_engine) as conn:
        assert maybe_checkpoint(conn, None, every=1) is None
        with pytest.raises(
            UsageError, match="checkpoint interval is 0; expected a whole number >= 1"
        ):
            maybe_checkpoint(conn, key, every=0)
    records = read_entries(gov_engine, action="log.checkpoint")
    assert [(r.actor, r.entity_id) for r in records] == [("system", "5"), ("system", "11")]
    assert verify_log(gov_engine, key=key).ok


# ----------------------------------------------------------------------------- verification


def test_an_empty_log_verifies(gov_engine: Engine, key):
    result = verify_log(gov_engine, key=key)
    assert result.ok
    assert (result.n_entries, result.head_seq, result.head_hash) == (0, None, None)
    assert result.warnings == ("the log is empty",)
    assert set(BAD_KINDS) >= {"missing", "truncated", "unknown_key"}


def test_a_log_without_checkpoints_is_ok_with_a_warning_when_no_key_is_known(
    gov_engine: Engine, key
):
    """No trusted key (no --public-key, no key file): unsigned is a warning, not a failure;
    with a trusted key the same log fails (``no_checkpoint``, see test_log_anchor.py)."""
    append_many(gov_engine, 3)
    result = verify_log(gov_engine)  # the default key file does not exist
    assert result.trusted_keys == ()
    assert result.ok
    assert result.warnings == (
        "no checkpoint: the 3 entries are not signed, so deleting the newest of them would "
        "go unnoticed (run 'fairmark log checkpoint')",
    )
    document = result.to_dict()
    assert document["ok"] is True
    assert document["head_seq"] == 3
    assert document["head_hash"] == read_entries(gov_engine)[-1].entry_hash
    assert document["first_bad"] is None


def test_verification_streams_in_chunks(gov_engine: Engine, key, people, monkeypatch):
    import fairmark.governance.log as log_module

    monkeypatch.setattr(log_module, "CHUNK_SIZE", 4)
    append_many(gov_engine, 9)
    create_checkpoint(gov_engine, key=key, principal=people["ada"])
    append_many(gov_engine, 2)
    result = verify_log(gov_engine, key=key)
    assert result.ok
    assert (result.n_entries, result.head_seq) == (12, 12)
    assert result.warnings == ("2 entries after the last checkpoint (entry 9) are not yet signed",)


def test_public_keys_must_be_hex(gov_engine: Engine):
    with pytest.raises(UsageError, match="public key 'abc' is not 64 hex digits"):
        verify_log(gov_engine, public_keys=["abc"])


# ----------------------------------------------------------------------------- export


def test_export_round_trip_and_offline_verification(
    gov_engine: Engine, key, people, tmp_path: Path
):
    append_many(gov_engine, 4)
    cp = create_checkpoint(gov_engine, key=key, principal=people["ada"])
    append_many(gov_engine, 1, start=4)
    out = tmp_path / "out" / "log.jsonl"
    info = export_log(gov_engine, out)
    text = out.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["type"] == "header"
    assert (lines[0]["log"], lines[0]["format"], lines[0]["since_seq"]) == (
        "fairmark.gov_log",
        1,
        None,
    )
    entries = [line for line in lines if line["type"] == "entry"]
    assert [{k: v for k, v in e.items() if k != "type"} for e in entries] == [
        e.to_dict() for e in read_entries(gov_engine)
    ]
    assert [line["type"] for line in lines[-1:]] == ["checkpoint"]
    assert lines[-1] == {
        "type": "checkpoint",
        "log": "fairmark.gov_log",
        "seq": 4,
        "entry_hash": cp.entry_hash,
        "created_at": cp.created_at,
        "key_fingerprint": key.fingerprint,
        "public_key": key.public_hex,
        "signature": cp.signature,
    }
    import hashlib

    assert info.to_dict() == {
        "out": str(out),
        "n_entries": 6,
        "n_checkpoints": 1,
        "first_seq": 1,
        "last_seq": 6,
        "head_hash": entries[-1]["entry_hash"],
        "since_seq": None,
        "sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
    }
    assert not list(out.parent.glob(".*partial"))
    offline = verify_export(out, public_keys=[key.fingerprint])
    assert offline.ok
    assert offline.source == str(out)
    assert (offline.n_entries, offline.head_seq, offline.last_checkpoint_seq) == (6, 6, 4)
    assert offline.warnings == ("1 entry after the last checkpoint (entry 4) is not yet signed",)
    assert verify_export(out, public_keys=["cd" * 32]).first_bad.kind == "unknown_key"
    # verify_entries on the JSON itself (evidence bundles)
    checkpoints = [line for line in lines if line["type"] == "checkpoint"]
    assert verify_entries(entries, checkpoints, [key.public_hex]).ok


def test_export_to_a_stream_and_since(gov_engine: Engine, key, people, tmp_path: Path):
    append_many(gov_engine, 3)
    create_checkpoint(gov_engine, key=key, principal=people["ada"])  # of 3, record 4
    append_many(gov_engine, 3, start=3)  # 5..7
    create_checkpoint(gov_engine, key=key, principal=people["ada"])  # of 7, record 8
    stream = io.StringIO()
    info = export_log(gov_engine, stream, since_seq=4)
    assert (info.out, info.sha256, info.first_seq, info.last_seq) == ("-", None, 5, 8)
    assert (info.n_entries, info.n_checkpoints) == (4, 1)
    part = tmp_path / "part.jsonl"
    part.write_text(stream.getvalue(), encoding="utf-8")
    result = verify_export(part, public_keys=[key.fingerprint])
    assert result.ok
    assert result.warnings == (
        "the entries start at entry 5: entries before it are not included and the link of "
        "entry 5 to entry 4 is not checked",
    )
    # a partial export with its first entry dropped is still caught
    lines = part.read_text(encoding="utf-8").splitlines(keepends=True)
    part.write_text(lines[0] + "".join(lines[2:]), encoding="utf-8")
    assert verify_export(part).first_bad.message == "entry 5 is missing (the log starts at entry 6)"


def test_export_refuses_bad_arguments(gov_engine: Engine, tmp_path: Path):
    with pytest.raises(UsageError, match="--since is -1; expected a whole number >= 0"):
        export_log(gov_engine, io.StringIO(), since_seq=-1)
    with pytest.raises(UsageError, match="is a folder; expected a file name"):
        export_log(gov_engine, tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty; expected a fairmark log export"),
        ("not json\n", "line 1 of .* is not JSON"),
        ('{"type": "entry"}\n', "line 1 of .* is not the export header"),
        ('{"type": "header", "log": "other", "format": 1}\n', "is an export of log 'other'"),
        (
            '{"type": "header", "log": "fairmark.gov_log", "format": 1}\n{"type": "x"}\n',
            "line 2 of .* is not a header, entry or checkpoint",
        ),
        (
            '{"type": "header", "log": "fairmark.gov_log", "format": 1}\n'
            '{"type": "entry", "seq": 1}\n',
            "line 2 of .* has no field 'created_at'",
        ),
        (
            '{"type": "header", "log": "fairmark.gov_log", "format": 1}\n'
            '{"type": "checkpoint", "seq": "1"}\n',
            "line 2 of .*: field 'seq' is str; expected int",
        ),
    ],
)
def test_a_file_that_is_not_an_export_is_bad_input(tmp_path: Path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        verify_export(path)


def test_a_missing_export_file_is_bad_input(tmp_path: Path):
    with pytest.raises(UsageError, match=r"cannot read log export .*nope\.jsonl"):
        verify_export(tmp_path / "nope.jsonl")


def test_a_checkpoint_made_while_verifying_or_exporting_is_no_false_alarm(
    gov_engine: Engine, key, people, monkeypatch, tmp_path: Path
):
    """The checkpoint row is read before the entries; one committed in between has its
    ``log.checkpoint`` entry read but not its row: it is re-read, not called deleted."""
    import fairmark.governance.log as log_module

    append_many(gov_engine, 3)
    create_checkpoint(gov_engine, key=key, principal=people["ada"])
    real = log_module._read_checkpoints
    calls: list[int] = []

    def first_read_misses_it(engine: Engine) -> list[CheckpointInfo]:
        calls.append(1)
        return [] if len(calls) == 1 else real(engine)

    monkeypatch.setattr(log_module, "_read_checkpoints", first_read_misses_it)
    result = verify_log(gov_engine, key=key)
    assert result.ok, result.first_bad
    assert len(calls) == 2
    calls.clear()
    out = tmp_path / "race.jsonl"
    assert export_log(gov_engine, out).n_checkpoints == 1
    assert verify_export(out, public_keys=[key.fingerprint]).ok
    # without the second read, the same situation would be reported as a deleted checkpoint
    monkeypatch.setattr(log_module, "_read_checkpoints", lambda engine: [])
    assert verify_log(gov_engine, key=key).first_bad.message == (
        "the checkpoint of entry 3 is missing (entry 4 records that it was made)"
    )
