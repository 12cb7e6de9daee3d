"""``fairmark consent``: consent signals (IAB TCF, GPP, US Privacy).

Commands live on :data:`app`; add new ones with ``@app.command(...)`` and
``@handle_errors`` like :func:`decode_command`.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, handle_errors

app = typer.Typer(
    help="Consent signals: decode IAB TCF v2/v1.1, GPP and US Privacy strings.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _consent() -> None:
    """Consent signals: decode IAB TCF v2/v1.1, GPP and US Privacy strings."""

DECODE_FORMATS = ("table", "json")

_SEVERITY_STYLE = {"non_compliant": "bold red", "warning": "bold yellow", "info": "dim"}
_MAX_IDS = 12


def _value(value: Any) -> str:
    """Short text of a field value: long ID lists are abbreviated, booleans as IDs."""
    if isinstance(value, list):
        if value and all(isinstance(v, bool) for v in value):
            ids = [i + 1 for i, on in enumerate(value) if on]
            return "IDs " + (", ".join(map(str, ids)) if ids else "none")
        if value and all(isinstance(v, dict) for v in value):
            return "; ".join(json.dumps(v, separators=(",", ":")) for v in value)
        if len(value) > _MAX_IDS:
            head = ", ".join(map(str, value[:_MAX_IDS]))
            return f"{len(value)}: {head}, … {value[-1]}"
        return ", ".join(map(str, value)) if value else "—"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _fields_table(title: str, fields: dict[str, Any]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("field")
    table.add_column("value", overflow="fold")
    for key, value in fields.items():
        table.add_row(escape(key), escape(_value(value)))
    return table


def print_decoded(doc: dict[str, Any], out: Console) -> None:
    """Print a :func:`fairmark.consent.decode` document as tables.

    Parameters
    ----------
    doc : dict
        The decoded document.
    out : rich.console.Console
    """
    out.print(f"[bold]{doc['kind'].upper()}[/] version {doc['version']}")
    fields = doc["fields"]
    if doc["kind"] == "gpp":
        ids = ", ".join(map(str, fields["sectionIds"]))
        out.print(f"GPP header: section IDs {ids}")
        for name, section in fields["sections"].items():
            out.print(_fields_table(f"Section {name}", section))
    else:
        out.print(_fields_table("Fields", fields))
    for note in doc["notes"]:
        out.print(f"[dim]note:[/] {escape(note)}")
    if doc["compliance"]:
        table = Table(title="Compliance", title_justify="left")
        for col in ("severity", "rule", "where", "message"):
            table.add_column(col, overflow="fold")
        for f in doc["compliance"]:
            style = _SEVERITY_STYLE.get(f["severity"], "")
            table.add_row(f"[{style}]{f['severity']}[/]", escape(f["rule"]),
                          escape(f["section"]), escape(f["message"]))
        out.print(table)
    else:
        out.print("Compliance: no findings")


@app.command("decode", no_args_is_help=True)
@handle_errors
def decode_command(
    string: Annotated[
        str,
        typer.Argument(metavar="STRING", show_default=False,
                       help="TCF v2/v1.1 TC string, GPP string (quote it: it contains '~') or "
                       "US Privacy string such as 1YNN."),
    ],
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="table|json",
                     help="table: fields and findings on the terminal; json: the decoded "
                     "document on standard output."),
    ] = "table",
) -> None:
    """Decode a consent string: its kind is detected, every field shown, compliance checked.

    Compliance findings cover TCF v2.2/v2.3 (purposes 3-6 need consent; DisclosedVendors
    mandatory for strings created after 2026-02-28), GPP US value rules and US Privacy
    deprecation. Exit code 0 when the string decodes, 2 when it is malformed.
    """
    from fairmark.consent import decode

    fmt = check_choice("--format", fmt, DECODE_FORMATS)
    doc = decode(string)
    if fmt == "json":
        typer.echo(json.dumps(doc, indent=2))
    else:
        print_decoded(doc, console)


# The consent ledger: fairmark consent import | status | filter (fairmark.cli.consent_ledger).
from fairmark.cli import consent_ledger as _ledger  # noqa: E402

app.command("import", no_args_is_help=True)(_ledger.import_command)
app.command("status", no_args_is_help=True)(_ledger.status_command)
app.command("filter", no_args_is_help=True)(_ledger.filter_command)
