"""Separation of duties in identity: who issued a token, login by password, and the first
token of a PostgreSQL store's first admin. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, update
from tests.governance._identity_support import PASSWORD, log_entries, snapshot

from fairmark.governance.access import (
    FIRST_TOKEN_HINT,
    FIRST_TOKEN_SCOPES,
    SERVER_NEEDS_TOKEN,
    AccessError,
    Principal,
    is_first_token,
)
from fairmark.governance.identity import login, resolve_principal
from fairmark.governance.tokens import create_token, list_tokens, revoke_token
from fairmark.governance.users import add_user, set_password
from fairmark.store.models_governance import Token, User


def _is_pg(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


# ---------------------------------------------------------------------------- issued by


def test_a_token_records_who_issued_it(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"root": "admin", "rahul": "reviewer"})
    by_admin, token_a = create_token(gov_engine, user="rahul", principal=people["root"])
    own, token_b = create_token(gov_engine, user="rahul", principal=people["rahul"])
    assert (by_admin.created_by, own.created_by) == ("root", "rahul")
    assert resolve_principal(gov_engine, token=token_a).issued_by == "root"
    assert resolve_principal(gov_engine, token=token_b).issued_by == "rahul"
    listed = {t.token_id: t.to_dict()["created_by"] for t in
              list_tokens(gov_engine, principal=people["root"])}  # fmt: skip
    assert listed == {by_admin.token_id: "root", own.token_id: "rahul"}
    with gov_engine.connect() as conn:
        rows = dict(conn.execute(select(Token.token_id, Token.created_by)).all())
    assert rows == listed


# ---------------------------------------------------------------------------- login


def test_login_with_the_right_password(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"root": "admin"})
    add_user(gov_engine, name="rahul", role="reviewer", password=PASSWORD,
             principal=people["root"])  # fmt: skip
    principal = login(gov_engine, "rahul", PASSWORD)
    assert principal == Principal(name="rahul", role="reviewer", via="password")
    # root set that password: rahul replaces it with his own (else the token is root's)
    set_password(gov_engine, "rahul", PASSWORD + " mine", principal=principal)
    info, token = create_token(gov_engine, user="rahul", label="mine", principal=principal)
    assert info.created_by == "rahul" and info.scopes == ("*",)
    resolved = resolve_principal(gov_engine, token=token)
    assert (resolved.name, resolved.via, resolved.issued_by) == ("rahul", "token", "rahul")
    assert log_entries(gov_engine)[-1][:2] == ("rahul", "token.create")


def test_login_refusals_name_no_detail_and_write_nothing(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"root": "admin", "nopw": "viewer"})
    add_user(gov_engine, name="rahul", role="reviewer", password=PASSWORD,
             principal=people["root"])  # fmt: skip
    before = snapshot(gov_engine)
    for name, password in (("rahul", PASSWORD + "x"), ("nobody", PASSWORD), ("nopw", PASSWORD),
                           ("rahul", ""), ("rahul", None)):  # fmt: skip
        with pytest.raises(AccessError) as err:
            login(gov_engine, name, password)  # type: ignore[arg-type]
        assert str(err.value) == "wrong user name or password"
    with gov_engine.begin() as conn:
        conn.execute(update(User).where(User.name == "rahul").values(
            disabled_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)))  # fmt: skip
    before = snapshot(gov_engine)
    with pytest.raises(AccessError) as err:
        login(gov_engine, "rahul", PASSWORD)
    assert str(err.value) == (
        "user 'rahul' was disabled at 2030-01-02 03:04:05 UTC; expected an enabled user "
        "(ask an admin)"
    )
    with pytest.raises(AccessError, match=r"^wrong user name or password$"):
        login(gov_engine, "rahul", "not the password at all")
    assert snapshot(gov_engine) == before


def test_a_password_login_cannot_make_tokens_for_others_without_user_manage(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"root": "admin", "vic": "viewer"})
    add_user(gov_engine, name="rahul", role="reviewer", password=PASSWORD,
             principal=people["root"])  # fmt: skip
    principal = login(gov_engine, "rahul", PASSWORD)
    before = snapshot(gov_engine)
    with pytest.raises(AccessError, match=r"user 'rahul' \(role reviewer\) may not user\.manage"):
        create_token(gov_engine, user="vic", principal=principal)
    assert snapshot(gov_engine) == before


# ---------------------------------------------------------------------------- first token


def test_first_admin_without_token_may_create_only_their_first_token(
    gov_engine: Engine, seed_people
) -> None:
    # root's first write makes it the store's first admin (user.bootstrap in the log)
    bootstrap = Principal(name="root", role="admin", via="bootstrap")
    add_user(gov_engine, name="olly", role="owner", principal=bootstrap)
    principal = resolve_principal(gov_engine, os_user="root")
    if not _is_pg(gov_engine):  # a local file: the registered account acts as itself
        assert principal == Principal(name="root", role="admin", via="local")
        return
    assert principal == Principal(
        name="root", role="admin", via="local", scopes=FIRST_TOKEN_SCOPES
    )
    assert is_first_token(principal)
    before = snapshot(gov_engine)
    refused = SERVER_NEEDS_TOKEN + FIRST_TOKEN_HINT
    with pytest.raises(AccessError) as err:
        add_user(gov_engine, name="bob", role="viewer", principal=principal)
    assert str(err.value) == refused
    with pytest.raises(AccessError) as err:
        set_password(gov_engine, "root", PASSWORD, principal=principal)
    assert str(err.value) == refused
    with pytest.raises(AccessError) as err:
        create_token(gov_engine, user="olly", principal=principal)
    assert str(err.value) == refused
    assert snapshot(gov_engine) == before
    info, token = create_token(gov_engine, user="root", principal=principal)
    assert (info.user, info.scopes, info.created_by) == ("root", ("*",), "root")
    entry = log_entries(gov_engine)[-1]
    assert entry[:2] == ("root", "token.create") and entry[4]["first_token"] is True
    acting = resolve_principal(gov_engine, token=token)
    assert acting.scopes == frozenset({"*"}) and acting.issued_by == "root"
    add_user(gov_engine, name="bob", role="viewer", principal=acting)
    # the exception ends with the first token (even once it is revoked)
    revoke_token(gov_engine, info.token_id, principal=acting)
    with pytest.raises(AccessError) as err:
        resolve_principal(gov_engine, os_user="root")
    assert str(err.value) == SERVER_NEEDS_TOKEN
    before = snapshot(gov_engine)
    with pytest.raises(AccessError) as err:  # a stale first-token principal is refused too
        create_token(gov_engine, user="root", principal=principal)
    assert str(err.value) == SERVER_NEEDS_TOKEN
    assert snapshot(gov_engine) == before


@pytest.mark.parametrize("case", ["owner", "password", "disabled", "had_token", "unknown"])
def test_no_first_token_for_anyone_else(gov_engine: Engine, seed_people, case: str) -> None:
    # ann is the bootstrap admin (user.bootstrap), so only the case itself refuses her
    add_user(gov_engine, name="root", role="admin",
             principal=Principal(name="ann", role="admin", via="bootstrap"))  # fmt: skip
    people = {"root": Principal(name="root", role="admin"), **seed_people({"olly": "owner"})}
    account = {"owner": "olly", "unknown": "mallory"}.get(case, "ann")
    if case == "password":
        set_password(gov_engine, "ann", PASSWORD, principal=people["root"])
    elif case == "disabled":
        with gov_engine.begin() as conn:
            conn.execute(update(User).where(User.name == "ann").values(
                disabled_at=datetime.now(UTC)))  # fmt: skip
    elif case == "had_token":
        info, _ = create_token(gov_engine, user="ann", principal=people["root"])
        revoke_token(gov_engine, info.token_id, principal=people["root"])
    if not _is_pg(gov_engine):
        if case in ("owner", "password", "had_token"):
            assert resolve_principal(gov_engine, os_user=account).via == "local"
        return
    with pytest.raises(AccessError) as err:
        resolve_principal(gov_engine, os_user=account)
    assert str(err.value) == SERVER_NEEDS_TOKEN
