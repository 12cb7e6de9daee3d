"""``record_run`` pins the report itself: ``audit.record`` carries ``report_sha256``.

The digest is the SHA-256 of the canonical JSON (sorted keys, no whitespace, non-ASCII
kept) of the report **as stored**, the document an evidence bundle exports: PostgreSQL
``jsonb`` keeps ``-0.0`` as ``0.0``, SQLite keeps ``-0.0``, and the digest follows the
store. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from fairmark.store import RunStore
from fairmark.store.models_governance import LogEntryRow
from fairmark.store.runs import report_sha256


def _sha(document: Any) -> str:
    """The digest computed independently, with the standard library only."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _payload(store: RunStore, run_id: str) -> dict[str, Any]:
    with store.engine.connect() as conn:
        text = conn.execute(
            select(LogEntryRow.payload)
            .where(LogEntryRow.action == "audit.record")
            .where(LogEntryRow.entity_id == run_id)
        ).scalar_one()
    return json.loads(text)


def test_audit_record_payload_holds_the_reports_sha256(
    store_url: str, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report()
    with RunStore(store_url) as store:
        run_id = store.record_run(report, actor="ada")
        payload = _payload(store, run_id)
        stored = store.get_run(run_id)
    assert payload == {
        "system_name": "Spring savings campaign – propensity model",
        "verdict": "fail",
        "policy_id": "acme-marketing-fairness",
        "policy_version": "2.1.0",
        "policy_sha256": "4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e5d",
        "data_fingerprint": "9b2f4c1e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c",
        "artifacts_sha256": None,
        "report_sha256": _sha(report),
    }
    assert stored == report and report_sha256(stored) == _sha(report)
    # formatting does not matter: an indented copy (as in a bundle) parses to the same digest
    assert report_sha256(json.loads(json.dumps(stored, indent=2))) == payload["report_sha256"]


def test_the_digest_is_of_the_document_as_the_store_keeps_it(
    store_url: str, make_report: Callable[..., dict[str, Any]]
) -> None:
    report = make_report(extra={"zero": -0.0})  # jsonb has no negative zero
    with RunStore(store_url) as store:
        run_id = store.record_run(report, actor="ada")
        payload = _payload(store, run_id)
        stored = store.get_run(run_id)
    kept = json.dumps(stored["extra"])
    assert kept == ('{"zero": 0.0}' if store_url.startswith("postgresql") else '{"zero": -0.0}')
    assert payload["report_sha256"] == _sha(stored)
    assert (payload["report_sha256"] == _sha(report)) is store_url.startswith("sqlite")


def test_a_changed_report_gives_another_digest(make_report: Callable[..., Any]) -> None:
    report = make_report()
    moved = dict(report, created_at="2027-06-01T00:00:00Z")
    assert report_sha256(report) == _sha(report)
    assert report_sha256(moved) != report_sha256(report)
    assert report_sha256(dict(reversed(list(report.items())))) == report_sha256(report)
