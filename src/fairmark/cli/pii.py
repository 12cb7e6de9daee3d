"""``fairmark pii``: find personal data in a table (``fairmark pii scan DATA``)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, fail, handle_errors

__all__ = ["EPILOG", "FORMATS", "app", "print_scan", "scan_command"]

FORMATS = ("table", "json")
EPILOG = (
    "Example: fairmark pii scan customers.csv --region GB --format json --out pii.json "
    "(exit code 0 after a scan, 2 for bad input)"
)
_SCAN = "What to scan"
_OUTPUT = "Output"

app = typer.Typer(
    help="Personal data in tables: which columns hold it, of which kind.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _pii() -> None:
    """Personal data in tables: which columns hold it, of which kind (GDPR Art. 4(1))."""


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x in (0, 1) or 0.01 <= x <= 0.99 else f"{100 * x:.1f}%"


def _holds(col: dict[str, Any]) -> str:
    if col["entity_type"]:
        return f"{escape(col['label'] or col['entity_type'])} [dim]({col['entity_type']})[/]"
    if col["data_category"]:
        return escape(col["label"] or "personal data")
    return "[dim]—[/]"


def _flags(col: dict[str, Any]) -> str:
    flags = []
    if col["direct_identifier"]:
        flags.append("[bold red]direct identifier[/]")
    if col["special_category"]:
        flags.append("[bold magenta]Art. 9[/]")
    return ", ".join(flags)


def print_scan(doc: dict[str, Any], out: Console) -> None:
    """Print a PII scan document as a terminal table.

    Parameters
    ----------
    doc : dict
        :meth:`fairmark.privacy.scan_result.PiiScanResult.to_dict`.
    out : rich.console.Console
    """
    out.print(
        f"[bold]fairmark pii scan[/]  {escape(doc['data'])}: {doc['n_rows']:,} rows, "
        f"{doc['n_columns']} columns scanned (up to {doc['sample_size']:,} values per "
        "column validated)"
    )
    table = Table(title="Personal data by column", title_justify="left")
    for name in ("column", "holds", "share", "confidence", "fideslang category", "flags",
                 "masked examples"):  # fmt: skip
        table.add_column(name, justify="right" if name in {"share", "confidence"} else "left",
                         overflow="fold")  # fmt: skip
    for col in doc["columns"]:
        personal = col["data_category"] is not None
        table.add_row(
            escape(col["column"]),
            _holds(col),
            _pct(col["match_share"]) if col["entity_type"] else "",
            f"{col['confidence']:.2f}" if personal else "",
            escape(col["data_category"] or ""),
            _flags(col),
            escape(", ".join(col["examples_masked"])),
        )
    out.print(table)
    texts = [c for c in doc["columns"] if c["contains"]]
    for col in texts:
        parts = []
        for e in col["contains"]:
            by = " and ".join(e["found_by"])
            parts.append(f"{e['entity_type']} in {_pct(e['value_share'])} ({by})")
        out.print(f"Inside {escape(col['column'])!s}: " + escape("; ".join(parts)))
    engine = doc["text_engine"]
    if engine.get("used"):
        if engine.get("presidio"):
            recognizers = ("pattern recognizers only (no English spaCy model installed)"
                           if engine.get("recognizers") == "pattern"
                           else f"pattern recognizers and NER ({engine.get('ner_model')})")
            out.print(
                f"Free text: fairmark's detectors on {engine.get('fairmark_texts', 0):,} "
                f"texts; Presidio {engine['presidio']}, {recognizers}, on "
                f"{engine.get('presidio_texts', 0):,} texts."
            )
        else:
            out.print(f"Free text: fairmark's detectors on {engine.get('fairmark_texts', 0):,} "
                      f"texts; {escape(str(engine.get('reason', 'Presidio not run')))}.")
    summary = doc["summary"]
    out.print(
        f"Direct identifiers: {escape(', '.join(summary['direct_identifiers']) or 'none')}. "
        f"GDPR Art. 9 special categories: "
        f"{escape(', '.join(summary['special_categories']) or 'none')}."
    )
    for warning in doc["warnings"]:
        out.print(f"[yellow]warning:[/] {escape(warning)}")


def _check_out(out: Path | None, data: Path) -> None:
    if out is None:
        return
    try:
        same = out.exists() and data.exists() and out.resolve() == data.resolve()
    except OSError:
        same = False
    if same:
        fail(f"--out {str(out)!r} is the input data itself; expected a different file, "
             "such as pii.json")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        fail(f"--out: folder {str(folder)!r} does not exist; create it first")
    if out.is_dir():
        fail(f"--out: {str(out)!r} is a folder; expected a file name such as pii.json")
    if not os.access(folder, os.W_OK):
        fail(f"--out: cannot write in folder {str(folder)!r} (permission denied)")


def _write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _column_list(value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        fail("--columns is empty; expected a comma list of columns, e.g. --columns email,phone")
    return items


@app.command("scan", epilog=EPILOG, no_args_is_help=True)
@handle_errors
def scan_command(
    data: Annotated[
        Path,
        typer.Argument(metavar="DATA", show_default=False,
                       help="CSV or Parquet file, a folder of Parquet files or a quoted glob."),
    ],
    columns: Annotated[
        str | None,
        typer.Option("--columns", metavar="A,B", rich_help_panel=_SCAN,
                     help="Scan only these columns (comma list). Default: all."),
    ] = None,
    sample_size: Annotated[
        int,
        typer.Option("--sample-size", metavar="N", rich_help_panel=_SCAN,
                     help="Non-null values per column validated (a random sample; the "
                     "engine counts candidates over every row)."),
    ] = 1000,
    region: Annotated[
        str | None,
        typer.Option("--region", metavar="CC", rich_help_panel=_SCAN,
                     help="Phone region (ISO 3166-1 alpha-2, e.g. GB) for numbers in national "
                     "format; a country column in the data takes precedence per row."),
    ] = None,
    presidio: Annotated[
        bool,
        typer.Option("--presidio/--no-presidio", rich_help_panel=_SCAN,
                     help="Also run Presidio's analyzer on free-text columns (up to 200 "
                     "texts per column)."),
    ] = True,
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="table|json", rich_help_panel=_OUTPUT,
                     help="table: a table on the terminal; json: the scan document on "
                     "standard output."),
    ] = "table",
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="FILE", rich_help_panel=_OUTPUT,
                     help="Also write the JSON document to this file."),
    ] = None,
    progress: Annotated[
        bool,
        typer.Option("--progress", rich_help_panel=_OUTPUT,
                     help="Show progress on standard error: a bar on a terminal (shown "
                     "there anyway), one line per step otherwise (e.g. in a log)."),
    ] = False,
) -> None:
    """Find the columns that hold personal data: kind, share, confidence, category.

    Each column is classified from its name and its values: the data engine counts
    candidate values over the whole column, a random sample is validated (Luhn, mod-97,
    libphonenumber …); free-text columns also go through Presidio. Examples are masked,
    never raw. Exit code 0 after a scan, 2 for bad input.
    """
    from fairmark.privacy.table_scan import scan_table

    fmt = check_choice("--format", fmt, FORMATS)
    chosen = _column_list(columns)
    _check_out(out, data)
    show_progress = progress or sys.stderr.isatty()
    result = scan_table(str(data), columns=chosen, sample_size=sample_size, region=region,
                        progress=show_progress, presidio=presidio)  # fmt: skip
    text = result.to_json()
    if out is not None:
        try:
            _write_atomic(out, text + "\n")
        except OSError as exc:
            fail(f"--out: cannot write {str(out)!r}: {exc.strerror or exc}")
    if fmt == "json":
        typer.echo(text)
    else:
        print_scan(result.to_dict(), console)
