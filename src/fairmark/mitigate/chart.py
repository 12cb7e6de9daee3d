"""The trade-off chart: fairness against conversions, one point per method tried.

Described with Altair (Vega-Lite) and rendered offline to SVG by ``vl-convert-python``,
like the rate charts of :mod:`fairmark.report.charts`. A point whose fairness value is
undefined is not drawn as zero: it is listed under the chart with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from fairmark.report.charts import _unique_ids

__all__ = ["tradeoff_chart_spec", "tradeoff_chart_svg"]

_BEFORE_COLOR = "#4a4a4a"
_AFTER_COLOR = "#1f5fa8"


def tradeoff_chart_spec(points: Sequence[Mapping[str, Any]], title: str) -> dict[str, Any]:
    """Build the Vega-Lite specification of the fairness-vs-conversions chart.

    Parameters
    ----------
    points : sequence of mapping
        The ``tradeoff[]`` items of :meth:`MitigationResult.to_dict`: ``{"label": str,
        "method": str, "expected_conversions": int, "fairness_value": float or None,
        "fairness_reason": str or None, "fairness_metric": str, "feature": str}``.
        ``method == "none"`` is the unmitigated model. ``fairness_value`` is a
        difference of rates in [0, 1] (lower is fairer); conversions are a count.
    title : str
        Chart title.

    Returns
    -------
    dict
        A Vega-Lite v5 specification (JSON-compatible).
    """
    import altair as alt

    drawn = [
        {
            "label": p["label"],
            "kind": "before" if p["method"] == "none" else "after",
            "conversions": p["expected_conversions"],
            "fairness": p["fairness_value"],
        }
        for p in points
        if p["fairness_value"] is not None and not isinstance(p["fairness_value"], str)
    ]
    undefined = [
        f"{p['label']}: not defined ({p['fairness_reason']})"
        for p in points
        if p["fairness_value"] is None or isinstance(p["fairness_value"], str)
    ]
    metric = points[0]["fairness_metric"] if points else "demographic_parity_difference"
    feature = points[0]["feature"] if points else ""
    data = alt.Data(values=drawn)
    colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=["before", "after"], range=[_BEFORE_COLOR, _AFTER_COLOR]),
        legend=None,
    )
    x = alt.X(
        "conversions:Q",
        title="expected conversions in the list (people)",
        scale=alt.Scale(zero=False, padding=60),
    )
    y = alt.Y(
        "fairness:Q",
        title=f"{metric.replace('_', ' ')} by {feature} (lower is fairer)",
        axis=alt.Axis(format=".0%"),
        scale=alt.Scale(zero=True),
    )
    base = alt.Chart(data)
    dots = base.mark_point(filled=True, size=90, opacity=1).encode(x=x, y=y, color=colour)
    labels = base.mark_text(align="left", dx=8, dy=-6, fontSize=11).encode(
        x=x, y=y, text="label:N", color=colour
    )
    chart = (
        alt.layer(dots, labels)
        .properties(
            width=380,
            height=240,
            title=alt.TitleParams(
                title,
                subtitle=undefined if undefined else alt.Undefined,
                anchor="start",
                fontSize=14,
            ),
        )
        .configure_axis(labelFontSize=11, titleFontSize=11, grid=True)
        .configure_view(stroke="#cccccc")
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def tradeoff_chart_svg(points: Sequence[Mapping[str, Any]], title: str) -> str:
    """Render :func:`tradeoff_chart_spec` to an inline SVG string (offline, via vl-convert).

    Parameters
    ----------
    points, title
        As in :func:`tradeoff_chart_spec`.

    Returns
    -------
    str
        An ``<svg>`` element (no XML declaration) with ids unique to this chart.

    Raises
    ------
    RuntimeError
        If vl-convert cannot render the specification (a bug, not a user error).
    """
    import vl_convert

    spec = tradeoff_chart_spec(points, title)
    try:
        svg: str = vl_convert.vegalite_to_svg(spec)
    except Exception as exc:  # vl-convert raises plain ValueError/RuntimeError
        raise RuntimeError(f"could not render the trade-off chart to SVG: {exc}") from exc
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    return _unique_ids(svg)
