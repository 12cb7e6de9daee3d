"""Consent imports and data subject requests are appended to the audit log, in the same
transaction as their rows, with counts and subject references, never raw subject ids.

SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from fairmark.errors import DataError
from fairmark.governance.log import read_entries, verify_log
from fairmark.privacy import dsr
from fairmark.privacy.consent import ConsentEvent, ConsentLedger
from fairmark.store import open_engine
from fairmark.store.models_consent import ConsentEventRow

EMAIL = "marketing.communications.email"
SECRET_IDS = ("C-SECRET-0071", "C-SECRET-0072")
CSV = f"""subject_id,purpose,state,lawful_basis,timestamp
{SECRET_IDS[0]},{EMAIL},granted,consent,2025-01-01T10:00:00Z
{SECRET_IDS[0]},{EMAIL},withdrawn,consent,2025-02-01T10:00:00Z
{SECRET_IDS[1]},{EMAIL},granted,consent,2025-01-01T00:00:00Z
"""


@pytest.fixture
def os_user(set_os_account) -> str:
    """The operating-system account running the process (the real user id's login name)."""
    set_os_account("marketing-ops")
    return "marketing-ops"


def _log_text(store_url: str) -> str:
    engine = open_engine(store_url)
    try:
        with engine.connect() as conn:
            return "\n".join(repr(tuple(r)) for r in conn.execute(text("SELECT * FROM gov_log")))
    finally:
        engine.dispose()


def test_a_consent_import_is_logged_with_counts_and_the_file_hash(
    store_url: str, tmp_path: Path, os_user: str
):
    path = tmp_path / "cmp-export.csv"
    path.write_text(CSV, encoding="utf-8")
    with ConsentLedger(store_url) as ledger:
        result = ledger.import_file(path, source="onetrust", actor="ada")
        [entry] = read_entries(ledger.engine)
        assert (entry.seq, entry.actor, entry.action) == (1, "ada", "consent.import")
        assert (entry.entity_type, entry.entity_id) == ("consent_import", result.import_id)
        assert entry.payload == {
            "import_id": result.import_id,
            "source": "onetrust",
            "file": "cmp-export.csv",
            "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "n_rows": 3,
            "n_signal_rows": 0,
            "n_events": 3,
            "n_duplicates": 0,
            "n_contradictions": 0,
        }
        again = ledger.import_file(path)  # default actor: the OS account
        entries = read_entries(ledger.engine)
        assert [(e.actor, e.entity_id) for e in entries] == [
            ("ada", result.import_id),
            (os_user, again.import_id),
        ]
        assert entries[1].payload["n_duplicates"] == 3
        assert entries[1].payload["source"] == "import:cmp-export.csv"
        assert verify_log(ledger.engine).ok
    log = _log_text(store_url)
    assert not any(subject in log for subject in SECRET_IDS)


def test_appended_consent_events_are_logged(store_url: str, os_user: str):
    events = [
        ConsentEvent(
            subject_id=SECRET_IDS[0],
            purpose=EMAIL,
            state="granted",
            occurred_at=datetime(2025, 3, 1, tzinfo=UTC),
            lawful_basis="consent",
            source=source,
        )
        for source in ("web-form", "call-centre", "web-form")
    ]
    with ConsentLedger(store_url) as ledger:
        result = ledger.append(events)
        [entry] = read_entries(ledger.engine)
    assert (entry.actor, entry.action, entry.entity_id) == (
        os_user,
        "consent.import",
        result.import_id,
    )
    assert entry.payload == {
        "import_id": result.import_id,
        "sources": ["call-centre", "web-form"],
        "n_events": 3,
        "n_duplicates": 2,
        "n_contradictions": 0,
    }
    assert SECRET_IDS[0] not in _log_text(store_url)


def test_a_refused_import_logs_nothing(store_url: str, tmp_path: Path):
    path = tmp_path / "bad.csv"
    path.write_text(
        f"subject_id,purpose,state,lawful_basis,timestamp\n"
        f"{SECRET_IDS[0]},{EMAIL},granted,consent,2025-01-01T00:00:00Z\n"
        f"{SECRET_IDS[1]},{EMAIL},maybe,consent,2025-01-01T00:00:00Z\n",
        encoding="utf-8",
    )
    with ConsentLedger(store_url) as ledger:
        with pytest.raises(DataError):
            ledger.import_file(path)
        assert read_entries(ledger.engine) == []
        with ledger.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(ConsentEventRow)).scalar() == 0


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE customers (customer_id TEXT, email TEXT)")
        con.executemany(
            "INSERT INTO customers VALUES (?, ?)",
            [(SECRET_IDS[0], "ann@example.org"), (SECRET_IDS[1], "bob@example.org")],
        )
    con.close()
    return path


def test_a_data_subject_request_is_logged_with_its_subject_reference(
    store_url: str, crm: Path, os_user: str
):
    dsr.add_source("crm", f"sqlite:///{crm}", "customers", "customer_id", db=store_url)
    verification = dsr.record_verification(
        SECRET_IDS[0], "account_login", "service desk", db=store_url, actor="ada"
    )
    dry = dsr.erase(SECRET_IDS[0], db=store_url)
    [outcome] = dry.outcomes
    engine = open_engine(store_url)
    try:
        entries = read_entries(engine)
        assert [(e.actor, e.action, e.entity_type) for e in entries] == [
            ("ada", "dsr.verify", "dsr_subject"),
            (os_user, "dsr.request", "dsr_request"),
            (os_user, "dsr.outcome", "dsr_request"),
        ]
        verify_entry, request_entry, outcome_entry = entries
        assert verify_entry.entity_id == dry.subject_ref
        assert verify_entry.payload == {
            "verification_id": verification.verification_id,
            "subject_ref": dry.subject_ref,
            "status": "verified",
            "method": "account_login",
            "verified_by": "service desk",
        }
        assert request_entry.entity_id == dry.request_id
        assert request_entry.payload == {
            "request_id": dry.request_id,
            "kind": "erasure",
            "dry_run": True,
            "subject_ref": dry.subject_ref,
            "received_at": dry.received_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "verification_id": verification.verification_id,
            "n_sources": 1,
        }
        assert outcome_entry.entity_id == dry.request_id
        assert outcome_entry.payload == {
            "request_id": dry.request_id,
            "source": "crm",
            "table": "customers",
            "action": outcome.action,
            "rows_found": 1,
            "rows_deleted": outcome.rows_deleted,
            "rows_remaining": outcome.rows_remaining,
            "shred_status": outcome.shred_status,
            "verified": outcome.verified,
            "failed": False,
            "file_sha256": outcome.sha256,
        }
        assert verify_log(engine).ok
    finally:
        engine.dispose()
    log = _log_text(store_url)
    assert not any(subject in log for subject in SECRET_IDS)
    assert str(crm) not in log  # source URLs may hold passwords: not logged
