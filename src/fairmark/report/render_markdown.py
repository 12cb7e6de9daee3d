"""Render a fairmark document as compact GitHub-flavoured Markdown (a PR comment).

Audit documents get the verdict, findings, key rates per feature, disparities and, when the
audit has them, the score and outcome sections; delivery, representation and proxies
documents get the same verdict and findings followed by their own tables
(:mod:`fairmark.report._markdown_run`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fairmark.report._markdown_privacy import privacy_section
from fairmark.report._markdown_run import run_markdown
from fairmark.report._markdown_sections import outcome_section, score_section
from fairmark.report._markdown_util import md_escape, md_table, with_ci
from fairmark.report._view import FeatureView, ReportView, build_view
from fairmark.report._view_run import build_run_view
from fairmark.report.disclosure_control import publishable
from fairmark.report.kinds import document_kind
from fairmark.report.validate import validate_report

__all__ = ["md_escape", "render_markdown"]

_KEY_RATES: tuple[tuple[str, str], ...] = (
    ("selection_rate", "Selection rate"),
    ("tpr", "TPR (interested reached)"),
    ("fpr", "FPR"),
    ("ppv", "Precision"),
)


def _findings(view: ReportView) -> list[str]:
    out = ["### Findings", ""]
    if not view.findings:
        return [*out, "The report contains no policy findings.", ""]
    open_ = [f for f in view.findings if f.verdict != "pass"]
    passed = [f for f in view.findings if f.verdict == "pass"]
    header = ["Result", "Rule", "Feature", "Group", "Value", "Required", "Details"]

    def rows(items: Sequence[Any]) -> list[list[str]]:
        return [
            [
                f"**{f.verdict_word}**",
                md_escape(f.rule_id),
                md_escape(f.feature),
                md_escape(f.group) + (f" vs {md_escape(f.reference)}" if f.reference else ""),
                md_escape(f.value.text),
                md_escape(f.bound),
                md_escape(f.message),
            ]
            for f in items
        ]

    if open_:
        out += md_table(header, rows(open_), right=[4])
    else:
        out.append("Every finding passed.")
    if passed:
        out += [
            "",
            "<details><summary>"
            f"{len(passed)} passing finding{'s' if len(passed) != 1 else ''}</summary>",
            "",
            *md_table(header, rows(passed), right=[4]),
            "",
            "</details>",
        ]
    out.append("")
    return out


def _feature(view: ReportView, f: FeatureView) -> list[str]:
    ref = md_escape(f.reference) if f.reference else "none"
    out = [
        f"#### {md_escape(f.name)}",
        "",
        f"Reference group: **{ref}** ({md_escape(f.reference_chosen_by)}).",
        "",
    ]
    header = ["Group", "Rows", "Share"] + [f"{label} ({view.ci_label})" for _, label in _KEY_RATES]
    rows = []
    for g in f.groups:
        name = md_escape(g.name) + (" (reference)" if g.is_reference else "")
        if g.suppressed:
            rows.append([name, md_escape(g.n.text)] + [""] * (len(header) - 2))
            continue
        cells = [name, md_escape(g.n.text), md_escape(g.metrics["share"].text)]
        cells += [with_ci(g.metrics[k].text, g.metrics[k].ci) for k, _ in _KEY_RATES]
        rows.append(cells)
    out += md_table(header, rows, right=list(range(1, len(header))))
    out.append("")
    return out


def _disparities(view: ReportView) -> list[str]:
    rows = []
    for f in view.features:
        for d in f.disparities:
            rows.append(
                [
                    md_escape(f.name),
                    md_escape(d.metric_name),
                    f"{md_escape(d.group)} vs {md_escape(d.reference)}",
                    with_ci(d.value.text, d.value.ci),
                    md_escape(d.method),
                    md_escape(d.p_value),
                    md_escape(d.p_value_holm),
                ]
            )
    if not rows:
        return []
    header = [
        "Feature",
        "Measure",
        "Groups",
        f"Value ({view.ci_label})",
        "Interval",
        "p",
        "p (Holm)",
    ]
    return [
        "### Disparities",
        "",
        "<details><summary>"
        f"{len(rows)} comparisons (differences in percentage points, ratios: 1 = equal)"
        "</summary>",
        "",
        *md_table(header, rows, right=[3, 5, 6]),
        "",
        "</details>",
        "",
    ]


def render_markdown(doc: Mapping[str, Any]) -> str:
    """Render a fairmark document as compact GitHub-flavoured Markdown for a pull request.

    Parameters
    ----------
    doc : Mapping
        An audit's ``report.json`` (schema 1.x, ``docs/report-schema.md``), or the
        document of a delivery, representation or proxies run (``kind`` field).

    Returns
    -------
    str
        A verdict line with a plain status word (no emoji), the policy, a findings table
        (passing findings folded away), then for an audit a key-rates table per feature,
        the disparities (folded), and the score-quality and outcome-value tables when the
        audit has a score or a numeric outcome; for a run, the kind's tables. Ends with a
        newline.

    Raises
    ------
    UsageError
        If ``doc`` is not a valid report document (:func:`fairmark.report.validate_report`).

    Notes
    -----
    Suppressed groups show "fewer than {min_group_size} — not shown" instead of any
    count or rate; undefined values show "undefined" and the reason, never 0. Every value
    from the document is escaped (:func:`md_escape`), since group names come from user
    data.
    """
    validate_report(doc)
    doc = publishable(doc)  # small-cell suppression, unless the document has it
    if document_kind(doc) != "audit":
        return run_markdown(build_run_view(doc))
    view = build_view(doc)
    entry = view.verdict_entry
    out = [
        f"## {md_escape(view.title)}",
        "",
        f"**Verdict: {view.verdict_word}** — {md_escape(entry.what_it_means)} "
        f"{md_escape(entry.why_it_matters)}",
        "",
        md_escape(view.verdict_counts),
        "",
    ]
    facts = dict(view.facts)
    data_line = (
        f"Data: {md_escape(facts['Rows audited'])} of {md_escape(facts['Rows in the data'])} rows "
        f"audited; decision: {md_escape(facts['Decision audited'])}; minimum group size "
        f"{view.min_group_size}."
    )
    out += [data_line, ""]
    if view.policy:
        p = dict(view.policy)
        out += [
            f"Policy: **{md_escape(p['Policy'])}** version {md_escape(p['Version'])}, owner "
            f"{md_escape(p['Owner'])}, review by {md_escape(p['Review by'])}.",
            "",
        ]
    else:
        out += ["Policy: none given, so no rule was judged.", ""]
    out += _findings(view)
    out += ["### Key rates by group", ""]
    for f in view.features:
        out += _feature(view, f)
    out += _disparities(view)
    out += score_section(view)
    out += outcome_section(view)
    out += privacy_section(doc)
    out.append(
        f"<sub>fairmark {md_escape(view.tool_version)} · run {md_escape(view.run_id)} · "
        f"{md_escape(view.created_at)}</sub>"
    )
    return "\n".join(out) + "\n"
