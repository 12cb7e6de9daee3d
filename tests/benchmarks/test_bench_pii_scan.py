"""The PII-scan benchmark: contenders agree on a small table; its fragment renders."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from bench_pii_scan import (
    CONTENDERS,
    accuracy,
    render_fragment,
    run_exact,
    run_fairmark,
    run_regex_only,
    share_errors,
)

from fairmark.privacy.synthetic_crm import make_crm_table


@pytest.fixture(scope="module")
def crm_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench-pii") / "crm.parquet"
    pq.write_table(make_crm_table(400, seed=3), path)
    return path


def test_full_sample_estimate_equals_the_exact_share(crm_path: Path) -> None:
    # 400 rows < 1,000 sampled values: every value is validated, so engine share ×
    # validated fraction must equal the exact share computed value by value.
    fairmark = run_fairmark(str(crm_path), presidio=False)
    exact = run_exact(str(crm_path))
    errors = share_errors(fairmark["share"], exact["share"])
    assert set(errors["per_column"]) == set(exact["share"])
    assert errors["max"] == pytest.approx(0.0, abs=1e-12)
    assert accuracy(fairmark["entity"], {"email": "EMAIL_ADDRESS"})["correct"] == 1


def test_regex_only_misses_what_needs_validation_or_names(crm_path: Path) -> None:
    got = run_regex_only(str(crm_path))
    assert got["entity"]["email"] == "EMAIL_ADDRESS"
    assert got["entity"]["first_name"] is None and got["entity"]["notes"] is None


def test_accuracy_and_share_errors_by_hand() -> None:
    acc = accuracy({"a": "EMAIL_ADDRESS", "b": None}, {"a": "EMAIL_ADDRESS", "b": "PERSON"})
    assert acc == {"correct": 1, "total": 2, "wrong": ["b: None (expected PERSON)"]}
    err = share_errors({"a": 0.9, "b": 0.5}, {"a": 1.0, "b": 0.5, "c": 0.2})
    assert err["max"] == pytest.approx(0.1) and set(err["per_column"]) == {"a", "b"}


def test_fragment_reports_the_target_and_every_contender() -> None:
    def entry(name: str, compute: float, **extra: object) -> dict:
        return {"contender": name, "status": "ok", "compute_s": compute, "wall_s": compute + 2,
                "cpu_s": compute * 2, "peak_rss_mb": 300.0, "n_columns": 21, **extra}

    results = {
        "n_rows": 1_000_000, "seed": 1, "n_columns": 21, "file_mb": 80.0,
        "results": [
            entry("fairmark", 42.0, accuracy={"correct": 21, "total": 21, "wrong": []},
                  share_error={"max": 0.01, "per_column": {}}),
            entry("regex-only", 10.0, accuracy={"correct": 15, "total": 21,
                                                "wrong": ["dob: None (expected X)"]}),
            entry("exact", 100.0, n_values=9_000_000, n_columns=9),
            {"contender": "notes-fairmark", "status": "ok", "compute_s": 4.0,
             "n_notes": 800_000, "peak_rss_mb": 200.0},
        ],
        "machine": {"cpu": "Test CPU", "packages": {}}, "generated_at": "now",
        "command": "bench",
    }  # fmt: skip
    text = render_fragment(results)
    assert "500,000 values/s, met." in text  # 21e6 / 42 s
    assert "| regex-only | 10.00 | 12.00 | 20.00 | 300 | 2,100,000 | 1,050,000 | 15/21 |" in text
    assert "missed: dob: None (expected X)" in text
    assert "| fairmark `scan_texts`, every note | 800,000 | 4.00 | 200,000 | – | 200 |" in text
    assert "9,000,000 values examined" in text and "largest share error vs exact 0.0100" in text
    assert all(f"**{name}**" in text for name in CONTENDERS)
