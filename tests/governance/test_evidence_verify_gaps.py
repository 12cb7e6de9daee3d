"""Evidence-bundle verification gaps found by QA (issue #7): an insider holding the signing
key re-signs a bundle after changing the run's version, adding a file, or changing a
carried field; and the same rows given as Parquet instead of the audited CSV.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests.governance._evidence_support import (
    edit_json,
    make_frame,
    read_members,
    report_digest_problem,
    rewrite,
)
from tests.governance._evidence_support import run_audit as audit_frame

import fairmark
from fairmark.governance.access import Principal
from fairmark.governance.artifacts import build_artifacts
from fairmark.governance.evidence import export_bundle, verify_bundle
from fairmark.governance.evidence_format import BUNDLE_FILES
from fairmark.governance.keys import SigningKey, load_signing_key
from fairmark.store import RunStore


def _export(folder: Path, result: Any, key: SigningKey) -> Path:
    with RunStore(f"sqlite:///{folder / 'fairmark.db'}") as store:
        store.record_run(result.to_dict(), artifacts=build_artifacts(result), actor="ada")
        export_bundle(
            store.engine, result.run_id, folder / "bundle.zip",
            principal=Principal("ada", "admin"), key=key,
        )  # fmt: skip
    return folder / "bundle.zip"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SigningKey, Any]:
    folder = tmp_path_factory.mktemp("gaps")
    key = load_signing_key(folder / "signing_key.pem")
    result = audit_frame(make_frame(seed=11, n=300))
    return _export(folder, result, key), key, result


def _failed(result: Any) -> list[str]:
    return [s.name for s in result.steps if s.status == "failed"]


# ------------------------------------------------------------- 1. the run's version


def test_a_changed_tool_version_cannot_excuse_edited_renderings(
    made: tuple[Path, SigningKey, Any], tmp_path: Path
) -> None:
    path, key, _ = made

    def old_version(doc: dict[str, Any]) -> None:
        doc["tool_version"] = "0.0.1"

    forged = rewrite(
        path,
        tmp_path / "forged.zip",
        change={
            "report.json": edit_json(old_version),
            "report.md": lambda raw: raw.replace(b"WARN", b"PASS").replace(b"FAIL", b"PASS"),
        },
        sign_with=key,
    )
    result = verify_bundle(forged, public_keys=[key.fingerprint])
    assert _failed(result) == ["log", "recompute"]  # report.json no longer hashes as logged
    assert result.step("log").problems == (report_digest_problem(path, forged),)
    problems = result.step("recompute").problems
    assert (
        "report.json tool_version is '0.0.1' but environment.json (bound to the log through "
        f"artifacts_sha256) records fairmark {fairmark.__version__!r}"
    ) in problems
    assert "report.md is not fairmark's rendering of report.json (it was edited)" in problems
    assert not any("by this version of fairmark" in w for w in result.warnings)


def test_another_verifier_version_only_warns_about_renderings(
    made: tuple[Path, SigningKey, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, key, _ = made
    forged = rewrite(
        path,
        tmp_path / "forged.zip",
        change={"report.md": lambda raw: raw + b"\n"},
        sign_with=key,
    )
    run_version = fairmark.__version__
    monkeypatch.setattr(fairmark, "__version__", "99.0.0")
    result = verify_bundle(forged, public_keys=[key.fingerprint])
    assert result.ok, result.to_dict()
    assert (
        "report.md is not fairmark's rendering of report.json by this version of fairmark"
    ) in result.warnings
    assert (
        f"the run was made with fairmark {run_version} and is verified with 99.0.0; "
        "renderings may differ between versions"
    ) in result.warnings
    monkeypatch.setattr(fairmark, "__version__", run_version)
    same = verify_bundle(forged, public_keys=[key.fingerprint])
    assert _failed(same) == ["recompute"]
    assert same.step("recompute").problems == (
        "report.md is not fairmark's rendering of report.json (it was edited)",
    )


# ------------------------------------------------------------- 2. an added file


def test_a_listed_file_outside_the_format_is_rejected(
    made: tuple[Path, SigningKey, Any], tmp_path: Path
) -> None:
    path, key, _ = made
    assert set(read_members(path)) <= set(BUNDLE_FILES)

    def list_it(doc: dict[str, Any]) -> None:
        doc["files"].append({"path": "notes/override.json", "sha256": "", "size": 0})

    forged = rewrite(
        path,
        tmp_path / "forged.zip",
        change={"manifest.json": edit_json(list_it)},
        add={"notes/override.json": b'{"verdict": "pass"}'},
        sign_with=key,
    )
    result = verify_bundle(forged, public_keys=[key.fingerprint])
    assert _failed(result) == ["archive"]
    (problem,) = result.step("archive").problems
    assert problem == (
        "notes/override.json is not a file of the evidence bundle format (an added file); "
        f"expected only {', '.join(BUNDLE_FILES)}"
    )
    assert result.step("signature").status == "ok"


# ------------------------------------------------------------- 3. a carried field


def test_a_changed_carried_field_is_named_in_report_json(
    made: tuple[Path, SigningKey, Any], tmp_path: Path
) -> None:
    path, key, result = made
    true_data = result.to_dict()["summary"]["data"]

    def rename(doc: dict[str, Any]) -> None:
        doc["summary"]["data"] = "approved_sample.csv"

    forged = rewrite(
        path, tmp_path / "forged.zip", change={"report.json": edit_json(rename)}, sign_with=key
    )
    verified = verify_bundle(forged, public_keys=[key.fingerprint])
    assert _failed(verified) == ["log", "recompute"]
    assert verified.step("log").problems == (report_digest_problem(path, forged),)
    [mismatch] = [m for m in verified.mismatches if m.path == "summary.data"]
    assert (mismatch.file, mismatch.expected, mismatch.actual) == (
        "report.json",
        "approved_sample.csv",
        true_data,
    )
    assert mismatch.message == (
        f"report.json summary.data = 'approved_sample.csv' but metrics.json has {true_data!r}"
    )
    assert mismatch.message in verified.step("recompute").problems
    assert not any(m.file == "metrics.json" for m in verified.mismatches)


# ------------------------------------------------------------- 4. CSV vs Parquet


@pytest.fixture(scope="module")
def csv_bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("csv")
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame(
        {
            "region": rng.choice(["north", "south"], n),
            "y": rng.choice(["yes", "no"], n),
            "score": rng.random(n).round(3),
        }
    )
    csv = folder / "calls.csv"
    frame.to_csv(csv, index=False)
    result = fairmark.audit(
        csv, y_true="y", positive_label="yes", score="score", top_k=0.25,
        sensitive_features=["region"], min_group_size=10,
    )  # fmt: skip
    assert result.cube.column_types["y"] == "boolean"
    key = load_signing_key(folder / "signing_key.pem")
    return _export(folder, result, key), csv, frame


def test_the_same_rows_as_parquet_only_warn_about_column_types(
    csv_bundle: tuple[Path, Path, pd.DataFrame], tmp_path: Path
) -> None:
    bundle, csv, frame = csv_bundle
    parquet = tmp_path / "calls.parquet"
    frame.to_parquet(parquet)
    assert verify_bundle(bundle, data=csv).warnings[1:] == ()
    result = verify_bundle(bundle, data=parquet)
    assert result.ok, result.to_dict()
    assert result.step("data").status == "ok"
    assert (
        "the data's column types differ from the audited file's (y: string vs boolean) but "
        "every aggregate agrees"
    ) in result.warnings
    assert any(
        w.startswith("the data's fingerprint is ")
        and w.endswith("(it hashes the column types, which differ)")
        for w in result.warnings
    )


def test_a_differing_cell_in_parquet_still_fails(
    csv_bundle: tuple[Path, Path, pd.DataFrame], tmp_path: Path
) -> None:
    bundle, _, frame = csv_bundle
    changed = frame.copy()
    changed.loc[0, "y"] = "no" if changed.loc[0, "y"] == "yes" else "yes"
    parquet = tmp_path / "changed.parquet"
    changed.to_parquet(parquet)
    result = verify_bundle(bundle, data=parquet)
    assert _failed(result) == ["data"]
    problems = result.step("data").problems
    assert any(p.startswith(f"cube cell region={frame.loc[0, 'region']}: ") for p in problems)
    assert any(p.startswith("cube column_types: bundle ") for p in problems)
    assert any(p.startswith("the data's fingerprint is ") for p in problems)
    assert not any("every aggregate agrees" in w for w in result.warnings)
