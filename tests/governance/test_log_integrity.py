"""Audit-log integrity fixes from QA (issue #7): no signature over a tampered log, safe
exports, no pinning by a key that never signed, ``log verify --file -``.

1. A deleted log tail went undetected once the signing machine wrote again: the next
   periodic checkpoint signed the rewritten head and moved the anchor past the evidence.
   Now :func:`fairmark.governance.log.sign_head` checks the anchor, the newest checkpoint
   and the unsigned tail first and signs nothing over a log that does not match.
2. ``log export --out`` replaced any file, including the store and the signing key.
3. A client whose key file exists but never signed (an auditor) reported an intact
   PostgreSQL log as ``unknown_key``.
4. ``log verify --file -`` reads the export from stdin.

SQLite and PostgreSQL (``store_url``); each test asserts exact values and that a refused
action changed nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from tests.governance._log_helpers import (
    append_many,
    log_state,
    rewrite_from,
    set_row,
    sign_with,
    unguarded,
)
from typer.testing import CliRunner

from fairmark.cli.log import app as log_app
from fairmark.cli.user import app as user_app
from fairmark.errors import UsageError
from fairmark.governance.access import Principal
from fairmark.governance.keys import SigningKey, load_signing_key
from fairmark.governance.log import (
    NOT_PINNED,
    LogIntegrityError,
    create_checkpoint,
    export_log,
    maybe_checkpoint,
    verify_log,
)
from fairmark.governance.log_anchor import (
    Anchor,
    anchor_path,
    read_anchor,
    store_key,
    write_anchor,
)
from fairmark.governance.log_keys import trust_key
from fairmark.governance.tokens import create_token
from fairmark.store.db import write_transaction
from fairmark.store.models_governance import LogEntryRow

ADMIN = Principal(name="ada", role="admin")


def _short(digest: str) -> str:
    return f"{digest[:12]}…"


def _refused_line(result: Any, code: int = 2) -> str:
    """The one ``error:`` line of a refused command (nothing on stdout)."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0].removeprefix("error: ")


# ----------------------------------------------------------------- 1. the QA reproduction


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This machine's signing key (the default key of every command)."""
    path = tmp_path / "keys" / "signing_key.pem"
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(path))
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    return path


def _cli(application: Any, url: str, *args: str, token: str | None = None) -> Any:
    extra = [] if token is None else ["--token", token]
    return CliRunner().invoke(application, [*args, "--db-url", url, *extra])


def _actions(engine: Engine) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(LogEntryRow.seq, LogEntryRow.action, LogEntryRow.entity_id).order_by(
                LogEntryRow.seq
            )
        ).all()
    return [(int(r.seq), r.action, r.entity_id) for r in rows]


def test_the_qa_repro_stays_detected_after_more_writes(
    store_url: str, gov_engine: Engine, key_file: Path, set_os_account
):
    """QA: add 4 users, disable u4; delete gov_log seq >= 10 and gov_checkpoints seq >= 9,
    re-enable u4; verify fails; 'user add u5', 'user add u6'; verify said intact.

    On SQLite exactly so (the local account acts); on PostgreSQL the first admin acts with
    a token, whose creation adds two entries (token.create and its checkpoint record)."""
    set_os_account("root")
    token = None
    if gov_engine.dialect.name == "postgresql":
        created = _cli(user_app, store_url, "token", "create", "--format", "json")
        assert created.exit_code == 0, created.output
        token = json.loads(created.stdout)["token"]
    n = 0 if token is None else 2  # entries before the first 'user add'

    def cli(application: Any, *args: str) -> Any:
        return _cli(application, store_url, *args, token=token)

    for name in ("u1", "u2", "u3", "u4"):
        assert cli(user_app, "add", name, "--role", "viewer").exit_code == 0
    assert cli(user_app, "disable", "u4").exit_code == 0
    cut = 10 + n  # the QA's entry 10: user.disable
    assert _actions(gov_engine)[cut - 2 :] == [
        (cut - 1, "log.checkpoint", str(cut - 2)),
        (cut, "user.disable", "u4"),
        (cut + 1, "log.checkpoint", str(cut)),
    ]
    anchor_file = anchor_path(key_file)
    signed = read_anchor(anchor_file, store_key(gov_engine.url))
    assert signed is not None and signed.seq == cut

    with unguarded(gov_engine) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq >= :cut"), {"cut": cut})
        conn.execute(text("DELETE FROM gov_checkpoints WHERE seq >= :cut"), {"cut": cut - 1})
        conn.execute(text("UPDATE gov_users SET disabled_at = NULL WHERE name = 'u4'"))
    anchored_bytes = anchor_file.read_bytes()
    first = cli(log_app, "verify", "--format", "json")
    assert first.exit_code == 1, first.output
    assert json.loads(first.stdout)["first_bad"]["seq"] == cut
    assert json.loads(first.stdout)["first_bad"]["kind"] == "truncated"

    for name in ("u5", "u6"):
        before = log_state(gov_engine)
        added = cli(user_app, "add", name, "--role", "viewer")
        assert added.exit_code == 0, added.output  # the write itself stands
        with gov_engine.connect() as conn:
            now = conn.execute(
                select(LogEntryRow.entry_hash).where(LogEntryRow.seq == cut)
            ).scalar_one()
        assert added.stderr.splitlines() == [
            "warning: no periodic checkpoint of the audit log was signed: the audit log does "
            f"not match its signed head (entry {cut}); run 'fairmark log verify' (entry {cut} "
            f"has hash {_short(now)} but this machine signed entry {cut} at "
            f"{signed.created_at} (anchor {anchor_file}) with hash {_short(signed.entry_hash)})"
        ]
        after = log_state(gov_engine)
        assert (after[0], after[2]) == (before[0] + 1, before[2])  # no checkpoint signed
        assert anchor_file.read_bytes() == anchored_bytes  # the anchor did not move

    result = cli(log_app, "verify", "--format", "json")
    assert result.exit_code == 1, result.output
    bad = json.loads(result.stdout)["first_bad"]
    assert (bad["seq"], bad["kind"]) == (cut, "altered")
    assert bad["message"].startswith(
        f"entry {cut} does not match the checkpoint this machine signed at {signed.created_at}"
    )

    before = log_state(gov_engine)
    line = _refused_line(cli(log_app, "checkpoint"), code=1)
    assert line.startswith(
        f"the audit log does not match its signed head (entry {cut}); run 'fairmark log "
        f"verify' (entry {cut} has hash "
    )
    assert log_state(gov_engine) == before
    assert anchor_file.read_bytes() == anchored_bytes


# ------------------------------------------------------------ 1. the checks, through the API


@pytest.fixture
def key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SigningKey:
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "default-key" / "signing_key.pem"))
    return load_signing_key(tmp_path / "keys" / "signing_key.pem")


@pytest.fixture
def log(gov_engine: Engine, key: SigningKey, seed_people) -> Engine:
    """Entries 1..21: checkpoints of 12 (record 13) and 20 (record 21), anchored at 20."""
    seed_people({"ada": "admin"})
    append_many(gov_engine, 12)
    assert create_checkpoint(gov_engine, key=key, principal=ADMIN).seq == 12
    append_many(gov_engine, 7, start=12)
    assert create_checkpoint(gov_engine, key=key, principal=ADMIN).seq == 20
    return gov_engine


def _refusal(engine: Engine, key: SigningKey, *, periodic: bool = True) -> str:
    """Try to sign (the command, and the periodic path when a checkpoint is due there);
    return the message; check that nothing moved."""
    before = log_state(engine)
    file = anchor_path(key.path)
    anchored = file.read_bytes() if file.exists() else None
    with pytest.raises(LogIntegrityError) as refused:
        create_checkpoint(engine, key=key, principal=ADMIN)
    if periodic:
        with pytest.raises(LogIntegrityError) as again, write_transaction(engine) as conn:
            maybe_checkpoint(conn, key, every=1)
        assert again.value.message == refused.value.message
    assert refused.value.exit_code == 1
    assert log_state(engine) == before
    assert (file.read_bytes() if file.exists() else None) == anchored
    return refused.value.message


def test_a_new_entry_after_a_deleted_tail_is_not_signed(log: Engine, key: SigningKey):
    signed = read_anchor(anchor_path(key.path), store_key(log.url))
    assert signed is not None
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints WHERE seq >= 20"))
        conn.execute(text("DELETE FROM gov_log WHERE seq >= 17"))
    assert _refusal(log, key) == (
        "the audit log does not match its signed head (entry 17); run 'fairmark log verify' "
        f"(the log ends at entry 16 but this machine signed entry 20 at {signed.created_at} "
        f"(anchor {anchor_path(key.path)}))"
    )
    append_many(log, 4, start=50)  # entries 17..20 again, with other hashes
    with log.connect() as conn:
        now = conn.execute(select(LogEntryRow.entry_hash).where(LogEntryRow.seq == 20)).scalar()
    assert _refusal(log, key) == (
        "the audit log does not match its signed head (entry 20); run 'fairmark log verify' "
        f"(entry 20 has hash {_short(now)} but this machine signed entry 20 at "
        f"{signed.created_at} (anchor {anchor_path(key.path)}) with hash "
        f"{_short(signed.entry_hash)})"
    )
    assert verify_log(log, key=key).first_bad.kind == "altered"


def test_a_deleted_newest_checkpoint_is_not_signed_over(log: Engine, key: SigningKey):
    signed = read_anchor(anchor_path(key.path), store_key(log.url))
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints WHERE seq = 20"))
        conn.execute(text("DELETE FROM gov_log WHERE seq = 21"))
    append_many(log, 1, start=60)
    assert _refusal(log, key) == (
        "the audit log does not match its signed head (entry 20); run 'fairmark log verify' "
        f"(the checkpoint of entry 20 is missing but this machine signed entry 20 at "
        f"{signed.created_at} (anchor {anchor_path(key.path)}))"
    )


def test_an_altered_unsigned_entry_is_not_signed(log: Engine, key: SigningKey):
    append_many(log, 2, start=70)  # entries 22, 23: not yet signed
    with unguarded(log) as conn:
        set_row(conn, 22, {"actor": "mallory"})  # not re-hashed
    assert _refusal(log, key) == (
        "the audit log does not match its signed head (entry 22); run 'fairmark log verify' "
        "(entry 22 was altered: its hash does not match its content)"
    )


def test_a_deleted_checkpoint_row_after_the_anchor_is_not_signed_over(
    log: Engine, key: SigningKey, tmp_path: Path
):
    """Another client's checkpoint (not trusted: not used as the start) is deleted while
    its log.checkpoint entry stays: the walk from the anchor sees it."""
    other = load_signing_key(tmp_path / "other" / "signing_key.pem")
    info = sign_with(log, other)
    assert (info.seq, info.log_seq) == (21, 22)
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints WHERE seq = 21"))
    assert _refusal(log, key) == (
        "the audit log does not match its signed head (entry 21); run 'fairmark log verify' "
        "(the checkpoint of entry 21 is missing (entry 22 records that it was made))"
    )


def test_an_untrusted_newer_checkpoint_is_not_the_start(
    log: Engine, key: SigningKey, tmp_path: Path
):
    """A checkpoint of a key neither this machine's nor registered does not vouch for the
    entries before it: the walk still starts at the anchor (entry 20)."""
    append_many(log, 2, start=100)  # entries 22, 23
    other = load_signing_key(tmp_path / "other" / "signing_key.pem")
    info = sign_with(log, other)
    assert (info.seq, info.log_seq) == (23, 24)
    with unguarded(log) as conn:
        set_row(conn, 22, {"actor": "mallory"})  # before the other key's checkpoint
    append_many(log, 1, start=102)  # entry 25: the periodic checkpoint is due
    assert _refusal(log, key) == (
        "the audit log does not match its signed head (entry 22); run 'fairmark log verify' "
        "(entry 22 was altered: its hash does not match its content)"
    )


def test_without_an_anchor_the_newest_checkpoint_must_match(log: Engine, key: SigningKey):
    anchor_path(key.path).unlink()  # e.g. a second machine holding a copy of the key
    with unguarded(log) as conn:
        rewrite_from(conn, 15, actor="mallory")  # re-hashed: the chain links again
    append_many(log, 1, start=90)  # a write: the periodic checkpoint is due
    with log.connect() as conn:
        now = conn.execute(select(LogEntryRow.entry_hash).where(LogEntryRow.seq == 20)).scalar()
    with log.connect() as conn:
        signed = conn.execute(
            text("SELECT entry_hash FROM gov_checkpoints WHERE seq = 20")
        ).scalar()
    assert _refusal(log, key) == (
        "the audit log does not match its signed head (entry 20); run 'fairmark log verify' "
        f"(entry 20 does not match the checkpoint of entry 20 (signed hash {_short(signed)}, "
        f"log has {_short(now)}): the log was rewritten between entries 1 and 20)"
    )
    assert not anchor_path(key.path).exists()


def test_a_checkpoint_beyond_the_head_is_not_signed_over(log: Engine, key: SigningKey):
    anchor_path(key.path).unlink()
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq >= 18"))
    assert _refusal(log, key, periodic=False) == (
        "the audit log does not match its signed head (entry 18); run 'fairmark log verify' "
        "(the log was truncated: it ends at entry 17 but the checkpoint of entry 20 was "
        "signed, so entries from 18 on were deleted)"
    )


def test_a_wiped_log_is_not_called_empty(log: Engine, key: SigningKey):
    signed = read_anchor(anchor_path(key.path), store_key(log.url))
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
        conn.execute(text("DELETE FROM gov_log"))
    before = anchor_path(key.path).read_bytes()
    with pytest.raises(LogIntegrityError) as refused:
        create_checkpoint(log, key=key, principal=ADMIN)
    assert refused.value.message == (
        "the audit log does not match its signed head (entry 1); run 'fairmark log verify' "
        f"(the log is empty (wiped) but this machine signed entry 20 at {signed.created_at} "
        f"(anchor {anchor_path(key.path)}))"
    )
    assert log_state(log) == (0, None, 0)
    assert anchor_path(key.path).read_bytes() == before


def test_an_intact_log_still_signs_and_moves_the_anchor(log: Engine, key: SigningKey):
    append_many(log, 3, start=80)
    info = create_checkpoint(log, key=key, principal=ADMIN)
    assert info.seq == 24
    assert read_anchor(anchor_path(key.path), store_key(log.url)).seq == 24
    assert verify_log(log, key=key).ok


def test_write_anchor_refuses_to_move_off_an_entry_the_log_lost(log: Engine, key: SigningKey):
    file = anchor_path(key.path)
    store = store_key(log.url)
    before = file.read_bytes()
    newer = Anchor(seq=30, entry_hash="b" * 64, created_at="t", key_fingerprint="f", signature="s")
    seen: list[int] = []

    def lost(current: Anchor) -> bool:
        seen.append(current.seq)
        return False

    with pytest.raises(LogIntegrityError) as refused:
        write_anchor(file, store, newer, holds=lost)
    assert refused.value.message == (
        "the audit log does not match its signed head (entry 20); run 'fairmark log verify' "
        f"(the log no longer holds entry 20 and its checkpoint as this machine signed them at "
        f"{read_anchor(file, store).created_at} (anchor {file}); the anchor is not moved)"
    )
    assert seen == [20]
    assert file.read_bytes() == before
    assert write_anchor(file, store, newer, holds=lambda current: True) is True
    assert read_anchor(file, store).seq == 30


# ------------------------------------------------------------------------ 2. log export --out


@pytest.fixture
def auditor(gov_engine: Engine, seed_people, key_file: Path) -> str:
    """aldo's (auditor) token, on a log with a checkpoint by ada."""
    people = seed_people({"ada": "admin", "aldo": "auditor"})
    append_many(gov_engine, 4)
    create_checkpoint(gov_engine, principal=people["ada"])
    return create_token(gov_engine, user="aldo", principal=people["ada"])[1]


def _export(url: str, token: str, *args: str) -> Any:
    return CliRunner().invoke(log_app, ["export", *args, "--db-url", url, "--token", token])


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_export_refuses_an_existing_file_without_force(
    store_url: str, gov_engine: Engine, auditor: str, tmp_path: Path
):
    out = tmp_path / "out" / "log.jsonl"
    out.parent.mkdir()
    out.write_text("keep me\n")
    before = log_state(gov_engine)
    assert _refused_line(_export(store_url, auditor, "--out", str(out))) == (
        f"--out {out} already exists; expected a new file name (or --force to replace it)"
    )
    assert out.read_text() == "keep me\n"
    assert log_state(gov_engine) == before
    replaced = _export(store_url, auditor, "--out", str(out), "--force", "--format", "json")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(out.read_text().splitlines()[0])["type"] == "header"
    assert json.loads(replaced.stdout)["n_entries"] == before[0]
    assert oct(os.stat(out).st_mode & 0o777) == oct(0o644)
    assert _leftovers(out.parent) == []


def test_export_never_replaces_the_store_the_key_or_its_anchor(
    store_url: str, gov_engine: Engine, auditor: str, key_file: Path, tmp_path: Path
):
    protected = [(key_file, "the signing key"), (anchor_path(key_file), "the signing key's anchor")]
    if gov_engine.dialect.name == "sqlite":
        protected.append((Path(gov_engine.url.database), "the store"))
    link = tmp_path / "innocent.jsonl"
    link.symlink_to(key_file)
    protected.append((link, "the signing key"))
    for target, what in protected:
        real = target.resolve()
        content = real.read_bytes()
        before = log_state(gov_engine)
        line = _refused_line(_export(store_url, auditor, "--out", str(target), "--force"))
        assert line == (
            f"--out {target} is {what} ({key_file if target == link else target}); expected "
            "another file name (not even --force replaces it)"
        )
        assert real.read_bytes() == content
        assert log_state(gov_engine) == before
    assert link.is_symlink()


def test_a_failed_export_leaves_nothing_behind(
    gov_engine: Engine, auditor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import fairmark.governance.log as log_module

    def broken(engine: Engine, handle: Any, since_seq: Any) -> Any:
        handle.write('{"type":"header"}\n')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(log_module, "_write_export", broken)
    folder = tmp_path / "exports"
    folder.mkdir()
    fresh = folder / "new.jsonl"
    with pytest.raises(UsageError) as failed:
        export_log(gov_engine, fresh)
    assert failed.value.message == (
        f"cannot write log export {fresh}: No space left on device; expected a writable path"
    )
    old = folder / "old.jsonl"
    old.write_text("previous export\n")
    with pytest.raises(UsageError, match=r"^cannot write log export "):
        export_log(gov_engine, old, force=True)
    assert sorted(p.name for p in folder.iterdir()) == ["old.jsonl"]
    assert old.read_text() == "previous export\n"


# ------------------------------------------------------------- 3. a key that never signed


def test_a_key_that_never_signed_pins_nothing(
    store_url: str, gov_engine: Engine, auditor: str, key_file: Path, tmp_path: Path, monkeypatch
):
    """aldo's machine has a key file of its own (an auditor, or a user before trust-key)."""
    aldo_key = load_signing_key(tmp_path / "aldo" / "signing_key.pem")
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(aldo_key.path))
    args = ["verify", "--format", "json", "--db-url", store_url, "--token", auditor]
    result = CliRunner().invoke(log_app, args)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["ok"], document["trusted_keys"], document["first_bad"]) == (True, [], None)
    assert document["warnings"][0] == NOT_PINNED.format(
        fingerprint=aldo_key.fingerprint, path=aldo_key.path
    )
    assert document["warnings"][-1].startswith("checkpoint keys were not checked")
    # signatures and the chain are still checked
    with unguarded(gov_engine) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq = 2"))
    bad = json.loads(CliRunner().invoke(log_app, args).stdout)["first_bad"]
    assert (bad["seq"], bad["kind"]) == (2, "missing")


def test_a_registered_key_is_a_root_before_it_signs(
    log: Engine, key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    rita = load_signing_key(tmp_path / "rita" / "signing_key.pem")
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(rita.path))
    unpinned = verify_log(log)
    assert (unpinned.ok, unpinned.trusted_keys) == (True, ())
    trust_key(log, rita.public_hex, label="rita laptop", principal=ADMIN)
    pinned = verify_log(log)
    assert pinned.trusted_keys == (rita.fingerprint,)
    assert not any(w.startswith("this client's signing key") for w in pinned.warnings)
    # a root that signed nothing yet trusts no other key: as documented, rita passes
    # --public-key with ada's key until her own first checkpoint covers ada's registration
    assert (pinned.first_bad.seq, pinned.first_bad.kind) == (12, "unknown_key")
    assert verify_log(log, public_keys=[key.fingerprint]).ok


def test_a_key_that_signed_stays_a_root_when_its_checkpoints_are_deleted(
    log: Engine, key: SigningKey, monkeypatch: pytest.MonkeyPatch
):
    """Deleting every checkpoint does not stop the local key from being pinned: the
    log.checkpoint entries name it, and so does the anchor beside it."""
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(key.path))
    anchor_file = anchor_path(key.path)
    anchored = anchor_file.read_bytes()
    anchor_file.unlink()
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
    by_entries = verify_log(log)  # no anchor, no checkpoint row: the entries name the key
    assert by_entries.trusted_keys == (key.fingerprint,)
    assert (by_entries.first_bad.seq, by_entries.first_bad.kind) == (12, "missing")
    with unguarded(log) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq > 12"))
    unpinned = verify_log(log)  # nothing names the key any more: a warning, not a pin
    assert (unpinned.ok, unpinned.trusted_keys) == (True, ())
    anchor_file.write_bytes(anchored)  # the anchor alone: pinned, and the cut shows
    by_anchor = verify_log(log)
    assert by_anchor.trusted_keys == (key.fingerprint,)
    assert (by_anchor.first_bad.seq, by_anchor.first_bad.kind) == (13, "truncated")


# ------------------------------------------------------------------ 4. log verify --file -


def test_verify_reads_an_export_from_stdin(
    store_url: str, gov_engine: Engine, auditor: str, key_file: Path
):
    exported = _export(store_url, auditor)  # --out - (default): stdout
    assert exported.exit_code == 0, exported.output
    fingerprint = load_signing_key(key_file, create=False).fingerprint
    args = ["verify", "--file", "-", "--public-key", fingerprint, "--format", "json"]
    ok = CliRunner().invoke(log_app, args, input=exported.stdout)
    assert ok.exit_code == 0, ok.output
    document = json.loads(ok.stdout)
    assert (document["ok"], document["source"]) == (True, "-")
    assert document["n_entries"] == log_state(gov_engine)[0]

    lines = exported.stdout.splitlines(keepends=True)
    record = json.loads(lines[2])
    record["actor"] = "mallory"
    lines[2] = json.dumps(record) + "\n"
    bad = CliRunner().invoke(log_app, args, input="".join(lines))
    assert bad.exit_code == 1, bad.output
    assert json.loads(bad.stdout)["first_bad"] == {
        "seq": 2,
        "kind": "altered",
        "message": "entry 2 was altered: its hash does not match its content",
    }
    garbage = CliRunner().invoke(log_app, ["verify", "--file", "-"], input="hello\n")
    assert _refused_line(garbage) == (
        "line 1 of - is not JSON; expected one JSON object per line (a fairmark log export)"
    )
    empty = CliRunner().invoke(log_app, ["verify", "--file", "-"], input="")
    assert _refused_line(empty) == "- is empty; expected a fairmark log export"
