"""``fairmark log``: exit codes 0/1/2, JSON output, roles, offline verification of an export.

SQLite and PostgreSQL. People act through API tokens (``--token``), as on a shared server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from tests.governance._log_helpers import append_many, unguarded
from typer.testing import CliRunner

from fairmark.cli.log import app
from fairmark.governance.keys import load_signing_key
from fairmark.governance.tokens import create_token
from fairmark.store.models_governance import Checkpoint, LogEntryRow


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The store's signing key (the default key file of every command here)."""
    path = tmp_path / "keys" / "signing_key.pem"
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(path))
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    return path


@pytest.fixture
def tokens(gov_engine: Engine, seed_people, key_file: Path) -> dict[str, str]:
    """Tokens of ada (admin), otto (owner), aldo (auditor), vic (viewer); 6 log entries."""
    people = seed_people({"ada": "admin", "otto": "owner", "aldo": "auditor", "vic": "viewer"})
    append_many(gov_engine, 6)
    out = {}
    for name in people:
        _info, secret = create_token(gov_engine, user=name, principal=people["ada"])
        out[name] = secret
    return out


def run(url: str, *args: str, token: str | None = None) -> Any:
    extra = ["--token", token] if token is not None else []
    return CliRunner().invoke(app, [*args, "--db-url", url, *extra])


def run_offline(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _json(result: Any, code: int = 0) -> Any:
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def _refused(result: Any, phrase: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert phrase in lines[0], lines[0]


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(LogEntryRow)).scalar_one(),
            conn.execute(select(func.count()).select_from(Checkpoint)).scalar_one(),
        )


# ----------------------------------------------------------------------------- checkpoint


def test_checkpoint_then_verify(store_url: str, gov_engine: Engine, tokens, key_file: Path):
    n_before = _counts(gov_engine)[0]  # the token entries are logged too
    document = _json(run(store_url, "checkpoint", "--format", "json", token=tokens["ada"]))
    key = load_signing_key(key_file, create=False)
    assert (document["seq"], document["log_seq"]) == (n_before, n_before + 1)
    assert document["key_fingerprint"] == key.fingerprint
    assert _counts(gov_engine) == (n_before + 1, 1)

    verified = _json(run(store_url, "verify", "--format", "json", token=tokens["aldo"]))
    assert verified["ok"] is True
    assert verified["first_bad"] is None
    assert (verified["n_entries"], verified["last_checkpoint_seq"]) == (n_before + 1, n_before)
    assert verified["trusted_keys"] == [key.fingerprint]

    shown = run(store_url, "verify", token=tokens["otto"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("audit log intact (store)")
    assert f"last checkpoint  {n_before}" in shown.stdout


def test_checkpoint_text_output(store_url: str, tokens):
    result = run(store_url, "checkpoint", token=tokens["ada"])
    assert result.exit_code == 0, result.output
    assert "checkpoint of entry" in result.stdout
    assert "signed (recorded as entry" in result.stdout


@pytest.mark.parametrize("who", ["otto", "aldo", "vic"])
def test_only_an_admin_checkpoints(store_url: str, gov_engine: Engine, tokens, who):
    before = _counts(gov_engine)
    _refused(run(store_url, "checkpoint", token=tokens[who]), "may not log.checkpoint")
    assert _counts(gov_engine) == before


def test_an_empty_log_is_not_checkpointed(
    store_url: str, gov_engine: Engine, key_file, set_os_account
):
    set_os_account("root")
    _refused(run(store_url, "checkpoint"), "the audit log is empty")
    assert _counts(gov_engine) == (0, 0)  # not even the bootstrap admin was written


# ----------------------------------------------------------------------------- verify


def test_tampering_exits_1_and_names_the_first_bad_entry(store_url: str, gov_engine, tokens):
    with unguarded(gov_engine) as conn:
        conn.execute(text("DELETE FROM gov_log WHERE seq = 3"))
    result = run(store_url, "verify", token=tokens["aldo"])
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0] == (
        "audit log TAMPERED at entry 3 (missing): entry 3 is missing (seq jumps from 2 to 4)"
    )
    document = _json(run(store_url, "verify", "--format", "json", token=tokens["aldo"]), code=1)
    assert document["ok"] is False
    assert document["first_bad"] == {
        "seq": 3,
        "kind": "missing",
        "message": "entry 3 is missing (seq jumps from 2 to 4)",
    }


def test_untrusted_and_malformed_public_keys(store_url: str, tokens, tmp_path: Path):
    assert run(store_url, "checkpoint", token=tokens["ada"]).exit_code == 0
    other = "ab" * 32
    result = run(
        store_url, "verify", "--public-key", other, "--format", "json", token=tokens["aldo"]
    )
    document = _json(result, code=1)
    assert document["first_bad"]["kind"] == "unknown_key"
    assert document["trusted_keys"] == [other]
    _refused(
        run(store_url, "verify", "--public-key", "xyz", token=tokens["aldo"]),
        "public key 'xyz' is not 64 hex digits",
    )
    _refused(
        run(store_url, "verify", "--key", str(tmp_path / "none.pem"), token=tokens["aldo"]),
        "none.pem does not exist",
    )


def test_a_viewer_may_not_read_the_log(store_url: str, tokens, tmp_path: Path):
    for args in (["verify"], ["show"], ["export", "--out", str(tmp_path / "x.jsonl")]):
        _refused(
            run(store_url, *args, token=tokens["vic"]), "user 'vic' (role viewer) may not log.read"
        )
    assert not (tmp_path / "x.jsonl").exists()


def test_bad_format_is_refused(store_url: str, tokens):
    _refused(run(store_url, "verify", "--format", "yaml", token=tokens["aldo"]), "--format")


# ----------------------------------------------------------------------------- export


def test_export_and_verify_offline(
    store_url: str, gov_engine: Engine, tokens, tmp_path: Path, key_file
):
    assert run(store_url, "checkpoint", token=tokens["ada"]).exit_code == 0
    out = tmp_path / "export.jsonl"
    info = _json(
        run(store_url, "export", "--out", str(out), "--format", "json", token=tokens["aldo"])
    )
    n = _counts(gov_engine)[0]
    assert (info["n_entries"], info["n_checkpoints"], info["last_seq"]) == (n, 1, n)
    fingerprint = load_signing_key(key_file, create=False).fingerprint

    ok = run_offline("verify", "--file", str(out), "--public-key", fingerprint, "--format", "json")
    document = _json(ok)
    assert (document["ok"], document["source"], document["n_entries"]) == (True, str(out), n)

    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[2])  # entry 2
    record["actor"] = "mallory"
    lines[2] = json.dumps(record) + "\n"
    out.write_text("".join(lines), encoding="utf-8")
    bad = run_offline("verify", "--file", str(out), "--public-key", fingerprint)
    assert bad.exit_code == 1, bad.output
    assert bad.stdout.splitlines()[0] == (
        "audit log TAMPERED at entry 2 (altered): entry 2 was altered: its hash does not "
        "match its content"
    )


def test_export_to_stdout(store_url: str, tokens):
    result = run(store_url, "export", "--since", "2", token=tokens["aldo"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["type"] == "header"
    assert lines[0]["since_seq"] == 2
    assert lines[1]["seq"] == 3
    assert result.stderr.startswith("exported ")


def test_verify_file_bad_input(tmp_path: Path):
    not_export = tmp_path / "notes.txt"
    not_export.write_text("hello\n")
    _refused(run_offline("verify", "--file", str(not_export)), "line 1 of")
    _refused(
        run_offline("verify", "--file", str(tmp_path / "nope.jsonl")), "cannot read log export"
    )
    _refused(
        run_offline("verify", "--file", str(not_export), "--key", str(tmp_path / "k.pem")),
        "--key is for a store",
    )


# ----------------------------------------------------------------------------- show


def test_show_filters(store_url: str, tokens):
    document = _json(
        run(store_url, "show", "--entity", "system:sys-1", "--format", "json", token=tokens["otto"])
    )
    assert [(e["entity_id"], e["payload"]["i"]) for e in document] == [("sys-1", 1), ("sys-1", 4)]
    newest = _json(run(store_url, "show", "--limit", "2", "--format", "json", token=tokens["otto"]))
    assert len(newest) == 2 and newest[0]["seq"] < newest[1]["seq"]
    table = run(
        store_url, "show", "--action", "system.update", "--limit", "1", token=tokens["otto"]
    )
    assert table.exit_code == 0, table.output
    assert "system:sys-2" in table.stdout
    empty = run(store_url, "show", "--action", "nothing.here", token=tokens["otto"])
    assert empty.stdout.strip() == "No matching log entries."
    _refused(
        run(store_url, "show", "--entity", ":x", token=tokens["otto"]), "--entity ':x' has no type"
    )
    _refused(run(store_url, "show", "--since", "soon", token=tokens["otto"]), "since is 'soon'")


# ----------------------------------------------------------------------------- anchor


def test_a_cli_write_leaves_the_log_signed_to_its_last_entry(
    store_url: str, gov_engine: Engine, tokens, key_file: Path
):
    """``fairmark user add`` appends entries; the session then signs a checkpoint of its
    last entry (CHECKPOINT_EVERY = 1), recorded beside the key."""
    from fairmark.cli.user import app as user_app
    from fairmark.governance.log_anchor import anchor_path, read_anchor, store_key

    def head_and_checkpoint() -> tuple[int, int | None]:
        with gov_engine.connect() as conn:
            return (
                conn.execute(select(func.max(LogEntryRow.seq))).scalar_one(),
                conn.execute(select(func.max(Checkpoint.seq))).scalar(),
            )

    added = CliRunner().invoke(
        user_app,
        ["add", "rita", "--role", "reviewer", "--db-url", store_url, "--token", tokens["ada"]],
    )
    assert added.exit_code == 0, added.output
    head, signed = head_and_checkpoint()
    assert signed == head - 1  # the last entry is the checkpoint's own log.checkpoint
    with gov_engine.connect() as conn:
        last = conn.execute(select(LogEntryRow.__table__).where(LogEntryRow.seq == head)).one()
    assert (last.action, last.entity_id) == ("log.checkpoint", str(head - 1))
    anchor = read_anchor(anchor_path(key_file), store_key(gov_engine.url))
    assert anchor is not None and anchor.seq == head - 1
    # a reading command and the checkpoint command itself add no further checkpoint
    assert run(store_url, "show", token=tokens["aldo"]).exit_code == 0
    assert head_and_checkpoint() == (head, head - 1)
    assert run(store_url, "checkpoint", token=tokens["ada"]).exit_code == 0
    assert head_and_checkpoint() == (head + 1, head)  # its own record, not one more
    assert _json(run(store_url, "verify", "--format", "json", token=tokens["aldo"]))["ok"]


def test_verify_with_a_bundle_checkpoint_as_anchor(
    store_url: str, gov_engine: Engine, tokens, key_file: Path, tmp_path: Path
):
    from fairmark.governance.log_anchor import anchor_path

    document = _json(run(store_url, "checkpoint", "--format", "json", token=tokens["ada"]))
    bundle_checkpoint = tmp_path / "checkpoint.json"  # as in an evidence bundle
    bundle_checkpoint.write_text(json.dumps(document))
    anchor_path(key_file).unlink()  # the auditor's machine: no local anchor
    key = load_signing_key(key_file, create=False)
    args = ["verify", "--public-key", key.fingerprint, "--anchor", str(bundle_checkpoint)]
    assert run(store_url, *args, token=tokens["aldo"]).exit_code == 0
    with unguarded(gov_engine) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
        conn.execute(text("DELETE FROM gov_log WHERE seq >= :s"), {"s": document["seq"]})
    result = run(store_url, *args, "--format", "json", token=tokens["aldo"])
    bad = _json(result, code=1)["first_bad"]
    assert (bad["seq"], bad["kind"]) == (document["seq"], "truncated")
    assert bad["message"] == (
        f"the log was truncated: the log ends at entry {document['seq'] - 1} but this machine "
        f"signed entry {document['seq']} at {document['created_at']} "
        f"(anchor {bundle_checkpoint})"
    )
    _refused(
        run(store_url, "verify", "--anchor", str(tmp_path / "nope.json"), token=tokens["aldo"]),
        "does not exist; expected an anchor file",
    )


def test_a_wiped_store_fails_verification(store_url: str, gov_engine: Engine, tokens):
    assert run(store_url, "checkpoint", token=tokens["ada"]).exit_code == 0
    with unguarded(gov_engine) as conn:
        conn.execute(text("DELETE FROM gov_checkpoints"))
        conn.execute(text("DELETE FROM gov_log"))
    result = run(store_url, "verify", token=tokens["aldo"])
    assert result.exit_code == 1, result.output
    assert "(truncated): the log was truncated: the log is empty (wiped)" in result.stdout
