"""Rich terminal view of a report document (presentation only; reads the dict)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

_VERDICT_STYLE = {
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "insufficient_evidence": "bold magenta",
}


def _rate(m: dict[str, Any] | None) -> str:
    if m is None:
        return "—"
    if m.get("value") is None:
        return f"[dim]undefined ({escape(str(m.get('reason')))})[/]"
    v = m["value"]
    if m.get("ci_low") is None or m.get("ci_high") is None:
        return f"{v:.1%}"
    return f"{v:.1%} [dim]({m['ci_low']:.1%}–{m['ci_high']:.1%})[/]"


def _num(x: Any) -> str:
    if x is None:
        return "—"
    if x == "inf":
        return "∞"
    return f"{x:.2f}"


def _count(x: Any) -> str:
    """A count; ``None`` is a count hidden by small-cell suppression."""
    return "not shown" if x is None else f"{x:,}"


def _hidden(g: dict[str, Any], min_n: int) -> tuple[str, str]:
    """The n cell and note of a suppressed group, by why it is hidden."""
    reason = g.get("suppressed_reason")
    if reason == "below_k":
        return "few", "[dim]not shown (fewer than k people)[/]"
    if reason == "differencing":
        return "—", "[dim]not shown (would reveal a small group)[/]"
    return f"<{min_n}", "[dim]not shown (small group)[/]"


def _impact(d: dict[str, Any] | None) -> str:
    if d is None:
        return "—"
    if d["value"] is None:
        return f"[dim]undefined ({escape(str(d['reason']))})[/]"
    return _num(d["value"])


def print_summary(doc: dict[str, Any], console: Console, *, title: str | None = None) -> None:
    """Print per-feature group tables, the findings and the verdict of a report document.

    Parameters
    ----------
    doc : dict
        A ``report.json`` document (``docs/report-schema.md``).
    console : rich.console.Console
        Where to print.
    title : str, optional
        First line's title (default ``fairmark audit``).

    Notes
    -----
    Presentation only: every number comes from ``doc``. Text from the data (feature and
    group names, messages) is printed literally, never as Rich markup.
    """
    summary = doc["summary"]
    min_n = summary["min_group_size"]
    level = summary.get("confidence_level") or 0.95
    ci = f"{level:.0%} CI"
    console.print(
        f"[bold]{escape(title or 'fairmark audit')}[/]  {_count(summary['n_used'])} rows "
        f"audited ({_count(summary['n_excluded'])} excluded); decision: "
        f"{escape(str(summary['decision']))}"
    )
    di = {
        (d["feature"], d["group"]): d
        for d in doc["disparities"]
        if d["metric"] == "disparate_impact"
    }
    for feature in summary["features"]:
        ref = summary["reference_groups"].get(feature) or {}
        ref_text = f"{ref.get('group', '—')}, {ref.get('chosen_by', '')}"
        table = Table(
            title=escape(f"{feature} (reference: {ref_text})"),
            title_justify="left",
        )
        for col in ("group", "n", f"selection rate ({ci})", f"TPR ({ci})", "disparate impact"):
            table.add_column(col, justify="left" if col == "group" else "right")
        for g in (g for g in doc["groups"] if g["feature"] == feature):
            name = escape(str(g["group"]))
            if g["suppressed"]:
                table.add_row(name, *_hidden(g, min_n), "", "")
                continue
            d = di.get((feature, g["group"]))
            table.add_row(
                name + (" [dim](ref)[/]" if g["is_reference"] else ""),
                f"{g['n']:,}",
                _rate(g.get("selection_rate")),
                _rate(g.get("tpr")),
                _impact(d),
            )
        console.print(table)
    _print_outcomes(doc, console)
    shown = [f for f in doc["findings"] if f["verdict"] != "pass"]
    if shown:
        ft = Table(title="Findings that need attention", title_justify="left")
        for col in ("verdict", "rule", "message"):
            ft.add_column(col)
        for f in shown:
            style = _VERDICT_STYLE.get(f["verdict"], "")
            ft.add_row(
                f"[{style}]{escape(f['verdict'])}[/]",
                escape(str(f["rule_id"])),
                escape(str(f["message"])),
            )
        console.print(ft)
    passed = len(doc["findings"]) - len(shown)
    rules = doc.get("rules", [])
    console.print(
        f"{len(rules)} policy rules, {passed} of {len(doc['findings'])} checks passed"
        " (all findings are in the reports)."
    )
    verdict = doc["verdict"]
    policy = doc.get("policy") or {}
    policy_text = escape(f"{policy.get('id', '—')} v{policy.get('version', '—')}")
    console.print(
        f"Verdict: [{_VERDICT_STYLE.get(verdict, '')}]{escape(verdict.upper())}[/]"
        f"  (policy {policy_text})"
    )


def _print_outcomes(doc: dict[str, Any], console: Console) -> None:
    """Per feature: each group's mean outcome, share of people and share of value."""
    rows = doc.get("outcome_metrics") or []
    if not rows:
        return
    name = (doc.get("spec") or {}).get("outcome") or "outcome"
    wanted = ("outcome_mean", "population_share", "value_share", "mean_outcome_ratio")
    table_by_feature: dict[str, dict[str, dict[str, Any]]] = {}
    for m in rows:
        if m.get("metric") in wanted:
            cell = table_by_feature.setdefault(m["feature"], {}).setdefault(m["group"], {})
            cell[m["metric"]] = m.get("value")
    for feature, groups in table_by_feature.items():
        table = Table(title=f"{escape(name)} by {escape(feature)}", title_justify="left")
        for col in ("group", "mean", "share of people", "share of value", "mean vs reference"):
            table.add_column(col, justify="left" if col == "group" else "right")
        for group, vals in groups.items():

            def fmt(key: str, pct: bool = False, vals: dict[str, Any] = vals) -> str:
                v = vals.get(key)
                if v is None:
                    return "[dim]—[/]"
                if v == "inf":
                    return "∞"
                return f"{v:.1%}" if pct else f"{v:,.3g}"

            table.add_row(
                escape(group),
                fmt("outcome_mean"),
                fmt("population_share", True),
                fmt("value_share", True),
                fmt("mean_outcome_ratio"),
            )
        console.print(table)
