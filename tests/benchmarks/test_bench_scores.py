"""The score benchmark: its children agree with fairlearn, and its doc section is its own."""

from __future__ import annotations

import math

import bench_scores
import pytest


@pytest.fixture(scope="module")
def data_60k(tmp_path_factory: pytest.TempPathFactory):
    """60,000 rows: about 67 per three-way group, so most are above the minimum size."""
    import synth_data

    path, _ = synth_data.ensure_data(tmp_path_factory.mktemp("scores"), 60_000, seed=7)
    return path


def test_children_agree_with_fairlearn_within_the_reported_bound(data_60k):
    exact = bench_scores._child_fairlearn(str(data_60k))["groups"]
    assert len(exact) == 900
    for child in (bench_scores._child_fairmark_auc, bench_scores._child_fairmark):
        doc = child(str(data_60k))
        check = bench_scores._compare({"groups": doc["groups"]}, exact)
        assert check["groups_compared"] > 0
        assert check["within_bound"] is True
        for key, (value, bound) in doc["groups"].items():
            ref = exact[key][0]
            if value is not None and ref is not None:
                assert abs(value - ref) <= bound + 1e-12, key


def test_compare_counts_only_groups_both_define():
    exact = {"a": [0.7, None], "b": [None, None], "c": [0.5, None]}
    entry = {"groups": {"a": [0.7004, 0.001], "b": [0.6, 0.01], "c": [0.49, 0.005]}}
    check = bench_scores._compare(entry, exact)
    assert check["groups_compared"] == 2
    assert math.isclose(check["max_abs_diff"], 0.01)
    assert check["n_over_1e-3"] == 1
    assert check["within_bound"] is False  # c differs by 0.01 > its bound 0.005


def _results():
    run = {"contender": "fairlearn", "status": "ok", "wall_s": 3.0, "compute_s": 2.0,
           "load_s": 0.5, "peak_rss_mb": 300.0}  # fmt: skip
    mine = {"contender": "fairmark-auc", "status": "ok", "wall_s": 1.0, "compute_s": 0.5,
            "load_s": 0.0, "peak_rss_mb": 200.0,
            "check": {"max_abs_diff": 1e-5, "n_over_1e-3": 0, "within_bound": True}}  # fmt: skip
    return {"sizes": [{"n_rows": 1000, "results": [mine, run]}], "machine": {"cpu": "x"}}


def test_render_section_states_the_ratio_and_the_check():
    text = bench_scores.render_section(_results())
    assert text.startswith(bench_scores.BEGIN) and text.rstrip().endswith(bench_scores.END)
    assert "## Score metrics" in text
    assert "| 1,000 | fairmark-auc | 1.00 | 0.50 |" in text
    assert "1,000 rows, fairmark-auc: 4.0× (5.0× counting fairlearn's Parquet load)" in text


def test_write_section_appends_then_replaces_and_keeps_other_sections(tmp_path):
    doc = tmp_path / "benchmarks.md"
    other = "# Benchmarks\n\nintro\n\n<!-- bench_audit:begin -->\naudit\n<!-- bench_audit:end -->\n"
    doc.write_text(other)
    bench_scores.write_section(doc, bench_scores.render_section(_results()))
    first = doc.read_text()
    assert first.startswith(other.rstrip("\n")) and first.count(bench_scores.BEGIN) == 1
    doc.write_text(first + "\ntrailing notes\n")
    bench_scores.write_section(doc, f"{bench_scores.BEGIN}\nnew\n{bench_scores.END}\n")
    second = doc.read_text()
    assert "audit" in second and "trailing notes" in second and "\nnew\n" in second
    assert "## Score metrics" not in second and second.count(bench_scores.BEGIN) == 1
    doc.write_text(f"{bench_scores.BEGIN}\nno end")
    with pytest.raises(ValueError, match="no end marker"):
        bench_scores.write_section(doc, "x")
