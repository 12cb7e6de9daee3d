"""API tokens: hashed storage, resolution (valid, unknown, revoked, expired), scopes that
narrow and never widen, revocation and listing rights. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, select, update
from tests.governance._identity_support import log_entries, log_text, snapshot

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError, Principal, permissions_of
from fairmark.governance.identity import INVALID_TOKEN, resolve_principal
from fairmark.governance.tokens import VALID_SCOPES, create_token, list_tokens, revoke_token
from fairmark.governance.users import add_user
from fairmark.store.models_governance import Token, User

TOKEN_SHAPE = re.compile(r"^fmk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$")


def test_only_the_sha256_of_the_token_is_stored_and_logged_without_secrets(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"alice": "admin"})
    info, token = create_token(
        gov_engine, user="alice", scopes=["read"], label="ci", principal=people["alice"]
    )
    match = TOKEN_SHAPE.match(token)
    assert match is not None and match.group(1) == info.token_id
    with gov_engine.connect() as conn:
        row = conn.execute(select(Token)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(tuple(row)) and token.split("_", 2)[2] not in repr(tuple(row))
    text = log_text(gov_engine)
    assert token.split("_", 2)[2] not in text and row.token_hash not in text
    assert log_entries(gov_engine) == [
        (
            "alice",
            "token.create",
            "token",
            info.token_id,
            {
                "token_id": info.token_id,
                "user": "alice",
                "scopes": ["read"],
                "label": "ci",
                "expires_at": info.expires_at.isoformat(),
            },
        )
    ]
    assert "token_hash" not in info.to_dict() and token not in repr(info.to_dict())
    assert info.to_dict()["status"] == "active"
    assert timedelta(days=89, hours=23) < info.expires_at - datetime.now(UTC) <= timedelta(days=90)


def test_a_valid_token_resolves_to_its_user_with_its_scopes(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"alice": "admin", "olly": "owner"})
    info, token = create_token(
        gov_engine, user="olly", scopes=["system.write", "read"], principal=people["alice"]
    )
    assert resolve_principal(gov_engine, token=token, os_user="somebody-else") == Principal(
        name="olly",
        role="owner",
        via="token",
        scopes=frozenset({"system.write", "read"}),
        token_id=info.token_id,
        issued_by="alice",
    )


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-token",
        "fmk_",
        "fmk_0123456789abcdef",
        "fmk_XYZ_secret",
        "fmk_0123456789abcdef_" + "A" * 43,  # well formed, unknown id
    ],
)
def test_malformed_or_unknown_tokens_are_refused_without_echo(
    gov_engine: Engine, seed_people, bad: str
) -> None:
    seed_people({"alice": "admin"})
    with pytest.raises(AccessError) as err:
        resolve_principal(gov_engine, token=bad)
    assert str(err.value) == INVALID_TOKEN
    assert str(err.value) == (
        "token is not valid; expected a token from 'fairmark user token create'"
    )


def test_a_known_id_with_the_wrong_secret_is_refused(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin"})
    _info, token = create_token(gov_engine, user="alice", principal=people["alice"])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(AccessError) as err:
        resolve_principal(gov_engine, token=forged)
    assert str(err.value) == INVALID_TOKEN and forged not in str(err.value)


def test_revoked_token_is_refused(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin"})
    info, token = create_token(gov_engine, user="alice", principal=people["alice"])
    revoke_token(gov_engine, info.token_id, principal=people["alice"])
    with pytest.raises(AccessError, match=rf"^token fmk_{info.token_id} was revoked at 20\d\d-"):
        resolve_principal(gov_engine, token=token)


def test_a_revocation_undone_in_the_database_still_holds(gov_engine: Engine, seed_people) -> None:
    """Clearing revoked_at behind fairmark's back does not revive the token: the
    revocation is in the hash-chained log."""
    people = seed_people({"alice": "admin"})
    info, token = create_token(gov_engine, user="alice", principal=people["alice"])
    revoke_token(gov_engine, info.token_id, principal=people["alice"])
    with gov_engine.begin() as conn:
        conn.execute(update(Token).where(Token.token_id == info.token_id).values(revoked_at=None))
    revoked = rf"^token fmk_{info.token_id} was revoked at .*audit log"
    with pytest.raises(AccessError, match=revoked):
        resolve_principal(gov_engine, token=token)


def test_expired_token_is_refused(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin"})
    info, token = create_token(
        gov_engine, user="alice", expires_in_days=1, principal=people["alice"]
    )
    assert resolve_principal(gov_engine, token=token).via == "token"
    past = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with gov_engine.begin() as conn:
        conn.execute(update(Token).where(Token.token_id == info.token_id).values(expires_at=past))
    with pytest.raises(AccessError) as err:
        resolve_principal(gov_engine, token=token)
    assert str(err.value) == (
        f"token fmk_{info.token_id} expired at 2026-01-02 03:04:05 UTC; expected a current "
        "token (make one with 'fairmark user token create')"
    )


def test_a_row_written_already_expired_is_refused(gov_engine: Engine, seed_people) -> None:
    seed_people({"alice": "admin"})
    token = "fmk_00000000000000aa_" + "s" * 43
    with gov_engine.begin() as conn:
        conn.execute(
            insert(Token).values(
                token_id="00000000000000aa",
                user_name="alice",
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                scopes=["*"],
                created_by="alice",
                created_at=datetime(2025, 1, 1, tzinfo=UTC),
                expires_at=datetime(2025, 2, 1, tzinfo=UTC),
            )
        )
    with pytest.raises(AccessError, match="token fmk_00000000000000aa expired at 2025-02-01"):
        resolve_principal(gov_engine, token=token)


def test_a_disabled_users_token_is_refused(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "bob": "viewer"})
    info, token = create_token(gov_engine, user="bob", principal=people["alice"])
    with gov_engine.begin() as conn:
        conn.execute(update(User).where(User.name == "bob").values(disabled_at=datetime.now(UTC)))
    with pytest.raises(AccessError, match=f"token fmk_{info.token_id} belongs to user 'bob', who"):
        resolve_principal(gov_engine, token=token)


def test_a_read_token_of_an_admin_cannot_add_users(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin"})
    _info, token = create_token(
        gov_engine, user="alice", scopes=["read"], principal=people["alice"]
    )
    principal = resolve_principal(gov_engine, token=token)
    before = snapshot(gov_engine)
    with pytest.raises(
        AccessError, match=r"is\ not\ scoped\ for\ user\.manage;\ its\ scopes\ are\ read"
    ):
        add_user(gov_engine, name="bob", role="viewer", principal=principal)
    # nor mint itself a wider token
    with pytest.raises(AccessError, match=r"is\ not\ scoped\ for\ token\.own"):
        create_token(gov_engine, user="alice", scopes=["*"], principal=principal)
    assert snapshot(gov_engine) == before


def test_a_token_cannot_mint_a_wider_token_of_its_own_user(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin"})
    _info, token = create_token(
        gov_engine, user="alice", scopes=["token.own", "system.read"], principal=people["alice"]
    )
    principal = resolve_principal(gov_engine, token=token)
    before = snapshot(gov_engine)
    with pytest.raises(UsageError) as err:
        create_token(gov_engine, user="alice", scopes=["*"], principal=principal)
    beyond = sorted(permissions_of("admin") - {"token.own", "system.read"})
    assert str(err.value) == (
        f"scopes {', '.join(beyond)} are beyond what you hold (your role admin with token "
        "scopes system.read, token.own); a token cannot do more than whoever creates it, "
        "expected at most: system.read, token.own"
    )
    assert snapshot(gov_engine) == before
    narrower, _ = create_token(
        gov_engine, user="alice", scopes=["system.read"], expires_in_days=30, principal=principal
    )
    assert narrower.scopes == ("system.read",)


def test_a_token_cannot_be_scoped_beyond_its_users_role(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "vic": "viewer"})
    before = snapshot(gov_engine)
    with pytest.raises(UsageError) as err:
        create_token(gov_engine, user="vic", scopes=["user.manage"], principal=people["vic"])
    assert str(err.value).startswith(
        "scope user.manage is beyond the role viewer of user 'vic'; a token narrows"
    )
    with pytest.raises(UsageError, match=r"^scope review\.decide is beyond the role viewer of "):
        create_token(gov_engine, user="vic", scopes=["review.decide"], principal=people["alice"])
    assert snapshot(gov_engine) == before
    # the aliases mean "of the role's": a viewer's read token cannot read the log
    _info, token = create_token(gov_engine, user="vic", scopes=["read"], principal=people["vic"])
    principal = resolve_principal(gov_engine, token=token)
    assert principal.can("system.read") and not principal.can("log.read")


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        (
            ["system.reed"],
            f"unknown scope 'system.reed'; expected one of: {', '.join(VALID_SCOPES)}",
        ),
        ([], "no scope given; expected one or more of: *, read"),
    ],
)
def test_unknown_scopes_are_refused_listing_the_valid_ones(
    gov_engine: Engine, seed_people, scopes: list[str], message: str
) -> None:
    people = seed_people({"alice": "admin"})
    before = snapshot(gov_engine)
    with pytest.raises(UsageError) as err:
        create_token(gov_engine, user="alice", scopes=scopes, principal=people["alice"])
    assert str(err.value).startswith(message)
    assert "user.manage" in str(err.value)
    assert snapshot(gov_engine) == before


@pytest.mark.parametrize("days", [0, -1, 3651, True, 1.5, "30"])
def test_expiry_out_of_range_is_refused(gov_engine: Engine, seed_people, days: object) -> None:
    people = seed_people({"alice": "admin"})
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="days is not allowed; expected 1 to 3650 days"):
        create_token(gov_engine, user="alice", expires_in_days=days, principal=people["alice"])
    assert snapshot(gov_engine) == before


def test_no_expiry_and_the_longest_expiry(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin"})
    never, _ = create_token(
        gov_engine, user="alice", expires_in_days=None, principal=people["alice"]
    )
    assert never.expires_at is None and never.to_dict()["expires_at"] is None
    longest, _ = create_token(
        gov_engine, user="alice", expires_in_days=3650, principal=people["alice"]
    )
    assert longest.expires_at is not None
    assert (longest.expires_at - longest.created_at) == timedelta(days=3650)


def test_tokens_for_others_need_user_manage(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "olly": "owner", "bob": "viewer"})
    before = snapshot(gov_engine)
    for name in ("olly", "bob"):
        with pytest.raises(AccessError, match=r"may\ not\ user\.manage;\ it\ needs\ role\ admin"):
            create_token(gov_engine, user="alice", principal=people[name])
    with pytest.raises(UsageError, match="no user 'zed'; expected one of: alice, bob, olly"):
        create_token(gov_engine, user="zed", principal=people["alice"])
    assert snapshot(gov_engine) == before
    info, _ = create_token(gov_engine, user="bob", principal=people["alice"])
    # the default for another user: what both alice and bob's role hold, stored explicitly
    assert info.user == "bob" and info.scopes == tuple(sorted(permissions_of("viewer")))


def test_a_disabled_user_gets_no_token(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "bob": "viewer"})
    with gov_engine.begin() as conn:
        conn.execute(update(User).where(User.name == "bob").values(disabled_at=datetime.now(UTC)))
    before = snapshot(gov_engine)
    with pytest.raises(UsageError, match="user 'bob' is disabled; expected an enabled user"):
        create_token(gov_engine, user="bob", principal=people["alice"])
    assert snapshot(gov_engine) == before


def test_revoke_rights_twice_and_unknown(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "bob": "viewer", "ann": "auditor", "rita": "reviewer"})
    bobs, _ = create_token(gov_engine, user="bob", principal=people["bob"])
    alices, _ = create_token(gov_engine, user="alice", principal=people["alice"])
    before = snapshot(gov_engine)
    for name in ("bob", "ann", "rita"):
        with pytest.raises(AccessError, match=r"may\ not\ user\.manage"):
            revoke_token(gov_engine, alices.token_id, principal=people[name])
    with pytest.raises(UsageError, match="no token fmk_ffffffffffffffff; expected an id from"):
        revoke_token(gov_engine, "ffffffffffffffff", principal=people["alice"])
    assert snapshot(gov_engine) == before
    revoked = revoke_token(gov_engine, f"fmk_{bobs.token_id}", principal=people["bob"])
    assert revoked.revoked_at is not None and revoked.status() == "revoked"
    with pytest.raises(UsageError, match=f"token fmk_{bobs.token_id} was already revoked at 20"):
        revoke_token(gov_engine, bobs.token_id, principal=people["alice"])
    by_admin = revoke_token(gov_engine, alices.token_id, principal=people["alice"])
    assert by_admin.user == "alice"
    assert [e[1:4] for e in log_entries(gov_engine)][-2:] == [
        ("token.revoke", "token", bobs.token_id),
        ("token.revoke", "token", alices.token_id),
    ]
    assert log_entries(gov_engine)[-2][0] == "bob"


def test_list_tokens_shows_own_unless_user_read(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "bob": "viewer", "ann": "auditor"})
    create_token(gov_engine, user="bob", principal=people["bob"])
    create_token(gov_engine, user="alice", principal=people["alice"])
    assert [t.user for t in list_tokens(gov_engine, principal=people["bob"])] == ["bob"]
    assert sorted(t.user for t in list_tokens(gov_engine, principal=people["ann"])) == [
        "alice",
        "bob",
    ]
    assert [t.user for t in list_tokens(gov_engine, user="alice", principal=people["ann"])] == [
        "alice"
    ]
    with pytest.raises(AccessError, match=r"may\ not\ user\.read"):
        list_tokens(gov_engine, user="alice", principal=people["bob"])
