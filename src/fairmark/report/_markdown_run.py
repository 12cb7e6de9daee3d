"""Markdown of a delivery, representation or proxies document (one layout for every kind)."""

from __future__ import annotations

from fairmark.report._markdown_util import md_cell, md_escape, md_table
from fairmark.report._view_rules import FindingRow
from fairmark.report._view_run import RunView

__all__ = ["run_markdown"]


def _findings(view: RunView) -> list[str]:
    out = ["### Findings", ""]
    if not view.findings:
        return [*out, "The report contains no policy findings.", ""]
    header = ["Result", "Rule", view.feature_label, view.group_label, "Value", "Required"]
    header.append("Details")

    def rows(items: list[FindingRow]) -> list[list[str]]:
        return [
            [
                f"**{f.verdict_word}**",
                md_escape(f.rule_id),
                md_escape(f.feature),
                md_escape(f.group),
                md_escape(f.value.text),
                md_escape(f.bound),
                md_escape(f.message),
            ]
            for f in items
        ]

    open_ = [f for f in view.findings if f.verdict != "pass"]
    passed = [f for f in view.findings if f.verdict == "pass"]
    if open_:
        out += md_table([md_escape(h) for h in header], rows(open_), right=[4])
    else:
        out.append("Every finding passed.")
    if passed:
        out += [
            "",
            f"<details><summary>{len(passed)} passing finding"
            f"{'s' if len(passed) != 1 else ''}</summary>",
            "",
            *md_table([md_escape(h) for h in header], rows(passed), right=[4]),
            "",
            "</details>",
        ]
    out.append("")
    return out


def run_markdown(view: RunView) -> str:
    """Render the display model of a run document as compact Markdown.

    Parameters
    ----------
    view : RunView
        From :func:`fairmark.report._view_run.build_run_view`.

    Returns
    -------
    str
        Title, a verdict line with a plain status word, the facts, the policy, the
        findings (passing ones folded away) and every table of the kind, ending with a
        newline.
    """
    entry = view.verdict_entry
    out = [
        f"## {md_escape(view.title)}",
        "",
        f"**Verdict: {view.verdict_word}** — {md_escape(entry.what_it_means)} "
        f"{md_escape(entry.why_it_matters)}",
        "",
        md_escape(view.verdict_counts),
        "",
        md_escape(view.intro),
        "",
    ]
    out += [f"- {md_escape(label)}: {md_escape(value)}" for label, value in view.facts]
    out.append("")
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
    for t in view.tables:
        out += [f"### {md_escape(t.title)}", "", md_escape(t.intro), ""]
        if not t.rows:
            out += ["No rows.", ""]
            continue
        header = [md_escape(c.label) for c in t.columns]
        right = [i for i, c in enumerate(t.columns) if c.numeric]
        rows = []
        for r in t.rows:
            cells = [""] * len(r.cells)
            for i, cell, _span in r.spans:
                cells[i] = md_cell(cell)
            rows.append(cells)
        out += md_table(header, rows, right=right)
        out.append("")
    out.append(
        f"<sub>fairmark {md_escape(view.tool_version)} · {md_escape(view.kind)} run "
        f"{md_escape(view.run_id)} · {md_escape(view.created_at)}</sub>"
    )
    return "\n".join(out) + "\n"
