"""Charts: Vega-Lite spec built by Altair, SVG rendered offline, positions checked in pixels."""

from __future__ import annotations

import re

from fairmark.report.charts import rate_chart_spec, rate_chart_svg

ROWS = [
    {"group": "a", "is_reference": True,
     "tpr": {"value": 0.5, "ci_low": 0.25, "ci_high": 0.75}, "tpr_note": None},
    {"group": "b & <c>", "is_reference": False,
     "tpr": {"value": 0.2, "ci_low": 0.1, "ci_high": 0.3}, "tpr_note": None},
    {"group": "small", "is_reference": False, "tpr": None,
     "tpr_note": "fewer than 30 — not shown"},
    {"group": "empty", "is_reference": False, "tpr": None,
     "tpr_note": "undefined — nobody in the group responded"},
]  # fmt: skip


def _values(spec: dict) -> list[dict]:
    out = []
    for layer in spec["layer"]:
        out += layer.get("data", {}).get("values", [])
    out += spec.get("data", {}).get("values", [])
    return out


def test_spec_keeps_every_group_on_the_axis() -> None:
    spec = rate_chart_spec(ROWS, "tpr", "TPR by group", "95% CI")
    text = str(spec)
    labels = ["a (reference)", "b & <c>", "small", "empty"]
    assert f"'domain': {labels}" in text
    values = _values(spec)
    notes = [v for v in values if v.get("kind") == "note"]
    assert sorted({n["label"] for n in notes}) == ["empty", "small"]
    assert all("value" not in n for n in notes)  # no number for a hidden or undefined group
    assert {"ref": 0.5} in values  # reference line at the reference group's rate


def test_svg_positions_match_the_values() -> None:
    svg = rate_chart_svg(ROWS, "tpr", "TPR by group", "95% CI")
    assert svg.startswith("<svg")
    # x axis: 0 → 0 px, 1 → 330 px (chart width); a dot at 0.5 sits at 165 px, 0.2 at 66 px
    dots = re.findall(r'aria-roledescription="point" transform="translate\(([\d.]+),', svg)
    assert sorted(float(x) for x in dots) == [66.0, 165.0]
    assert "fewer than 30 — not shown" in svg
    assert "undefined — nobody in the group responded" in svg
    assert "b &amp; &lt;c&gt;" in svg and "<c>" not in svg


def test_ids_are_unique_between_charts() -> None:
    first = rate_chart_svg(ROWS, "tpr", "one", "95% CI")
    second = rate_chart_svg(ROWS, "tpr", "two", "95% CI")
    ids = re.findall(r'\bid="([^"]+)"', first) + re.findall(r'\bid="([^"]+)"', second)
    assert len(ids) == len(set(ids))
