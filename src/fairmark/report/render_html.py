"""Render a ``report.json`` document as one self-contained HTML page.

The page has no external resource: CSS is inline, charts are inline SVG rendered offline
(:mod:`fairmark.report.charts`), and there is no script. Every value from the document is
escaped by Jinja2's autoescaping, because group names come from user data.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from fairmark.report._format import fmt_count
from fairmark.report._view import MAIN_METRICS, MORE_METRICS, SHORT_NAMES, build_view
from fairmark.report.charts import rate_chart_svg
from fairmark.report.glossary import glossary
from fairmark.report.validate import validate_report

__all__ = ["render_html"]

_CHARTS: tuple[tuple[str, str, str], ...] = (
    (
        "selection_rate",
        "Selection rate by group",
        "Share of each group that the model selected (gets the offer).",
    ),
    (
        "tpr",
        "Interested customers reached (TPR) by group",
        "Of the customers in each group who responded, the share the model selected.",
    ),
)


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("fairmark.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


def render_html(doc: Mapping[str, Any]) -> str:
    """Render the audit document as a self-contained, plain-language HTML page.

    Parameters
    ----------
    doc : Mapping
        A ``report.json`` document (schema 1.x, ``docs/report-schema.md``).

    Returns
    -------
    str
        A complete HTML5 page: verdict banner, what was audited, the policy, findings rule
        by rule with plain-language explanations, per feature a chart of selection rate and
        TPR with confidence intervals, the group table and the comparison table, and a
        glossary of every number shown.

    Raises
    ------
    UsageError
        If ``doc`` is not a valid report document (:func:`fairmark.report.validate_report`).

    Notes
    -----
    Suppressed groups (``suppressed: true``) show "fewer than {min_group_size} — not
    shown" in place of every count, share, rate and comparison; undefined values show
    "undefined" with the plain-language reason, never 0. Definitions of the methods shown:
    Wilson 1927 (rates), Newcombe 1998 (differences), Katz et al. 1978 (ratios), Holm 1979
    (adjusted p-values).
    """
    validate_report(doc)
    view = build_view(doc)
    charts = [
        [
            {
                "svg": Markup(rate_chart_svg(feature.chart_rows, metric, title, view.ci_label)),
                "caption": f"{caption} Dots are estimates, bars the {view.ci_label}; the dashed "
                "line marks the reference group. Groups without a dot are explained in words.",
            }
            for metric, title, caption in _CHARTS
        ]
        for feature in view.features
    ]
    fingerprint = doc["data_fingerprint"]
    template = _environment().get_template("report.html.j2")
    return template.render(
        v=view,
        charts=charts,
        gloss=glossary(),
        short=SHORT_NAMES,
        main_metrics=MAIN_METRICS,
        more_metrics=MORE_METRICS,
        fingerprint={
            "algorithm": fingerprint["algorithm"],
            "value": fingerprint["value"],
            "n_rows": fmt_count(fingerprint["n_rows"]),
            "columns": fingerprint["columns"],
        },
    )
