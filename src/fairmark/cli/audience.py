"""``fairmark audience prepare``: a customer list as a platform's hashed match-key upload."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, err_console, fail, handle_errors

FORMATS = ("table", "json")
SHOWN_REJECTIONS = 20
_INPUT = "Input"
_SIZE = "Audience size and policy"
_OUTPUT = "Output"
_SIZE_CHECK = "privacy.min_audience_size"

EPILOG = (
    "Example: fairmark audience prepare customers.csv --platform google --region GB "
    "--out google_upload.csv --name 'Spring newsletter' --report audience.json. "
    "Exit code 0: file written; 1: refused (audience below the platform minimum); "
    "2: bad input."
)

_VERDICT_STYLE = {
    "pass": "bold green",
    "warn": "bold yellow",
    "fail": "bold red",
    "insufficient_evidence": "bold magenta",
}

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Prepare customer lists for ad platforms: normalised, hashed match keys.",
)


@app.callback()
def _audience() -> None:
    """Prepare customer lists for ad platforms: normalised, hashed match keys."""


def print_audience(doc: dict[str, Any], out: Console) -> None:
    """Print a prepared list's summary, rejections, lint findings and verdict.

    Parameters
    ----------
    doc : dict
        :meth:`fairmark.privacy.audience.result.AudienceResult.to_dict`.
    out : rich.console.Console
    """
    counts, size = doc["counts"], doc["size"]
    region = doc["region"] or "none"
    out.print(
        f"[bold]fairmark audience prepare[/]  {escape(doc['platform']['title'])}, "
        f"default region {escape(region)}"
    )
    summary = Table(title="List", title_justify="left", show_header=False)
    summary.add_column("what")
    summary.add_column("rows", justify="right")
    summary.add_row("rows read", f"{counts['rows']:,}")
    summary.add_row("rows left out (no usable identifier)", f"{counts['rejected_rows']:,}")
    summary.add_row("duplicate rows after normalisation", f"{counts['duplicates']:,}")
    summary.add_row("unique rows for upload", f"{counts['unique_rows']:,}")
    summary.add_row(
        f"expected matched audience (× {size['assumed_match_rate']:g} match rate)",
        _plain_number(size["expected_matched_size"]),
    )
    summary.add_row(f"{doc['platform']['name']} minimum", f"{size['platform_minimum']:,}")
    out.print(summary)
    columns = Table(title="Upload columns", title_justify="left")
    for col in ("list column", "field", "upload column", "hashed"):
        columns.add_column(col)
    for c in doc["columns"]:
        columns.add_row(
            escape(c["column"]),
            c["field"],
            escape(", ".join(c["output_columns"])),
            "SHA-256" if c["hashed"] else "[yellow]plain text[/]",
        )
    out.print(columns)
    if doc["ignored_columns"]:
        left = ", ".join(f"{c['column']} ({c['reason']})" for c in doc["ignored_columns"])
        out.print(f"[dim]Not uploaded: {escape(left)}[/]")
    _print_rejections(doc, out)
    for f in doc["lint"]:
        special = f"; {f['special_category']}" if f["special_category"] else ""
        out.print(
            f"[bold yellow]name check:[/] the audience {f['field']} contains "
            f"{escape(repr(f['matched']))}, which suggests {f['category'].replace('_', ' ')}"
            f"{escape(special)}; platforms restrict such audiences, rename it"
        )
    for note in doc["warnings"]:
        out.print(f"[yellow]warning:[/] {escape(note)}")
    for finding in doc["findings"]:
        if finding["verdict"] != "pass":
            style = _VERDICT_STYLE.get(finding["verdict"], "")
            message = finding["message"]
            if finding["check"] == _SIZE_CHECK and size.get("message"):
                message = size["message"]
            out.print(f"[{style}]{finding['verdict']}[/] {escape(message)}")
    verdict = doc["verdict"]
    written = doc["output"]["path"] if doc["output"]["written"] else None
    tail = f"wrote {escape(written)}" if written else "[bold red]nothing written[/]"
    out.print(f"Verdict: [{_VERDICT_STYLE.get(verdict, '')}]{verdict.upper()}[/]  {tail}")


def _plain_number(x: float) -> str:
    """Integers with separators; otherwise 4 significant digits (0.5 never shows as 0)."""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.1f}" if abs(x) >= 1000 else f"{x:.4g}"


def _print_rejections(doc: dict[str, Any], out: Console) -> None:
    rejections = doc["rejections"]
    if not rejections["total"]:
        return
    by_reason = Table(title="Values and rows left out, by reason", title_justify="left")
    for col in ("field", "reason", "count"):
        by_reason.add_column(col, justify="right" if col == "count" else "left")
    for r in rejections["by_reason"]:
        by_reason.add_row(r["field"], r["reason"], f"{r['count']:,}")
    out.print(by_reason)
    shown = rejections["shown"][:SHOWN_REJECTIONS]
    detail = Table(
        title="First rejections (row 1 = first row after the header; values shown as shape)",
        title_justify="left",
    )
    for col in ("row", "field", "reason", "shape", "message"):
        detail.add_column(col, justify="right" if col == "row" else "left")
    for r in shown:
        detail.add_row(
            str(r["row"]), r["field"], r["reason"], escape(r["masked"] or ""), escape(r["message"])
        )
    out.print(detail)
    more = rejections["total"] - len(shown)
    if more > 0:
        out.print(f"[dim]… {more:,} more (see --report or --format json)[/]")


def _write_report(document: dict[str, Any], path: Path) -> None:
    """Write the JSON document atomically (temporary file in the same folder, rename)."""
    if path.is_dir() or not path.parent.is_dir():
        fail(f"--report {str(path)!r}: expected a file in an existing folder")
    handle, staged = tempfile.mkstemp(prefix=".fairmark-report-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=2, allow_nan=False, ensure_ascii=False)
        os.replace(staged, path)
    finally:
        if os.path.exists(staged):
            os.unlink(staged)


@app.command("prepare", epilog=EPILOG, no_args_is_help=True)
@handle_errors
def prepare_command(
    list_path: Annotated[
        Path,
        typer.Argument(
            metavar="LIST",
            help="Customer list: CSV with a header row (or Parquet), one row per person.",
            show_default=False,
        ),
    ],
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform",
            "-p",
            metavar="meta|google|tiktok|x|linkedin",
            rich_help_panel=_INPUT,
            show_default=False,
            help="The ad platform whose upload format and minimum apply (required).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="FILE",
            rich_help_panel=_OUTPUT,
            show_default=False,
            help="Upload CSV to write (required; atomically; not written when refused).",
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region",
            metavar="CC",
            rich_help_panel=_INPUT,
            help="Default country (ISO 3166-1 alpha-2, e.g. GB) of phone numbers "
            "without a country code, postal codes and states.",
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            metavar="TEXT",
            rich_help_panel=_INPUT,
            help="Audience name on the platform; checked for terms suggesting "
            "health, financial or other sensitive status.",
        ),
    ] = None,
    description: Annotated[
        str | None,
        typer.Option(
            "--description",
            metavar="TEXT",
            rich_help_panel=_INPUT,
            help="Audience description on the platform; checked like --name.",
        ),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            metavar="FILE",
            rich_help_panel=_SIZE,
            help="Policy YAML (settings.audience and privacy.min_audience_size "
            "rules). Default: the built-in policy.",
        ),
    ] = None,
    assumed_match_rate: Annotated[
        float | None,
        typer.Option(
            "--assumed-match-rate",
            metavar="R",
            rich_help_panel=_SIZE,
            help="Share of unique rows the platform is assumed to match, in (0, 1]. "
            "Default: the policy's, else 0.5.",
        ),
    ] = None,
    min_size: Annotated[
        int | None,
        typer.Option(
            "--min-size",
            metavar="N",
            rich_help_panel=_SIZE,
            help="Minimum matched audience. Default: the policy's, else the "
            "platform's (Google, Meta, X 100; LinkedIn 300; TikTok 1,000).",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE.json",
            rich_help_panel=_OUTPUT,
            help="Also write the result document (no identifier values) here.",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="table|json",
            rich_help_panel=_OUTPUT,
            help="table: summary on the terminal; json: the result document on standard output.",
        ),
    ] = "table",
) -> None:
    """Normalise and hash a customer list into a platform's match-key upload file.

    Every identifier is normalised as the platform asks (e-mail, phone to E.164, names,
    postal code, country …) and hashed with unsalted SHA-256; values that cannot be
    normalised are reported by row and reason and left out, never uploaded raw. The file
    is written only when the expected matched audience reaches the platform minimum.
    Exit code 0 when written, 1 when refused, 2 for bad input.
    """
    from fairmark.privacy.audience.prepare import prepare_audience

    fmt = check_choice("--format", fmt, FORMATS)
    if platform is None:
        fail("missing --platform: name the ad platform, one of meta, google, tiktok, x, linkedin")
    if out is None:
        fail("missing --out: name the upload file to write, e.g. --out upload.csv")
    if report is not None and (report.is_dir() or not report.parent.is_dir()):
        fail(f"--report {str(report)!r}: expected a file in an existing folder")
    result = prepare_audience(
        str(list_path),
        platform=platform,
        out=out,
        region=region,
        name=name,
        description=description,
        policy=policy,
        assumed_match_rate=assumed_match_rate,
        min_size=min_size,
    )
    document = result.to_dict()
    if report is not None:
        _write_report(document, report)
        err_console.print(f"[dim]report[/] {report}", highlight=False)
    if fmt == "json":
        typer.echo(json.dumps(document, indent=2, allow_nan=False, ensure_ascii=False))
    else:
        print_audience(document, console)
    raise typer.Exit(result.exit_code)
