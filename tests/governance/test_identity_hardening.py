"""Access hardening from the new-user QA of issue #7: a token never mints a wider or
longer-lived token; disabling a user revokes their tokens for good; the operating-system
account is the real user id, not ``$LOGNAME``/``$USER``; common passwords are refused.
Each refusal leaves the store unchanged. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select, update
from tests.governance._identity_support import PASSWORD, log_entries, snapshot

from fairmark.errors import UsageError
from fairmark.governance import identity
from fairmark.governance.access import SERVER_NEEDS_TOKEN, AccessError, permissions_of
from fairmark.governance.chain import default_actor
from fairmark.governance.identity import fmt_time, os_account, resolve_principal
from fairmark.governance.passwords import check_password, needs_rehash
from fairmark.governance.tokens import _check_within_expiry, create_token, list_tokens, revoke_token
from fairmark.governance.users import (
    add_user,
    disable_user,
    enable_user,
    set_password,
    verify_password,
)
from fairmark.store.models_governance import Token, User

pwd = pytest.importorskip("pwd")  # the POSIX password database (not on Windows)

REAL_ACCOUNT = pwd.getpwuid(os.getuid()).pw_name
VICTIM = "alice" if REAL_ACCOUNT.lower() != "alice" else "alicia"
"""A registered user name that is not the account running the tests."""


def _token_principal(engine: Engine, people: dict, user: str, **kwargs: Any):
    """Create a token for ``user`` (issued by themself) and resolve it."""
    info, token = create_token(engine, user=user, principal=people[user], **kwargs)
    return info, resolve_principal(engine, token=token)


# ------------------------------------------------------------- 1. no token outlives its maker


def test_a_token_cannot_create_a_token_that_expires_later(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"ada": "admin", "vic": "viewer"})
    acting, principal = _token_principal(gov_engine, people, "ada", expires_in_days=30)
    assert acting.expires_at is not None
    limit = fmt_time(acting.expires_at)
    before = snapshot(gov_engine)
    for user in ("ada", "vic"):  # their own token, and one for another user
        with pytest.raises(UsageError) as err:
            create_token(gov_engine, user=user, expires_in_days=None, principal=principal)
        assert str(err.value) == (
            f"the new token would never expire, after the token you act with "
            f"(fmk_{acting.token_id}) expires at {limit}; a token cannot create one that "
            "outlives it, expected --expires-days 29 or fewer"
        )
        for days in (90, 31):
            with pytest.raises(UsageError) as err:
                create_token(gov_engine, user=user, expires_in_days=days, principal=principal)
            message = str(err.value)
            assert message.startswith("the new token would expire at 20"), message
            assert message.endswith(
                f", after the token you act with (fmk_{acting.token_id}) expires at {limit}; "
                "a token cannot create one that outlives it, expected --expires-days 29 or fewer"
            ), message
        # 30 days from a moment after the acting token was made: later, if only just
        with pytest.raises(UsageError, match=r"^the new token would expire at 20"):
            create_token(gov_engine, user=user, expires_in_days=30, principal=principal)
    assert snapshot(gov_engine) == before
    made, _ = create_token(gov_engine, user="vic", expires_in_days=29, principal=principal)
    assert made.expires_at is not None and made.expires_at <= acting.expires_at
    assert made.created_by == "ada"


def test_the_expiry_refusal_names_both_times_and_the_longest_expiry_allowed(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"ada": "admin"})
    acting, principal = _token_principal(gov_engine, people, "ada", expires_in_days=30)
    limit = acting.expires_at
    assert limit is not None
    micro = "%Y-%m-%d %H:%M:%S.%f UTC"
    with gov_engine.connect() as conn:
        # one microsecond later: both times shown to the microsecond
        with pytest.raises(UsageError) as err:
            _check_within_expiry(
                conn, principal, limit + timedelta(microseconds=1), limit - timedelta(days=30)
            )
        assert str(err.value) == (
            f"the new token would expire at {(limit + timedelta(microseconds=1)).strftime(micro)}"
            f", after the token you act with (fmk_{acting.token_id}) expires at "
            f"{limit.strftime(micro)}; a token cannot create one that outlives it, expected "
            "--expires-days 30 or fewer"
        )
        # less than a day left: no --expires-days fits
        with pytest.raises(UsageError) as err:
            _check_within_expiry(conn, principal, None, limit - timedelta(hours=12))
        assert str(err.value) == (
            f"the new token would never expire, after the token you act with "
            f"(fmk_{acting.token_id}) expires at {fmt_time(limit)}; a token cannot create one "
            "that outlives it, expected another token or your password (--password-stdin), "
            "as it expires within a day"
        )
        # the same moment is no later: allowed
        _check_within_expiry(conn, principal, limit, limit - timedelta(days=30))


def test_a_token_that_never_expires_may_create_one_that_never_expires(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"ada": "admin"})
    _acting, principal = _token_principal(gov_engine, people, "ada", expires_in_days=None)
    made, _ = create_token(gov_engine, user="ada", expires_in_days=None, principal=principal)
    assert made.expires_at is None


def test_a_user_manage_token_cannot_mint_a_star_token(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"ada": "admin", "bea": "admin", "vic": "viewer"})
    _acting, principal = _token_principal(
        gov_engine, people, "ada", scopes=["user.manage", "token.own"]
    )
    before = snapshot(gov_engine)
    beyond = sorted(permissions_of("admin") - {"user.manage", "token.own"})
    with pytest.raises(UsageError) as err:  # for itself
        create_token(gov_engine, user="ada", scopes=["*"], principal=principal)
    assert str(err.value) == (
        f"scopes {', '.join(beyond)} are beyond what you hold (your role admin with token "
        "scopes token.own, user.manage); a token cannot do more than whoever creates it, "
        "expected at most: token.own, user.manage"
    )
    # for another admin: any scope, as that admin's role is beyond this token
    for scopes in (["*"], ["read"], ["user.manage"]):
        with pytest.raises(AccessError) as err:
            create_token(gov_engine, user="bea", scopes=scopes, principal=principal)
        assert str(err.value) == (
            "user 'ada' (role admin) may not create a token for 'bea' (role admin): "
            f"permissions {', '.join(beyond)} are beyond what you hold (your role admin with "
            "token scopes token.own, user.manage); expected to hold every permission of that "
            "role (e.g. a token with scope '*')"
        )
    # a viewer's role: four read permissions exceed this token
    with pytest.raises(AccessError) as err:
        create_token(gov_engine, user="vic", scopes=["*"], principal=principal)
    assert str(err.value).startswith(
        "user 'ada' (role admin) may not create a token for 'vic' (role viewer): permissions "
        "gate.check, review.read, run.read, system.read are beyond what you hold"
    )
    assert snapshot(gov_engine) == before
    # within the acting token's scopes it works for its own user
    made, _ = create_token(
        gov_engine, user="ada", scopes=["user.manage"], expires_in_days=30, principal=principal
    )
    assert made.scopes == ("user.manage",)


def test_one_scope_beyond_is_named_alone_and_a_role_narrowed_star_is_within(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"ada": "admin", "vic": "viewer"})
    _acting, principal = _token_principal(
        gov_engine, people, "ada", scopes=["read", "token.own"], expires_in_days=60
    )
    before = snapshot(gov_engine)
    with pytest.raises(UsageError) as err:
        create_token(gov_engine, user="ada", scopes=["read", "user.manage"], expires_in_days=7,
                     principal=principal)  # fmt: skip
    assert str(err.value) == (
        "scope user.manage is beyond what you hold (your role admin with token scopes read, "
        "token.own); a token cannot do more than whoever creates it, expected at most: "
        "gate.check, log.read, review.read, run.read, system.read, token.own, user.read"
    )
    assert snapshot(gov_engine) == before
    # a token scoped read, token.own and user.manage holds all of a viewer's role
    _acting, manager = _token_principal(
        gov_engine, people, "ada", scopes=["read", "token.own", "user.manage"], expires_in_days=60
    )
    made, _ = create_token(gov_engine, user="vic", scopes=["*"], expires_in_days=7,
                           principal=manager)  # fmt: skip
    assert made.scopes == ("*",)
    # an admin's '*' token holds all a viewer's '*' can do: by default, stored explicitly
    _star, full = _token_principal(gov_engine, people, "ada", expires_in_days=60)
    made, _ = create_token(gov_engine, user="vic", expires_in_days=7, principal=full)
    assert made.scopes == tuple(sorted(permissions_of("viewer")))


# ------------------------------------------------------------- 2. disabling revokes tokens


def test_disabling_revokes_every_token_and_enabling_brings_none_back(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"ada": "admin", "bob": "owner"})
    first, first_token = create_token(gov_engine, user="bob", principal=people["bob"])
    second, second_token = create_token(
        gov_engine, user="bob", scopes=["read"], principal=people["ada"]
    )
    gone, _ = create_token(gov_engine, user="bob", principal=people["bob"])
    kept, _ = create_token(gov_engine, user="ada", principal=people["ada"])
    revoke_token(gov_engine, gone.token_id, principal=people["bob"])
    with gov_engine.connect() as conn:
        gone_at = conn.execute(
            select(Token.revoked_at).where(Token.token_id == gone.token_id)
        ).scalar_one()
    entries_before = len(log_entries(gov_engine))

    disabled = disable_user(gov_engine, "bob", principal=people["ada"])

    with gov_engine.connect() as conn:
        revoked = dict(conn.execute(select(Token.token_id, Token.revoked_at)).all())
    assert revoked[first.token_id] == revoked[second.token_id] == disabled.disabled_at
    assert revoked[gone.token_id] == gone_at  # already revoked: untouched
    assert revoked[kept.token_id] is None  # another user's token
    new_entries = log_entries(gov_engine)[entries_before:]
    expected_ids = sorted([first.token_id, second.token_id])
    assert new_entries[0] == ("ada", "user.disable", "user", "bob", {"name": "bob"})
    assert sorted(e[3] for e in new_entries[1:]) == expected_ids
    assert {(e[0], e[1], e[2]) for e in new_entries[1:]} == {("ada", "token.revoke", "token")}
    assert [e[4] for e in sorted(new_entries[1:], key=lambda e: e[3])] == [
        {"token_id": tid, "user": "bob", "reason": "user.disable"} for tid in expected_ids
    ]

    enable_user(gov_engine, "bob", principal=people["ada"])
    for info, token in ((first, first_token), (second, second_token)):
        with pytest.raises(AccessError) as err:
            resolve_principal(gov_engine, token=token)
        assert str(err.value) == (
            f"token fmk_{info.token_id} was revoked at {fmt_time(disabled.disabled_at)}; "
            "expected a current token (make one with 'fairmark user token create')"
        )
    assert {t.token_id: t.status() for t in list_tokens(gov_engine, principal=people["ada"])} == {
        first.token_id: "revoked",
        second.token_id: "revoked",
        gone.token_id: "revoked",
        kept.token_id: "active",
    }
    # clearing revoked_at behind fairmark's back does not revive them: the log holds it
    with gov_engine.begin() as conn:
        conn.execute(update(Token).values(revoked_at=None))
    with pytest.raises(AccessError, match=rf"^token fmk_{first.token_id} was revoked at .*audit"):
        resolve_principal(gov_engine, token=first_token)


def test_an_expired_token_is_revoked_too(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"ada": "admin", "bob": "viewer"})
    old, token = create_token(gov_engine, user="bob", expires_in_days=1, principal=people["bob"])
    with gov_engine.begin() as conn:
        conn.execute(
            update(Token)
            .where(Token.token_id == old.token_id)
            .values(expires_at=old.created_at - timedelta(days=1))
        )
    disable_user(gov_engine, "bob", principal=people["ada"])
    enable_user(gov_engine, "bob", principal=people["ada"])
    with gov_engine.begin() as conn:  # an expiry moved behind fairmark's back
        conn.execute(update(Token).values(expires_at=None, revoked_at=None))
    with pytest.raises(AccessError, match=rf"^token fmk_{old.token_id} was revoked at .*audit"):
        resolve_principal(gov_engine, token=token)


def test_a_refused_disable_revokes_nothing(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"ada": "admin", "vic": "viewer"})
    create_token(gov_engine, user="ada", principal=people["ada"])
    create_token(gov_engine, user="vic", principal=people["vic"])
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match=r"^user 'ada' is the last enabled admin"):
        disable_user(gov_engine, "ada", principal=people["ada"])
    with pytest.raises(AccessError, match=r"may not user\.manage"):
        disable_user(gov_engine, "ada", principal=people["vic"])
    assert snapshot(gov_engine) == before


# ------------------------------------------------------------- 3. the real operating-system account


def _spoof_env(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, name)


def test_logname_and_user_do_not_change_the_account(monkeypatch: pytest.MonkeyPatch) -> None:
    _spoof_env(monkeypatch, VICTIM)
    assert identity.process_account() == REAL_ACCOUNT
    assert os_account() == REAL_ACCOUNT.strip().lower()
    assert default_actor() == REAL_ACCOUNT.strip().lower()[:64]  # the log's default actor


def test_setting_logname_to_a_registered_user_does_not_make_you_that_user(
    gov_engine: Engine, seed_people, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_people({VICTIM: "admin"})
    _spoof_env(monkeypatch, VICTIM)
    before = snapshot(gov_engine)
    with pytest.raises(AccessError) as err:
        resolve_principal(gov_engine)
    if gov_engine.dialect.name == "postgresql":
        assert str(err.value) == SERVER_NEEDS_TOKEN
    else:
        account = REAL_ACCOUNT.strip().lower()
        assert str(err.value) == (
            f"operating-system account {account!r} is not a user of this store; ask an admin "
            f"for 'fairmark user add {account} --role ROLE', or set FAIRMARK_TOKEN"
        )
    with pytest.raises(AccessError):
        add_user(gov_engine, name="eve", role="admin", principal=resolve_principal(gov_engine))
    assert snapshot(gov_engine) == before


def test_no_password_database_entry_is_refused_not_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _spoof_env(monkeypatch, VICTIM)

    def no_entry(uid: int) -> Any:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    with pytest.raises(AccessError) as err:
        os_account()
    assert str(err.value) == (
        f"cannot tell which operating-system account is acting (user id {os.getuid()} has "
        "no entry in the password database); expected a token in FAIRMARK_TOKEN or --token"
    )
    assert default_actor() == "unknown"
    assert os_account("Given") == "given"  # an explicit account needs no lookup


def test_without_a_password_database_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Windows has no ``pwd``: only there does the environment name the account."""
    monkeypatch.setitem(sys.modules, "pwd", None)  # `import pwd` raises ImportError
    _spoof_env(monkeypatch, "Windows-User")
    assert identity.process_account() == "Windows-User"
    assert os_account() == "windows-user"


def test_the_real_account_acts_locally_on_sqlite_whatever_logname_says(
    gov_engine: Engine, seed_people, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = REAL_ACCOUNT.strip().lower()
    if not identity.NAME_PATTERN.fullmatch(account) or account == VICTIM:
        pytest.skip(f"the account {account!r} cannot be a fairmark user name")
    seed_people({VICTIM: "admin", account: "viewer"})
    _spoof_env(monkeypatch, VICTIM)
    if gov_engine.dialect.name == "postgresql":
        with pytest.raises(AccessError, match=SERVER_NEEDS_TOKEN[:40]):
            resolve_principal(gov_engine)
        return
    principal = resolve_principal(gov_engine)
    assert (principal.name, principal.role, principal.via) == (account, "viewer", "local")


# ------------------------------------------------------------- 4. common passwords


@pytest.mark.parametrize(
    ("password", "score", "advice"),
    [
        ("password1234", 1, "This is a very common password."),
        ("qwertyuiop123", 1, "This is a very common password."),
        ("aaaaaaaaaaaaaaaa", 0, 'Repeats like "aaa" are easy to guess.'),
        ("abcdefghijklmnop", 0, 'Sequences like "abc" or "6543" are easy to guess.'),
    ],
)
def test_common_and_patterned_passwords_are_refused_with_zxcvbns_warning(
    gov_engine: Engine, seed_people, password: str, score: int, advice: str
) -> None:
    expected = (
        f"password is too easy to guess (zxcvbn score {score} of 4: {advice}); expected a "
        "score of at least 4, e.g. a longer phrase of uncommon words, not built from the "
        "user's name or email (NIST SP 800-63B 5.1.1.2)"
    )
    with pytest.raises(UsageError) as err:
        check_password(password)
    assert str(err.value) == expected
    people = seed_people({"ada": "admin"})
    before = snapshot(gov_engine)
    for attempt in (
        lambda: add_user(
            gov_engine, name="bob", role="viewer", password=password, principal=people["ada"]
        ),
        lambda: set_password(gov_engine, "ada", password, principal=people["ada"]),
    ):
        with pytest.raises(UsageError) as err:
            attempt()
        assert str(err.value) == expected and password not in str(err.value)
    assert snapshot(gov_engine) == before


def test_the_users_name_and_email_count_as_easy_guesses(gov_engine: Engine, seed_people) -> None:
    built = "rumpelstiltskin1987"
    assert check_password(built) == built  # strong enough for a stranger
    with pytest.raises(UsageError, match=r"^password is too easy to guess \(zxcvbn score 1 of 4"):
        check_password(built, user="bob", related=["rumpelstiltskin@example.org", None])
    with pytest.raises(UsageError, match=r"^password is too easy to guess \(zxcvbn score 2 of 4"):
        check_password("marketing-ops-2024", user="marketing-ops")
    people = seed_people({"ada": "admin"})
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match=r"^password is too easy to guess"):
        add_user(gov_engine, name="bob", role="viewer", email="rumpelstiltskin@example.org",
                 password=built, principal=people["ada"])  # fmt: skip
    with pytest.raises(UsageError, match=r"^password is too easy to guess"):
        add_user(gov_engine, name="bob", role="viewer", display_name="Rumpelstiltskin Smith",
                 password="rumpelstiltskin1987", principal=people["ada"])  # fmt: skip
    assert snapshot(gov_engine) == before
    # set_password scores against the stored email
    add_user(gov_engine, name="bob", role="viewer", email="rumpelstiltskin@example.org",
             principal=people["ada"])  # fmt: skip
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match=r"^password is too easy to guess"):
        set_password(gov_engine, "bob", built, principal=people["ada"])
    assert snapshot(gov_engine) == before


def test_the_test_password_is_strong_and_a_long_one_is_scored_whole() -> None:
    assert check_password(PASSWORD, user="alice") == PASSWORD
    strong = "Gl4cier-Otter-Vellum-Quince " * 9  # 252 characters, past zxcvbn's default 72
    assert check_password(strong.strip()) == strong.strip()
    with pytest.raises(UsageError, match=r"zxcvbn score 2 of 4: Repeats like"):
        check_password("a" * 100 + "b" * 100)


def test_a_weak_password_set_before_the_check_still_logs_in_and_is_rehashed(
    gov_engine: Engine, seed_people
) -> None:
    """The strength check applies when a password is set, not when an old one is used."""
    seed_people({"bob": "viewer"})
    weak = "password1234"
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(weak)
    with gov_engine.begin() as conn:
        conn.execute(update(User).where(User.name == "bob").values(password_hash=old))
    assert verify_password(gov_engine, "bob", weak) is True
    with gov_engine.connect() as conn:
        fresh = conn.execute(select(User.password_hash).where(User.name == "bob")).scalar_one()
    assert fresh != old and not needs_rehash(fresh)
    assert verify_password(gov_engine, "bob", weak) is True
    assert identity.login(gov_engine, "bob", weak).name == "bob"
