"""The proxy benchmark: contenders agree on a small file; its doc section keeps the others."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_proxies import (
    BEGIN,
    END,
    render_section,
    run_fairmark,
    run_pandas,
    verify,
    write_section,
)


def test_fairmark_and_pandas_contenders_agree(small_data: Path) -> None:
    reference = run_pandas(str(small_data))
    got = run_fairmark(str(small_data), joint=False)
    check = verify(got["values"], reference["values"], nmi_binned_tol=0.05)
    assert check["ok"], check["problems"]
    assert set(reference["values"]) == {"age_band", "region", "y_true", "y_pred", "score"}


def test_verify_reports_a_wrong_number() -> None:
    ref = {"age_band": {"association": 0.2, "nmi": 0.1}}
    bad = {"age_band": {"association": 0.25, "nmi": 0.1}}
    check = verify(bad, ref)
    assert not check["ok"] and "age_band" in check["problems"][0]
    assert not verify({}, ref)["ok"]


def _results() -> dict:
    entry = {"contender": "fairmark", "status": "ok", "wall_s": 2.0, "compute_s": 1.0,
             "load_s": None, "peak_rss_mb": 200.0, "verification": {"ok": True, "max_diff": 0}}
    ref = {"contender": "pandas-sklearn", "status": "ok", "wall_s": 8.0, "compute_s": 6.0,
           "load_s": 1.0, "peak_rss_mb": 900.0}
    return {"sizes": [{"n_rows": 1000, "file_mb": 1.0, "results": [entry, ref]}],
            "machine": {"cpu": "Test CPU", "packages": {}}, "generated_at": "now",
            "command": "bench"}  # fmt: skip


def test_section_is_appended_then_replaced_and_other_sections_kept(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n<!-- audit:begin -->\naudit table\n<!-- audit:end -->\n")
    write_section(doc, render_section(_results()))
    text = doc.read_text()
    assert "audit table" in text and "## Proxy detection" in text
    assert "fairmark is 4.0× faster" in text and "4.5× less memory" in text
    write_section(doc, render_section(_results()).replace("Test CPU", "Other CPU"))
    again = doc.read_text()
    assert again.count(BEGIN) == 1 and again.count(END) == 1 and "Other CPU" in again
    assert again.count("## Proxy detection") == 1 and "audit table" in again


def test_broken_markers_are_refused(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\n{BEGIN}\n")
    with pytest.raises(ValueError, match="no"):
        write_section(doc, render_section(_results()))
