"""The benchmark driver: flags, a small end-to-end run, merging, timeouts, a lean driver."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import bench_audit
import pytest
import synth_data
from bench_audit import CONTENDERS, main, parse_sizes, run_contender

BENCH_DIR = Path(bench_audit.__file__).resolve().parent


def test_parse_sizes() -> None:
    assert parse_sizes("1e5,1e6, 2500") == [100_000, 1_000_000, 2_500]
    for bad in ("1.5", "abc", "0", "-1e3", ""):
        with pytest.raises(argparse.ArgumentTypeError, match="whole positive number"):
            parse_sizes(bad)


def test_unknown_contender_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--contenders", "fairmark,nope"])
    assert exc.value.code == 2
    assert "unknown contender(s) ['nope']" in capsys.readouterr().err


def test_every_contender_is_described_and_runnable() -> None:
    from bench_child import CONTENDERS as CHILD

    for c in CONTENDERS.values():
        assert len(c.computes) > 40
        assert c.interpreter == "cli" or c.name in CHILD


def test_driver_imports_no_heavy_library() -> None:
    """A child's peak RSS includes the driver's: the driver must stay small."""
    code = (
        "import sys, bench_audit\n"
        "heavy = {'pandas', 'numpy', 'pyarrow', 'duckdb', 'fairmark', 'ibis', 'scipy'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=BENCH_DIR, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.slow
def test_end_to_end_small_run_then_merge(tmp_path: Path) -> None:
    results, doc = tmp_path / "audit.json", tmp_path / "benchmarks.md"
    # no waiting for an idle machine and no repeats of disturbed runs: tests run in parallel
    common = ["--sizes", "2000", "--repeat", "2", "--data-dir", str(tmp_path / "data"),
              "--results", str(results), "--doc", str(doc),
              "--quiet-wait", "0", "--max-others-cpus", "1000"]  # fmt: skip
    assert main([*common, "--contenders", "duckdb,fairmark-cli"]) == 0
    raw = json.loads(results.read_text())
    (size,) = raw["sizes"]
    assert size["n_rows"] == 2000 and size["data_file"].endswith("synth_2000.parquet")
    by_name = {e["contender"]: e for e in size["results"]}
    assert set(by_name) == {"duckdb", "fairmark-cli"}
    for e in by_name.values():
        assert e["status"] == "ok", e["status"]
        assert len(e["runs"]) == 2
        assert e["verification"]["n_mismatches"] == 0 and e["verification"]["n_groups"] > 0
        assert e["peak_rss_mb"] >= max(r["peak_rss_mb"] for r in e["runs"])
        assert e["wall_s"] > 0 and e["disturbed"] is False
        assert all(r["cpu_s"] > 0 and r["others_cpus"] >= 0 for r in e["runs"])
    assert by_name["duckdb"]["compute_s"] < by_name["duckdb"]["wall_s"]
    assert raw["machine"]["logical_cpus"] >= 1 and raw["settings"]["driver_peak_rss_mb"] > 0
    text = doc.read_text()
    assert "### 2,000 rows" in text and "| duckdb |" in text and "| fairmark-cli |" in text

    # a second run of one contender replaces its entry and keeps the other
    assert main([*common, "--repeat", "1", "--contenders", "duckdb"]) == 0
    (size,) = json.loads(results.read_text())["sizes"]
    by_name = {e["contender"]: e for e in size["results"]}
    assert set(by_name) == {"duckdb", "fairmark-cli"}
    assert len(by_name["duckdb"]["runs"]) == 1 and len(by_name["fairmark-cli"]["runs"]) == 2
    # --fresh forgets the rest
    assert main([*common, "--repeat", "1", "--contenders", "duckdb", "--fresh"]) == 0
    (size,) = json.loads(results.read_text())["sizes"]
    assert [e["contender"] for e in size["results"]] == ["duckdb"]


@pytest.mark.slow
def test_a_run_past_its_timeout_is_recorded(small_data: Path) -> None:
    cells = synth_data.reference_cells(small_data)
    entry = run_contender(
        CONTENDERS["fairlearn"], small_data, cells, timeout_s=0.05, repeat=3,
        repeat_cutoff_s=60, aequitas_python=Path("/nonexistent"),
    )  # fmt: skip
    assert entry["status"] == "timed out after 0 s"
    assert entry["runs"] == [] and entry["wall_s"] is None


@pytest.mark.slow
def test_a_failing_contender_is_recorded(tmp_path: Path) -> None:
    missing = tmp_path / "missing.parquet"
    entry = run_contender(
        CONTENDERS["duckdb"], missing, [], timeout_s=60, repeat=1,
        repeat_cutoff_s=60, aequitas_python=Path("/nonexistent"),
    )  # fmt: skip
    assert entry["status"].startswith("failed: exit 1: ")
    assert "missing.parquet" in entry["status"] or "No files found" in entry["status"]


@pytest.mark.slow
def test_disturbed_runs_are_repeated_and_flagged(small_data: Path) -> None:
    cells = synth_data.reference_cells(small_data)
    # every run counts as disturbed when no CPU use of others is tolerated below zero
    entry = run_contender(
        CONTENDERS["duckdb"], small_data, cells, timeout_s=60, repeat=1,
        repeat_cutoff_s=60, aequitas_python=Path("/nonexistent"), max_others_cpus=-1.0,
    )  # fmt: skip
    assert entry["status"] == "ok" and entry["disturbed"] is True
    assert len(entry["runs"]) == 3 and all(r["disturbed"] for r in entry["runs"])
    # tolerating everything: one run, not disturbed
    entry = run_contender(
        CONTENDERS["duckdb"], small_data, cells, timeout_s=60, repeat=1,
        repeat_cutoff_s=60, aequitas_python=Path("/nonexistent"), max_others_cpus=1e6,
    )  # fmt: skip
    assert len(entry["runs"]) == 1 and entry["disturbed"] is False
