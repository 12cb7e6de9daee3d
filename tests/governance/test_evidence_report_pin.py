"""QA (issue #7): an exporter re-dates a bundle and renames its data, re-signs, and it verified.

The owner of a system exports their own run's bundle (an admin's checkpoint, the owner's
manifest key), sets ``report.json`` ``created_at`` to 2027-06-01 and ``summary.data`` to
``/fake/other.csv`` (also in ``metrics.json``), renders the html, md and junit files again,
updates the manifest and re-signs it with their key. Pinned to both keys it verified:
nothing tied ``report.json`` itself to the log. Now ``audit.record`` records
``report_sha256`` and the verifier compares it exactly; a run recorded without it (an
earlier fairmark) is compared by date only, with a warning that the report is not pinned.
Every test records on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert
from tests.governance._evidence_support import (
    SYSTEM,
    edit_json,
    make_frame,
    read_members,
    rewrite,
    run_audit,
)
from typer.testing import CliRunner

from fairmark.governance.artifacts import build_artifacts
from fairmark.governance.evidence import export_bundle, verify_bundle
from fairmark.governance.keys import SigningKey, load_signing_key
from fairmark.governance.log import create_checkpoint
from fairmark.store import RunStore
from fairmark.store.models_governance import SystemRow

FAKE_DATA = "/fake/other.csv"


def _ahead() -> str:
    """The QA's date, 2027-06-01, while it lies ahead; later, 200 days from now."""
    qa = datetime(2027, 6, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    return (qa if qa > now + timedelta(days=1) else now + timedelta(days=200)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


FAKE_DATE = _ahead()


@pytest.fixture(autouse=True)
def _key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "default-key" / "signing_key.pem"))


@pytest.fixture(scope="module")
def audited() -> Any:
    return run_audit(make_frame(seed=11, n=300))


class Exported:
    """A bundle the system's owner exported, and the keys to pin."""

    def __init__(self, path: Path, owner_key: SigningKey, pins: list[str], report: Any) -> None:
        self.path, self.owner_key, self.pins, self.report = path, owner_key, pins, report

    def log_entry(self) -> dict[str, Any]:
        """The run's ``audit.record`` entry as the bundle carries it."""
        lines = read_members(self.path)["log.jsonl"].decode().splitlines()
        records = [json.loads(line) for line in lines]
        return next(r for r in records if r.get("action") == "audit.record")


def _export(
    store_url: str, gov_engine: Engine, audited: Any, seed_people: Any, tmp_path: Path,
    ahead: timedelta = timedelta(0),
) -> Exported:  # fmt: skip
    """Record the run as its owner olivia (dated now, or ``ahead`` of the store's clock:
    the auditing client's clock), an admin signs, olivia exports."""
    people = seed_people({"ada": "admin", "olivia": "owner"})
    now = datetime.now(UTC)
    with gov_engine.begin() as conn:
        conn.execute(
            insert(SystemRow).values(
                name=SYSTEM, owner="olivia", purpose="marketing.communications",
                use_case="targeting", data_categories=[], model_version="1.0",
                model_version_at=now, status="proposed", created_at=now, updated_at=now,
            )
        )  # fmt: skip
    report = dict(audited.to_dict(), created_at=(now + ahead).strftime("%Y-%m-%dT%H:%M:%SZ"))
    with RunStore(store_url) as store:
        store.record_run(report, artifacts=build_artifacts(audited), principal=people["olivia"])
    admin_key = load_signing_key(tmp_path / "admin" / "key.pem")
    create_checkpoint(gov_engine, key=admin_key, principal=people["ada"])
    owner_key = load_signing_key(tmp_path / "olivia" / "key.pem")
    info = export_bundle(
        gov_engine, audited.run_id, tmp_path / "b.zip", principal=people["olivia"], key=owner_key
    )
    pins = sorted({info.checkpoint_fingerprint or info.key_fingerprint, info.key_fingerprint})
    return Exported(Path(info.path), owner_key, pins, report)


def _forge(bundle: Exported, target: Path, *, created_at: str | None, data: str | None) -> Path:
    """The QA's forgery: edit report.json (and metrics.json), render again, re-list, re-sign."""
    from fairmark.report.write import FILE_NAMES, RENDERERS

    report = json.loads(read_members(bundle.path)["report.json"])
    if created_at is not None:
        report["created_at"] = created_at
    if data is not None:
        report["summary"]["data"] = data

    def metrics(doc: dict[str, Any]) -> None:
        if data is not None:
            doc["summary"]["data"] = data

    change: dict[str, Any] = {
        "report.json": json.dumps(report, indent=2, ensure_ascii=False).encode(),
        "metrics.json": edit_json(metrics),
    }
    for fmt in ("html", "md", "junit"):
        change[FILE_NAMES[fmt]] = RENDERERS[fmt](report).encode("utf-8")
    return rewrite(bundle.path, target, change=change, sign_with=bundle.owner_key)


def _sha(document: Any) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _span(later: str, earlier: str) -> str:
    gap = datetime.fromisoformat(later) - datetime.fromisoformat(earlier)
    return str(timedelta(seconds=int(gap.total_seconds())))


def _failed(result: Any) -> list[str]:
    return [s.name for s in result.steps if s.status == "failed"]


def test_the_qa_forgery_fails_naming_report_json_and_created_at(
    store_url: str, gov_engine: Engine, audited: Any, seed_people: Any, tmp_path: Path
) -> None:
    bundle = _export(store_url, gov_engine, audited, seed_people, tmp_path)
    genuine = verify_bundle(bundle.path, public_keys=bundle.pins)
    assert genuine.ok and genuine.warnings == (), [s.to_dict() for s in genuine.steps]
    entry = bundle.log_entry()
    assert entry["payload"]["report_sha256"] == _sha(bundle.report)

    forged = _forge(bundle, tmp_path / "forged.zip", created_at=FAKE_DATE, data=FAKE_DATA)
    result = verify_bundle(forged, public_keys=bundle.pins)
    assert not result.ok and result.exit_code == 1
    assert _failed(result) == ["log"]  # signature, renderings and numbers all agree
    forged_report = json.loads(read_members(forged)["report.json"])
    assert forged_report["summary"]["data"] == FAKE_DATA
    seq, at = entry["seq"], entry["created_at"]
    assert result.step("log").problems == (
        "report.json is not the report recorded with the run (it was changed): its SHA-256 "
        f"(canonical JSON) is {_sha(forged_report)[:16]}… but log entry {seq} (audit.record) "
        f"records report_sha256 {_sha(bundle.report)[:16]}…",
        f"report.json created_at {FAKE_DATE} is {_span(FAKE_DATE, at)} after its log entry "
        f"{seq} (audit.record) of {at}; expected at most 0:05:00 after (a run is dated before "
        "it is recorded: the date was moved ahead)",
    )

    # the command line: exit 1, the message on stdout
    from fairmark.cli.evidence import app

    pins = [arg for fp in bundle.pins for arg in ("--public-key", fp)]
    cli = CliRunner().invoke(app, ["verify", str(forged), *pins])
    assert cli.exit_code == 1, cli.output
    assert "VERIFICATION FAILED" in cli.stdout
    assert "report.json is not the report recorded with the run" in cli.stdout


def test_a_renamed_data_file_alone_fails_on_the_digest(
    store_url: str, gov_engine: Engine, audited: Any, seed_people: Any, tmp_path: Path
) -> None:
    bundle = _export(store_url, gov_engine, audited, seed_people, tmp_path)
    forged = _forge(bundle, tmp_path / "forged.zip", created_at=None, data=FAKE_DATA)
    result = verify_bundle(forged, public_keys=bundle.pins)
    assert _failed(result) == ["log"]
    forged_report = json.loads(read_members(forged)["report.json"])
    assert result.step("log").problems == (
        "report.json is not the report recorded with the run (it was changed): its SHA-256 "
        f"(canonical JSON) is {_sha(forged_report)[:16]}… but log entry "
        f"{bundle.log_entry()['seq']} (audit.record) records report_sha256 "
        f"{_sha(bundle.report)[:16]}…",
    )


def test_a_genuine_report_from_a_client_clock_ahead_verifies_with_a_warning(
    store_url: str, gov_engine: Engine, audited: Any, seed_people: Any, tmp_path: Path
) -> None:
    bundle = _export(store_url, gov_engine, audited, seed_people, tmp_path, timedelta(days=1))
    entry = bundle.log_entry()
    result = verify_bundle(bundle.path, public_keys=bundle.pins)
    assert result.ok, [s.to_dict() for s in result.steps]
    dated = bundle.report["created_at"]
    assert result.warnings == (
        f"report.json created_at {dated} is {_span(dated, entry['created_at'])} after its log "
        f"entry {entry['seq']} (audit.record) of {entry['created_at']}: the report is as "
        "recorded, so the auditing client's clock was ahead",
    )


@pytest.fixture
def earlier_fairmark(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record as fairmark did before ``report_sha256``: the key is left out of the payload."""
    from fairmark.governance import chain

    original = chain.append_entry

    def append_entry(conn: Any, **fields: Any) -> Any:
        if fields.get("action") == "audit.record":
            fields["payload"] = {k: v for k, v in fields["payload"].items()
                                 if k != "report_sha256"}  # fmt: skip
        return original(conn, **fields)

    monkeypatch.setattr(chain, "append_entry", append_entry)


def test_an_older_run_is_checked_by_date_and_warned_about(
    store_url: str, gov_engine: Engine, audited: Any, seed_people: Any, tmp_path: Path,
    earlier_fairmark: None,
) -> None:  # fmt: skip
    bundle = _export(store_url, gov_engine, audited, seed_people, tmp_path)
    entry = bundle.log_entry()
    seq, at = entry["seq"], entry["created_at"]
    assert "report_sha256" not in entry["payload"]
    not_pinned = (
        f"log entry {seq} (audit.record) records no report_sha256 (the run was recorded by an "
        "earlier fairmark): report.json itself is not pinned; only its verdict, data "
        "fingerprint, policy SHA-256, system and created_at are checked against the log, so a "
        "changed carried field (such as summary.data) would not be found"
    )
    genuine = verify_bundle(bundle.path, public_keys=bundle.pins)
    assert genuine.ok and genuine.warnings == (not_pinned,)

    ahead = verify_bundle(
        _forge(bundle, tmp_path / "ahead.zip", created_at=FAKE_DATE, data=FAKE_DATA),
        public_keys=bundle.pins,
    )
    assert _failed(ahead) == ["log"]
    assert ahead.step("log").problems == (
        f"report.json created_at {FAKE_DATE} is {_span(FAKE_DATE, at)} after its log entry "
        f"{seq} (audit.record) of {at}; expected at most 0:05:00 after (a run is dated before "
        "it is recorded: the date was moved ahead)",
    )
    assert ahead.warnings == (not_pinned,)

    # two days before the run: not provable without the digest
    back = (datetime.fromisoformat(at) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    behind = verify_bundle(
        _forge(bundle, tmp_path / "behind.zip", created_at=back, data=None),
        public_keys=bundle.pins,
    )
    assert behind.ok, [s.to_dict() for s in behind.steps]
    assert behind.warnings == (
        not_pinned,
        f"report.json created_at {back} is {_span(at, back)} before its log entry {seq} "
        f"(audit.record) of {at}: the run was recorded later than it ran, or its date was "
        "moved back",
    )
