"""``fairmark content compare``: offers, reading level, tone and findings across personas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, handle_errors

FORMATS = ("table", "json")
_FEATURES = ("discount_pct", "min_price", "free_shipping", "fk_grade", "n_words", "sentiment",
             "n_findings")


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


@handle_errors
def compare_command(
    table_path: Annotated[
        Path,
        typer.Argument(metavar="TABLE", show_default=False,
                       help="CSV or Parquet file: one row per generated text."),
    ],
    text: Annotated[
        str, typer.Option("--text", metavar="COLUMN", show_default=False,
                          help="Column with the copy.")
    ],
    group: Annotated[
        str, typer.Option("--group", metavar="COLUMN", show_default=False,
                          help="Column with the persona group.")
    ],
    alpha: Annotated[
        float, typer.Option("--alpha", metavar="A",
                            help="Family-wise error rate (Holm correction).")
    ] = 0.05,
    scan: Annotated[
        bool, typer.Option("--scan/--no-scan",
                           help="Count the content scanner's findings per text.")
    ] = True,
    fmt: Annotated[
        str, typer.Option("--format", metavar="table|json",
                          help="table: group means and flags; json: the result document.")
    ] = "table",
) -> None:
    """Compare the copy generated for persona groups; flag systematic differences.

    Exit code 1 when a difference is flagged, 2 on bad input.
    """
    from fairmark.content.compare import compare_personas

    fmt = check_choice("--format", fmt, FORMATS)
    result = compare_personas(str(table_path), text=text, group=group, alpha=alpha, scan=scan)
    if fmt == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        console.print(f"[bold]fairmark content compare[/]  {result.n_texts:,} texts, "
                      f"{len(result.groups)} groups of {escape(group)!s}")
        t = Table(title="Group means", title_justify="left")
        t.add_column("group")
        t.add_column("n", justify="right")
        for key in _FEATURES:
            t.add_column(key, justify="right")
        for g in result.groups:
            t.add_row(escape(g.group), str(g.n), *(_fmt(g.means[k]) for k in _FEATURES))
        console.print(t)
        for c in result.flagged:
            console.print(
                f"[bold yellow]flag[/] {escape(c.group)}: {c.feature} {_fmt(c.mean_group)} vs "
                f"{_fmt(c.mean_rest)} for the others ({c.test}, Holm p = {c.p_holm:.3g})"
            )
        if not result.flagged:
            console.print("No systematic difference between groups.")
    if result.flagged:
        raise typer.Exit(1)
