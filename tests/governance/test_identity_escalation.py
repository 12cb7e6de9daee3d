"""No privilege escalation through tokens and user management (issue #7 QA, task HD).

1. A token made with someone else's token inherits its issuer: self-issuance cannot be
   laundered through a child token or an own password set with an admin-issued token.
2. A principal gives no user more than it holds (user add/set-role/enable/disable/passwd,
   token create --user); a password an admin set makes no self-issued token.
3. An admin's default token for another user is the intersection of what both hold.
4. Scope errors name the user without a doubled quote.

SQLite and PostgreSQL; every refusal leaves the store unchanged.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update
from tests.governance._identity_support import PASSWORD, log_entries, snapshot
from tests.governance._review_support import SYSTEM, World, world  # noqa: F401 - fixture
from typer.testing import CliRunner

from fairmark.cli.user import app
from fairmark.governance.access import (
    AccessError,
    Principal,
    effective_permissions,
    permissions_of,
    require_holds,
)
from fairmark.governance.identity import resolve_principal
from fairmark.governance.review import decide, submit_review
from fairmark.governance.tokens import create_token
from fairmark.governance.users import add_user, password_setter, set_password
from fairmark.store.models_governance import Token

ADMIN = sorted(permissions_of("admin"))
MANAGE = ("--scope", "user.manage", "--scope", "token.own", "--expires-days", "1")
REVIEWER_BY_ADMIN = sorted(permissions_of("reviewer") - {"review.decide"})


@pytest.fixture(autouse=True)
def _no_env_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)


def run(w: World, *args: str, token: str | None = None, stdin: str | None = None) -> Any:
    extra = ["--token", token] if token is not None else []
    return CliRunner().invoke(app, [*args, "--db-url", w.url, *extra], input=stdin)


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _refused(w: World, before: Any, result: Any, message: str) -> None:
    """Exit 2, exactly one error line equal to ``error: message``, the store unchanged."""
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [f"error: {message}"]
    assert snapshot(w.engine) == before


def _root(w: World) -> str:
    """Ada's own '*' token (self-issued, 365 days)."""
    return create_token(w.engine, user="ada", expires_in_days=365, principal=w["ada"])[1]


def _open_review(w: World) -> int:
    w.register()
    w.audit()
    return submit_review(w.engine, SYSTEM, principal=w["olivia"]).review_id


def _issued_by(tid: str, issuer: str) -> str:
    return (
        f"token fmk_{tid} of 'rita' was issued by '{issuer}'; a reviewer decides with a token "
        "they created themselves (fairmark user token create --password-stdin)"
    )


def _beyond_manage(action: str, perms: list[str]) -> str:
    many = len(perms) > 1
    return (
        f"user 'ada' (role admin) may not {action}: permission{'s' if many else ''} "
        f"{', '.join(perms)} {'are' if many else 'is'} beyond what you hold (your role admin "
        "with token scopes token.own, user.manage); expected to hold every permission of "
        "that role (e.g. a token with scope '*')"
    )


# ---------------------------------------------------------------- 1. token laundering


def test_a_child_token_inherits_its_parents_issuer(world: World) -> None:  # noqa: F811
    rid = _open_review(world)
    root = _root(world)
    # QA: an admin issues a token A for rita ...
    a = _json(run(world, "token", "create", "--user", "rita", "--format", "json", token=root))
    assert (a["created_by"], a["scopes"]) == ("ada", REVIEWER_BY_ADMIN)
    # ... and A makes a child: its default '*' would decide, which A (ada's) cannot
    before = snapshot(world.engine)
    _refused(
        world,
        before,
        run(world, "token", "create", "--expires-days", "1", token=a["token"]),
        "scope review.decide is beyond what you hold (your role reviewer with token scopes "
        f"{', '.join(REVIEWER_BY_ADMIN)}); a token cannot do more than whoever creates it, "
        f"expected at most: {', '.join(REVIEWER_BY_ADMIN)}",
    )
    # a '*' token ada issued for rita before this fix still makes children, issued by ada
    legacy = _json(run(world, "token", "create", "--user", "rita", "--format", "json",
                       token=root))  # fmt: skip
    with world.engine.begin() as conn:
        conn.execute(update(Token).where(Token.token_id == legacy["token_id"]).values(scopes=["*"]))
    child = _json(run(world, "token", "create", "--expires-days", "2", "--format", "json",
                      token=legacy["token"]))  # fmt: skip
    assert (child["user"], child["created_by"], child["scopes"]) == ("rita", "ada", ["*"])
    assert log_entries(world.engine)[-1][:2] == ("rita", "token.create")
    assert log_entries(world.engine)[-1][4]["issued_by"] == "ada"
    acting = resolve_principal(world.engine, token=child["token"])
    assert (acting.via, acting.issued_by) == ("token", "ada")
    before = snapshot(world.engine)
    with pytest.raises(AccessError) as err:
        decide(world.engine, rid, "approve", "ok", principal=acting)
    assert str(err.value) == _issued_by(child["token_id"], "ada")
    assert snapshot(world.engine) == before
    # a grandchild too
    grandchild, _ = create_token(world.engine, user="rita", scopes=["read"], expires_in_days=1,
                                 principal=acting)  # fmt: skip
    assert grandchild.created_by == "ada"
    # a token rita made herself makes self-issued children, which decide
    _own, mine = create_token(world.engine, user="rita", expires_in_days=30,
                              principal=world["rita"])  # fmt: skip
    parent = resolve_principal(world.engine, token=mine)
    kid, kid_token = create_token(world.engine, user="rita", expires_in_days=1, principal=parent)
    assert kid.created_by == "rita" and "issued_by" not in log_entries(world.engine)[-1][4]
    kid_principal = resolve_principal(world.engine, token=kid_token)
    assert decide(world.engine, rid, "approve", "ok", principal=kid_principal).review_id == rid


def test_an_admin_issued_token_cannot_make_the_password_self_set(world: World) -> None:  # noqa: F811
    root = _root(world)
    a = _json(run(world, "token", "create", "--user", "rita", "--format", "json", token=root))
    changed = run(world, "passwd", "rita", "--password-stdin", token=a["token"],
                  stdin=PASSWORD + "\n")  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert log_entries(world.engine)[-1] == (
        "rita", "user.password", "user", "rita", {"name": "rita", "set_by": "ada"}
    )  # fmt: skip
    with world.engine.connect() as conn:
        assert password_setter(conn, "rita") == "ada"
    made = _json(run(world, "token", "create", "--user", "rita", "--password-stdin",
                     "--format", "json", stdin=PASSWORD + "\n"))  # fmt: skip
    assert made["created_by"] == "ada"


# ------------------------------------------------ 2. a scoped admin token escalates nothing


def test_a_user_manage_token_gives_nobody_more_than_it_holds(world: World) -> None:  # noqa: F811
    root = _root(world)
    m = _json(run(world, "token", "create", *MANAGE, "--format", "json", token=root))["token"]
    before = snapshot(world.engine)
    beyond_admin = sorted(set(ADMIN) - {"user.manage", "token.own"})
    beyond_reviewer = sorted(permissions_of("reviewer") - {"review.decide", "token.own"})
    beyond_owner = sorted(permissions_of("owner") - {"token.own"})
    beyond_viewer = sorted(permissions_of("viewer") - {"token.own"})
    cases = [
        (("add", "eve", "--role", "admin"), "add user 'eve' with role admin", beyond_admin),
        (("add", "eve", "--role", "viewer"), "add user 'eve' with role viewer", beyond_viewer),
        (("passwd", "sam", "--password-stdin"), "set the password of 'sam' (role reviewer)",
         beyond_reviewer),
        (("set-role", "vic", "owner"), "change the role of 'vic' from viewer to owner",
         beyond_owner),
        (("disable", "rita"), "disable 'rita' (role reviewer)", beyond_reviewer),
        (("token", "create", "--user", "olivia", "--expires-days", "1"),
         "create a token for 'olivia' (role owner)", beyond_owner),
    ]  # fmt: skip
    for args, action, perms in cases:
        stdin = PASSWORD + "\n" if "--password-stdin" in args else None
        _refused(world, before, run(world, *args, token=m, stdin=stdin),
                 _beyond_manage(action, perms))  # fmt: skip
    # the QA's root takeover: resetting another admin's password
    _json(run(world, "add", "bea", "--role", "admin", "--format", "json", token=root))
    before = snapshot(world.engine)
    _refused(world, before,
             run(world, "passwd", "bea", "--password-stdin", token=m, stdin=PASSWORD + "\n"),
             _beyond_manage("set the password of 'bea' (role admin)", beyond_admin))  # fmt: skip
    # a disabled admin: enabling it is giving all an admin holds
    _json(run(world, "disable", "bea", "--format", "json", token=root))
    before = snapshot(world.engine)
    _refused(world, before, run(world, "enable", "bea", token=m),
             _beyond_manage("enable 'bea' (role admin)", beyond_admin))  # fmt: skip
    # the '*' token may do all of it
    ok = _json(run(world, "add", "eve", "--role", "admin", "--format", "json", token=root))
    assert (ok["name"], ok["role"]) == ("eve", "admin")


def test_an_admin_set_password_makes_no_self_issued_token(world: World) -> None:  # noqa: F811
    rid = _open_review(world)
    root = _root(world)
    done = run(world, "passwd", "rita", "--password-stdin", token=root, stdin=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    assert log_entries(world.engine)[-1] == ("ada", "user.password", "user", "rita",
                                             {"name": "rita"})  # fmt: skip
    # the admin, knowing the password, logs in as rita: the token is ada's
    made = _json(run(world, "token", "create", "--user", "rita", "--password-stdin",
                     "--format", "json", stdin=PASSWORD + "\n"))  # fmt: skip
    assert (made["created_by"], made["scopes"]) == ("ada", ["*"])
    as_rita = resolve_principal(world.engine, token=made["token"])
    before = snapshot(world.engine)
    with pytest.raises(AccessError) as err:
        decide(world.engine, rid, "approve", "ok", principal=as_rita)
    assert str(err.value) == _issued_by(made["token_id"], "ada")
    assert snapshot(world.engine) == before
    # nor does a token made with that token, nor a password changed with it
    child, _ = create_token(world.engine, user="rita", expires_in_days=1, principal=as_rita)
    assert child.created_by == "ada"
    # rita sets her own password, proving the current one: now her tokens are her own
    own = PASSWORD + " of rita"
    before = snapshot(world.engine)
    _refused(world, before,
             run(world, "passwd", "rita", "--current-password-stdin", token=root,
                 stdin=f"{PASSWORD}\n{own}\n"),
             "--current-password-stdin and --token both given; expected one way to prove "
             "who you are")  # fmt: skip
    wrong = run(world, "passwd", "rita", "--current-password-stdin", stdin=f"{own}\n{own}\n")
    _refused(world, before, wrong, "wrong user name or password")
    changed = run(world, "passwd", "rita", "--current-password-stdin",
                  stdin=f"{PASSWORD}\n{own}\n")  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert log_entries(world.engine)[-1] == ("rita", "user.password", "user", "rita",
                                             {"name": "rita"})  # fmt: skip
    mine = _json(run(world, "token", "create", "--user", "rita", "--password-stdin",
                     "--format", "json", stdin=own + "\n"))  # fmt: skip
    assert mine["created_by"] == "rita"
    rita = resolve_principal(world.engine, token=mine["token"])
    assert decide(world.engine, rid, "approve", "ok", principal=rita).review_id == rid


def test_password_setter_reads_the_log(world: World) -> None:  # noqa: F811
    add_user(world.engine, name="pat", role="viewer", password=PASSWORD, principal=world["ada"])
    add_user(world.engine, name="nopw", role="viewer", principal=world["ada"])
    with world.engine.connect() as conn:
        assert password_setter(conn, "pat") == "ada"  # added with a password
        assert password_setter(conn, "nopw") is None
        assert password_setter(conn, "vic") is None  # seeded without any log entry
    set_password(world.engine, "pat", PASSWORD + " own", principal=Principal("pat", "viewer"))
    with world.engine.connect() as conn:
        assert password_setter(conn, "pat") == "pat"


def test_require_holds_compares_what_the_role_can_hold() -> None:
    star = Principal("ada", "admin", via="token", scopes=frozenset({"*"}), token_id="t")
    assert effective_permissions(star) == permissions_of("admin")
    # review.decide is never an admin's: a '*' admin appoints reviewers all the same
    require_holds(star, permissions_of("reviewer"), "add user 'rahul' with role reviewer")
    narrow = Principal("ada", "admin", via="token", scopes=frozenset({"read", "user.manage"}),
                       token_id="t")  # fmt: skip
    with pytest.raises(AccessError) as err:
        require_holds(narrow, permissions_of("viewer"), "add user 'v' with role viewer")
    assert str(err.value) == (
        "user 'ada' (role admin) may not add user 'v' with role viewer: permission token.own "
        "is beyond what you hold (your role admin with token scopes read, user.manage); "
        "expected to hold every permission of that role (e.g. a token with scope '*')"
    )


# ------------------------------------- 3. default tokens for others, 4. message wording


def test_an_admin_star_token_gives_a_reviewer_the_intersection(world: World) -> None:  # noqa: F811
    root = _root(world)
    text = run(world, "token", "create", "--user", "sam", "--expires-days", "7", token=root)
    assert text.exit_code == 0, text.output
    assert (
        f"scopes {', '.join(REVIEWER_BY_ADMIN)} (the default for another user: what both you "
        "and sam's role hold), expires "
    ) in " ".join(text.stderr.split())
    listed = _json(run(world, "token", "list", "--user", "sam", "--format", "json", token=root))
    assert [(t["scopes"], t["created_by"]) for t in listed] == [(REVIEWER_BY_ADMIN, "ada")]
    before = snapshot(world.engine)
    for scope in ("*", "review.decide"):
        _refused(
            world,
            before,
            run(world, "token", "create", "--user", "sam", "--scope", scope, token=root),
            "scope review.decide is beyond what you hold (your role admin with token scopes *); "
            "a token cannot do more than whoever creates it, expected at most: "
            f"{', '.join(REVIEWER_BY_ADMIN)}",
        )
    # an owner's whole role is within an admin's: still stored explicitly
    owner = _json(run(world, "token", "create", "--user", "olivia", "--format", "json",
                      token=root))  # fmt: skip
    assert owner["scopes"] == sorted(permissions_of("owner"))
    # 4. the role of the user is named without a doubled quote
    before = snapshot(world.engine)
    result = run(world, "token", "create", "--user", "olivia", "--scope", "user.manage",
                 token=root)  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: scope user.manage is beyond the role owner of user 'olivia'; a token narrows "
        "its user's permissions, expected one of: *, read, "
    )
    assert "''" not in result.stderr
    assert snapshot(world.engine) == before
