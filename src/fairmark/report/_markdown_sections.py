"""Markdown sections of an audit's score metrics and outcome metrics (compact tables).

Each section appears only when the audit document has the corresponding items; values come
from the shared display model (:mod:`fairmark.report._view_scores`,
:mod:`fairmark.report._view_outcomes`), so suppression and "undefined, never 0" hold here
exactly as in the HTML report.
"""

from __future__ import annotations

from fairmark.report._markdown_util import md_cell, md_escape, md_table
from fairmark.report._view import ReportView

__all__ = ["outcome_section", "score_section"]

_SCORE_LABELS = {
    "roc_auc": "ROC AUC",
    "ece": "Calibration error",
    "missing_scores": "No score",
    "ks": "KS gap to ref.",
    "wasserstein": "Distance to ref.",
}


def score_section(view: ReportView) -> list[str]:
    """Return the lines of the score section (empty when the audit has no score metrics).

    Parameters
    ----------
    view : ReportView
        The audit's display model.
    """
    if not view.scores:
        return []
    out = [
        f"### Score quality by group ({md_escape(view.score_name or 'score')})",
        "",
    ]
    for s in view.scores:
        ref = md_escape(s.reference) if s.reference else "none"
        out += [f"#### Score by {md_escape(s.name)}", "", f"Reference group: **{ref}**.", ""]
        for sp in s.spreads:
            out.append(
                f"- {md_escape(sp.name)}: **{md_cell(sp.value)}** — {md_escape(sp.lowest)} "
                f"(lowest) against {md_escape(sp.highest)} (highest); {md_escape(sp.coverage)}."
            )
        if s.spreads:
            out.append("")
        header = ["Group", "Scored rows"] + [
            f"{_SCORE_LABELS[k]} ({view.ci_label})" if k == "roc_auc" else _SCORE_LABELS[k]
            for k in s.columns
        ]
        rows = []
        for g in s.rows:
            name = md_escape(g.name) + (" (reference)" if g.is_reference else "")
            if g.suppressed:
                rows.append([name, md_escape(g.n.text)] + [""] * len(s.columns))
                continue
            rows.append([name, md_cell(g.n)] + [md_cell(g.metrics[k]) for k in s.columns])
        out += md_table(header, rows, right=list(range(1, len(header))))
        out.append("")
        if s.cutoffs:
            header = ["Group"] + [
                md_escape(c.title + (" (audited)" if c.audited else "")) for c in s.cutoffs
            ]
            rows = []
            for g in s.rows:
                name = md_escape(g.name) + (" (reference)" if g.is_reference else "")
                if g.suppressed:
                    rows.append(
                        [name, md_escape(g.n.text)] + [""] * (len(s.cutoffs) - 1)
                    )
                    continue
                cells = []
                for rate, ratio in g.cutoffs:
                    text = md_cell(rate)
                    if ratio is not None and not rate.hidden:
                        text += f"; ratio {md_escape(ratio.text)}"
                    cells.append(text)
                rows.append([name, *cells])
            out += [
                "<details><summary>Selection rate at other score cut-offs "
                "(ratio: to the reference group, 1 = equal)</summary>",
                "",
                *md_table(header, rows, right=list(range(1, len(header)))),
                "",
                "</details>",
                "",
            ]
    return out


def outcome_section(view: ReportView) -> list[str]:
    """Return the lines of the outcome section (empty when the audit has no outcome metrics).

    Parameters
    ----------
    view : ReportView
        The audit's display model.
    """
    if not view.outcomes:
        return []
    out = [f"### Value of {md_escape(view.outcome_name or 'the outcome')} by group", ""]
    header = [
        "Group",
        "With a value",
        f"Average ({view.ci_label})",
        "Median (approx.)",
        "Share of people",
        "Share of value",
        "Gap",
        "Average ÷ reference",
    ]
    keys = (
        "outcome_n",
        "outcome_mean",
        "outcome_median",
        "population_share",
        "value_share",
        "value_share_gap",
        "mean_outcome_ratio",
    )
    for o in view.outcomes:
        ref = md_escape(o.reference) if o.reference else "none"
        out += [f"#### {md_escape(o.outcome)} by {md_escape(o.name)}", ""]
        out += [f"Reference group: **{ref}**; amounts in the column's own units.", ""]
        rows = []
        for g in o.rows:
            name = md_escape(g.name) + (" (reference)" if g.is_reference else "")
            if g.suppressed:
                hidden = next(iter(g.metrics.values())).text
                rows.append([name, md_escape(hidden)] + [""] * (len(keys) - 1))
                continue
            rows.append([name] + [md_cell(g.metrics[k]) for k in keys])
        out += md_table(header, rows, right=list(range(1, len(header))))
        out.append("")
    return out
