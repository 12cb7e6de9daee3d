"""Render a fairmark document as one self-contained HTML page.

The page has no external resource: CSS is inline, charts are inline SVG rendered offline
(:mod:`fairmark.report.charts`, :mod:`fairmark.report.reliability_chart`), and there is no
script. Every value from the document is escaped by Jinja2's autoescaping, because group
names come from user data. Every kind of document (:mod:`fairmark.report.kinds`) uses the
same page layout (``templates/base.html.j2``): the audit fills it with
``report.html.j2``, the delivery, representation and proxies runs with ``run.html.j2``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from fairmark.report._format import fmt_count
from fairmark.report._view import MAIN_METRICS, MORE_METRICS, SHORT_NAMES, ReportView, build_view
from fairmark.report._view_privacy import build_privacy_view
from fairmark.report._view_run import build_run_view
from fairmark.report.charts import rate_chart_svg
from fairmark.report.disclosure_control import publishable
from fairmark.report.glossary import glossary
from fairmark.report.kinds import document_kind
from fairmark.report.reliability_chart import reliability_chart_svg
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
SCORE_SHORT: dict[str, str] = {
    "roc_auc": "ROC AUC",
    "ece": "Calibration error (ECE)",
    "missing_scores": "Rows without a score",
    "ks": "Score gap to reference (KS)",
    "wasserstein": "Score distance to reference",
}
OUTCOME_SHORT: dict[str, str] = {
    "outcome_n": "Rows with a value",
    "outcome_n_missing": "Rows without a value",
    "outcome_mean": "Average",
    "outcome_median": "Median (approx.)",
    "outcome_total": "Total",
    "population_share": "Share of people",
    "value_share": "Share of the value",
    "value_share_gap": "Value share − people share",
    "mean_outcome_difference": "Average − reference",
    "mean_outcome_ratio": "Average ÷ reference",
}
OUTCOME_AMOUNTS: tuple[str, ...] = (
    "outcome_n",
    "outcome_n_missing",
    "outcome_mean",
    "outcome_median",
    "outcome_total",
)
OUTCOME_SHARES: tuple[str, ...] = (
    "population_share",
    "value_share",
    "value_share_gap",
    "mean_outcome_difference",
)
_RUN_WORDS: dict[str, str] = {
    "delivery": "delivery audit",
    "representation": "comparison",
    "proxies": "proxy check",
}
_FACT_TITLES: dict[str, str] = {
    "delivery": "What was measured",
    "representation": "What was compared",
    "proxies": "What was examined",
}


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


def _score_charts(view: ReportView) -> list[Markup | None]:
    charts: list[Markup | None] = []
    for s in view.scores:
        if not s.curves:
            charts.append(None)
            continue
        title = f"Predicted against actual response rate, by group of {s.name}"
        n = len(s.curves)
        columns = n if n <= 4 else (3 if n in (5, 6, 9) else 4)
        charts.append(Markup(reliability_chart_svg(s.curves, title, columns=columns)))
    return charts


def _render_audit(doc: Mapping[str, Any]) -> str:
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
        score_charts=_score_charts(view),
        privacy=build_privacy_view(doc),
        gloss=glossary(),
        short=SHORT_NAMES,
        score_short=SCORE_SHORT,
        outcome_short=OUTCOME_SHORT,
        outcome_amounts=OUTCOME_AMOUNTS,
        outcome_shares=OUTCOME_SHARES,
        main_metrics=MAIN_METRICS,
        more_metrics=MORE_METRICS,
        facts_title="What was audited",
        run_word="audit",
        labels={"feature": "Feature", "group": "Group"},
        fingerprint={
            "algorithm": fingerprint["algorithm"],
            "value": fingerprint["value"],
            "n_rows": fmt_count(fingerprint["n_rows"]),
            "columns": fingerprint["columns"],
        },
    )


def _render_run(doc: Mapping[str, Any]) -> str:
    view = build_run_view(doc)
    template = _environment().get_template("run.html.j2")
    return template.render(
        v=view,
        gloss=glossary(),
        facts_title=_FACT_TITLES.get(view.kind, "What was measured"),
        run_word=_RUN_WORDS.get(view.kind, "run"),
        labels={"feature": view.feature_label, "group": view.group_label},
    )


def render_html(doc: Mapping[str, Any]) -> str:
    """Render a fairmark document as a self-contained, plain-language HTML page.

    Parameters
    ----------
    doc : Mapping
        An audit's ``report.json`` (schema 1.x, ``docs/report-schema.md``), or the
        document of a delivery, representation or proxies run (``kind`` field).

    Returns
    -------
    str
        A complete HTML5 page: verdict banner, what was audited or measured, the policy,
        findings rule by rule with plain-language explanations, the kind's tables and a
        glossary of every number shown. For an audit: per feature a chart of selection
        rate and TPR with confidence intervals, the group table and the comparison table;
        with a score, per feature the score's quality by group (ROC AUC, calibration,
        score gaps), small-multiple reliability charts and selection rates at other
        cut-offs; with a numeric outcome, its amounts and shares by group. For a delivery
        run: delivery skew per ad, delivered against eligible share per group, paired ads;
        for representation: share of the data against the reference per group; for
        proxies: the ranked candidate features and the joint test.

    Raises
    ------
    UsageError
        If ``doc`` is not a valid document (:func:`fairmark.report.validate_report`).

    Notes
    -----
    Suppressed groups (``suppressed: true``, or reason ``below_min_group_size``) show
    "fewer than {min_group_size} — not shown" in place of every count, share, rate and
    comparison; undefined values show "undefined" with the plain-language reason, never 0.
    Definitions of the methods shown: Wilson 1927 (rates), Newcombe 1998 (differences),
    Katz et al. 1978 (ratios), Holm 1979 (adjusted p-values), DeLong et al. 1988 (AUC),
    Welch 1947 (differences of averages), Naeini et al. 2015 (expected calibration error).
    """
    validate_report(doc)
    doc = publishable(doc)  # small-cell suppression, unless the document has it
    if document_kind(doc) == "audit":
        return _render_audit(doc)
    return _render_run(doc)
