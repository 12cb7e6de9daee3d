"""The trade-off chart: one point per method, undefined values listed, never drawn as zero."""

from __future__ import annotations

from fairmark.mitigate.chart import tradeoff_chart_spec, tradeoff_chart_svg


def _points() -> list[dict]:
    common = {"fairness_metric": "demographic_parity_difference", "feature": "age_band"}
    return [
        {"label": "Unmitigated", "method": "none", "expected_conversions": 496,
         "fairness_value": 0.2, "fairness_reason": None, **common},
        {"label": "ThresholdOptimizer (demographic parity)", "method": "threshold",
         "expected_conversions": 480, "fairness_value": 0.04, "fairness_reason": None, **common},
        {"label": "Reweighing (demographic parity)", "method": "reweighing",
         "expected_conversions": 470, "fairness_value": None,
         "fairness_reason": "single_group", **common},
    ]  # fmt: skip


def test_spec_draws_defined_points_and_lists_undefined_ones() -> None:
    spec = tradeoff_chart_spec(_points(), "Fairness against conversions")
    values = spec["layer"][0]["data"]["values"] if "data" in spec["layer"][0] else None
    values = values or spec["data"]["values"]
    assert [v["label"] for v in values] == [
        "Unmitigated", "ThresholdOptimizer (demographic parity)"
    ]  # fmt: skip
    assert [v["kind"] for v in values] == ["before", "after"]
    expected = ["Reweighing (demographic parity): not defined (single_group)"]
    assert spec["title"]["subtitle"] == expected


def test_svg_renders_offline() -> None:
    svg = tradeoff_chart_svg(_points(), "Trade-off")
    assert svg.startswith("<svg") and not svg.startswith("<?xml")
    assert "Unmitigated" in svg and "ThresholdOptimizer (demographic parity)" in svg
    assert "not defined (single_group)" in svg
