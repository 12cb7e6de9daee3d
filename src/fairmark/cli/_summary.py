"""Rich terminal view of a report document (presentation only; reads the dict)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

_VERDICT_STYLE = {
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "insufficient_evidence": "bold magenta",
}


def _rate(m: dict[str, Any]) -> str:
    if m.get("value") is None:
        return f"[dim]undefined ({m.get('reason')})[/]"
    v = m["value"]
    if m.get("ci_low") is None:
        return f"{v:.1%}"
    return f"{v:.1%} [dim]({m['ci_low']:.1%}–{m['ci_high']:.1%})[/]"


def _num(x: Any) -> str:
    if x is None:
        return "—"
    if x == "inf":
        return "∞"
    return f"{x:.2f}"


def print_summary(doc: dict[str, Any], console: Console, *, title: str | None = None) -> None:
    """Print per-feature group tables, the findings and the verdict of a report document."""
    summary = doc["summary"]
    min_n = summary["min_group_size"]
    console.print(
        f"[bold]{title or 'fairmark audit'}[/]  {summary['n_used']:,} rows audited"
        f" ({summary['n_excluded']:,} excluded); decision: {summary['decision']}"
    )
    di = {
        (d["feature"], d["group"]): d for d in doc["disparities"] if d["metric"] == "disparate_impact"
    }
    for feature in summary["features"]:
        ref = summary["reference_groups"].get(feature, {})
        table = Table(
            title=f"{feature} (reference: {ref.get('group', '—')}, {ref.get('chosen_by', '')})",
            title_justify="left",
        )
        for col in ("group", "n", "selection rate (95% CI)", "TPR (95% CI)", "disparate impact"):
            table.add_column(col, justify="left" if col == "group" else "right")
        for g in (g for g in doc["groups"] if g["feature"] == feature):
            if g["suppressed"]:
                table.add_row(g["group"], f"<{min_n}", "[dim]not shown (small group)[/]", "", "")
                continue
            d = di.get((feature, g["group"]))
            table.add_row(
                g["group"] + (" [dim](ref)[/]" if g["is_reference"] else ""),
                f"{g['n']:,}",
                _rate(g["selection_rate"]),
                _rate(g["tpr"]),
                "—" if d is None else (_num(d["value"]) if d["value"] is not None else f"undefined ({d['reason']})"),
            )
        console.print(table)
    shown = [f for f in doc["findings"] if f["verdict"] != "pass"]
    if shown:
        ft = Table(title="Findings that need attention", title_justify="left")
        for col in ("verdict", "rule", "message"):
            ft.add_column(col)
        for f in shown:
            style = _VERDICT_STYLE.get(f["verdict"], "")
            ft.add_row(f"[{style}]{f['verdict']}[/]", f["rule_id"], f["message"])
        console.print(ft)
    passed = len(doc["findings"]) - len(shown)
    rules = doc.get("rules", [])
    console.print(
        f"{len(rules)} policy rules, {passed} of {len(doc['findings'])} checks passed"
        " (all findings are in the reports)."
    )
    verdict = doc["verdict"]
    policy = doc.get("policy") or {}
    console.print(
        f"Verdict: [{_VERDICT_STYLE.get(verdict, '')}]{verdict.upper()}[/]"
        f"  (policy {policy.get('id', '—')} v{policy.get('version', '—')})"
    )
