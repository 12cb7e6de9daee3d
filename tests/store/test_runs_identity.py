"""Who may record an audit run: ``RunStore.record_run(..., principal=...)`` checks
``run.write`` against the owner of the system the report names (issue #7, accountability).

A recorded run becomes the deployment gate's latest audit of its system, so only the
system's accountable owner or an admin may record it. Every refusal leaves the store
unchanged (runs, log, users). Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from fairmark.errors import UsageError
from fairmark.governance.access import OWNED_PERMISSIONS, AccessError, Principal
from fairmark.governance.identity import resolve_principal
from fairmark.governance.inventory import register_system
from fairmark.store import RunStore, record_run
from fairmark.store.models import AuditRun
from fairmark.store.models_governance import LogEntryRow, User
from fairmark.store.runs import authorize_run_write

SYSTEM = "bank-propensity"
PEOPLE = {
    "ada": "admin",
    "olivia": "owner",
    "oscar": "owner",
    "rita": "reviewer",
    "aud": "auditor",
    "vic": "viewer",
}


@pytest.fixture
def store(store_url: str) -> Any:
    with RunStore(store_url) as opened:
        yield opened


def _seed(engine: Engine) -> dict[str, Principal]:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for name, role in PEOPLE.items():
            conn.execute(insert(User).values(name=name, role=role, created_at=now))
    people = {name: Principal(name=name, role=role) for name, role in PEOPLE.items()}
    register_system(
        engine,
        name=SYSTEM,
        owner="olivia",
        purpose="marketing.communications",
        use_case="lead_scoring",
        model_version="1.0",
        principal=people["ada"],
    )
    return people


@pytest.fixture
def people(store: RunStore) -> dict[str, Principal]:
    return _seed(store.engine)


def _report(make_report: Callable[..., dict[str, Any]], system: str | None = SYSTEM) -> Any:
    return make_report(run_id=str(uuid.uuid4()), system_name=system)


def _state(engine: Engine) -> tuple[int, int, int, list[str]]:
    """(runs, log entries, users, log actions) of the store."""
    with engine.connect() as conn:
        runs = conn.execute(select(func.count()).select_from(AuditRun)).scalar_one()
        entries = conn.execute(select(func.count()).select_from(LogEntryRow)).scalar_one()
        users = conn.execute(select(func.count()).select_from(User)).scalar_one()
        actions = list(conn.execute(select(LogEntryRow.action).order_by(LogEntryRow.seq)).scalars())
    return runs, entries, users, actions


def _record_entry(engine: Engine, run_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            select(LogEntryRow)
            .where(LogEntryRow.action == "audit.record")
            .where(LogEntryRow.entity_id == run_id)
        ).one()


def test_run_write_is_an_owned_permission() -> None:
    assert "run.write" in OWNED_PERMISSIONS


def test_owner_records_a_run_of_their_own_system(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    runs, entries, _, _ = _state(store.engine)
    report = _report(make_report)
    run_id = store.record_run(report, principal=people["olivia"])
    assert run_id == report["run_id"]
    after = _state(store.engine)
    assert after[0] == runs + 1
    entry = _record_entry(store.engine, run_id)
    assert entry.actor == "olivia"
    assert json.loads(entry.payload)["system_name"] == SYSTEM
    assert store.list_runs(system_name=SYSTEM)[0].run_id == run_id
    assert after[1] > entries


def test_admin_records_a_run_of_any_system(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    run_id = store.record_run(_report(make_report), principal=people["ada"])
    assert _record_entry(store.engine, run_id).actor == "ada"


def test_owner_is_refused_for_another_owners_system(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    before = _state(store.engine)
    with pytest.raises(AccessError) as err:
        store.record_run(_report(make_report), principal=people["oscar"])
    assert str(err.value) == (
        "user 'oscar' (role owner) may not run.write for a system owned by 'olivia'; "
        "expected the system's owner or an admin"
    )
    assert _state(store.engine) == before


@pytest.mark.parametrize("name", ["rita", "aud", "vic"])
def test_reviewer_auditor_viewer_are_refused(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any], name: str
) -> None:
    before = _state(store.engine)
    for system in (SYSTEM, "not-registered", None):
        with pytest.raises(AccessError, match=r"may not run\.write; it needs role admin or owner"):
            store.record_run(_report(make_report, system), principal=people[name])
    assert _state(store.engine) == before


def test_a_token_without_run_write_scope_is_refused(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    reader = Principal("olivia", "owner", via="token", scopes=frozenset({"read"}), token_id="t1")
    before = _state(store.engine)
    with pytest.raises(AccessError, match=r"token t1 is not scoped for run\.write"):
        store.record_run(_report(make_report), principal=reader)
    assert _state(store.engine) == before
    writer = Principal("olivia", "owner", via="token", scopes=frozenset({"run.write"}))
    run_id = store.record_run(_report(make_report), principal=writer)
    assert _record_entry(store.engine, run_id).actor == "olivia"


def test_owner_may_record_a_run_of_a_name_not_in_the_inventory(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    # no accountable owner yet; a system registered later only counts audits newer than
    # its registration (model_version_at), so such a run cannot pass anyone's gate
    run_id = store.record_run(_report(make_report, "draft-model"), principal=people["oscar"])
    assert _record_entry(store.engine, run_id).actor == "oscar"


def test_an_unregistered_local_account_cannot_act_on_a_store_with_users(
    store: RunStore, people: dict[str, Principal]
) -> None:
    with pytest.raises(AccessError) as err:
        resolve_principal(store.engine, os_user="mallory")
    if store.engine.dialect.name == "sqlite":
        assert "operating-system account 'mallory' is not a user of this store" in str(err.value)
    else:
        assert "this PostgreSQL store has users: set FAIRMARK_TOKEN" in str(err.value)


def test_a_principal_that_is_not_a_user_is_refused_without_a_trace(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    # a forged bootstrap principal on a store that has users (someone else was first)
    before = _state(store.engine)
    forged = Principal("mallory", "admin", via="bootstrap")
    with pytest.raises(AccessError, match="expected a registered admin"):
        store.record_run(_report(make_report), principal=forged)
    assert _state(store.engine) == before


def test_the_first_write_to_a_store_without_users_records_its_first_admin(
    store: RunStore, make_report: Callable[..., Any]
) -> None:
    me = resolve_principal(store.engine, os_user="casey")
    assert (me.name, me.role, me.via) == ("casey", "admin", "bootstrap")
    run_id = store.record_run(_report(make_report, "anything"), principal=me)
    runs, _, users, actions = _state(store.engine)
    assert (runs, users) == (1, 1)
    assert actions[:2] == ["user.bootstrap", "audit.record"]
    assert _record_entry(store.engine, run_id).actor == "casey"


def test_without_a_principal_nothing_changes(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    # the Python API is trusted: no role check, the actor as given
    run_id = store.record_run(_report(make_report), actor="pipeline")
    assert _record_entry(store.engine, run_id).actor == "pipeline"


def test_actor_must_match_the_principal(
    store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    before = _state(store.engine)
    with pytest.raises(UsageError, match="actor 'ada' differs from the acting user 'olivia'"):
        store.record_run(_report(make_report), actor="ada", principal=people["olivia"])
    with pytest.raises(UsageError, match="expected a Principal"):
        store.record_run(_report(make_report), principal="olivia")  # type: ignore[arg-type]
    assert _state(store.engine) == before
    run_id = store.record_run(_report(make_report), actor="olivia", principal=people["olivia"])
    assert _record_entry(store.engine, run_id).actor == "olivia"


def test_module_level_record_run_checks_the_principal(
    store_url: str, store: RunStore, people: dict[str, Principal], make_report: Callable[..., Any]
) -> None:
    before = _state(store.engine)
    with pytest.raises(AccessError, match="owned by 'olivia'"):
        record_run(_report(make_report), store_url, principal=people["oscar"])
    assert _state(store.engine) == before
    run_id = record_run(_report(make_report), store_url, principal=people["olivia"])
    assert _record_entry(store.engine, run_id).actor == "olivia"


def test_authorize_run_write_reads_the_owner_from_the_store(
    store: RunStore, people: dict[str, Principal]
) -> None:
    authorize_run_write(store.engine, people["olivia"], SYSTEM)
    authorize_run_write(None, people["oscar"], SYSTEM)  # role only: no owner looked up
    with pytest.raises(AccessError, match="owned by 'olivia'"):
        authorize_run_write(store.engine, people["oscar"], SYSTEM)
    with store.engine.connect() as conn:
        with pytest.raises(AccessError, match="owned by 'olivia'"):
            authorize_run_write(conn, people["oscar"], SYSTEM)
