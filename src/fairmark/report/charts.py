"""Inline SVG charts of a group rate with its confidence interval, one dot per group.

The chart is described with Altair (Vega-Lite) and rendered to SVG offline by
``vl-convert-python`` (an embedded Vega engine: no browser, no network). A suppressed
group or an undefined rate keeps its row on the axis with a written note instead of a
dot, so a missing value is never drawn as zero.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["rate_chart_spec", "rate_chart_svg"]

_REFERENCE_COLOR = "#1f5fa8"
_GROUP_COLOR = "#4a4a4a"
_NOTE_COLOR = "#6b6b6b"
_ids = itertools.count(1)


def _label(row: Mapping[str, Any]) -> str:
    return f"{row['group']} (reference)" if row["is_reference"] else str(row["group"])


def rate_chart_spec(
    rows: Sequence[Mapping[str, Any]], metric: str, title: str, ci_label: str
) -> dict[str, Any]:
    """Build the Vega-Lite specification of a dot-and-interval chart of one group rate.

    Parameters
    ----------
    rows : sequence of mapping
        One per group, in display order: ``{"group": str, "is_reference": bool,
        metric: {"value", "ci_low", "ci_high"} or None, f"{metric}_note": str or None}``.
        ``value`` and the bounds are shares in [0, 1]; a row whose ``metric`` is
        ``None`` is drawn as its note (e.g. "fewer than 30 — not shown").
    metric : str
        Key of the rate in each row, e.g. ``"selection_rate"`` or ``"tpr"``.
    title : str
        Chart title, e.g. ``"Selection rate by group"``.
    ci_label : str
        Name of the interval, e.g. ``"95% CI"``.

    Returns
    -------
    dict
        A Vega-Lite v5 specification (JSON-compatible).
    """
    import altair as alt

    labels = [_label(r) for r in rows]
    values: list[dict[str, Any]] = []
    reference_value: float | None = None
    for row, label in zip(rows, labels, strict=True):
        est = row.get(metric)
        if est is None:
            values.append({"label": label, "kind": "note", "note": row.get(f"{metric}_note")})
            continue
        values.append(
            {
                "label": label,
                "kind": "reference" if row["is_reference"] else "group",
                "value": est["value"],
                "low": est["ci_low"],
                "high": est["ci_high"],
            }
        )
        if row["is_reference"]:
            reference_value = est["value"]

    data = alt.Data(values=values)
    # The domain fixes the order; `sort=` overflows Vega beyond ~1,500 groups.
    y = alt.Y("label:N", scale=alt.Scale(domain=labels), title=None)
    x_scale = alt.Scale(domain=[0, 1], nice=False)
    x_axis = alt.Axis(format=".0%", title=f"share of the group (bars: {ci_label})")
    base = alt.Chart(data)
    colour = alt.Color(
        "kind:N",
        scale=alt.Scale(domain=["reference", "group"], range=[_REFERENCE_COLOR, _GROUP_COLOR]),
        legend=None,
    )
    measured = alt.datum.kind != "note"
    interval = (
        base.transform_filter(measured & alt.expr.isValid(alt.datum.low))
        .mark_rule(strokeWidth=2.5)
        .encode(
            y=y,
            x=alt.X("low:Q", scale=x_scale, axis=x_axis),
            x2="high:Q",
            color=colour,
        )
    )
    dots = (
        base.transform_filter(measured)
        .mark_point(filled=True, size=70, opacity=1)
        .encode(y=y, x=alt.X("value:Q", scale=x_scale, axis=x_axis), color=colour)
    )
    notes = (
        base.transform_filter(alt.datum.kind == "note")
        .mark_text(align="left", dx=4, fontStyle="italic", color=_NOTE_COLOR)
        .encode(y=y, x=alt.value(0), text="note:N")
    )
    layers: list[Any] = [interval, dots, notes]
    if reference_value is not None:
        layers.insert(
            0,
            alt.Chart(alt.Data(values=[{"ref": reference_value}]))
            .mark_rule(strokeDash=[4, 4], color=_REFERENCE_COLOR, opacity=0.6)
            .encode(x=alt.X("ref:Q", scale=x_scale)),
        )
    chart = (
        alt.layer(*layers)
        .properties(
            width=330,
            height=max(60, 24 * len(labels)),
            title=alt.TitleParams(title, anchor="start", fontSize=14),
        )
        .configure_axis(labelLimit=260, labelFontSize=12, titleFontSize=11, grid=True)
        .configure_view(stroke="#cccccc")
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _unique_ids(svg: str) -> str:
    """Prefix every ``id`` of an SVG so that several charts can share one page."""
    prefix = f"fm{next(_ids)}-"
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    for old in sorted(ids, key=len, reverse=True):
        new = prefix + old
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
    return svg


def rate_chart_svg(
    rows: Sequence[Mapping[str, Any]], metric: str, title: str, ci_label: str
) -> str:
    """Render :func:`rate_chart_spec` to an inline SVG string (offline, via vl-convert).

    Parameters
    ----------
    rows, metric, title, ci_label
        As in :func:`rate_chart_spec`.

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

    spec = rate_chart_spec(rows, metric, title, ci_label)
    try:
        svg: str = vl_convert.vegalite_to_svg(spec)
    except Exception as exc:  # vl-convert raises plain ValueError/RuntimeError
        raise RuntimeError(f"could not render the {metric} chart to SVG: {exc}") from exc
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    return _unique_ids(svg)
