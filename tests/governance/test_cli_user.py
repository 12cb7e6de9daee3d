"""``fairmark user``: exit codes 0/2, JSON output, tokens through --token and
FAIRMARK_TOKEN, one-line refusals with the store unchanged. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.governance._identity_support import PASSWORD, log_entries, snapshot
from typer.testing import CliRunner

from fairmark.cli.user import app


@pytest.fixture
def as_os_user(monkeypatch: pytest.MonkeyPatch, set_os_account):
    """Act as the operating-system account ``name`` (the real user id's login name)."""
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    set_os_account("alice")
    return set_os_account


def run(url: str, *args: str, token: str | None = None, env: dict | None = None, **kw: Any):
    extra = ["--token", token] if token is not None else []
    return CliRunner().invoke(app, [*args, "--db-url", url, *extra], env=env, **kw)


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _refused(result: Any, phrase: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert phrase in lines[0], lines[0]
    assert "Traceback" not in result.output
    if result.stdout:  # --format json: the same error as one JSON object on stdout
        error = json.loads(result.stdout)["error"]
        assert error["message"] == lines[0].removeprefix("error: ")
        assert error["exit_code"] == 2 and error["kind"] in ("access", "usage", "store")


def _admin_token(url: str) -> str:
    """On an empty store: the OS account becomes the first admin and gets a token (valid
    365 days, so the default 90-day tokens it creates do not outlive it)."""
    return _json(run(url, "token", "create", "--expires-days", "365", "--format", "json"))["token"]


def test_first_command_bootstraps_the_admin_and_prints_the_token_once(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    document = _json(run(store_url, "token", "create", "--label", "laptop", "--format", "json"))
    assert re.fullmatch(r"fmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}", document["token"])
    assert document["token"].startswith(f"fmk_{document['token_id']}_")
    assert document["user"] == "alice" and document["scopes"] == ["*"]
    assert document["label"] == "laptop" and document["status"] == "active"
    assert [e[1] for e in log_entries(gov_engine)] == ["user.bootstrap", "token.create"]
    listed = _json(run(store_url, "token", "list", "--format", "json", token=document["token"]))
    assert [t["token_id"] for t in listed] == [document["token_id"]]
    assert document["token"] not in json.dumps(listed)


def test_text_token_create_prints_only_the_token_on_stdout(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    result = run(store_url, "token", "create", "--scope", "read", "--expires-days", "7")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"fmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n", result.stdout)
    assert "shown only now" in result.stderr and "scopes read" in result.stderr


def test_users_are_managed_with_a_token_from_the_environment(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    env = {"FAIRMARK_TOKEN": _admin_token(store_url)}
    added = _json(
        run(
            store_url,
            "add",
            "rita",
            "--role",
            "reviewer",
            "--email",
            "rita@example.org",
            "--password-stdin",
            "--format",
            "json",
            env=env,
            input=PASSWORD + "\n",
        )
    )
    assert added["name"] == "rita" and added["role"] == "reviewer" and added["has_password"]
    assert PASSWORD not in json.dumps(added)
    record = _json(
        run(
            store_url,
            "training",
            "record",
            "rita",
            "--course",
            "AI literacy",
            "--completed",
            "2026-01-15",
            "--expires",
            "2030-01-15",
            "--evidence",
            "cert-9",
            "--format",
            "json",
            env=env,
        )
    )
    assert (record["completed_on"], record["expires_on"]) == ("2026-01-15", "2030-01-15")
    shown = _json(run(store_url, "show", "rita", "--format", "json", env=env))
    assert shown["user"]["name"] == "rita" and shown["ai_literacy_current"] is True
    assert shown["current_training"]["course"] == "AI literacy"
    users = _json(run(store_url, "list", "--format", "json", env=env))
    assert [u["name"] for u in users] == ["alice", "rita"]
    assert (
        _json(run(store_url, "set-role", "rita", "owner", "--format", "json", env=env))["role"]
        == "owner"
    )
    assert _json(run(store_url, "disable", "rita", "--format", "json", env=env))["enabled"] is False
    text = run(store_url, "show", "rita", env=env)
    assert text.exit_code == 0 and "AI literacy" in text.stdout and "disabled" in text.stdout


def test_refusals_exit_2_on_one_line_and_change_nothing(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    admin = _admin_token(store_url)
    _json(run(store_url, "add", "vic", "--role", "viewer", "--format", "json", token=admin))
    viewer = _json(
        run(store_url, "token", "create", "--user", "vic", "--format", "json", token=admin)
    )["token"]
    read_only = _json(
        run(store_url, "token", "create", "--scope", "read", "--format", "json", token=admin)
    )["token"]
    before = snapshot(gov_engine)
    cases = [
        (("add", "eve", "--role", "admin"), viewer, "user 'vic' (role viewer) may not user.manage"),
        (("add", "eve", "--role", "admin"), read_only, "is not scoped for user.manage"),
        (("add", "eve", "--role", "boss"), admin, "role 'boss' is not known"),
        (("add", "Eve", "--role", "viewer"), admin, "user name 'Eve' is not valid"),
        (("set-role", "alice", "viewer"), admin, "'alice' is the last enabled admin"),
        (("disable", "alice"), admin, "'alice' is the last enabled admin"),
        (("disable", "zed"), admin, "no user 'zed'; expected one of: alice, vic"),
        (("token", "create", "--scope", "user.manage"), viewer, "scope user.manage is beyond"),
        (("token", "create", "--scope", "nope"), admin, "unknown scope 'nope'"),
        (("token", "create", "--expires-days", "0"), admin, "expected 1 to 3650 days"),
        (
            ("token", "create", "--expires-days", "5", "--no-expiry"),
            admin,
            "--expires-days and --no-expiry both given",
        ),
        (("token", "revoke", "ffffffffffffffff"), admin, "no token fmk_ffffffffffffffff"),
        (("token", "list", "--user", "alice"), viewer, "may not user.read"),
        (
            ("training", "record", "vic", "--course", "C", "--completed", "2025-13-01"),
            admin,
            "--completed '2025-13-01' is not a date; expected YYYY-MM-DD",
        ),
        (
            ("training", "record", "vic", "--course", "C", "--completed", "2025-1-5"),
            admin,
            "--completed '2025-1-5' is not a date; expected YYYY-MM-DD",
        ),
        (
            ("training", "record", "vic", "--course", "C", "--completed", "2025-01-05"),
            viewer,
            "may not user.manage",
        ),
        (
            ("training", "record", "vic", "--course", "C", "--completed", "2999-01-05"),
            admin,
            "is in the future",
        ),
        (("list", "--format", "xml"), admin, "--format"),
        (("list",), "fmk_0123456789abcdef_" + "x" * 43, "token is not valid; expected a token"),
        (("list",), "garbage", "token is not valid"),
    ]
    for args, token, phrase in cases:
        result = run(store_url, *args, token=token)
        _refused(result, phrase)
        assert token not in result.stderr or token == "garbage"
    assert snapshot(gov_engine) == before


def test_revoked_token_is_refused_on_the_next_command(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    admin = _admin_token(store_url)
    spare = _json(run(store_url, "token", "create", "--format", "json", token=admin))
    revoked = _json(
        run(store_url, "token", "revoke", spare["token_id"], "--format", "json", token=admin)
    )
    assert revoked["status"] == "revoked" and revoked["revoked_at"] is not None
    _refused(
        run(store_url, "list", token=spare["token"]),
        f"token fmk_{spare['token_id']} was revoked at",
    )
    _refused(
        run(store_url, "token", "revoke", spare["token_id"], token=admin),
        f"token fmk_{spare['token_id']} was already revoked at",
    )


def test_local_account_after_users_exist(store_url: str, gov_engine: Engine, as_os_user) -> None:
    admin = _admin_token(store_url)
    _json(run(store_url, "add", "bob", "--role", "auditor", "--format", "json", token=admin))
    as_os_user("bob")
    result = run(store_url, "list", "--format", "json")
    if gov_engine.dialect.name == "postgresql":
        _refused(result, "this PostgreSQL store has users: set FAIRMARK_TOKEN or --token")
    else:
        assert [u["name"] for u in _json(result)] == ["alice", "bob"]
    as_os_user("mallory")
    result = run(store_url, "list")
    if gov_engine.dialect.name == "postgresql":
        _refused(result, "this PostgreSQL store has users")
    else:
        _refused(result, "operating-system account 'mallory' is not a user of this store")


def test_passwd_from_stdin_and_prompt(store_url: str, gov_engine: Engine, as_os_user) -> None:
    admin = _admin_token(store_url)
    ok = run(store_url, "passwd", "alice", "--password-stdin", token=admin, input=PASSWORD + "\n")
    assert ok.exit_code == 0, ok.output
    _refused(
        run(store_url, "passwd", "alice", "--password-stdin", token=admin, input="short\n"),
        "password has 5 characters; expected at least 12",
    )
    _refused(
        run(store_url, "passwd", "alice", "--password-stdin", token=admin, input=""),
        "no password on standard input",
    )
    prompted = run(store_url, "passwd", "alice", token=admin, input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert prompted.exit_code == 2 and "the two passwords differ" in prompted.stderr
    from fairmark.governance.users import verify_password

    assert verify_password(gov_engine, "alice", PASSWORD)
    assert PASSWORD not in ok.output


# ----------------------------------------------------------------------------- own tokens


def test_token_create_by_password_makes_the_users_own_token(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    admin = _admin_token(store_url)
    add = run(store_url, "add", "rahul", "--role", "reviewer", "--password-stdin", token=admin,
              input=PASSWORD + "\n")  # fmt: skip
    assert add.exit_code == 0, add.output
    as_os_user("mallory")  # not a user: the password alone proves who is acting
    # alice set rahul's password: a token made with it counts as issued by alice
    by_admin_pw = _json(run(store_url, "token", "create", "--user", "rahul", "--password-stdin",
                            "--format", "json", input=PASSWORD + "\n"))  # fmt: skip
    assert (by_admin_pw["user"], by_admin_pw["created_by"]) == ("rahul", "alice")
    # once rahul has set his own password (proving the current one), it is his own
    mine = PASSWORD + " of rahul"
    before = snapshot(gov_engine)
    one_line = run(store_url, "passwd", "rahul", "--current-password-stdin",
                   input=f"{PASSWORD}\n")  # fmt: skip
    _refused(one_line, "--current-password-stdin reads two lines from standard input, the "
                       "current password then the new one")  # fmt: skip
    assert snapshot(gov_engine) == before
    changed = run(store_url, "passwd", "rahul", "--current-password-stdin",
                  input=f"{PASSWORD}\n{mine}\n")  # fmt: skip
    assert changed.exit_code == 0, changed.output
    made = _json(run(store_url, "token", "create", "--user", "rahul", "--password-stdin",
                     "--format", "json", input=mine + "\n"))  # fmt: skip
    assert (made["user"], made["created_by"], made["scopes"]) == ("rahul", "rahul", ["*"])
    from fairmark.governance.identity import resolve_principal

    assert resolve_principal(gov_engine, token=made["token"]).issued_by == "rahul"
    listed = _json(run(store_url, "token", "list", "--format", "json", token=admin))
    assert {t["token_id"]: t["created_by"] for t in listed if t["user"] == "rahul"} == {
        by_admin_pw["token_id"]: "alice",
        made["token_id"]: "rahul",
    }
    text = run(store_url, "token", "list", token=admin)
    assert text.exit_code == 0 and "issued by" in text.stdout
    before = snapshot(gov_engine)
    for args, stdin, phrase in (
        (("--user", "rahul"), PASSWORD + "\n", "error: wrong user name or password"),
        (("--user", "nobody"), PASSWORD + "\n", "error: wrong user name or password"),
        ((), PASSWORD + "\n", "--password-stdin needs --user NAME"),
        (
            ("--user", "rahul", "--token", admin),
            PASSWORD + "\n",
            "--password-stdin and --token both given",
        ),
        (("--user", "rahul"), "", "no password on standard input"),
    ):
        result = run(store_url, "token", "create", "--password-stdin", *args, input=stdin)
        _refused(result, phrase)
    assert snapshot(gov_engine) == before


def test_first_admin_of_a_new_server_gets_a_first_token(
    store_url: str, gov_engine: Engine, seed_people, as_os_user
) -> None:
    from fairmark.governance.access import FIRST_TOKEN_HINT, SERVER_NEEDS_TOKEN

    # alice's first write (no token made) makes her the first admin: user.bootstrap
    _json(run(store_url, "add", "carol", "--role", "viewer", "--format", "json"))
    before = snapshot(gov_engine)
    listed = run(store_url, "list", "--format", "json")
    if gov_engine.dialect.name == "postgresql":
        _refused(listed, SERVER_NEEDS_TOKEN + FIRST_TOKEN_HINT)
        _refused(run(store_url, "add", "bob", "--role", "viewer"), FIRST_TOKEN_HINT.lstrip("; "))
    else:
        assert [u["name"] for u in _json(listed)] == ["alice", "carol"]
    assert snapshot(gov_engine) == before
    made = _json(run(store_url, "token", "create", "--format", "json"))
    assert (made["user"], made["created_by"], made["scopes"]) == ("alice", "alice", ["*"])
    if gov_engine.dialect.name == "postgresql":
        assert log_entries(gov_engine)[-1][4]["first_token"] is True
        _refused(run(store_url, "list"), SERVER_NEEDS_TOKEN)
        _refused(run(store_url, "token", "create"), SERVER_NEEDS_TOKEN)
    ok = run(store_url, "add", "bob", "--role", "viewer", token=made["token"])
    assert ok.exit_code == 0, ok.output


# ----------------------------------------------------------------------------- hardening


def test_a_token_cannot_create_a_wider_or_longer_lived_token(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    admin = _admin_token(store_url)
    acting = _json(run(store_url, "token", "list", "--format", "json", token=admin))[0]
    _json(run(store_url, "add", "bob", "--role", "admin", "--format", "json", token=admin))
    narrow = ("--scope", "user.manage", "--scope", "token.own", "--expires-days", "30")
    manage = _json(run(store_url, "token", "create", *narrow, "--format", "json", token=admin))
    limit = re.escape(acting["expires_at"][:10])
    before = snapshot(gov_engine)
    _refused(
        run(store_url, "token", "create", "--no-expiry", token=admin),
        f"the new token would never expire, after the token you act with "
        f"(fmk_{acting['token_id']}) expires at ",
    )
    result = run(store_url, "token", "create", "--expires-days", "400", token=admin)
    _refused(
        result, "a token cannot create one that outlives it, expected --expires-days 364 or fewer"
    )
    assert re.search(rf"would expire at 20\d\d-.* expires at {limit} ", result.stderr)
    _refused(
        run(store_url, "token", "create", "--user", "alice", "--expires-days", "7",
            token=manage["token"]),
        "are beyond what you hold (your role admin with token scopes token.own, user.manage); "
        "a token cannot do more than whoever creates it, expected at most: token.own, "
        "user.manage",
    )  # fmt: skip
    _refused(
        run(store_url, "token", "create", "--user", "bob", "--expires-days", "7",
            token=manage["token"]),
        "may not create a token for 'bob' (role admin): permissions consent.import, ",
    )  # fmt: skip
    assert snapshot(gov_engine) == before
    within = ("--user", "alice", "--scope", "user.manage", "--expires-days", "7")
    made = _json(
        run(store_url, "token", "create", *within, "--format", "json", token=manage["token"])
    )
    assert (made["user"], made["scopes"], made["created_by"]) == ("alice", ["user.manage"], "alice")


def test_disable_revokes_the_users_tokens_and_enable_does_not_revive_them(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    admin = _admin_token(store_url)
    _json(run(store_url, "add", "bob", "--role", "owner", "--format", "json", token=admin))
    bobs = _json(
        run(store_url, "token", "create", "--user", "bob", "--format", "json", token=admin)
    )
    assert run(store_url, "show", token=bobs["token"]).exit_code == 0
    _json(run(store_url, "disable", "bob", "--format", "json", token=admin))
    _json(run(store_url, "enable", "bob", "--format", "json", token=admin))
    _refused(
        run(store_url, "show", token=bobs["token"]), f"token fmk_{bobs['token_id']} was revoked"
    )
    listed = _json(
        run(store_url, "token", "list", "--user", "bob", "--format", "json", token=admin)
    )
    assert [(t["token_id"], t["status"]) for t in listed] == [(bobs["token_id"], "revoked")]
    assert [e[1:4] for e in log_entries(gov_engine)][-3:] == [
        ("user.disable", "user", "bob"),
        ("token.revoke", "token", bobs["token_id"]),
        ("user.enable", "user", "bob"),
    ]


def test_logname_naming_a_registered_user_does_not_act_as_them(
    store_url: str, gov_engine: Engine, seed_people, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No account lookup replaced here: the real user id running the tests acts."""
    import os
    import pwd

    real = pwd.getpwuid(os.getuid()).pw_name.lower()
    victim = "alice" if real != "alice" else "alicia"
    seed_people({victim: "admin"})
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    spoof = {var: victim for var in ("LOGNAME", "USER", "LNAME", "USERNAME")}
    before = snapshot(gov_engine)
    for args in (("list",), ("add", "eve", "--role", "admin")):
        result = run(store_url, *args, env=spoof)
        if gov_engine.dialect.name == "postgresql":
            _refused(result, "this PostgreSQL store has users: set FAIRMARK_TOKEN or --token")
        else:
            _refused(result, f"operating-system account {real!r} is not a user of this store")
    assert snapshot(gov_engine) == before


def test_passwd_refuses_a_common_password_with_zxcvbns_warning(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    admin = _admin_token(store_url)
    before = snapshot(gov_engine)
    for args in (("passwd", "alice"), ("add", "bob", "--role", "viewer")):
        result = run(store_url, *args, "--password-stdin", token=admin, input="password1234\n")
        _refused(
            result,
            "password is too easy to guess (zxcvbn score 1 of 4: This is a very common "
            "password.); expected a score of at least 4",
        )
        assert "password1234" not in result.output
    assert snapshot(gov_engine) == before


# ----------------------------------------------------------------------------- task HH


def test_a_later_admin_cannot_claim_a_first_token_by_account_name(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    """QA repro: after ``user add padm2 --role admin``, an OS account named padm2 got a
    ``*`` token on PostgreSQL. Only the bootstrap admin (alice) may."""
    _json(run(store_url, "add", "padm2", "--role", "admin", "--format", "json"))  # bootstraps
    as_os_user("padm2")
    before = snapshot(gov_engine)
    result = run(store_url, "token", "create", "--format", "json")
    if gov_engine.dialect.name != "postgresql":  # SQLite: the local account is the proof
        assert _json(result)["user"] == "padm2"
        return
    _refused(
        result,
        "only the store's first admin may create a first token by account name, and 'padm2' "
        "has neither a token nor a password: expected an admin to run 'fairmark user passwd "
        "padm2 --password-stdin' (then 'fairmark user token create --user padm2 "
        "--password-stdin') or 'fairmark user token create --user padm2'",
    )
    assert snapshot(gov_engine) == before
    as_os_user("alice")  # the bootstrap admin still gets a first token
    made = _json(run(store_url, "token", "create", "--format", "json"))
    assert (made["user"], made["scopes"]) == ("alice", ["*"])
    assert log_entries(gov_engine)[-1][4]["first_token"] is True


def test_set_role_refuses_to_demote_an_owner_of_a_system(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    from tests.governance._inventory_support import register

    from fairmark.governance.access import Principal

    admin = _admin_token(store_url)
    _json(run(store_url, "add", "oscar", "--role", "owner", "--format", "json", token=admin))
    register(gov_engine, Principal("alice", "admin"), name="sys4", owner="oscar")
    before = snapshot(gov_engine)
    _refused(
        run(store_url, "set-role", "oscar", "viewer", token=admin),
        "user 'oscar' owns AI system sys4, and a system's owner has role owner or admin, not "
        "viewer; expected it handed over first ('fairmark system update NAME --owner OTHER')",
    )
    assert snapshot(gov_engine) == before


def test_default_token_expiry_follows_the_acting_token(
    store_url: str, gov_engine: Engine, as_os_user
) -> None:
    """QA repro: ``user token create --user paud --token $ROOT`` failed (exit 2) because
    the default 90 days outlived the acting token."""
    root = _json(run(store_url, "token", "create", "--expires-days", "1", "--format", "json"))
    _json(run(store_url, "add", "paud", "--role", "auditor", "--format", "json",
              token=root["token"]))  # fmt: skip
    result = run(store_url, "token", "create", "--user", "paud", token=root["token"])
    assert result.exit_code == 0, result.output
    made = _json(run(store_url, "token", "list", "--user", "paud", "--format", "json",
                     token=root["token"]))  # fmt: skip
    assert [t["expires_at"] for t in made] == [root["expires_at"]]
    shown = root["expires_at"].replace("T", " ")[:16] + " UTC"
    assert f"expires with the token you act with, at {shown}" in result.stderr, result.stderr
    before = snapshot(gov_engine)
    _refused(
        run(store_url, "token", "create", "--user", "paud", "--expires-days", "90",
            token=root["token"]),
        "a token cannot create one that outlives it",
    )  # fmt: skip
    assert snapshot(gov_engine) == before
