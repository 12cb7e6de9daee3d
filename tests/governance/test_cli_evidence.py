"""``fairmark evidence export`` and ``fairmark evidence verify``: output and exit codes.

Export runs on SQLite and PostgreSQL (the local account acts as the store's first admin);
verify is offline. Exit codes: 0 success, 1 verification failed, 2 bad input or refused
(one line on stderr, store unchanged).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from tests.governance._evidence_support import edit_json, make_frame, rewrite, run_audit
from typer.testing import CliRunner, Result

from fairmark.cli.evidence import app
from fairmark.governance.access import Principal
from fairmark.governance.artifacts import build_artifacts
from fairmark.governance.identity import os_account
from fairmark.governance.keys import load_signing_key
from fairmark.governance.tokens import create_token
from fairmark.store import RunStore
from fairmark.store.models_governance import Checkpoint, LogEntryRow


@pytest.fixture(autouse=True)
def _env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    key = tmp_path / "keys" / "signing_key.pem"
    monkeypatch.setenv("FAIRMARK_SIGNING_KEY", str(key))
    monkeypatch.delenv("FAIRMARK_TOKEN", raising=False)
    monkeypatch.delenv("FAIRMARK_DEBUG", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return key


@pytest.fixture(scope="module")
def audited() -> Any:
    return run_audit(make_frame(seed=5, n=300))


def _invoke(*args: Any) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _count(engine: Engine, model: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def _one_line_error(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_export_then_verify(
    store_url: str, gov_engine: Engine, audited: Any, tmp_path: Path, _env: Path, seed_people
) -> None:
    with RunStore(store_url) as store:
        store.record_run(audited.to_dict(), artifacts=build_artifacts(audited))
    out = tmp_path / "bundle.zip"
    result = _invoke(
        "export", audited.run_id[:8], "--out", out, "--db-url", store_url, "--format", "json"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    key = load_signing_key(_env, create=False)
    assert (doc["path"], doc["run_id"], doc["key_fingerprint"]) == (
        str(out),
        audited.run_id,
        key.fingerprint,
    )
    assert _count(gov_engine, Checkpoint) == 1
    # the local account became the store's first admin, in the log before the checkpoint
    with gov_engine.connect() as conn:
        actions = conn.execute(select(LogEntryRow.action).order_by(LogEntryRow.seq)).scalars()
        assert list(actions)[-3:] == ["policy.version", "user.bootstrap", "log.checkpoint"]

    # now the store has users: act with tokens (required on PostgreSQL)
    admin = Principal(os_account(), "admin")
    seed_people({"vic": "viewer"})
    _, viewer_token = create_token(gov_engine, user="vic", principal=admin)
    _, admin_token = create_token(gov_engine, user=admin.name, principal=admin)
    before = _count(gov_engine, Checkpoint)
    refused = _invoke(
        "export", audited.run_id, "--out", tmp_path / "v.zip", "--db-url", store_url,
        "--token", viewer_token,
    )  # fmt: skip
    assert refused.exit_code == 2
    assert _one_line_error(refused) == (
        "error: user 'vic' (role viewer) may not evidence.export; it needs role admin or "
        "auditor or owner"
    )
    assert _count(gov_engine, Checkpoint) == before and not (tmp_path / "v.zip").exists()
    text = _invoke(
        "export", audited.run_id, "--out", tmp_path / "b2.zip", "--db-url", store_url,
        "--token", admin_token,
    )  # fmt: skip
    assert text.exit_code == 0, text.output
    assert f"evidence bundle of run {audited.run_id}" in text.stdout
    assert f"--public-key {key.fingerprint}" in text.stdout

    verified = _invoke("verify", out, "--format", "json", "--public-key", key.fingerprint)
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.stdout)
    assert report["ok"] is True and report["warnings"] == []
    assert [s["status"] for s in report["steps"]] == ["ok"] * 5 + ["skipped"]
    plain = _invoke("verify", out)
    assert plain.exit_code == 0
    assert f"evidence bundle {out}: verified" in plain.stdout
    assert "[ok] recompute: all " in plain.stdout
    assert f"warning: signature valid; compare key fingerprint {key.fingerprint}" in plain.stdout


def test_export_refusals_exit_2_and_change_nothing(
    store_url: str, gov_engine: Engine, audited: Any, tmp_path: Path
) -> None:
    with RunStore(store_url) as store:
        store.record_run(audited.to_dict())  # no artifacts: an older run
    before = (_count(gov_engine, LogEntryRow), _count(gov_engine, Checkpoint))
    out = tmp_path / "bundle.zip"
    result = _invoke("export", audited.run_id, "--out", out, "--db-url", store_url)
    assert result.exit_code == 2
    assert _one_line_error(result).startswith(
        f"error: run {audited.run_id} was recorded without evidence artifacts"
    )
    unknown = _invoke("export", "abcdef12", "--out", out, "--db-url", store_url)
    assert unknown.exit_code == 2
    assert "no run 'abcdef12' in the store" in _one_line_error(unknown)
    out.write_text("x")
    exists = _invoke("export", audited.run_id, "--out", out, "--db-url", store_url)
    assert exists.exit_code == 2
    assert _one_line_error(exists).endswith(
        "already exists; expected a new file name (or --force to replace it)"
    )
    assert (_count(gov_engine, LogEntryRow), _count(gov_engine, Checkpoint)) == before
    assert out.read_text() == "x"


def test_verify_exit_codes(
    store_url: str, audited: Any, tmp_path: Path, _env: Path, request: pytest.FixtureRequest
) -> None:
    if "postgres" in request.node.name:
        pytest.skip("verify is offline: one backend is enough")
    with RunStore(store_url) as store:
        store.record_run(audited.to_dict(), artifacts=build_artifacts(audited))
    out = tmp_path / "bundle.zip"
    assert _invoke("export", audited.run_id, "--out", out, "--db-url", store_url).exit_code == 0

    def edit(doc: dict[str, Any]) -> None:
        doc["summary"]["n_rows"] += 1

    forged = rewrite(
        out,
        tmp_path / "forged.zip",
        change={"report.json": edit_json(edit)},
        sign_with=load_signing_key(_env, create=False),
    )
    failed = _invoke("verify", forged)
    assert failed.exit_code == 1
    assert f"evidence bundle {forged}: VERIFICATION FAILED" in failed.stdout
    n = audited.to_dict()["summary"]["n_rows"]
    assert f"report.json summary.n_rows = {n + 1} but the aggregates give {n}" in failed.stdout
    as_json = json.loads(_invoke("verify", forged, "--format", "json").stdout)
    assert as_json["ok"] is False
    assert as_json["mismatches"][0]["path"] == "summary.n_rows"

    not_zip = tmp_path / "notes.txt"
    not_zip.write_text("hello")
    for args, phrase in (
        ((not_zip,), "is not a zip archive"),
        ((tmp_path / "missing.zip",), "does not exist or is not a file"),
        ((out, "--public-key", "xyz"), "is not 64 hex digits"),
        ((out, "--data", tmp_path / "missing.csv"), "does not exist; expected the audited data"),
        ((out, "--format", "yaml"), "--format"),
    ):
        bad = _invoke("verify", *args)
        assert bad.exit_code == 2, (args, bad.output)
        assert phrase in _one_line_error(bad)


def test_an_auditors_export_writes_nothing(
    store_url: str, gov_engine: Engine, audited: Any, tmp_path: Path, _env: Path, seed_people
) -> None:
    from tests.governance._log_helpers import log_state

    from fairmark.governance.log import create_checkpoint

    with RunStore(store_url) as store:
        store.record_run(audited.to_dict(), artifacts=build_artifacts(audited))
    people = seed_people({"ada": "admin", "aud": "auditor"})
    _, aud_token = create_token(gov_engine, user="aud", principal=people["ada"])
    mine = tmp_path / "auditor" / "key.pem"
    out = tmp_path / "aud.zip"
    args = ("export", audited.run_id, "--out", out, "--key", mine, "--db-url", store_url,
            "--token", aud_token)  # fmt: skip
    before = log_state(gov_engine)
    refused = _invoke(*args)
    assert refused.exit_code == 2
    assert _one_line_error(refused).endswith(
        "and user 'aud' (role auditor) does not sign checkpoints; expected a checkpoint: ask "
        "an admin to run 'fairmark log checkpoint', then export again"
    )
    assert log_state(gov_engine) == before and not out.exists()

    admin_key = load_signing_key(_env)
    create_checkpoint(gov_engine, key=admin_key, principal=people["ada"])
    before = log_state(gov_engine)
    done = _invoke(*args, "--format", "json")
    assert done.exit_code == 0, done.output
    assert log_state(gov_engine) == before  # entries, head hash, checkpoints
    doc = json.loads(done.stdout)
    auditor = load_signing_key(mine, create=False)
    assert (doc["signed_checkpoint"], doc["checkpoint_fingerprint"], doc["key_fingerprint"]) == (
        False,
        admin_key.fingerprint,
        auditor.fingerprint,
    )
    text = _invoke(*args, "--force")
    assert text.exit_code == 0, text.output
    assert f"by key {admin_key.fingerprint} (existing)" in text.stdout
    assert (
        f"--public-key {admin_key.fingerprint} --public-key {auditor.fingerprint}'" in text.stdout
    )
    assert log_state(gov_engine) == before
    verified = _invoke(
        "verify", out, "--public-key", admin_key.fingerprint, "--public-key", auditor.fingerprint
    )
    assert verified.exit_code == 0, verified.output
    assert f"evidence bundle {out}: verified" in verified.stdout
