"""Who is acting: bootstrap admin, local users (SQLite), tokens required (PostgreSQL),
ensure_actor, get_user, list_users and current_training. SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, insert, update
from tests.governance._identity_support import log_entries, snapshot

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError, Principal
from fairmark.governance.identity import (
    current_training,
    ensure_actor,
    get_user,
    list_users,
    resolve_principal,
)
from fairmark.governance.users import add_user
from fairmark.store.db import write_transaction
from fairmark.store.models_governance import TrainingRecord, User


def _is_pg(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def test_empty_store_acts_as_bootstrap_admin_and_writes_nothing(gov_engine: Engine) -> None:
    before = snapshot(gov_engine)
    principal = resolve_principal(gov_engine, os_user="Alice")
    assert principal == Principal(name="alice", role="admin", via="bootstrap")
    assert snapshot(gov_engine) == before
    assert before["gov_users"] == [] and before["gov_log"] == []


def test_first_write_records_the_bootstrap_admin_in_the_same_transaction(
    gov_engine: Engine,
) -> None:
    principal = resolve_principal(gov_engine, os_user="alice")
    add_user(gov_engine, name="bob", role="viewer", principal=principal)
    assert get_user(gov_engine, "alice").role == "admin"
    assert [e[:4] for e in log_entries(gov_engine)] == [
        ("alice", "user.bootstrap", "user", "alice"),
        ("alice", "user.add", "user", "bob"),
    ]
    assert log_entries(gov_engine)[0][4] == {
        "name": "alice",
        "role": "admin",
        "via": "operating-system account",
    }


def test_a_refused_first_write_does_not_record_the_bootstrap_admin(gov_engine: Engine) -> None:
    principal = resolve_principal(gov_engine, os_user="alice")
    with pytest.raises(UsageError, match="role 'boss' is not known"):
        add_user(gov_engine, name="bob", role="boss", principal=principal)
    with pytest.raises(UsageError, match="exists already"):
        add_user(gov_engine, name="alice", role="viewer", principal=principal)
    assert snapshot(gov_engine)["gov_users"] == []
    assert snapshot(gov_engine)["gov_log"] == []


def test_ensure_actor_is_a_no_op_for_local_and_token_principals(gov_engine: Engine) -> None:
    with write_transaction(gov_engine) as conn:
        ensure_actor(conn, Principal(name="carol", role="admin", via="local"))
        ensure_actor(conn, Principal(name="carol", role="admin", via="token", token_id="x"))
    assert snapshot(gov_engine)["gov_users"] == []


def test_ensure_actor_refuses_a_bootstrap_principal_once_others_are_users(
    gov_engine: Engine, seed_people
) -> None:
    seed_people({"bob": "admin"})
    before = snapshot(gov_engine)
    with pytest.raises(AccessError, match="got users while 'alice' was acting as its first admin"):
        with write_transaction(gov_engine) as conn:
            ensure_actor(conn, Principal(name="alice", role="admin", via="bootstrap"))
    assert snapshot(gov_engine) == before
    # the bootstrap admin who is an admin by now simply goes on
    with write_transaction(gov_engine) as conn:
        ensure_actor(conn, Principal(name="bob", role="admin", via="bootstrap"))
    assert snapshot(gov_engine) == before


def test_ensure_actor_refuses_an_os_account_that_is_not_a_valid_user_name(
    gov_engine: Engine,
) -> None:
    principal = resolve_principal(gov_engine, os_user="John Doe")
    with pytest.raises(UsageError, match="account 'john doe' is not a valid fairmark user name"):
        add_user(gov_engine, name="bob", role="viewer", principal=principal)
    assert snapshot(gov_engine)["gov_users"] == []


def test_registered_os_account_acts_locally_on_sqlite_only(gov_engine: Engine, seed_people) -> None:
    seed_people({"alice": "owner"})
    if _is_pg(gov_engine):
        with pytest.raises(
            AccessError, match="this PostgreSQL store has users: set FAIRMARK_TOKEN or --token"
        ):
            resolve_principal(gov_engine, os_user="alice")
        return
    assert resolve_principal(gov_engine, os_user="ALICE") == Principal(
        name="alice", role="owner", via="local"
    )


def test_unregistered_os_account_is_refused_once_users_exist(
    gov_engine: Engine, seed_people
) -> None:
    seed_people({"alice": "admin"})
    with pytest.raises(AccessError) as err:
        resolve_principal(gov_engine, os_user="mallory")
    if _is_pg(gov_engine):
        assert "this PostgreSQL store has users" in str(err.value)
    else:
        assert str(err.value) == (
            "operating-system account 'mallory' is not a user of this store; ask an admin "
            "for 'fairmark user add mallory --role ROLE', or set FAIRMARK_TOKEN"
        )


def test_disabled_local_user_is_refused(gov_engine: Engine, seed_people) -> None:
    seed_people({"alice": "admin", "bob": "viewer"})
    with gov_engine.begin() as conn:
        conn.execute(update(User).where(User.name == "bob").values(disabled_at=datetime.now(UTC)))
    expected = (
        "this PostgreSQL store has users" if _is_pg(gov_engine) else "user 'bob' was disabled"
    )
    with pytest.raises(AccessError, match=expected):
        resolve_principal(gov_engine, os_user="bob")


def test_get_user_names_the_known_users(gov_engine: Engine, seed_people) -> None:
    with pytest.raises(UsageError, match="no user 'zed'; this store has no users yet"):
        get_user(gov_engine, "zed")
    seed_people({"bob": "viewer", "alice": "admin"})
    with pytest.raises(UsageError) as err:
        get_user(gov_engine, "zed")
    assert str(err.value) == "no user 'zed'; expected one of: alice, bob"
    user = get_user(gov_engine, "bob")
    assert (user.name, user.role, user.enabled, user.has_password) == ("bob", "viewer", True, False)
    assert "password_hash" not in user.to_dict()


def test_list_users_needs_user_read(gov_engine: Engine, seed_people) -> None:
    people = seed_people({"alice": "admin", "ann": "auditor", "vic": "viewer", "olly": "owner"})
    assert [u.name for u in list_users(gov_engine, principal=people["ann"])] == [
        "alice",
        "ann",
        "olly",
        "vic",
    ]
    for name in ("vic", "olly"):
        with pytest.raises(AccessError, match=r"may\ not\ user\.read"):
            list_users(gov_engine, principal=people[name])


def _training(engine: Engine, user: str, completed: date, expires: date, course: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(TrainingRecord).values(
                record_id=str(uuid.uuid4()),
                user_name=user,
                course=course,
                completed_on=completed,
                expires_on=expires,
                recorded_by="test",
                recorded_at=datetime.now(UTC),
            )
        )


@pytest.mark.parametrize(
    ("on", "course"),
    [
        (date(2024, 12, 31), None),
        (date(2025, 1, 1), "first"),
        (date(2025, 5, 31), "first"),
        (date(2025, 6, 1), "second"),  # both cover it; the one expiring last wins
        (date(2026, 1, 1), "second"),  # the first has expired (expires_on is exclusive)
        (date(2026, 5, 31), "second"),
        (date(2026, 6, 1), None),
    ],
)
def test_current_training_is_the_covering_record_expiring_last(
    gov_engine: Engine, seed_people, on: date, course: str | None
) -> None:
    seed_people({"rita": "reviewer", "tom": "reviewer"}, trained=False)
    _training(gov_engine, "rita", date(2025, 1, 1), date(2026, 1, 1), "first")
    _training(gov_engine, "rita", date(2025, 6, 1), date(2026, 6, 1), "second")
    _training(gov_engine, "tom", date(2024, 1, 1), date(2030, 1, 1), "tom's")
    with gov_engine.connect() as conn:
        found = current_training(conn, "rita", on)
    assert (None if found is None else found.course) == course
    if found is not None:
        assert found.user == "rita" and found.covers(on)
    assert current_training(gov_engine, "nobody", on) is None
