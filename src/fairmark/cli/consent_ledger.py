"""``fairmark consent import | status | filter``: the consent ledger on the command line.

The command functions are registered on the ``consent`` Typer app of
:mod:`fairmark.cli.consent`. Every command wraps its body with
:func:`fairmark.cli._common.handle_errors`: bad input is one ``error:`` line on stderr and
exit code 2, and nothing is half-written (the ledger import is one transaction, the
filtered audience and the report are written to a temporary file and renamed).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, err_console, fail, handle_errors
from fairmark.cli._governance import TokenOption, authorize_command

__all__ = ["filter_command", "import_command", "status_command"]

FORMATS = ("text", "json")
_DB_HELP = "Store holding the ledger. Default: $FAIRMARK_DB_URL, else .fairmark/fairmark.db."

DbOpt = Annotated[
    str | None, typer.Option("--db", "--db-url", metavar="URL", help=_DB_HELP)
]
FormatOpt = Annotated[
    str,
    typer.Option("--format", metavar="text|json",
                 help="text: a summary; json: the result document on standard output."),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", metavar="TIMESTAMP",
                 help="Instant judged, ISO 8601 with offset (2025-03-01T00:00:00Z). "
                 "Default: now."),
]
VendorOpt = Annotated[
    str | None,
    typer.Option("--vendor", metavar="VENDOR",
                 help="Judge this vendor's consent (IAB GVL id or name known to the ledger)."),
]


def _parse_columns(items: list[str] | None) -> dict[str, str] | None:
    if not items:
        return None
    out: dict[str, str] = {}
    for item in items:
        fld, sep, column = item.partition("=")
        if not sep or not fld.strip() or not column.strip():
            fail(f"--column {item!r}: expected FIELD=COLUMN, e.g. subject_id=CustomerID")
        out[fld.strip()] = column.strip()
    return out


def _write_json_atomically(document: dict[str, Any], path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=2, allow_nan=False, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@handle_errors
def import_command(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", show_default=False,
                       help="Consent platform export: .csv/.tsv or .json/.jsonl (.gz allowed)."),
    ],
    source: Annotated[
        str | None,
        typer.Option("--source", metavar="NAME",
                     help="Source of rows without one. Default: import:<file name>."),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", metavar="IANA_ZONE",
                     help="Time zone of timestamps written without a UTC offset "
                     "(e.g. Europe/Berlin). Default: such timestamps are an error."),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", metavar="FIELD=COLUMN",
                     help="Map a ledger field to a differently named column, e.g. "
                     "subject_id=CustomerID. Repeat per field."),
    ] = None,
    vendor_entries: Annotated[
        bool,
        typer.Option("--vendor-entries/--no-vendor-entries",
                     help="Record the per-vendor events of TCF strings in a consent_string "
                     "column."),
    ] = True,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """Append a consent export to the ledger (all rows or none; nothing is overwritten).

    Columns: subject_id, purpose (fideslang data use), state (granted, denied, withdrawn,
    objected), timestamp (ISO 8601 with offset); optional lawful_basis, source, expiry,
    jurisdiction, raw_signal, signal, vendor, age, is_minor, consent_string (decoded into
    events). Duplicate and contradictory rows are reported and kept: the latest timestamp
    wins, at equal timestamps the later-recorded row. Needs the ``consent.import``
    permission (admin or owner; a privacy officer is an admin).
    """
    from fairmark.privacy.consent import ConsentLedger

    fmt = check_choice("--format", fmt, FORMATS)
    columns = _parse_columns(column)
    principal = authorize_command(db, token, "consent.import")
    with ConsentLedger(db) as ledger:
        result = ledger.import_file(
            file,
            source=source,
            timezone=timezone,
            columns=columns,
            vendors=vendor_entries,
            actor=principal.name,
        )
    if fmt == "json":
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        console.print(
            f"Imported {result.n_events:,} consent event(s) from {result.n_rows:,} row(s) of "
            f"{escape(str(file))} into {escape(ledger.url)} (import {result.import_id}).",
            highlight=False,
        )
        if result.ignored_columns:
            console.print(
                "Ignored columns: " + escape(", ".join(result.ignored_columns)), highlight=False
            )
    for warning in result.warnings:
        err_console.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False)
    for s in result.duplicates.samples:
        where = "this file" if s.earlier_import == result.import_id else (
            f"import {s.earlier_import}"
        )
        err_console.print(
            f"  row {s.row}: {escape(s.purpose)} at {s.occurred_at} is {s.state}, "
            f"row {s.earlier_row} of {where} says {s.earlier_state}",
            highlight=False,
        )


@handle_errors
def status_command(
    subject: Annotated[
        str, typer.Argument(metavar="SUBJECT", show_default=False, help="The data subject's id.")
    ],
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", metavar="DATA_USE",
                     help="Only this purpose (a fideslang data use). Default: every purpose "
                     "the subject has events for."),
    ] = None,
    vendor: VendorOpt = None,
    as_of: AsOfOpt = None,
    history: Annotated[
        bool, typer.Option("--history", help="Also list every event of the subject.")
    ] = False,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """Show whether a data subject may be processed, per purpose, at an instant.

    A data subject's consent is personal data (GDPR Art. 4(1)): needs the ``consent.read``
    permission (admin, owner or auditor; not reviewer or viewer).
    """
    from fairmark.privacy.consent import ConsentLedger
    from fairmark.privacy.consent.timestamps import iso_utc

    fmt = check_choice("--format", fmt, FORMATS)
    with ConsentLedger(db, must_exist=True) as ledger:
        authorize_command(db, token, "consent.read")
        if purpose is not None:
            statuses = (ledger.state_at(subject, purpose, as_of=as_of, vendor=vendor),)
        else:
            statuses = ledger.status(subject, as_of=as_of, vendor=vendor)
        events = ledger.history(subject, purpose=purpose) if history else ()
    if fmt == "json":
        doc: dict[str, Any] = {
            "kind": "consent_subject_status",
            "schema_version": "1.0",
            "subject_id": subject.strip(),
            "statuses": [s.to_dict() for s in statuses],
        }
        if history:
            doc["history"] = [e.to_dict() for e in events]
        typer.echo(json.dumps(doc, indent=2))
        return
    if not statuses:
        console.print(f"No consent event for subject {escape(subject)!s}.", highlight=False)
    else:
        table = Table(title=f"As of {iso_utc(statuses[0].as_of)}", title_justify="left")
        for col in ("purpose", "permitted", "reason", "deciding event", "basis", "at", "source"):
            table.add_column(col, overflow="fold")
        for s in statuses:
            e = s.deciding_event.event if s.deciding_event is not None else None
            table.add_row(
                escape(s.purpose),
                "[green]yes[/]" if s.permitted else "[red]no[/]",
                escape(s.reason or "—"),
                escape(e.state.value if e else "—"),
                escape(e.lawful_basis.value if e and e.lawful_basis else "—"),
                iso_utc(e.occurred_at) if e else "—",
                escape(e.source if e else "—"),
            )
        console.print(table)
    if history:
        table = Table(title="History", title_justify="left")
        for col in ("at", "purpose", "vendor", "state", "basis", "source", "recorded"):
            table.add_column(col, overflow="fold")
        for st in events:
            ev = st.event
            table.add_row(
                iso_utc(ev.occurred_at) or "", escape(ev.purpose), escape(ev.vendor or "—"),
                ev.state.value, ev.lawful_basis.value if ev.lawful_basis else "—",
                escape(ev.source), iso_utc(st.recorded_at) or "",
            )
        console.print(table)


@handle_errors
def filter_command(
    audience: Annotated[
        str,
        typer.Argument(metavar="AUDIENCE", show_default=False,
                       help="CSV or Parquet file, a folder of Parquet files or a quoted glob."),
    ],
    purpose: Annotated[
        str | None,
        typer.Option("--purpose", metavar="DATA_USE",
                     help="Purpose the audience is for, a fideslang data use "
                     "(e.g. marketing.advertising.profiling). Required."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE",
                     help="Permitted rows, .csv or .parquet (written whole or not at all). "
                     "Required."),
    ] = None,
    vendor: VendorOpt = None,
    as_of: AsOfOpt = None,
    subject_column: Annotated[
        str,
        typer.Option("--subject-column", "-s", metavar="COLUMN",
                     help="Column naming each row's data subject."),
    ] = "subject_id",
    policy: Annotated[
        str | None,
        typer.Option("--policy", metavar="FILE",
                     help="Policy YAML to judge against. Default: the built-in policy."),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option("--report", metavar="FILE", help="Also write the run document (JSON)."),
    ] = None,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """Write only the audience rows whose subjects are permitted for a purpose.

    Joins the audience with the consent ledger in the data engine and excludes, fail
    closed, every subject without a valid record: no record, denied, withdrawn, objected
    (GDPR Art. 21, absolute for direct marketing), opted out (GPC, sale or sharing), under
    16 without opt-in, expired. Prints the exclusions counted by reason. Exit code 0 when
    the file is written (verdict pass or warn), 1 for a failing policy verdict, 2 for bad
    input or a refused user (no file written). Reads the subjects' consent: needs the
    ``consent.read`` permission (admin, owner or auditor).
    """
    from fairmark.policy import exit_code
    from fairmark.privacy.consent import ConsentLedger, filter_audience

    fmt = check_choice("--format", fmt, FORMATS)
    if purpose is None or not purpose.strip():
        fail("--purpose is required; expected a fideslang data use, e.g. "
             "marketing.advertising.profiling")
    if out is None:
        fail("--out is required; expected the file to write the permitted rows to "
             "(.csv or .parquet)")
    if report is not None and report.suffix.lower() != ".json":
        fail(f"--report {str(report)!r}: expected a .json file")
    if report is not None and not report.parent.is_dir():
        fail(f"--report: folder {str(report.parent)!r} does not exist; create it first")
    with ConsentLedger(db, must_exist=True) as ledger:
        authorize_command(db, token, "consent.read")
        result = filter_audience(
            audience, purpose=purpose, out=out, vendor=vendor, as_of=as_of,
            subject_column=subject_column, ledger=ledger, policy=policy,
        )
    document = result.to_dict()
    if report is not None:
        _write_json_atomically(document, report)
    if fmt == "json":
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        _print_filter(result)
    code = exit_code(result.verdict)  # type: ignore[arg-type]
    if code:
        raise typer.Exit(code)


def _print_filter(result: Any) -> None:
    from fairmark.privacy.consent.result import REASON_MEANING
    from fairmark.privacy.consent.timestamps import iso_utc

    vendor = f", vendor {escape(result.vendor)}" if result.vendor else ""
    console.print(
        f"Purpose {escape(result.purpose)}{vendor} as of {iso_utc(result.as_of)}: "
        f"wrote {result.n_permitted_rows:,} of {result.n_rows:,} row(s) "
        f"({result.n_permitted_subjects:,} of {result.n_subjects:,} subjects) to "
        f"{escape(result.output_path)}.",
        highlight=False,
    )
    excluded = [e for e in result.exclusions if e.rows]
    if excluded:
        table = Table(title="Excluded", title_justify="left")
        for col in ("reason", "rows", "subjects", "meaning"):
            table.add_column(col, overflow="fold")
        for e in excluded:
            table.add_row(e.reason, f"{e.rows:,}", f"{e.subjects:,}",
                          escape(REASON_MEANING[e.reason]))
        console.print(table)
    else:
        console.print("Excluded: none.")
    console.print(f"Verdict: {result.verdict}", highlight=False)
