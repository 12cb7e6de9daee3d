"""Inline SVG reliability charts: predicted against actual response rate, one panel per group.

A reliability curve (reliability diagram) plots, per score band, the average predicted
probability against the share who actually responded; a calibrated score lies on the
diagonal (Murphy & Winkler 1977, *Applied Statistics* 26:41-47; Niculescu-Mizil & Caruana
2005, ICML; scikit-learn ``calibration_curve``). The points are those of ``curve`` in
``score_metrics[]`` (metric ``ece``); nothing is computed here. Rendered offline by
``vl-convert-python`` like :mod:`fairmark.report.charts` (no browser, no network).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from fairmark.report.charts import _unique_ids

__all__ = ["reliability_chart_spec", "reliability_chart_svg"]

_REFERENCE_COLOR = "#1f5fa8"
_GROUP_COLOR = "#4a4a4a"
_DIAGONAL_COLOR = "#9aa0a6"


def _label(curve: Mapping[str, Any]) -> str:
    name = str(curve["group"])
    return f"{name} (reference)" if curve.get("is_reference") else name


def reliability_chart_spec(
    curves: Sequence[Mapping[str, Any]], title: str, *, columns: int = 4
) -> dict[str, Any]:
    """Build the Vega-Lite specification of small-multiple reliability curves.

    Parameters
    ----------
    curves : sequence of mapping
        One per group, in display order: ``{"group": str, "is_reference": bool,
        "points": [{"mean_predicted", "fraction_positive", "share"}, ...]}``; all three
        are in [0, 1] (``share``: the group's share in the band, drawn as point size).
    title : str
        Chart title.
    columns : int, default 4
        Panels per row.

    Returns
    -------
    dict
        A Vega-Lite v5 specification (JSON-compatible).
    """
    import altair as alt

    labels = [_label(c) for c in curves]
    values: list[dict[str, Any]] = []
    for curve, label in zip(curves, labels, strict=True):
        kind = "reference" if curve.get("is_reference") else "group"
        values += [
            {"label": label, "kind": "diagonal", "x": 0.0, "y": 0.0, "share": 0.0},
            {"label": label, "kind": "diagonal", "x": 1.0, "y": 1.0, "share": 0.0},
        ]
        values += [
            {
                "label": label,
                "kind": kind,
                "x": p["mean_predicted"],
                "y": p["fraction_positive"],
                "share": p["share"],
            }
            for p in curve["points"]
        ]
    scale = alt.Scale(domain=[0, 1], nice=False)
    x = alt.X("x:Q", scale=scale, axis=alt.Axis(format=".0%", title="predicted", tickCount=3))
    y = alt.Y("y:Q", scale=scale, axis=alt.Axis(format=".0%", title="actual", tickCount=3))
    colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=["reference", "group"], range=[_REFERENCE_COLOR, _GROUP_COLOR]),
        legend=None,
    )
    diagonal = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "diagonal")
        .mark_line(strokeDash=[4, 4], color=_DIAGONAL_COLOR)
        .encode(x=x, y=y)
    )
    measured = alt.datum.kind != "diagonal"
    line = (
        alt.Chart()
        .transform_filter(measured)
        .mark_line(strokeWidth=1.5)
        .encode(x=x, y=y, color=colour, order="x:Q")
    )
    dots = (
        alt.Chart()
        .transform_filter(measured)
        .mark_circle(opacity=0.85)
        .encode(
            x=x,
            y=y,
            color=colour,
            size=alt.Size(
                "share:Q",
                scale=alt.Scale(domain=[0, 1], range=[12, 260]),
                legend=None,
            ),
        )
    )
    chart = (
        alt.layer(diagonal, line, dots, data=alt.Data(values=values))
        .properties(width=150, height=150)
        .facet(
            facet=alt.Facet(
                "label:N",
                sort=labels,
                title=None,
                header=alt.Header(labelFontSize=12, labelLimit=170),
            ),
            columns=columns,
        )
        .properties(title=alt.TitleParams(title, anchor="start", fontSize=14))
        .configure_axis(labelFontSize=10, titleFontSize=10, grid=True)
        .configure_view(stroke="#cccccc")
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def reliability_chart_svg(
    curves: Sequence[Mapping[str, Any]], title: str, *, columns: int = 4
) -> str:
    """Render :func:`reliability_chart_spec` to an inline SVG string (offline, via vl-convert).

    Parameters
    ----------
    curves, title, columns
        As in :func:`reliability_chart_spec`.

    Returns
    -------
    str
        An ``<svg>`` element (no XML declaration) whose ids are unique to this chart.

    Raises
    ------
    RuntimeError
        If vl-convert cannot render the specification (a bug, not a user error).
    """
    import vl_convert

    spec = reliability_chart_spec(curves, title, columns=columns)
    try:
        svg: str = vl_convert.vegalite_to_svg(spec)
    except Exception as exc:  # vl-convert raises plain ValueError/RuntimeError
        raise RuntimeError(f"could not render the reliability chart to SVG: {exc}") from exc
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    return _unique_ids(svg)
