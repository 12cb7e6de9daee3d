"""Fixtures of the accountability tests: a store on SQLite and on PostgreSQL, and people.

``store_url`` (SQLite file, and a fresh PostgreSQL schema per test) comes from
``tests/store/conftest.py``, so every governance test runs on both backends.
``seed_people`` writes users and AI-literacy training records straight into the tables,
so that a module's tests do not depend on the user commands they are not about.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert
from tests.store.conftest import (  # noqa: F401 - fixtures, used by name
    make_report,
    pg_schema,
    pg_schema_factory,
    pg_store_url,
    pg_user,
    store_url,
)

from fairmark.governance.access import Principal
from fairmark.store import RunStore
from fairmark.store.models_governance import TrainingRecord, User

SeedPeople = Callable[..., dict[str, Principal]]


@pytest.fixture(autouse=True)
def _own_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh home folder per test: a PostgreSQL store's default signing key and its
    anchor live in ``~/.config/fairmark``, and must not leak from one test to another."""
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("FAIRMARK_SIGNING_KEY", raising=False)
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)


@pytest.fixture
def set_os_account(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Return ``set(name)``: act as the operating-system account ``name`` from then on.

    Replaces :func:`fairmark.governance.identity.process_account` (the real user id's
    login name, which ``$LOGNAME``/``$USER`` cannot change), so :func:`os_account` and the
    log's default actor both see ``name``. CLI tests run in-process (typer's CliRunner),
    so the replacement holds for the commands they invoke.
    """
    from fairmark.governance import identity

    def set_account(name: str) -> None:
        monkeypatch.setattr(identity, "process_account", lambda: name)

    return set_account


@pytest.fixture
def gov_engine(store_url: str) -> Iterator[Engine]:  # noqa: F811 - the fixture
    """The migrated store's engine (SQLite and PostgreSQL)."""
    with RunStore(store_url) as store:
        yield store.engine


@pytest.fixture
def seed_people(gov_engine: Engine) -> SeedPeople:
    """Insert users ``{name: role}`` (reviewers get a current training record by default).

    Returns ``{name: Principal}`` acting locally as each user.
    """

    def seed(people: dict[str, str], *, trained: bool = True) -> dict[str, Principal]:
        now = datetime.now(UTC)
        with gov_engine.begin() as conn:
            for name, role in people.items():
                conn.execute(insert(User).values(name=name, role=role, created_at=now))
                if trained and role == "reviewer":
                    conn.execute(
                        insert(TrainingRecord).values(
                            record_id=str(uuid.uuid4()),
                            user_name=name,
                            course="AI literacy (EU AI Act Art. 4)",
                            completed_on=date.today() - timedelta(days=10),
                            expires_on=date.today() + timedelta(days=355),
                            recorded_by="test",
                            recorded_at=now,
                        )
                    )
        return {name: Principal(name=name, role=role) for name, role in people.items()}

    return seed
