"""QA task HH: only the bootstrap admin claims a first token by account name, a system's
owner keeps role owner or admin, context-specific passwords, and the default token expiry
clamped to the acting token. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update
from tests.governance._identity_support import PASSWORD, log_entries, snapshot
from tests.governance._inventory_support import register, set_row

from fairmark.errors import UsageError
from fairmark.governance.access import (
    FIRST_TOKEN_SCOPES,
    SERVER_NEEDS_TOKEN,
    AccessError,
    Principal,
)
from fairmark.governance.identity import bootstrap_admin, no_first_token, resolve_principal
from fairmark.governance.passwords import check_password
from fairmark.governance.tokens import create_token
from fairmark.governance.users import add_user, disable_user, set_password, set_role
from fairmark.store.models_governance import Token, User

ROOT = Principal(name="root", role="admin", via="bootstrap")


def _is_pg(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


# ---------------------------------------------------------------- 1. first token: bootstrap only


def test_only_the_bootstrap_admin_claims_a_first_token_by_account_name(
    gov_engine: Engine,
) -> None:
    add_user(gov_engine, name="padm2", role="admin", principal=ROOT)  # root bootstraps
    add_user(gov_engine, name="vic", role="viewer", principal=Principal("root", "admin"))
    set_role(gov_engine, "vic", "admin", principal=Principal("root", "admin"))  # promoted
    with gov_engine.connect() as conn:
        assert bootstrap_admin(conn) == "root"
    if not _is_pg(gov_engine):  # a local file: each registered account acts as itself
        assert resolve_principal(gov_engine, os_user="padm2") == Principal(
            name="padm2", role="admin", via="local"
        )
        return
    before = snapshot(gov_engine)
    for name in ("padm2", "vic"):
        with pytest.raises(AccessError) as err:
            resolve_principal(gov_engine, os_user=name)
        assert str(err.value) == no_first_token(name)
        assert str(err.value) == (
            f"{SERVER_NEEDS_TOKEN}; only the store's first admin may create a first token by "
            f"account name, and '{name}' has neither a token nor a password: expected an "
            f"admin to run 'fairmark user passwd {name} --password-stdin' (then 'fairmark "
            f"user token create --user {name} --password-stdin') or 'fairmark user token "
            f"create --user {name}'"
        )
        # a first-token principal made up for them is refused inside the transaction too
        forged = Principal(name=name, role="admin", via="local", scopes=FIRST_TOKEN_SCOPES)
        with pytest.raises(AccessError) as err:
            create_token(gov_engine, user=name, principal=forged)
        assert str(err.value) == SERVER_NEEDS_TOKEN
    assert snapshot(gov_engine) == before
    # the bootstrap admin still gets a first token
    first = resolve_principal(gov_engine, os_user="root")
    assert first == Principal(name="root", role="admin", via="local", scopes=FIRST_TOKEN_SCOPES)
    info, token = create_token(gov_engine, user="root", principal=first)
    assert (info.user, info.scopes) == ("root", ("*",))
    assert log_entries(gov_engine)[-1][4]["first_token"] is True
    # padm2 gets a token the ways the refusal names: an admin makes one for them
    acting = resolve_principal(gov_engine, token=token)
    _, made = create_token(gov_engine, user="padm2", principal=acting)
    assert resolve_principal(gov_engine, token=made).name == "padm2"


def test_the_bootstrap_admin_comes_from_the_log_not_from_a_column(gov_engine: Engine) -> None:
    add_user(gov_engine, name="padm2", role="admin", principal=ROOT)
    # whoever edits gov_users cannot move the bootstrap: the log still names root
    with gov_engine.begin() as conn:
        conn.execute(update(User).where(User.name == "root").values(role="viewer"))
    with gov_engine.connect() as conn:
        assert bootstrap_admin(conn) == "root"
    if _is_pg(gov_engine):
        with pytest.raises(AccessError) as err:
            resolve_principal(gov_engine, os_user="padm2")
        assert str(err.value) == no_first_token("padm2")
        with pytest.raises(AccessError) as err:  # root is no admin now: no first token
            resolve_principal(gov_engine, os_user="root")
        assert str(err.value) == SERVER_NEEDS_TOKEN


def test_users_inserted_without_the_log_have_no_bootstrap_admin(
    gov_engine: Engine, seed_people
) -> None:
    seed_people({"alice": "admin"})
    with gov_engine.connect() as conn:
        assert bootstrap_admin(conn) is None
    if _is_pg(gov_engine):
        with pytest.raises(AccessError) as err:
            resolve_principal(gov_engine, os_user="alice")
        assert str(err.value) == no_first_token("alice")


# ---------------------------------------------------------------- 2. owners keep their role


def test_set_role_refuses_to_demote_a_systems_owner(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"ada": "admin", "olivia": "owner", "oscar": "owner"})
    register(gov_engine, people["ada"], name="sys4", owner="oscar")
    register(gov_engine, people["ada"], name="sys5", owner="oscar")
    register(gov_engine, people["ada"], name="old", owner="olivia")
    before = snapshot(gov_engine)
    with pytest.raises(UsageError) as err:
        set_role(gov_engine, "oscar", "viewer", principal=people["ada"])
    assert str(err.value) == (
        "user 'oscar' owns AI systems sys4, sys5, and a system's owner has role owner or "
        "admin, not viewer; expected them handed over first ('fairmark system update NAME "
        "--owner OTHER')"
    )
    set_row(gov_engine, "sys5", status="retired")
    with pytest.raises(UsageError) as err:
        set_role(gov_engine, "oscar", "reviewer", principal=people["ada"])
    assert str(err.value) == (
        "user 'oscar' owns AI system sys4, and a system's owner has role owner or admin, not "
        "reviewer; expected it handed over first ('fairmark system update NAME --owner OTHER')"
    )
    set_row(gov_engine, "sys5", status="proposed")
    assert snapshot(gov_engine) == before
    # owner -> admin keeps them a valid owner
    assert set_role(gov_engine, "oscar", "admin", principal=people["ada"]).role == "admin"
    # only retired systems left: the demotion goes through
    set_row(gov_engine, "old", status="retired")
    assert set_role(gov_engine, "olivia", "viewer", principal=people["ada"]).role == "viewer"
    assert log_entries(gov_engine)[-1][4] == {
        "name": "olivia",
        "role": "viewer",
        "previous_role": "owner",
    }


def test_disabling_a_systems_owner_stays_allowed(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"ada": "admin", "oscar": "owner"})
    register(gov_engine, people["ada"], name="sys4", owner="oscar")
    assert disable_user(gov_engine, "oscar", principal=people["ada"]).enabled is False


# ---------------------------------------------------------------- 3. context-specific words


@pytest.mark.parametrize(
    ("password", "user", "related", "message"),
    [
        ("Summer2026!!", "sam", (), "zxcvbn score 3 of 4"),
        ("Welcome2026!!", "sam", (), "zxcvbn score 3 of 4"),
        ("Marketing2026!", "sam", (), "zxcvbn score 3 of 4"),
        ("Fairmark2026!", "sam", (), "zxcvbn score 2 of 4"),
        ("rosa-reviewer-2026", "rosa", ("reviewer",), "only words tied to this account"),
        ("Fairmark-Fairmark-2026-!!", "sam", (), "only words tied to this account"),
        ("jane.doe.fairmark.2026", "jd", ("jane.doe@acme.org",), "only words tied"),
    ],
)
def test_guessable_and_context_specific_passwords_are_refused(
    password: str, user: str, related: tuple[str, ...], message: str
) -> None:
    with pytest.raises(UsageError) as err:
        check_password(password, user=user, related=related)
    assert message in str(err.value) and password not in str(err.value)


def test_the_context_word_refusal_reads_exactly_and_changes_nothing(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"ada": "admin"})
    before = snapshot(gov_engine)
    with pytest.raises(UsageError) as err:  # the role is a context word
        add_user(gov_engine, name="rosa", role="reviewer", password="rosa-reviewer-2026",
                 principal=people["ada"])  # fmt: skip
    assert str(err.value) == (
        "password is only words tied to this account (the service name 'fairmark', the "
        "user's name, email, display name or role) with digits and punctuation; expected "
        "other words too (NIST SP 800-63B 5.1.1.2, context-specific words)"
    )
    with pytest.raises(UsageError, match=r"^password is only words tied"):
        set_password(gov_engine, "ada", "ada:admin:fairmark:2026", principal=people["ada"])
    assert snapshot(gov_engine) == before


@pytest.mark.parametrize(
    "password",
    [PASSWORD, PASSWORD + " of rahul", "rumpelstiltskin1987", "rosa quince vellum 2026"],
)
def test_reasonable_passphrases_still_pass(password: str) -> None:
    assert check_password(password, user="rosa", related=("reviewer",)) == password


# ---------------------------------------------------------------- 4. default expiry clamped


def test_default_expiry_is_clamped_to_the_acting_token(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"root": "admin", "paud": "auditor"})
    short, token = create_token(gov_engine, user="root", expires_in_days=1,
                                principal=people["root"])  # fmt: skip
    acting = resolve_principal(gov_engine, token=token)
    info, _ = create_token(gov_engine, user="paud", principal=acting)
    assert info.expires_at == short.expires_at
    entry = log_entries(gov_engine)[-1]
    assert entry[1] == "token.create" and entry[4]["expires_with"] == short.token_id
    # an explicit number of days is not shortened: refused, store unchanged
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match=r"a token cannot create one that outlives it"):
        create_token(gov_engine, user="paud", expires_in_days=90, principal=acting)
    assert snapshot(gov_engine) == before
    # a longer-lived acting token: the default 90 days, nothing clamped
    _, long_token = create_token(gov_engine, user="root", expires_in_days=365,
                                 principal=people["root"])  # fmt: skip
    made, _ = create_token(
        gov_engine, user="paud", principal=resolve_principal(gov_engine, token=long_token)
    )
    assert made.expires_at - made.created_at == timedelta(days=90)
    assert "expires_with" not in log_entries(gov_engine)[-1][4]
    with gov_engine.connect() as conn:
        assert conn.execute(select(Token.expires_at).where(
            Token.token_id == info.token_id)).scalar_one() == short.expires_at  # fmt: skip
