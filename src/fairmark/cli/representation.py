"""``fairmark representation``: is the training data as diverse as the population it serves?"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import (
    PolicyOption,
    ReportsOutOption,
    check_choice,
    console,
    handle_errors,
    write_run_reports,
)

FORMATS = ("text", "json")

EPILOG = (
    "Example: fairmark representation adult.csv --sensitive-feature sex "
    "--reference census_sex.yaml --policy policy.yaml. The reference is a CSV with the "
    "header group,share or a YAML mapping group: share (optionally under 'shares:' with a "
    "'source:'); shares must sum to 1 (± 0.01)."
)


def _share(est: dict[str, Any]) -> str:
    if est["value"] is None:
        return f"[dim]undefined ({est['reason']})[/]"
    text = f"{est['value']:.1%}"
    if est["ci_low"] is not None:
        text += f" [dim]({est['ci_low']:.1%}–{est['ci_high']:.1%})[/]"
    return text


def _ratio(est: dict[str, Any]) -> str:
    if est["value"] is None:
        return f"[dim]undefined ({est['reason']})[/]"
    text = f"{est['value']:.2f}"
    if est["ci_low"] is not None:
        text += f" [dim]({est['ci_low']:.2f}–{est['ci_high']:.2f})[/]"
    return text


def print_representation(doc: dict[str, Any]) -> None:
    """Print the comparison table, the findings and the verdict of a representation document."""
    s = doc["summary"]
    min_n = s["min_group_size"]
    table = Table(
        title=f"{escape(doc['feature'])}: training data against "
        f"{escape(str(doc['reference']['source'] or doc['reference']['location']))}",
        title_justify="left",
    )
    for col in ("group", "rows", "share of data (95% CI)", "reference share", "ratio", ""):
        table.add_column(col, justify="left" if col in {"group", ""} else "right")
    for g in doc["groups"]:
        rows = f"<{min_n}" if g["suppressed"] else f"{g['n']:,}"
        if g["suppressed"] and g.get("suppressed_reason") not in (None, "below_min_group_size"):
            rows = "not shown"
        ref = "—" if g["reference_share"] is None else f"{g['reference_share']:.1%}"
        flag = "[bold red]under-represented[/]" if g["flagged"] else ""
        if not g["in_reference"]:
            flag = "[yellow]not in the reference[/]"
        table.add_row(
            escape(g["group"]),
            rows,
            _share(g["observed_share"]),
            ref,
            _ratio(g["representation_ratio"]),
            flag,
        )
    console.print(table)
    missing = (
        "none"
        if not s["has_missing"]
        else (f"{s['n_missing']:,}" if s["n_missing"] is not None else f"fewer than {min_n}")
    )
    if "n_missing" in (s.get("suppressed_counts") or {}):
        missing = "not shown"
    used = "not shown" if s["n_used"] is None else f"{s['n_used']:,}"
    console.print(
        f"{used} rows compared; rows without a value: {missing}. Flag bound: ratio "
        f"below {s['flag_bound']:g} ({escape(s['flag_bound_source'])})."
    )
    if not doc["rules"]:
        console.print(
            "[dim]No rule of the policy judges representation: add a "
            "fairness.representation_ratio rule to gate on it.[/]"
        )
    for f in doc["findings"]:
        if f["verdict"] != "pass":
            console.print(f"[bold]{f['verdict']}[/] {escape(f['rule_id'])}: {escape(f['message'])}")
    policy = doc.get("policy") or {}
    console.print(
        f"Verdict: [bold]{doc['verdict'].upper()}[/]  (policy {escape(str(policy.get('id')))} "
        f"v{escape(str(policy.get('version')))})"
    )


@handle_errors
def representation_command(
    data: Annotated[
        Path,
        typer.Argument(
            metavar="DATA",
            show_default=False,
            help="Training data: CSV or Parquet file, folder or quoted glob.",
        ),
    ],
    sensitive_feature: Annotated[
        str,
        typer.Option(
            "--sensitive-feature",
            "-s",
            metavar="COLUMN",
            show_default=False,
            help="Column whose groups are compared with the reference (e.g. sex).",
        ),
    ],
    reference: Annotated[
        Path,
        typer.Option(
            "--reference",
            metavar="FILE",
            show_default=False,
            help="Reference population shares: CSV with header group,share, or "
            "YAML group: share. Shares must sum to 1 (± 0.01).",
        ),
    ],
    bins: Annotated[
        str | None,
        typer.Option(
            "--bin",
            metavar="EDGES",
            help="Cut a numeric column into bands first: 25,35,45 or 'age' for "
            "<25 … 65+; the reference then lists the bands.",
        ),
    ] = None,
    min_ratio: Annotated[
        float | None,
        typer.Option(
            "--min-ratio",
            metavar="R",
            help="Flag groups whose representation ratio is below R. Default: the "
            "policy's fairness.representation_ratio bound, else 0.8.",
        ),
    ] = None,
    policy: PolicyOption = None,
    min_group_size: Annotated[
        int | None,
        typer.Option(
            "--min-group-size",
            metavar="N",
            help="Groups with fewer rows are not estimated and their counts not "
            "shown. Default: the policy's setting, else 30.",
        ),
    ] = None,
    out: ReportsOutOption = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="text|json",
            help="text (a table) or json (the document fairmark.representation "
            "returns, on standard output).",
        ),
    ] = "text",
) -> None:
    """Compare the group make-up of a training set with a reference population.

    Exit code 0 for pass or warn, 1 for fail or insufficient evidence, 2 for bad input.
    """
    from fairmark.fairness.representation import representation

    fmt = check_choice("--format", fmt, FORMATS)
    edges: Any = None
    if bins is not None:
        edges = "age" if bins.strip() == "age" else [e.strip() for e in bins.split(",")]
    result = representation(
        str(data),
        sensitive_feature=sensitive_feature,
        reference=reference,
        bins=edges,
        min_ratio=min_ratio,
        policy=policy,
        min_group_size=min_group_size,
    )
    write_run_reports(result.to_dict(), out)
    if fmt == "json":
        typer.echo(result.to_json())
    else:
        print_representation(result.to_dict())
    raise typer.Exit(result.exit_code)
