"""Targets (met / not met / not measured) and the generated section of docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from bench_report import BEGIN, END, TARGET_ROWS, evaluate_targets, render_section, write_doc


def _entry(
    name: str, wall: float, compute: float | None, peak: float, status: str = "ok"
) -> dict[str, Any]:
    return {
        "contender": name, "status": status, "wall_s": wall, "load_s": None,
        "compute_s": compute, "peak_rss_mb": peak, "command": "bench --x",
        "verification": {"n_groups": 5, "max_abs_diff": 0.0, "n_mismatches": 0,
                         "n_undefined_as_zero": 0, "mismatches": []},
    }  # fmt: skip


def _results(entries: list[dict[str, Any]], n_rows: int = TARGET_ROWS) -> dict[str, Any]:
    return {
        "machine": {"cpu": "Test CPU", "logical_cpus": 2, "usable_cpus": 2, "memory_gib": 8,
                    "os": "TestOS", "python": "CPython 3.11", "packages": {"duckdb": "1"}},
        "settings": {"repeat": 3, "repeat_cutoff_s": 60.0, "timeout_s": 900.0},
        "sizes": [{"n_rows": n_rows, "data_file": "d.parquet", "file_mb": 1.0,
                   "results": entries}],
    }  # fmt: skip


def test_all_targets_met() -> None:
    res = _results(
        [
            _entry("fairmark-cli", 1.2, None, 250),
            _entry("fairmark", 0.6, 0.5, 280),
            _entry("duckdb", 0.3, 0.27, 88),
        ]
    )
    targets = evaluate_targets(res["sizes"])
    assert [t.met for t in targets] == [True, True, True]
    assert targets[1].value.endswith("(1.9x)")
    assert targets[2].value.startswith("280 MB")


def test_targets_not_met_at_the_bounds() -> None:
    res = _results(
        [
            _entry("fairmark-cli", 1.5, None, 120),  # not under 1.5 s
            _entry("fairmark", 1.0, 0.55, 300),  # 2.04x; 300 MB is not under 300
            _entry("duckdb", 0.3, 0.27, 88),
        ]
    )
    assert [t.met for t in evaluate_targets(res["sizes"])] == [False, False, False]


def test_targets_from_disturbed_runs_say_so() -> None:
    res = _results(
        [
            {**_entry("fairmark-cli", 1.2, None, 250), "disturbed": True},
            _entry("fairmark", 0.6, 0.5, 280),
            _entry("duckdb", 0.3, 0.27, 88),
        ]
    )
    values = [t.value for t in evaluate_targets(res["sizes"])]
    assert values[0] == "1.20 s; from disturbed runs"
    assert not values[1].endswith("disturbed runs")
    assert values[2].endswith("; from disturbed runs")


def test_targets_not_measured() -> None:
    failed = _results([_entry("fairmark-cli", 1.0, None, 100, status="failed: exit 2: x")])
    assert [t.met for t in evaluate_targets(failed["sizes"])] == [None, None, None]
    other_size = _results([_entry("fairmark-cli", 1.0, None, 100)], n_rows=1_000)
    assert [t.value for t in evaluate_targets(other_size["sizes"])] == ["not measured"] * 3


def test_render_section() -> None:
    res = _results(
        [
            _entry("fairmark-cli", 2.0, None, 250),
            {**_entry("duckdb", 0.3, 0.27, 88), "others_cpus": 0.5, "disturbed": True},
            {"contender": "fairlearn", "status": "timed out after 900 s", "command": "bench --x"},
        ]
    )
    res["aequitas_setup"] = {"ok": False, "error": "pip install aequitas: no wheel"}
    text = render_section(res, {"fairmark-cli": "the CLI", "duckdb": "bare", "fairlearn": "fl"})
    assert text.startswith(BEGIN) and text.rstrip().endswith(END)
    assert "Test CPU — 2 logical CPUs" in text
    assert "bench --x" in text
    assert "| fairmark-cli | 2.00 | – | – | 250 | – | 5 groups agree" in text
    assert "| fairlearn | timed out after 900 s |" in text
    assert "| duckdb | 0.30 | – | 0.270 | 88 | 0.50 (disturbed) |" in text
    assert "whole process (CLI, imports included) < 1.5 s | 2.00 s | **not met**" in text
    assert "could not be installed on this machine: `pip install aequitas: no wheel`" in text
    assert "- **duckdb**: bare" in text


def test_write_doc_creates_replaces_and_keeps_the_rest(tmp_path: Path) -> None:
    doc = tmp_path / "docs" / "benchmarks.md"
    write_doc(doc, f"{BEGIN}\none\n{END}\n")
    assert doc.read_text() == f"# Benchmarks\n\n{BEGIN}\none\n{END}\n"
    doc.write_text(f"# B\n\nintro\n\n{BEGIN}\none\n{END}\n\n## Notes\n\nkept\n")
    write_doc(doc, f"{BEGIN}\ntwo\n{END}\n")
    assert doc.read_text() == f"# B\n\nintro\n\n{BEGIN}\ntwo\n{END}\n\n## Notes\n\nkept\n"


def test_write_doc_appends_without_markers_and_refuses_a_broken_one(tmp_path: Path) -> None:
    doc = tmp_path / "b.md"
    doc.write_text("# Hand written\n")
    write_doc(doc, f"{BEGIN}\nx\n{END}\n")
    assert doc.read_text() == f"# Hand written\n\n{BEGIN}\nx\n{END}\n"
    doc.write_text(f"# B\n{BEGIN}\nno end\n")
    with pytest.raises(ValueError, match="no"):
        write_doc(doc, f"{BEGIN}\nx\n{END}\n")
