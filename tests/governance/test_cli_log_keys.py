"""``fairmark log trust-key|distrust-key|keys|public-key``: two clients, two keys, one store.

SQLite and PostgreSQL. Each person's client has its own key file ($FAIRMARK_SIGNING_KEY);
people act through API tokens. On PostgreSQL a client whose key the store does not trust
signs nothing after a write (one note on stderr); on SQLite every client signs, as before.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.governance._log_helpers import log_state
from typer.testing import CliRunner

from fairmark.cli.log import app
from fairmark.cli.user import app as user_app
from fairmark.governance.keys import load_signing_key
from fairmark.governance.tokens import create_token


@pytest.fixture
def team(gov_engine: Engine, seed_people, tmp_path: Path, monkeypatch) -> dict[str, Any]:
    """Tokens of ada (admin), bob (owner), aldo (auditor); each with a key file path."""
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    people = seed_people({"ada": "admin", "bob": "owner", "aldo": "auditor"})
    out: dict[str, Any] = {}
    for name in people:
        _info, secret = create_token(gov_engine, user=name, principal=people["ada"])
        out[name] = secret
        out[f"{name}_key"] = tmp_path / name / "signing_key.pem"
    return out


def act(monkeypatch, team: dict[str, Any], who: str) -> None:
    """From now on, commands run on ``who``'s machine (their key file)."""
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(team[f"{who}_key"]))


def run(url: str, team: dict[str, Any], who: str, *args: str, application=app) -> Any:
    return CliRunner().invoke(application, [*args, "--db-url", url, "--token", team[who]])


def _json(result: Any, code: int = 0) -> Any:
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def _refused(result: Any, phrase: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert phrase in lines[0], lines[0]


def bob_writes(url: str, team: dict[str, Any], label: str) -> Any:
    """A write on bob's machine: his own new token (logged as token.create)."""
    args = ("token", "create", "--label", label, "--expires-days", "1")
    result = run(url, team, "bob", *args, application=user_app)
    assert result.exit_code == 0, result.output
    return result


def _note(key: Any) -> str:
    return (
        f"note: this client's signing key (fingerprint {key.fingerprint}) is not trusted by "
        f"the store; an admin runs 'fairmark log trust-key {key.public_hex} --label LABEL'"
    )


def test_two_clients_verify_clean_after_trust_key(
    store_url: str, gov_engine: Engine, team, monkeypatch, tmp_path: Path
):
    postgres = gov_engine.dialect.name == "postgresql"
    act(monkeypatch, team, "ada")
    first = _json(run(store_url, team, "ada", "checkpoint", "--format", "json"))
    ada = load_signing_key(team["ada_key"], create=False)

    act(monkeypatch, team, "bob")
    shown = CliRunner().invoke(app, ["public-key", "--db-url", store_url])
    assert shown.exit_code == 0, shown.output
    bob = load_signing_key(team["bob_key"], create=False)
    assert shown.stdout == bob.public_hex + "\n"
    assert f"fingerprint {bob.fingerprint}" in shown.stderr
    before = log_state(gov_engine)
    wrote = bob_writes(store_url, team, "bob-1")
    after = log_state(gov_engine)
    if postgres:  # bob's key is not trusted: the store keeps ada's checkpoints only
        assert _note(bob) in wrote.stderr.splitlines()
        assert (after[0], after[2]) == (before[0] + 1, before[2])
        # bob's key never signed here and is not registered: it pins nothing (QA: the
        # intact log used to be reported unknown_key); signatures are checked, a warning says so
        unpinned = _json(run(store_url, team, "bob", "verify", "--format", "json"))
        assert (unpinned["ok"], unpinned["trusted_keys"]) == (True, [])
        assert unpinned["warnings"][0] == (
            f"this client's signing key {bob.fingerprint} ({team['bob_key']}) has never signed "
            "a checkpoint of this log and is not registered in it, so no key is pinned: pass "
            "--public-key with the organisation's key fingerprint"
        )
    else:  # SQLite: every client signs, and ada does not know bob's key yet
        assert "note:" not in wrote.stderr
        assert after[2] == before[2] + 1
        act(monkeypatch, team, "ada")
        unknown = _json(run(store_url, team, "ada", "verify", "--format", "json"), code=1)
        assert unknown["first_bad"]["kind"] == "unknown_key"
        assert unknown["first_bad"]["message"].endswith(f"an unknown key {bob.fingerprint}")

    public_file = tmp_path / "bob.pub"
    public_file.write_text(shown.stdout)
    act(monkeypatch, team, "ada")
    trusted = _json(
        run(
            store_url, team, "ada", "trust-key", str(public_file), "--label", "bob laptop",
            "--format", "json",
        )
    )  # fmt: skip
    assert (trusted["key_fingerprint"], trusted["status"], trusted["label"]) == (
        bob.fingerprint,
        "trusted",
        "bob laptop",
    )
    act(monkeypatch, team, "bob")
    wrote = bob_writes(store_url, team, "bob-2")
    assert "note:" not in wrote.stderr  # now bob's client signs

    for who, root, other in (("ada", ada, bob), ("bob", bob, ada)):
        act(monkeypatch, team, who)
        document = _json(run(store_url, team, who, "verify", "--format", "json"))
        assert document["ok"] is True and document["first_bad"] is None
        assert document["trusted_keys"] == [root.fingerprint]
        assert document["keys_trusted_by_log"] == [other.fingerprint]
    text = run(store_url, team, "bob", "verify")
    assert text.exit_code == 0 and f"trusted by log   {ada.fingerprint}" in text.stdout

    listed = _json(run(store_url, team, "aldo", "keys", "--format", "json"))
    assert [(k["key_fingerprint"], k["status"], k["bootstrap"]) for k in listed] == [
        (ada.fingerprint, "trusted", True),
        (bob.fingerprint, "trusted", False),
    ]
    assert (listed[0]["seq"], listed[1]["seq"]) == (first["log_seq"], trusted["seq"])
    table = run(store_url, team, "aldo", "keys")
    assert table.exit_code == 0 and "bob laptop" in table.stdout

    # the JSONL export verifies offline from ada's published key alone
    export = tmp_path / "log.jsonl"
    assert run(store_url, team, "aldo", "export", "--out", str(export)).exit_code == 0
    offline = CliRunner().invoke(
        app, ["verify", "--file", str(export), "--public-key", ada.fingerprint, "--format", "json"]
    )
    assert _json(offline)["keys_trusted_by_log"] == [bob.fingerprint]


def test_distrust_key(store_url: str, gov_engine: Engine, team, monkeypatch):
    postgres = gov_engine.dialect.name == "postgresql"
    act(monkeypatch, team, "ada")
    assert run(store_url, team, "ada", "checkpoint").exit_code == 0
    ada = load_signing_key(team["ada_key"], create=False)
    bob = load_signing_key(team["bob_key"])
    assert run(store_url, team, "ada", "trust-key", bob.public_hex, "--label", "bob").exit_code == 0
    gone = run(store_url, team, "ada", "distrust-key", bob.fingerprint)
    assert gone.exit_code == 0, gone.output
    assert gone.stdout.startswith(f"key {bob.fingerprint} distrusted (entry ")
    distrusted_at = int(gone.stdout.split("(entry ")[1].split(")")[0])
    listed = _json(run(store_url, team, "ada", "keys", "--format", "json"))
    assert [(k["status"], k["distrusted_seq"]) for k in listed] == [
        ("trusted", None),
        ("distrusted", distrusted_at),
    ]

    act(monkeypatch, team, "bob")
    before = log_state(gov_engine)
    wrote = bob_writes(store_url, team, "after")
    act(monkeypatch, team, "ada")
    result = run(store_url, team, "ada", "verify", "--format", "json")
    if postgres:  # bob's client no longer signs
        assert _note(bob) in wrote.stderr.splitlines()
        assert log_state(gov_engine)[2] == before[2]
        assert _json(result)["ok"] is True
    else:  # SQLite: it does, and ada's verification names the withdrawal
        bad = _json(result, code=1)["first_bad"]
        assert bad["kind"] == "unknown_key"
        assert bad["message"].endswith(
            f"an unknown key {bob.fingerprint}, distrusted at entry {distrusted_at} "
            "(log.key.distrust)"
        )
    assert ada.fingerprint != bob.fingerprint


def test_key_commands_refuse_bad_input_and_change_nothing(
    store_url: str, gov_engine: Engine, team, monkeypatch, tmp_path: Path
):
    act(monkeypatch, team, "ada")
    assert run(store_url, team, "ada", "checkpoint").exit_code == 0
    ada = load_signing_key(team["ada_key"], create=False)
    bob = load_signing_key(team["bob_key"])
    before = log_state(gov_engine)
    _refused(
        run(store_url, team, "bob", "trust-key", bob.public_hex, "--label", "me"),
        "user 'bob' (role owner) may not log.checkpoint; it needs role admin",
    )
    _refused(
        run(store_url, team, "ada", "trust-key", "cafe", "--label", "x"),
        "public key 'cafe' is neither 64 hex digits nor a file",
    )
    _refused(
        run(store_url, team, "ada", "trust-key", str(team["bob_key"]), "--label", "x"),
        "holds a private key; expected a public key",
    )
    _refused(
        run(store_url, team, "ada", "trust-key", ada.fingerprint, "--label", "x"),
        "is the fingerprint of a key, not the key",
    )
    _refused(
        run(store_url, team, "ada", "trust-key", ada.public_hex, "--label", "again"),
        f"key {ada.fingerprint} is already trusted",
    )
    _refused(
        run(store_url, team, "ada", "distrust-key", ada.fingerprint),
        "is the store's last trusted key",
    )
    _refused(
        run(store_url, team, "aldo", "distrust-key", bob.fingerprint), "may not log.checkpoint"
    )
    missing = run(store_url, team, "ada", "trust-key", bob.public_hex)
    assert missing.exit_code == 2 and "--label" in missing.output
    assert log_state(gov_engine) == before
    listed = CliRunner().invoke(app, ["keys", "--db-url", store_url, "--token", team["aldo"]])
    assert listed.exit_code == 0 and "first checkpoint key (bootstrap)" in listed.stdout


def test_a_first_checkpoint_after_an_owners_write_registers_no_key(
    store_url: str, gov_engine: Engine, team, monkeypatch
):
    act(monkeypatch, team, "bob")
    wrote = bob_writes(store_url, team, "first")  # the owner's client signs: no registry yet
    assert "note:" not in wrote.stderr and log_state(gov_engine)[2] == 1
    assert _json(run(store_url, team, "aldo", "keys", "--format", "json")) == []
    listed = run(store_url, team, "aldo", "keys")
    assert listed.stdout.startswith("No registered checkpoint keys (every client signs;")


def test_the_first_checkpoint_after_an_admins_write_registers_the_admins_key(
    store_url: str, gov_engine: Engine, team, monkeypatch
):
    from fairmark.cli.user import app as users

    act(monkeypatch, team, "ada")
    added = run(store_url, team, "ada", "add", "carl", "--role", "viewer", application=users)
    assert added.exit_code == 0, added.output
    ada = load_signing_key(team["ada_key"], create=False)
    (record,) = _json(run(store_url, team, "aldo", "keys", "--format", "json"))
    assert (record["key_fingerprint"], record["registered_by"], record["bootstrap"]) == (
        ada.fingerprint,
        "ada",
        True,
    )
    entry = _json(
        run(store_url, team, "aldo", "show", "--action", "log.checkpoint", "--format", "json")
    )[0]
    assert entry["actor"] == "system" and entry["seq"] == record["seq"]


def test_public_key_prints_json_and_creates_the_key_file(tmp_path: Path):
    target = tmp_path / "new" / "key.pem"
    result = CliRunner().invoke(app, ["public-key", "--key", str(target), "--format", "json"])
    document = _json(result)
    key = load_signing_key(target, create=False)
    assert document == {
        "public_key": key.public_hex,
        "key_fingerprint": key.fingerprint,
        "path": str(target),
    }


def test_keys_shows_a_forged_registration_as_pending_and_names_the_root(
    store_url: str, gov_engine: Engine, team, monkeypatch, tmp_path: Path
):
    """QA: a ``log.key.trust`` appended with database access was listed as trusted."""
    from fairmark.governance.chain import append_entry
    from fairmark.store.db import write_transaction

    monkeypatch.setenv("COLUMNS", "250")
    act(monkeypatch, team, "ada")
    first = _json(run(store_url, team, "ada", "checkpoint", "--format", "json"))
    ada = load_signing_key(team["ada_key"], create=False)
    mal = load_signing_key(tmp_path / "mal.pem")
    with write_transaction(gov_engine) as conn:  # raw database access, no checkpoint
        forged = append_entry(
            conn,
            actor="ada",
            action="log.key.trust",
            entity_type="key",
            entity_id=mal.fingerprint,
            payload={
                "public_key": mal.public_hex,
                "key_fingerprint": mal.fingerprint,
                "label": "ada laptop",
                "by": "ada",
            },
        ).seq
    before = log_state(gov_engine)
    listed = _json(run(store_url, team, "aldo", "keys", "--format", "json"))
    fields = ("key_fingerprint", "status", "log_status", "covered_by", "root", "pending_seq")
    assert [tuple(k[f] for f in fields) for k in listed] == [
        (ada.fingerprint, "trusted", "trusted", None, ada.fingerprint, None),
        (mal.fingerprint, "pending", "trusted", None, None, forged),
    ]
    text = run(store_url, team, "aldo", "keys")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[-1] == f"roots: {ada.fingerprint} (local key file {team['ada_key']})"
    assert (
        f"{mal.fingerprint[:16]}… pending: entry {forged} is covered by no checkpoint of a "
        "trusted key; verification does not trust it (unknown_key)" in lines
    )
    assert f"{ada.fingerprint[:16]}… trusted: a root (local key file {team['ada_key']})" in lines
    # from ada's published key instead of a key file
    pinned = run(store_url, team, "aldo", "keys", "--public-key", ada.public_hex)
    assert pinned.stdout.splitlines()[-1] == f"roots: {ada.public_hex} (--public-key)"
    # a client without a key file has no root: nothing is judged
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "none" / "signing_key.pem"))
    bare = _json(run(store_url, team, "aldo", "keys", "--format", "json"))
    assert [k["status"] for k in bare] == ["unchecked", "unchecked"]
    bare_text = run(store_url, team, "aldo", "keys")
    assert bare_text.stdout.splitlines()[-1] == (
        "No root key, so no status is checked: pass --public-key with the organisation's key "
        "(or --key)."
    )
    assert log_state(gov_engine) == before  # listing writes nothing

    # ada trusts bob; her client's checkpoint covers the registration: bob is trusted
    act(monkeypatch, team, "ada")
    bob = load_signing_key(team["bob_key"])
    trusted = _json(
        run(store_url, team, "ada", "trust-key", bob.public_hex, "--label", "bob", "--format",
            "json")
    )  # fmt: skip
    listed = {k["key_fingerprint"]: k for k in _json(run(store_url, team, "aldo", "keys",
                                                         "--format", "json"))}  # fmt: skip
    covering = listed[bob.fingerprint]["covered_by"]
    assert covering is not None and covering >= trusted["seq"]
    assert (
        listed[bob.fingerprint]["status"],
        listed[bob.fingerprint]["status_seq"],
        listed[bob.fingerprint]["covered_by_key"],
        listed[bob.fingerprint]["root"],
    ) == ("trusted", trusted["seq"], ada.fingerprint, ada.fingerprint)
    assert first["log_seq"] == listed[ada.fingerprint]["seq"]
    assert (
        f"{bob.fingerprint[:16]}… trusted: entry {trusted['seq']}, covered by checkpoint "
        f"{covering} (key {ada.fingerprint[:16]}…), from root {ada.fingerprint[:16]}… (local "
        f"key file {team['ada_key']})"
    ) in run(store_url, team, "aldo", "keys").stdout.splitlines()


def test_trust_key_prints_the_verified_status_as_log_keys_does(
    store_url: str, gov_engine: Engine, team, monkeypatch
):
    """QA HI 3: ``trust-key`` printed ``status trusted`` while ``log keys`` said pending."""
    import fairmark.cli._governance as governance_cli

    monkeypatch.setenv("COLUMNS", "250")
    act(monkeypatch, team, "ada")
    assert run(store_url, team, "ada", "checkpoint").exit_code == 0
    ada = load_signing_key(team["ada_key"], create=False)
    bob = load_signing_key(team["bob_key"])
    carl = load_signing_key(team["ada_key"].parent.parent / "carl.pem")
    # no automatic checkpoint after the command: nothing covers the registration yet
    monkeypatch.setattr(governance_cli, "CHECKPOINT_EVERY", 1000)
    pending = _json(
        run(store_url, team, "ada", "trust-key", bob.public_hex, "--label", "bob", "--format",
            "json")
    )  # fmt: skip
    fields = ("key_fingerprint", "status", "log_status", "covered_by", "pending_seq")
    expected = (bob.fingerprint, "pending", "trusted", None, pending["seq"])
    assert tuple(pending[f] for f in fields) == expected
    listed = {k["key_fingerprint"]: k for k in _json(run(store_url, team, "aldo", "keys",
                                                         "--format", "json"))}  # fmt: skip
    assert listed[bob.fingerprint]["status"] == pending["status"] == "pending"
    text = run(store_url, team, "ada", "trust-key", carl.public_hex, "--label", "carl")
    assert text.exit_code == 0, text.output
    carl_seq = pending["seq"] + 1
    assert text.stdout.splitlines()[:3] == [
        f"key {carl.fingerprint} registered (entry {carl_seq})",
        "  label       carl",
        f"  status      pending: entry {carl_seq} is covered by no checkpoint of a trusted "
        "key; verification does not trust it (unknown_key)",
    ]
    # with the CLI's automatic checkpoint (by ada's trusted key) the registration is trusted
    monkeypatch.setattr(governance_cli, "CHECKPOINT_EVERY", 1)
    assert run(store_url, team, "ada", "distrust-key", carl.fingerprint).exit_code == 0
    again = run(store_url, team, "ada", "trust-key", carl.public_hex, "--label", "carl 2")
    assert again.exit_code == 0, again.output
    seq = int(again.stdout.split("(entry ")[1].split(")")[0])
    status = again.stdout.splitlines()[2]
    assert status.startswith(
        f"  status      trusted: entry {seq}, covered by checkpoint {seq} (key "
        f"{ada.fingerprint[:16]}…), from root {ada.fingerprint[:16]}… (local key file "
    ), status
    listed = {k["key_fingerprint"]: k for k in _json(run(store_url, team, "aldo", "keys",
                                                         "--format", "json"))}  # fmt: skip
    assert (listed[carl.fingerprint]["status"], listed[carl.fingerprint]["status_seq"]) == (
        "trusted",
        seq,
    )
