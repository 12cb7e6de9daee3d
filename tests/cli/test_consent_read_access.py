"""``fairmark consent status | filter`` are role-checked (QA HI 1), SQLite and PostgreSQL.

A data subject's consent is personal data: reading it needs ``consent.read`` (admin,
owner, auditor), resolved like ``consent import`` (token, else the local account; a
PostgreSQL store with users needs a token). A store without users needs no ceremony.
"""

# ruff: noqa: F811 - the fixtures imported from tests/governance/conftest.py
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from tests.governance._inventory_support import PEOPLE, snapshot
from tests.governance.conftest import (  # noqa: F401 - fixtures, used by name
    _own_home,
    gov_engine,
    make_report,
    pg_schema,
    pg_schema_factory,
    pg_store_url,
    pg_user,
    seed_people,
    set_os_account,
    store_url,
)
from typer.testing import CliRunner, Result

from fairmark.cli.main import app
from fairmark.governance.access import PERMISSIONS, SCOPE_ALIASES, SERVER_NEEDS_TOKEN, Principal
from fairmark.governance.tokens import create_token

EMAIL = "marketing.communications.email"
LEDGER = (
    "subject_id,purpose,state,lawful_basis,timestamp\n"
    f"001,{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"
    f"002,{EMAIL},withdrawn,consent,2025-01-01T00:00:00Z\n"
)
AUDIENCE = "subject_id,zip\n001,01234\n002,00001\n"
AS_OF = "2025-03-01T00:00:00Z"
STATUS = ("consent", "status", "001", "--as-of", AS_OF, "--format", "json")
FILTER = ("consent", "filter", "audience.csv", "--purpose", EMAIL, "--out", "kept.csv",
          "--as-of", AS_OF, "--format", "json")  # fmt: skip


def fm(url: str, *args: Any, token: str | None = None) -> Result:
    extra = [] if token is None else ["--token", token]
    return CliRunner().invoke(app, [*(str(a) for a in args), "--db", url, *extra])


def refused(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [f"error: {message}"]
    if result.stdout:  # --format json: the same error as one JSON object, and nothing else
        assert json.loads(result.stdout) == {
            "error": {"message": message, "exit_code": 2, "kind": "access"}
        }


@pytest.fixture
def ledger(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store with two subjects' consent, imported while it had no users."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    (tmp_path / "ledger.csv").write_text(LEDGER, encoding="utf-8")
    (tmp_path / "audience.csv").write_text(AUDIENCE, encoding="utf-8")
    result = fm(store_url, "consent", "import", "ledger.csv")
    assert result.exit_code == 0, result.output
    return store_url


@pytest.fixture
def tokens(ledger: str, gov_engine: Engine, seed_people: Callable[..., dict[str, Principal]]):
    people = seed_people(PEOPLE)
    return {name: create_token(gov_engine, user=name, principal=people[name])[1] for name in PEOPLE}


def test_consent_read_permission() -> None:
    assert PERMISSIONS["consent.read"] == frozenset({"admin", "owner", "auditor"})
    assert "consent.read" not in SCOPE_ALIASES["read"]  # personal data: named on its own


def test_a_store_without_users_reads_without_ceremony(ledger: str, tmp_path: Path) -> None:
    status = fm(ledger, *STATUS)
    assert status.exit_code == 0, status.output
    [row] = json.loads(status.stdout)["statuses"]
    assert (row["purpose"], row["permitted"]) == (EMAIL, True)
    kept = fm(ledger, *FILTER)
    assert kept.exit_code == 0, kept.output
    assert (tmp_path / "kept.csv").read_text().splitlines() == ["subject_id,zip", "001,01234"]


@pytest.mark.parametrize("name", ["aud", "olivia", "ada"])
def test_admin_owner_and_auditor_may_read(
    name: str, ledger: str, tokens: dict[str, str], gov_engine: Engine, tmp_path: Path
) -> None:
    before = snapshot(gov_engine)
    status = fm(ledger, *STATUS, "--history", token=tokens[name])
    assert status.exit_code == 0, status.output
    document = json.loads(status.stdout)
    assert [(s["purpose"], s["permitted"]) for s in document["statuses"]] == [(EMAIL, True)]
    assert [e["state"] for e in document["history"]] == ["granted"]
    kept = fm(ledger, *FILTER, token=tokens[name])
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout)["counts"]["permitted_rows"] == 1
    assert (tmp_path / "kept.csv").read_text().splitlines() == ["subject_id,zip", "001,01234"]
    assert snapshot(gov_engine) == before  # reading logs nothing


@pytest.mark.parametrize("name", ["vic", "rita"])
def test_viewer_and_reviewer_are_refused(
    name: str, ledger: str, tokens: dict[str, str], gov_engine: Engine, tmp_path: Path
) -> None:
    before = snapshot(gov_engine)
    message = (
        f"user '{name}' (role {PEOPLE[name]}) may not consent.read; it needs role admin or "
        "auditor or owner"
    )
    for command in (STATUS, STATUS[:3], FILTER[:-2]):
        refused(fm(ledger, *command, token=tokens[name]), message)
    assert not (tmp_path / "kept.csv").exists()
    assert snapshot(gov_engine) == before


def test_a_token_not_scoped_for_consent_read_is_refused(
    ledger: str, tokens: dict[str, str], gov_engine: Engine
) -> None:
    info, narrow = create_token(
        gov_engine, user="aud", scopes=("log.read",), principal=Principal("aud", "auditor")
    )
    refused(
        fm(ledger, *STATUS, token=narrow),
        f"user 'aud' (role auditor): token {info.token_id} is not scoped for consent.read; "
        "its scopes are log.read",
    )
    # 'read' is not enough: a subject's consent is personal data, named on its own
    read, broad = create_token(
        gov_engine, user="aud", scopes=("read",), principal=Principal("aud", "auditor")
    )
    refused(
        fm(ledger, *STATUS, token=broad),
        f"user 'aud' (role auditor): token {read.token_id} is not scoped for consent.read; "
        "its scopes are read",
    )
    _info, scoped = create_token(
        gov_engine, user="aud", scopes=("consent.read",), principal=Principal("aud", "auditor")
    )
    assert fm(ledger, *STATUS, token=scoped).exit_code == 0


def test_local_accounts_on_sqlite_and_no_token_on_postgresql(
    ledger: str,
    tokens: dict[str, str],
    gov_engine: Engine,
    set_os_account: Callable[[str], None],
    tmp_path: Path,
) -> None:
    before = snapshot(gov_engine)
    if gov_engine.dialect.name == "postgresql":
        set_os_account("aud")  # even an auditor's account name is no proof on a server
        for command in (STATUS, FILTER):
            refused(fm(ledger, *command), SERVER_NEEDS_TOKEN)
    else:
        set_os_account("mallory")  # an operating-system account that is not a user
        for command in (STATUS, FILTER):
            refused(
                fm(ledger, *command),
                "operating-system account 'mallory' is not a user of this store; ask an admin "
                "for 'fairmark user add mallory --role ROLE', or set FAIRMARK_TOKEN",
            )
        set_os_account("vic")
        refused(
            fm(ledger, *STATUS),
            "user 'vic' (role viewer) may not consent.read; it needs role admin or auditor "
            "or owner",
        )
        set_os_account("aud")
        assert fm(ledger, *STATUS).exit_code == 0
    assert not (tmp_path / "kept.csv").exists()
    assert snapshot(gov_engine) == before
