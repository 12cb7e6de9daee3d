"""Recording a run with its artifacts, and exporting its evidence bundle (SQLite and PostgreSQL).

A real audit (score and outcome metrics present) is recorded with ``record_run(...,
artifacts=build_artifacts(result))``; the log gets ``audit.record`` and, once per policy
text, ``policy.version``; ``export_bundle`` checks roles, refuses what it cannot do without
writing anything, and writes a bundle that verifies.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select
from tests.governance._evidence_support import SYSTEM, make_frame, read_members, run_audit

from fairmark.errors import UsageError
from fairmark.governance.access import AccessError, Principal
from fairmark.governance.artifacts import (
    AGGREGATES_FORMAT,
    KEY_PACKAGES,
    artifacts_digest,
    build_artifacts,
)
from fairmark.governance.evidence import export_bundle, verify_bundle
from fairmark.governance.keys import SigningKey, load_signing_key
from fairmark.store import RunStore
from fairmark.store.models_governance import Checkpoint, LogEntryRow, RunArtifacts, SystemRow

ADMIN = Principal(name="ada", role="admin")

FILES = [
    "manifest.json",
    "report.json",
    "report.html",
    "report.md",
    "junit.xml",
    "spec.json",
    "policy.yaml",
    "aggregates/cube.json",
    "aggregates/score.json",
    "aggregates/outcome.json",
    "aggregates/carried.json",
    "metrics.json",
    "environment.json",
    "data_fingerprint.json",
    "log.jsonl",
    "checkpoint.json",
    "signature.json",
]


@pytest.fixture(autouse=True)
def _key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch ~/.config: the default signing key lives in the test folder."""
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(tmp_path / "default-key" / "signing_key.pem"))


@pytest.fixture(scope="module")
def audited() -> Any:
    """One real audit with score and outcome metrics (shared: auditing is slow)."""
    return run_audit(make_frame())


@pytest.fixture(scope="module")
def artifacts(audited: Any) -> Any:
    return build_artifacts(audited)


@pytest.fixture
def key(tmp_path: Path) -> SigningKey:
    return load_signing_key(tmp_path / "keys" / "signing_key.pem")


def _count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _log(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(select(LogEntryRow.__table__).order_by(LogEntryRow.seq)).all()


def _register(engine: Engine, owner: str) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(SystemRow).values(
                name=SYSTEM,
                owner=owner,
                purpose="marketing.communications",
                use_case="targeting",
                data_categories=[],
                model_version="1.0",
                model_version_at=now,
                status="proposed",
                created_at=now,
                updated_at=now,
            )
        )


def _canonical(document: Any) -> str:
    """Canonical JSON with the standard library: sorted keys, no spaces, non-ASCII kept."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _record(store_url: str, audited: Any, artifacts: Any = None) -> None:
    with RunStore(store_url) as store:
        store.record_run(audited.to_dict(), artifacts=artifacts, actor="ada")


# ------------------------------------------------------------------------ artifacts


def test_build_artifacts_holds_the_aggregates_policy_and_environment(
    audited: Any, artifacts: Any
) -> None:
    doc = json.loads(artifacts.aggregates_text)
    assert doc["format"] == AGGREGATES_FORMAT
    assert set(doc) == {"format", "cube", "score", "outcome", "carried"}
    assert doc["cube"]["features"] == ["age_band", "region"]
    assert doc["cube"]["threshold"] == audited.cube.threshold
    assert len(doc["cube"]["frame"]["rows"]) == len(audited.cube.frame)
    cells = {(r[0], r[1]): r for r in doc["cube"]["frame"]["rows"]}
    tp = doc["cube"]["frame"]["columns"].index("tp")
    first = audited.cube.frame.iloc[0]
    assert cells[(first["age_band"], first["region"])][tp] == int(first["tp"])
    hist = audited.metrics.score_metrics.aggregates.histogram
    assert doc["score"]["histogram"]["n_bins"] == hist.n_bins
    assert len(doc["score"]["histogram"]["frame"]["rows"]) == len(hist.frame)
    assert len(doc["outcome"]["cells"]["rows"]) == len(
        audited.metrics.outcome_metrics.aggregates.cells
    )
    assert doc["carried"]["privacy"] == audited.metrics.privacy.to_dict()
    assert doc["carried"]["consent"] is None
    assert (
        artifacts.aggregates_sha256
        == hashlib.sha256(artifacts.aggregates_text.encode()).hexdigest()
    )
    assert artifacts.policy_sha256 == audited.policy.sha256
    assert hashlib.sha256(artifacts.policy_text.encode()).hexdigest() == audited.policy.sha256
    env = artifacts.environment
    assert env["fairmark"] == fairmark_version()
    assert set(env["packages"]) == set(KEY_PACKAGES)
    assert env["packages"]["duckdb"] is not None and env["python"].count(".") == 2
    assert artifacts.digest == artifacts_digest(
        artifacts.aggregates_sha256, artifacts.policy_sha256, env
    )


def fairmark_version() -> str:
    from fairmark import __version__

    return __version__


def test_build_artifacts_refuses_what_is_not_an_audit_result() -> None:
    with pytest.raises(UsageError, match="got a dict; expected the AuditResult"):
        build_artifacts({"run_id": "x"})


# ------------------------------------------------------------------------ record_run


def test_record_run_logs_audit_record_and_the_policy_version_once(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any
) -> None:
    report = audited.to_dict()
    _record(store_url, audited, artifacts)
    second = dict(report, run_id="11111111-2222-4333-8444-555555555555")
    third = dict(report, run_id="22222222-2222-4333-8444-555555555555")
    with RunStore(store_url) as store:
        store.record_run(second, actor="bob")
        store.record_run(third)  # the actor defaults to the operating-system account
    entries = _log(gov_engine)
    assert [(e.seq, e.action, e.entity_type, e.entity_id, e.actor) for e in entries] == [
        (1, "audit.record", "run", audited.run_id, "ada"),
        (2, "policy.version", "policy", "fairmark-default@1.0.0", "ada"),
        (3, "audit.record", "run", second["run_id"], "bob"),
        (4, "audit.record", "run", third["run_id"], getpass.getuser()),
    ]
    assert json.loads(entries[0].payload) == {
        "system_name": SYSTEM,
        "verdict": audited.verdict,
        "policy_id": "fairmark-default",
        "policy_version": "1.0.0",
        "policy_sha256": audited.policy.sha256,
        "data_fingerprint": audited.data_fingerprint["value"],
        "artifacts_sha256": artifacts.digest,
        # SHA-256 of the canonical JSON of the report as stored (sorted keys, no spaces)
        "report_sha256": hashlib.sha256(_canonical(report).encode("utf-8")).hexdigest(),
    }
    assert json.loads(entries[1].payload) == {
        "id": "fairmark-default",
        "version": "1.0.0",
        "sha256": audited.policy.sha256,
        "owner": report["policy"]["owner"],
        "review_by": report["policy"]["review_by"],
    }
    assert json.loads(entries[2].payload)["artifacts_sha256"] is None
    with gov_engine.connect() as conn:
        row = conn.execute(select(RunArtifacts.__table__)).one()
    assert row.run_id == audited.run_id
    assert row.aggregates == artifacts.aggregates_text  # byte for byte
    assert row.policy_text == artifacts.policy_text
    assert row.environment == artifacts.environment


def test_record_run_refuses_artifacts_of_another_run_and_stores_nothing(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any
) -> None:
    other = dict(audited.to_dict(), run_id="99999999-2222-4333-8444-555555555555")
    with RunStore(store_url) as store, pytest.raises(UsageError) as info:
        store.record_run(other, artifacts=artifacts)
    assert str(info.value) == (
        f"artifacts belong to run {audited.run_id}, not to run {other['run_id']}; expected "
        "the artifacts built from the same audit result as the report"
    )
    assert _log(gov_engine) == []
    assert _count(gov_engine, RunArtifacts) == 0
    assert RunStore(store_url).list_runs() == []


def test_record_run_refuses_artifacts_of_another_policy(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any
) -> None:
    report = audited.to_dict()
    report["policy"] = dict(report["policy"], sha256="ab" * 32)
    with RunStore(store_url) as store, pytest.raises(UsageError, match="judged against abab"):
        store.record_run(report, artifacts=artifacts)
    assert _log(gov_engine) == [] and _count(gov_engine, RunArtifacts) == 0


def test_a_duplicate_run_keeps_its_message_and_logs_nothing_more(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any
) -> None:
    _record(store_url, audited, artifacts)
    before = len(_log(gov_engine))
    with RunStore(store_url) as store, pytest.raises(Exception, match="is already recorded"):
        store.record_run(audited.to_dict(), artifacts=artifacts)
    assert len(_log(gov_engine)) == before


# ---------------------------------------------------------------------------- export


def test_export_writes_a_bundle_that_verifies(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any, key: SigningKey, tmp_path
) -> None:
    _record(store_url, audited, artifacts)
    out = tmp_path / "bundle.zip"
    info = export_bundle(gov_engine, audited.run_id[:8], out, principal=ADMIN, key=key)
    assert info.run_id == audited.run_id and info.path == str(out)
    assert info.key_fingerprint == key.fingerprint and info.public_key == key.public_hex
    assert (info.log_first_seq, info.checkpoint_seq, info.concerned_seqs) == (1, 2, (1, 2))
    assert info.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    with zipfile.ZipFile(out) as archive:
        names = [i.filename for i in archive.infolist()]
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert names == FILES
    members = read_members(out)
    assert json.loads(members["report.json"]) == RunStore(store_url).get_run(audited.run_id)
    assert members["policy.yaml"].decode() == artifacts.policy_text
    assert json.loads(members["environment.json"]) == artifacts.environment
    metrics = json.loads(members["metrics.json"])
    complete = audited.to_dict(disclosure_control=False)
    assert metrics["groups"] == complete["groups"]
    assert metrics["score_metrics"] == complete["score_metrics"]
    assert metrics["outcome_metrics"] == complete["outcome_metrics"]
    assert len(metrics["measurements"]) == len(audited.measurements)
    manifest = json.loads(members["manifest.json"])
    assert manifest["log"] == {"first_seq": 1, "last_seq": 2, "concerned_seqs": [1, 2]}
    assert [f["path"] for f in manifest["files"]] == FILES[1:-1]
    log_lines = [json.loads(line) for line in members["log.jsonl"].decode().splitlines()]
    assert [line["type"] for line in log_lines] == ["header", "entry", "entry", "checkpoint"]
    assert log_lines[0]["since_seq"] == 0
    # the store has the checkpoint, and the log.checkpoint entry after it
    assert _count(gov_engine, Checkpoint) == 1
    assert [e.action for e in _log(gov_engine)][-1] == "log.checkpoint"

    result = verify_bundle(out)
    assert result.ok, [s.to_dict() for s in result.steps]
    assert [(s.name, s.status) for s in result.steps] == [
        ("archive", "ok"),
        ("signature", "ok"),
        ("log", "ok"),
        ("policy", "ok"),
        ("recompute", "ok"),
        ("data", "skipped"),
    ]
    assert result.key_fingerprint == key.fingerprint and result.mismatches == ()
    assert result.warnings == (
        f"signature valid; compare key fingerprint {key.fingerprint} with the one your "
        "organisation publishes (or pin it with --public-key)",
    )
    assert result.step("recompute").detail.endswith(
        "carried, not recomputed: privacy, run_id, created_at, system_name, summary.data, "
        "policy.path (see carried)"
    )
    assert result.carried["privacy"].startswith(
        "carried from the run's artifacts, not recomputable from aggregates"
    )
    assert "consent" not in result.carried
    pinned = verify_bundle(out, public_keys=[key.fingerprint])
    assert pinned.ok and pinned.warnings == ()


def test_a_second_export_differs_only_in_time_checkpoint_log_and_signature(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any, key: SigningKey, tmp_path
) -> None:
    _record(store_url, audited, artifacts)
    first = read_members(export_bundle(gov_engine, audited.run_id, tmp_path / "a.zip",
                                       principal=ADMIN, key=key).path)  # fmt: skip
    second = read_members(export_bundle(gov_engine, audited.run_id, tmp_path / "b.zip",
                                        principal=ADMIN, key=key).path)  # fmt: skip
    differ = sorted(n for n in first if first[n] != second[n])
    assert differ == ["checkpoint.json", "log.jsonl", "manifest.json", "signature.json"]
    # the second segment holds the first export's checkpoint too, and verifies
    lines = [json.loads(x) for x in second["log.jsonl"].decode().splitlines()]
    assert [x["seq"] for x in lines if x["type"] == "checkpoint"] == [2, 3]
    assert verify_bundle(tmp_path / "b.zip").ok


def test_export_of_a_run_without_artifacts_is_refused_and_writes_nothing(
    store_url: str, gov_engine: Engine, audited: Any, key: SigningKey, tmp_path
) -> None:
    _record(store_url, audited)
    before = len(_log(gov_engine))
    with pytest.raises(UsageError) as info:
        export_bundle(gov_engine, audited.run_id, tmp_path / "b.zip", principal=ADMIN, key=key)
    assert str(info.value).startswith(
        f"run {audited.run_id} was recorded without evidence artifacts"
    )
    assert "run the audit again" in str(info.value)
    assert len(_log(gov_engine)) == before and _count(gov_engine, Checkpoint) == 0
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".*partial")) == []


def test_export_of_an_unknown_run_is_refused(
    store_url: str, gov_engine: Engine, key: SigningKey, tmp_path
) -> None:
    with pytest.raises(UsageError, match="no run 'abc123' in the store"):
        export_bundle(gov_engine, "abc123", tmp_path / "b.zip", principal=ADMIN, key=key)
    with pytest.raises(UsageError, match="is not a run id or prefix"):
        export_bundle(gov_engine, "run%", tmp_path / "b.zip", principal=ADMIN, key=key)


def test_export_refuses_an_existing_file_unless_forced_and_a_missing_folder(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any, key: SigningKey, tmp_path
) -> None:
    _record(store_url, audited, artifacts)
    out = tmp_path / "bundle.zip"
    out.write_bytes(b"keep me")
    with pytest.raises(UsageError) as info:
        export_bundle(gov_engine, audited.run_id, out, principal=ADMIN, key=key)
    assert str(info.value) == (
        f"{out} already exists; expected a new file name (or --force to replace it)"
    )
    assert out.read_bytes() == b"keep me" and _count(gov_engine, Checkpoint) == 0
    missing = tmp_path / "nope" / "bundle.zip"
    with pytest.raises(UsageError, match=r"folder .*nope of --out .* does not exist"):
        export_bundle(gov_engine, audited.run_id, missing, principal=ADMIN, key=key)
    export_bundle(gov_engine, audited.run_id, out, principal=ADMIN, key=key, force=True)
    assert zipfile.is_zipfile(out)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["bundle.zip"]


# ----------------------------------------------------------------------------- roles


def test_roles_who_may_export(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any, key: SigningKey,
    seed_people, tmp_path,
) -> None:  # fmt: skip
    people = seed_people(
        {
            "ada": "admin",
            "olga": "owner",
            "otto": "owner",
            "vic": "viewer",
            "rita": "reviewer",
            "aud": "auditor",
        }
    )
    _record(store_url, audited, artifacts)

    def export(who: str, name: str = "") -> Any:
        return export_bundle(gov_engine, audited.run_id, tmp_path / f"{name or who}.zip",
                             principal=people[who], key=key)  # fmt: skip

    # no registered system: any owner may export
    assert export("otto", "otto-before").run_id == audited.run_id
    _register(gov_engine, owner="olga")
    before = (len(_log(gov_engine)), _count(gov_engine, Checkpoint))
    with pytest.raises(AccessError) as info:
        export("vic")
    assert str(info.value) == (
        "user 'vic' (role viewer) may not evidence.export; it needs role admin or auditor or owner"
    )
    with pytest.raises(AccessError, match="role reviewer"):
        export("rita")
    with pytest.raises(AccessError) as info:
        export("otto")
    assert str(info.value) == (
        "user 'otto' (role owner) may not evidence.export for a system owned by 'olga'; "
        "expected the system's owner or an admin"
    )
    assert (len(_log(gov_engine)), _count(gov_engine, Checkpoint)) == before
    assert not (tmp_path / "vic.zip").exists() and not (tmp_path / "rita.zip").exists()
    assert export("olga").run_id == audited.run_id
    assert export("aud").run_id == audited.run_id
    assert export("ada").run_id == audited.run_id


# -------------------------------------------------------------------------- pipeline


def test_the_audit_job_records_the_artifacts_it_needs(
    store_url: str, gov_engine: Engine, key: SigningKey, tmp_path
) -> None:
    from fairmark.pipeline import run_audit_job

    frame = make_frame(seed=11, n=200)
    job = run_audit_job(
        frame,
        out_dir=tmp_path / "out",
        formats=("json",),
        store_url=store_url,
        y_true="y",
        y_pred=None,
        score="score",
        threshold=0.5,
        sensitive_features=["region"],
        outcome="offer",
        min_group_size=10,
    )
    with gov_engine.connect() as conn:
        row = conn.execute(select(RunArtifacts.__table__)).one()
    assert row.run_id == job.result.run_id
    assert row.aggregates == build_artifacts(job.result).aggregates_text
    info = export_bundle(gov_engine, job.result.run_id, tmp_path / "b.zip", principal=ADMIN,
                         key=key)  # fmt: skip
    assert verify_bundle(info.path, data=frame).ok


# ------------------------------------------------------------------- who signs checkpoints


def test_an_auditors_export_writes_nothing_and_verifies_offline(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any, key: SigningKey,
    seed_people, tmp_path,
) -> None:  # fmt: skip
    from tests.governance._log_helpers import log_state

    from fairmark.governance.chain import append_entry
    from fairmark.governance.log import create_checkpoint
    from fairmark.store.db import write_transaction

    people = seed_people({"ada": "admin", "aud": "auditor"})
    _record(store_url, audited, artifacts)  # entries 1 (audit.record), 2 (policy.version)
    mine = load_signing_key(tmp_path / "auditor" / "key.pem")
    out = tmp_path / "aud.zip"

    def export() -> Any:
        return export_bundle(gov_engine, audited.run_id, out, principal=people["aud"], key=mine)

    before = log_state(gov_engine)
    with pytest.raises(UsageError) as info:
        export()
    assert str(info.value) == (
        f"no checkpoint covers the log entries about run {audited.run_id} (the last is entry "
        "2, no checkpoint) and user 'aud' (role auditor) does not sign checkpoints; expected "
        "a checkpoint: ask an admin to run 'fairmark log checkpoint', then export again"
    )
    assert log_state(gov_engine) == before and not out.exists()

    signed = create_checkpoint(gov_engine, key=key, principal=people["ada"])  # of entry 2
    before = log_state(gov_engine)
    bundle = export()
    assert log_state(gov_engine) == before  # rows, head hash and checkpoints unchanged
    assert (bundle.signed_checkpoint, bundle.checkpoint_seq, bundle.concerned_seqs) == (
        False,
        signed.seq,
        (1, 2),
    )
    assert (bundle.checkpoint_fingerprint, bundle.key_fingerprint) == (
        key.fingerprint,
        mine.fingerprint,
    )
    assert bundle.checkpoint_created_at == signed.created_at
    members = read_members(out)
    assert json.loads(members["checkpoint.json"])["signature"] == signed.signature
    assert json.loads(members["signature.json"])["key_fingerprint"] == mine.fingerprint

    both = verify_bundle(out, public_keys=[key.fingerprint, mine.fingerprint])
    assert both.ok and both.warnings == (), [s.to_dict() for s in both.steps]
    assert both.step("log").detail.startswith(
        f"entries 1-2 chain correctly up to checkpoint 2, signed by key "
        f"{key.fingerprint[:16]}… (trusted)"
    )
    # unpinned, no key is authenticated: it verifies and says which keys to pin
    unpinned = verify_bundle(out)  # the checkpoint's key is not the bundle's
    assert unpinned.ok, [s.to_dict() for s in unpinned.steps]
    assert (
        f"the checkpoint of entry 2 is signed by key {key.fingerprint}, not by the key that "
        f"signed the bundle ({mine.fingerprint}); pin the organisation's checkpoint key with "
        "--public-key to establish who vouches for the log"
    ) in unpinned.warnings
    # pinning only the auditor's key is not enough: the checkpoint's key must be pinned too
    mine_only = verify_bundle(out, public_keys=[mine.fingerprint])
    assert [s.name for s in mine_only.steps if s.status == "failed"] == ["log"]
    assert mine_only.step("log").problems == (
        f"the checkpoint of entry 2 is signed by key {key.fingerprint}, neither the key that "
        f"signed the bundle ({mine.fingerprint}) nor a pinned key nor one the log segment "
        "registers: the bundle was re-signed by someone else, or exported by someone who "
        "does not sign checkpoints (then pin the checkpoint's key too, --public-key)",
    )

    # a later entry about the run's system, not yet signed: refused again, nothing written
    with write_transaction(gov_engine) as conn:
        late = append_entry(
            conn, actor="ada", action="system.update", entity_type="system", entity_id=SYSTEM
        )
    before = log_state(gov_engine)
    with pytest.raises(UsageError, match=rf"\(the last is entry {late.seq}, the newest "):
        export_bundle(gov_engine, audited.run_id, tmp_path / "b.zip", principal=people["aud"],
                      key=mine)  # fmt: skip
    assert log_state(gov_engine) == before and not (tmp_path / "b.zip").exists()


def test_a_read_only_token_and_an_untrusted_key_sign_no_checkpoint(
    store_url: str, gov_engine: Engine, audited: Any, artifacts: Any, key: SigningKey,
    seed_people, tmp_path,
) -> None:  # fmt: skip
    from tests.governance._log_helpers import log_state

    from fairmark.governance.log import create_checkpoint

    people = seed_people({"ada": "admin"})
    _record(store_url, audited, artifacts)
    signed = create_checkpoint(gov_engine, key=key, principal=people["ada"])  # registers key
    scoped = Principal("ada", "admin", via="token", scopes=frozenset({"read", "evidence.export"}))
    before = log_state(gov_engine)
    info = export_bundle(gov_engine, audited.run_id, tmp_path / "a.zip", principal=scoped, key=key)
    assert (info.signed_checkpoint, info.checkpoint_seq) == (False, signed.seq)
    assert log_state(gov_engine) == before
    assert verify_bundle(info.path, public_keys=[key.fingerprint]).ok

    other = load_signing_key(tmp_path / "laptop" / "key.pem")  # ada's second machine
    info = export_bundle(gov_engine, audited.run_id, tmp_path / "b.zip", principal=people["ada"],
                         key=other)  # fmt: skip
    if gov_engine.dialect.name == "postgresql":  # the store trusts key, not other
        assert (info.signed_checkpoint, info.checkpoint_fingerprint) == (False, key.fingerprint)
        assert log_state(gov_engine) == before
    else:  # SQLite: every client signs
        assert (info.signed_checkpoint, info.checkpoint_fingerprint) == (True, other.fingerprint)
        assert log_state(gov_engine)[2] == before[2] + 1
    assert verify_bundle(info.path, public_keys=[key.fingerprint, other.fingerprint]).ok
