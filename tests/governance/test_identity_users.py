"""Users: argon2id passwords, role checks on every user command, validation, the last
admin, and the store unchanged after each refusal. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select, update
from tests.governance._identity_support import PASSWORD, log_entries, log_text, snapshot

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError
from fairmark.governance.identity import get_user
from fairmark.governance.passwords import needs_rehash
from fairmark.governance.tokens import create_token, revoke_token
from fairmark.governance.training import record_training
from fairmark.governance.users import (
    add_user,
    disable_user,
    enable_user,
    set_password,
    set_role,
    show_user,
    verify_password,
)
from fairmark.store.models_governance import User


def _hash(engine: Engine, name: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(select(User.password_hash).where(User.name == name)).scalar_one()


def test_add_user_stores_an_argon2id_hash_and_logs_no_secret(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"alice": "admin"})
    user = add_user(
        gov_engine,
        name="bob",
        role="reviewer",
        display_name=" Bob Builder ",
        email="bob@example.org",
        password=PASSWORD,
        principal=people["alice"],
    )
    stored = _hash(gov_engine, "bob")
    assert stored is not None and stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert user.to_dict() == {
        "name": "bob",
        "role": "reviewer",
        "display_name": "Bob Builder",
        "email": "bob@example.org",
        "has_password": True,
        "created_at": user.created_at.isoformat().replace("+00:00", "Z"),
        "disabled_at": None,
        "enabled": True,
    }
    assert log_entries(gov_engine) == [
        (
            "alice",
            "user.add",
            "user",
            "bob",
            {
                "name": "bob",
                "role": "reviewer",
                "display_name": "Bob Builder",
                "email": "bob@example.org",
                "has_password": True,
            },
        )
    ]
    assert PASSWORD not in log_text(gov_engine) and stored not in log_text(gov_engine)
    assert PASSWORD not in repr(user.to_dict()) and stored not in repr(user.to_dict())
    assert verify_password(gov_engine, "bob", PASSWORD) is True
    assert verify_password(gov_engine, "bob", PASSWORD + "!") is False
    assert verify_password(gov_engine, "nobody", PASSWORD) is False


def test_verify_password_is_false_for_a_disabled_user_or_none_set(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"alice": "admin"})
    add_user(gov_engine, name="bob", role="viewer", password=PASSWORD, principal=people["alice"])
    assert verify_password(gov_engine, "alice", PASSWORD) is False  # no password set
    disable_user(gov_engine, "bob", principal=people["alice"])
    assert verify_password(gov_engine, "bob", PASSWORD) is False


def test_an_old_parameter_hash_is_replaced_on_successful_login(
    gov_engine: Engine, seed_people
) -> None:
    seed_people({"bob": "viewer"})
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with gov_engine.begin() as conn:
        conn.execute(update(User).where(User.name == "bob").values(password_hash=weak))
    assert verify_password(gov_engine, "bob", PASSWORD + "x") is False
    assert _hash(gov_engine, "bob") == weak
    assert verify_password(gov_engine, "bob", PASSWORD) is True
    fresh = _hash(gov_engine, "bob")
    assert fresh != weak and fresh is not None and not needs_rehash(fresh)
    assert log_entries(gov_engine) == [
        ("bob", "user.password", "user", "bob", {"name": "bob", "reason": "rehash"})
    ]
    assert verify_password(gov_engine, "bob", PASSWORD) is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "Bob"}, "user name 'Bob' is not valid; expected a lowercase letter"),
        ({"name": "1bob"}, "user name '1bob' is not valid"),
        ({"name": "b" * 65}, "is not valid"),
        ({"name": "bob smith"}, "user name 'bob smith' is not valid"),
        ({"role": "boss"}, "role 'boss' is not known; expected one of: admin, owner, reviewer"),
        ({"email": "bob-at-example"}, "email 'bob-at-example' is not an address"),
        ({"email": "  "}, "email is '  '; expected non-empty text or nothing"),
        ({"display_name": "x" * 201}, "display name has 201 characters; expected at most 200"),
        ({"password": "short pw 11"}, "password has 11 characters; expected at least 12"),
        ({"password": "p" * 257}, "password has 257 characters; expected at most 256"),
        ({"password": " " * 12}, "password is only whitespace"),
        ({"password": "newperson.x1"}, "password is the user name"),
        ({"name": "alice"}, "user 'alice' exists already; expected a new name"),
    ],
)
def test_bad_user_input_is_refused_and_nothing_is_written(
    gov_engine: Engine, seed_people, kwargs: dict, message: str
) -> None:
    people = seed_people({"alice": "admin"})
    before = snapshot(gov_engine)
    args = {"name": "newperson.x1", "role": "viewer", **kwargs}
    with pytest.raises(UsageError) as err:
        add_user(gov_engine, principal=people["alice"], **args)
    assert str(err.value).startswith(message) or message in str(err.value)
    assert "p" * 20 not in str(err.value)  # the password is never echoed
    assert snapshot(gov_engine) == before


@pytest.mark.parametrize("role", ["viewer", "auditor", "owner", "reviewer"])
def test_only_admins_manage_users_tokens_and_training(
    gov_engine: Engine, seed_people, role: str
) -> None:
    people = seed_people({"alice": "admin", "bob": "viewer", "actor": role})
    alices, _ = create_token(gov_engine, user="alice", principal=people["alice"])
    actor = people["actor"]
    before = snapshot(gov_engine)
    refused = [
        lambda: add_user(gov_engine, name="eve", role="admin", principal=actor),
        lambda: set_role(gov_engine, "bob", "admin", principal=actor),
        lambda: set_role(gov_engine, "actor", "admin", principal=actor),
        lambda: disable_user(gov_engine, "bob", principal=actor),
        lambda: enable_user(gov_engine, "bob", principal=actor),
        lambda: set_password(gov_engine, "bob", PASSWORD, principal=actor),
        lambda: create_token(gov_engine, user="bob", principal=actor),
        lambda: revoke_token(gov_engine, alices.token_id, principal=actor),
        lambda: record_training(
            gov_engine,
            user="actor",
            course="AI literacy",
            completed_on=date.today(),
            principal=actor,
        ),
    ]
    for attempt in refused:
        with pytest.raises(AccessError) as err:
            attempt()
        assert str(err.value).startswith(f"user 'actor' (role {role}) may not user.manage")
    assert snapshot(gov_engine) == before
    # but everyone may set their own password and make their own token
    set_password(gov_engine, "actor", PASSWORD, principal=actor)
    info, _ = create_token(gov_engine, user="actor", scopes=["read"], principal=actor)
    assert info.user == "actor"


def test_admin_sets_passwords_roles_and_disables(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "bob": "viewer"})
    admin = people["alice"]
    assert set_password(gov_engine, "bob", PASSWORD, principal=admin).has_password
    assert verify_password(gov_engine, "bob", PASSWORD)
    assert set_role(gov_engine, "bob", "owner", principal=admin).role == "owner"
    with pytest.raises(UsageError, match="user 'bob' has role owner already"):
        set_role(gov_engine, "bob", "owner", principal=admin)
    disabled = disable_user(gov_engine, "bob", principal=admin)
    assert disabled.disabled_at is not None and not disabled.enabled
    with pytest.raises(UsageError, match="user 'bob' was already disabled at 20"):
        disable_user(gov_engine, "bob", principal=admin)
    assert enable_user(gov_engine, "bob", principal=admin).enabled
    with pytest.raises(UsageError, match="user 'bob' is enabled already"):
        enable_user(gov_engine, "bob", principal=admin)
    with pytest.raises(UsageError, match="no user 'zed'; expected one of: alice, bob"):
        set_role(gov_engine, "zed", "viewer", principal=admin)
    assert [(e[1], e[4]) for e in log_entries(gov_engine)] == [
        ("user.password", {"name": "bob"}),
        ("user.role", {"name": "bob", "role": "owner", "previous_role": "viewer"}),
        ("user.disable", {"name": "bob"}),
        ("user.enable", {"name": "bob"}),
    ]


def test_the_last_enabled_admin_can_be_neither_disabled_nor_demoted(
    gov_engine: Engine, seed_people
) -> None:
    people = seed_people({"alice": "admin", "carl": "admin", "bob": "viewer"})
    disable_user(gov_engine, "carl", principal=people["alice"])
    before = snapshot(gov_engine)
    for attempt in (
        lambda: disable_user(gov_engine, "alice", principal=people["alice"]),
        lambda: set_role(gov_engine, "alice", "viewer", principal=people["alice"]),
    ):
        with pytest.raises(UsageError) as err:
            attempt()
        assert str(err.value).startswith(
            "user 'alice' is the last enabled admin; expected another admin first"
        )
    assert snapshot(gov_engine) == before
    # a disabled admin may be demoted; with a second enabled admin alice may step down
    set_role(gov_engine, "carl", "viewer", principal=people["alice"])
    set_role(gov_engine, "bob", "admin", principal=people["alice"])
    assert set_role(gov_engine, "alice", "owner", principal=people["alice"]).role == "owner"
    assert get_user(gov_engine, "bob").role == "admin"


def test_show_user_is_for_self_or_user_read(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "rita": "reviewer", "vic": "viewer", "ann": "auditor"})
    create_token(gov_engine, user="rita", scopes=["read"], principal=people["rita"])
    own = show_user(gov_engine, "rita", principal=people["rita"])
    assert own.ai_literacy_current and own.current_training is not None
    assert [t.scopes for t in own.tokens] == [("read",)]
    assert own.to_dict()["ai_literacy_current"] is True
    later = show_user(
        gov_engine, "rita", principal=people["ann"], on=date.today() + timedelta(days=400)
    )
    assert later.current_training is None and later.to_dict()["ai_literacy_current"] is False
    with pytest.raises(AccessError, match=r"user 'vic' \(role viewer\) may not user\.read"):
        show_user(gov_engine, "rita", principal=people["vic"])
    assert show_user(gov_engine, "vic", principal=people["vic"]).training == ()


def test_a_disabled_admins_changes_are_refused_through_resolution(
    gov_engine: Engine, seed_people
) -> None:
    """Disabling takes effect at once for the disabled user's tokens (revoked with them)."""
    from fairmark.governance.identity import resolve_principal

    people = seed_people({"alice": "admin", "carl": "admin"})
    info, token = create_token(gov_engine, user="carl", principal=people["carl"])
    disable_user(gov_engine, "carl", principal=people["alice"])
    with pytest.raises(AccessError, match=f"^token fmk_{info.token_id} was revoked at 20"):
        resolve_principal(gov_engine, token=token)
    assert datetime.now(UTC) >= get_user(gov_engine, "carl").disabled_at


def _at_once(*calls: Any) -> list[BaseException | None]:
    """Run the calls in parallel threads, started together; return each one's error."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException | None] = [None] * len(calls)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            calls[i]()
        except BaseException as exc:  # collected for the assertions
            errors[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_two_admins_disabling_each_other_at_once_leave_one(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "carl": "admin"})
    for _ in range(3):
        errors = _at_once(
            lambda: disable_user(gov_engine, "carl", principal=people["alice"]),
            lambda: disable_user(gov_engine, "alice", principal=people["carl"]),
        )
        refused = [e for e in errors if e is not None]
        assert len(refused) == 1, errors
        assert "is the last enabled admin" in str(refused[0])
        with gov_engine.connect() as conn:
            enabled = conn.execute(
                select(User.name).where(User.role == "admin", User.disabled_at.is_(None))
            ).all()
        assert len(enabled) == 1
        with gov_engine.begin() as conn:  # both enabled again for the next round
            conn.execute(update(User).values(disabled_at=None))


def test_two_first_writes_at_once_make_one_first_admin(gov_engine: Engine) -> None:
    from fairmark.governance.identity import resolve_principal

    first = resolve_principal(gov_engine, os_user="alice")
    second = resolve_principal(gov_engine, os_user="bob")
    errors = _at_once(
        lambda: add_user(gov_engine, name="xena", role="viewer", principal=first),
        lambda: add_user(gov_engine, name="yuri", role="viewer", principal=second),
    )
    refused = [e for e in errors if e is not None]
    assert len(refused) == 1 and isinstance(refused[0], AccessError), errors
    assert "was acting as its first admin" in str(refused[0])
    with gov_engine.connect() as conn:
        admins = conn.execute(select(User.name).where(User.role == "admin")).scalars().all()
    assert len(admins) == 1
    assert [e[1] for e in log_entries(gov_engine)] == ["user.bootstrap", "user.add"]
