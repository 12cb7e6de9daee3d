"""Reliability charts: one panel per group, the document's points exactly, rendered offline."""

from __future__ import annotations

import re
from typing import Any

from fairmark.report.reliability_chart import reliability_chart_spec, reliability_chart_svg

CURVES: list[dict[str, Any]] = [
    {
        "group": "north",
        "is_reference": True,
        "points": [
            {"mean_predicted": 0.05, "fraction_positive": 0.1, "share": 0.5},
            {"mean_predicted": 0.55, "fraction_positive": 0.4, "share": 0.5},
        ],
    },
    {
        "group": '<script>alert("x")</script>',
        "is_reference": False,
        "points": [{"mean_predicted": 0.35, "fraction_positive": 0.9, "share": 1.0}],
    },
]


def _values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = spec["data"]["values"]
    return values


def test_spec_holds_the_points_and_a_diagonal_per_panel() -> None:
    spec = reliability_chart_spec(CURVES, "Reliability", columns=2)
    values = _values(spec)
    measured = [v for v in values if v["kind"] != "diagonal"]
    assert [(v["x"], v["y"], v["share"]) for v in measured] == [
        (0.05, 0.1, 0.5), (0.55, 0.4, 0.5), (0.35, 0.9, 1.0),
    ]  # fmt: skip
    assert [v["kind"] for v in measured] == ["reference", "reference", "group"]
    diagonal = [(v["label"], v["x"], v["y"]) for v in values if v["kind"] == "diagonal"]
    assert diagonal == [
        ("north (reference)", 0.0, 0.0), ("north (reference)", 1.0, 1.0),
        (CURVES[1]["group"], 0.0, 0.0), (CURVES[1]["group"], 1.0, 1.0),
    ]  # fmt: skip
    assert spec["facet"]["sort"] == ["north (reference)", CURVES[1]["group"]]
    assert spec["columns"] == 2


def test_svg_is_offline_escaped_and_has_unique_ids() -> None:
    first = reliability_chart_svg(CURVES, "Reliability")
    second = reliability_chart_svg(CURVES, "Reliability")
    assert first.startswith("<svg")
    assert "<script" not in first and "&lt;script&gt;" in first
    assert set(re.findall(r"https?://[^\s\"'<>)]+", first)) <= {
        "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink",
    }  # fmt: skip
    assert ">north (reference)</text>" in first
    ids_a = set(re.findall(r'\bid="([^"]+)"', first))
    ids_b = set(re.findall(r'\bid="([^"]+)"', second))
    assert not ids_a & ids_b


def test_a_group_without_points_keeps_its_panel() -> None:
    curves = [{"group": "empty", "is_reference": False, "points": []}, CURVES[0]]
    values = _values(reliability_chart_spec(curves, "t"))
    mine = [v for v in values if v["label"] == "empty"]
    assert [v["kind"] for v in mine] == ["diagonal", "diagonal"]  # no point is invented
