"""``fairmark content lint-targeting``: targeting choices a platform forbids for an ad category."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, handle_errors

FORMATS = ("table", "json")
_STYLE = {"block": "bold red", "warn": "bold yellow", "info": "dim"}


@handle_errors
def lint_targeting_command(
    spec: Annotated[
        Path,
        typer.Argument(metavar="SPEC.json", show_default=False,
                       help="Targeting spec: the fairmark shape, or Meta's, Google's or "
                       "TikTok's own JSON."),
    ],
    platform: Annotated[
        str, typer.Option("--platform", metavar="meta|google|tiktok", show_default=False,
                          help="Ad platform whose policy applies.")
    ],
    ad_category: Annotated[
        str, typer.Option("--ad-category", metavar="CATEGORY", show_default=False,
                          help="housing, employment, credit, financial_products or general.")
    ],
    fmt: Annotated[
        str, typer.Option("--format", metavar="table|json",
                          help="table: findings on the terminal; json: the result document.")
    ] = "table",
) -> None:
    """Lint a targeting spec against the platform's special-ad-category restrictions.

    Exit code 1 when a choice is not allowed (verdict fail), 2 on bad input.
    """
    from fairmark.content.targeting import lint_targeting

    fmt = check_choice("--format", fmt, FORMATS)
    result = lint_targeting(spec, platform=platform, ad_category=ad_category)
    if fmt == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        console.print(
            f"[bold]fairmark content lint-targeting[/]  {escape(str(spec))}  "
            f"({result.platform}, {result.ad_category}, read as {result.spec_format}, "
            f"{result.n_criteria} targeting choices)"
        )
        if result.findings:
            table = Table(title="Findings", title_justify="left")
            for col in ("severity", "rule", "field", "message"):
                table.add_column(col)
            for f in result.findings:
                table.add_row(f"[{_STYLE[f.severity]}]{f.severity}[/]", escape(f.rule_id),
                              escape(f.field), escape(f.message))
            console.print(table)
            console.print(f"[dim]Source: {escape(result.findings[0].source)}[/]")
        console.print(f"[dim]{escape(result.note)}[/]")
        console.print(f"Verdict: {result.verdict.upper()}")
    if result.verdict == "fail":
        raise typer.Exit(1)
