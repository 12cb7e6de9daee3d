"""``fairmark audit --system NAME`` records a run only as someone allowed to (issue #7).

The acting user is resolved before the audit runs (``--token``, ``$FAIRMARK_TOKEN``, else
the local account); a refusal is one line, exit 2, with no run recorded, no log entry and
no report written. A store without users works as before (the local account is its first
admin). Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select
from tests.cli.conftest import one_error_line
from tests.store.conftest import (  # noqa: F401 - fixtures, used by name
    pg_schema,
    pg_schema_factory,
    pg_store_url,
    pg_user,
    store_url,
)
from typer.testing import CliRunner, Result

from fairmark.cli.main import app
from fairmark.governance import identity
from fairmark.governance.access import Principal
from fairmark.governance.identity import hash_token
from fairmark.governance.inventory import register_system
from fairmark.store import RunStore
from fairmark.store.models import AuditRun
from fairmark.store.models_governance import Checkpoint, LogEntryRow, Token, User

SYSTEM = "bank-propensity"
PEOPLE = {
    "ada": "admin",
    "olivia": "owner",
    "oscar": "owner",
    "rita": "reviewer",
    "aud": "auditor",
    "vic": "viewer",
}
AUDIT = ["--y-true", "subscribed", "--positive-label", "sub", "--score", "score",
         "--top-k", "0.2", "-s", "region"]  # fmt: skip
EXIT = {"pass": 0, "warn": 0, "fail": 1, "insufficient_evidence": 1}


@pytest.fixture(autouse=True)
def _own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A recorded run of a system signs a checkpoint: the default key of a PostgreSQL store
    (``~/.config/fairmark``) must live in the test's own home, never the real one."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FAIRMARK_SIGNING_KEY", raising=False)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:  # noqa: F811
    with RunStore(store_url) as store:
        yield store.engine


@pytest.fixture
def act_as(monkeypatch: pytest.MonkeyPatch, cli_env: Path) -> Any:
    """Set the operating-system account (the real user id's login name, which
    ``fairmark.governance.identity.process_account`` returns) and clear ``FAIRMARK_TOKEN``."""

    def _as(account: str) -> None:
        monkeypatch.setattr(identity, "process_account", lambda: account)
        monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)

    _as("casey")
    return _as


def _token(
    engine: Engine, user: str, *, scopes: list[str] | None = None, revoked: bool = False
) -> str:
    token_id = secrets.token_hex(8)
    token = f"fmk_{token_id}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Token).values(
                token_id=token_id,
                user_name=user,
                token_hash=hash_token(token),
                scopes=scopes or ["*"],
                created_by="test",
                created_at=now,
                revoked_at=now if revoked else None,
            )
        )
    return token


@pytest.fixture
def tokens(engine: Engine) -> dict[str, str]:
    """The cast (:data:`PEOPLE`), :data:`SYSTEM` owned by olivia, and a token per user."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for name, role in PEOPLE.items():
            conn.execute(insert(User).values(name=name, role=role, created_at=now))
    register_system(
        engine,
        name=SYSTEM,
        owner="olivia",
        purpose="marketing.communications",
        use_case="lead_scoring",
        model_version="1.0",
        principal=Principal("ada", "admin"),
    )
    return {name: _token(engine, name) for name in PEOPLE}


def _state(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(AuditRun)).scalar_one(),
            conn.execute(select(func.count()).select_from(LogEntryRow)).scalar_one(),
            conn.execute(select(func.count()).select_from(User)).scalar_one(),
        )


def _audit(campaign: tuple[Path, pd.DataFrame], store_url: str, *extra: str) -> Result:  # noqa: F811
    args = ["audit", str(campaign[0]), *AUDIT, "--db-url", store_url, "--out", "out", *extra]
    return CliRunner().invoke(app, args)


def _recorded(result: Result, engine: Engine) -> tuple[str, str]:
    """Check a recorded audit's exit code; return (run_id, actor of its audit.record)."""
    assert "Traceback" not in result.output
    doc = json.loads(Path("out/report.json").read_text(encoding="utf-8"))
    assert result.exit_code == EXIT[doc["verdict"]], result.output
    with engine.connect() as conn:
        actor = conn.execute(
            select(LogEntryRow.actor)
            .where(LogEntryRow.action == "audit.record")
            .where(LogEntryRow.entity_id == doc["run_id"])
        ).scalar_one()
        system = conn.execute(
            select(AuditRun.system_name).where(AuditRun.run_id == doc["run_id"])
        ).scalar_one()
    assert system == SYSTEM
    return doc["run_id"], actor


def _refused(result: Result, engine: Engine, before: tuple[int, int, int], cli_env: Path) -> str:
    """Check a refusal: one error line, exit 2, the store and the working folder unchanged."""
    line = one_error_line(result)
    assert _state(engine) == before
    assert not (cli_env / "out").exists()
    assert not [p.name for p in cli_env.iterdir() if p.name.startswith(".fairmark-staging")]
    return line


def test_owner_records_a_run_of_their_own_system(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
) -> None:
    before = _state(engine)
    result = _audit(campaign, store_url, "--system", SYSTEM, "--token", tokens["olivia"])
    _, actor = _recorded(result, engine)
    assert actor == "olivia"
    assert _state(engine)[0] == before[0] + 1


def test_admin_records_with_the_token_in_the_environment(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAIRMARK_TOKEN", tokens["ada"])
    _, actor = _recorded(_audit(campaign, store_url, "--system", SYSTEM), engine)
    assert actor == "ada"


def test_owner_is_refused_for_another_owners_system(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
    cli_env: Path,
) -> None:
    before = _state(engine)
    result = _audit(campaign, store_url, "--system", SYSTEM, "--token", tokens["oscar"])
    line = _refused(result, engine, before, cli_env)
    assert line == (
        "error: user 'oscar' (role owner) may not run.write for a system owned by 'olivia'; "
        "expected the system's owner or an admin"
    )


@pytest.mark.parametrize("name", ["rita", "aud", "vic"])
def test_reviewer_auditor_viewer_are_refused(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
    cli_env: Path,
    name: str,
) -> None:
    before = _state(engine)
    for system in (["--system", SYSTEM], []):
        result = _audit(campaign, store_url, *system, "--token", tokens[name])
        line = _refused(result, engine, before, cli_env)
        assert f"user {name!r} (role {PEOPLE[name]}) may not run.write" in line


def test_read_scoped_and_revoked_tokens_are_refused(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
    cli_env: Path,
) -> None:
    reader = _token(engine, "olivia", scopes=["read"])
    revoked = _token(engine, "olivia", revoked=True)
    before = _state(engine)
    line = _refused(
        _audit(campaign, store_url, "--system", SYSTEM, "--token", reader), engine, before, cli_env
    )
    assert "is not scoped for run.write" in line
    line = _refused(
        _audit(campaign, store_url, "--system", SYSTEM, "--token", revoked), engine, before, cli_env
    )
    assert "was revoked at" in line


def test_an_unregistered_local_account_is_refused(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
    cli_env: Path,
) -> None:
    act_as("mallory")
    before = _state(engine)
    line = _refused(_audit(campaign, store_url, "--system", SYSTEM), engine, before, cli_env)
    if engine.dialect.name == "sqlite":
        assert "operating-system account 'mallory' is not a user of this store" in line
    else:
        assert "this PostgreSQL store has users: set FAIRMARK_TOKEN or --token" in line


def test_a_registered_local_account_acts_on_sqlite_only(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
    cli_env: Path,
) -> None:
    act_as("olivia")
    before = _state(engine)
    result = _audit(campaign, store_url, "--system", SYSTEM)
    if engine.dialect.name == "sqlite":
        assert _recorded(result, engine)[1] == "olivia"
    else:  # an account name proves nothing on a shared server
        assert "set FAIRMARK_TOKEN" in _refused(result, engine, before, cli_env)


def test_no_record_needs_no_identity(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
    cli_env: Path,
) -> None:
    act_as("mallory")
    before = _state(engine)
    result = _audit(campaign, store_url, "--system", SYSTEM, "--no-record")
    doc = json.loads((cli_env / "out" / "report.json").read_text(encoding="utf-8"))
    assert result.exit_code == EXIT[doc["verdict"]], result.output
    assert "recorded" not in result.stdout
    assert _state(engine) == before


def test_a_store_without_users_works_as_before(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    act_as: Any,
) -> None:
    act_as("casey")
    assert _state(engine) == (0, 0, 0)
    result = _audit(campaign, store_url, "--system", "anything")
    doc = json.loads(Path("out/report.json").read_text(encoding="utf-8"))
    assert result.exit_code == EXIT[doc["verdict"]], result.output
    assert f"run {doc['run_id']} recorded" in result.stdout
    with engine.connect() as conn:
        users = conn.execute(select(User.name, User.role)).all()
        log = conn.execute(
            select(LogEntryRow.actor, LogEntryRow.action).order_by(LogEntryRow.seq)
        ).all()
    assert [tuple(u) for u in users] == [("casey", "admin")]
    assert [tuple(e) for e in log][:2] == [("casey", "user.bootstrap"), ("casey", "audit.record")]


def test_a_recorded_run_of_a_system_is_signed_at_once(
    campaign: tuple[Path, pd.DataFrame],
    store_url: str,  # noqa: F811
    engine: Engine,
    tokens: dict[str, str],
    act_as: Any,
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """QA: the ``audit.record`` and ``policy.version`` entries of ``fairmark audit --system``
    stayed unsigned until the next governance command; now a checkpoint covers them."""
    from fairmark.governance.keys import load_signing_key

    key_file = cli_env / "keys" / "signing_key.pem"
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(key_file))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Checkpoint)).scalar_one() == 0
    result = _audit(campaign, store_url, "--system", SYSTEM, "--token", tokens["olivia"])
    run_id, actor = _recorded(result, engine)
    assert actor == "olivia"
    with engine.connect() as conn:
        columns = (LogEntryRow.seq, LogEntryRow.action, LogEntryRow.entity_id, LogEntryRow.actor)
        log = conn.execute(select(*columns).order_by(LogEntryRow.seq)).all()
        checkpoints = conn.execute(select(Checkpoint.seq, Checkpoint.key_fingerprint)).all()
    *_, record, policy, signed = log
    assert (record.action, record.entity_id) == ("audit.record", run_id)
    assert policy.action == "policy.version"
    assert (signed.action, signed.actor) == ("log.checkpoint", "system")
    # the head the audit wrote (its policy.version entry) is covered by the checkpoint
    fingerprint = load_signing_key(key_file, create=False).fingerprint
    assert [tuple(c) for c in checkpoints] == [(policy.seq, fingerprint)]
    verified = CliRunner().invoke(
        app, ["log", "verify", "--db-url", store_url, "--key", str(key_file),
              "--token", tokens["ada"]],
    )  # fmt: skip
    assert verified.exit_code == 0, verified.output
    assert "audit log intact" in verified.stdout
