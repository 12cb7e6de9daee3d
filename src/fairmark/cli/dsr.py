"""``fairmark dsr``: data subject requests (access, erasure) across registered sources.

Register each table that holds personal data once (``dsr source add``); then
``dsr access SUBJECT --out DIR`` exports every record about the subject, and
``dsr erase SUBJECT`` shows what would be erased and, with ``--execute`` (after
``dsr verify``), deletes or crypto-shreds it everywhere and checks that nothing remains.
Everything is recorded in the fairmark store; subjects appear there only as an HMAC
reference. Exit codes: 0 done, 1 some source failed (the others were still processed),
2 bad input. Every command needs the ``dsr.handle`` permission (admin or owner; a privacy
officer is an admin), checked with the same principal resolution as the accountability
commands (``--token`` / ``$FAIRMARK_TOKEN``, else the local account).
"""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, err_console, handle_errors, printable
from fairmark.cli._governance import TokenOption, authorize_command

app = typer.Typer(
    help=(
        "Data subject requests: export (access) or erase everything about one person in "
        "every registered data source, with identity verification and a request log."
    ),
    no_args_is_help=True,
)
source_app = typer.Typer(help="Register the tables that hold personal data.", no_args_is_help=True)
requests_app = typer.Typer(help="The request log (append-only).", no_args_is_help=True)
app.add_typer(source_app, name="source")
app.add_typer(requests_app, name="requests")

FORMATS = ("text", "json")
_SOURCE = "Source"
_ENCRYPTED = "Encrypted source (fairmark protect)"
_OUTPUT = "Output"
_DB_HELP = (
    "fairmark store (sources, request log, default keystore). Default: $FAIRMARK_DB_URL, "
    "else .fairmark/fairmark.db."
)

DbOpt = Annotated[
    str | None,
    typer.Option("--db", "--db-url", metavar="URL", rich_help_panel=_OUTPUT, help=_DB_HELP),
]
FormatOpt = Annotated[
    str,
    typer.Option("--format", metavar="text|json", rich_help_panel=_OUTPUT,
                 help="text: a summary; json: the result document on standard output."),
]
SubjectArg = Annotated[
    str,
    typer.Argument(metavar="SUBJECT", show_default=False,
                   help="The subject key exactly as in the sources' subject columns "
                        "(put '--' before it if it starts with '-')."),
]
ReceivedOpt = Annotated[
    str | None,
    typer.Option("--received-at", metavar="DATE",
                 help="When the request was received (ISO 8601). Default: now."),
]


def _print(line: str) -> None:
    console.print(printable(line), markup=False, highlight=False, soft_wrap=True)


def _ref(subject_ref: str) -> str:
    return subject_ref[:12]


# -- sources -----------------------------------------------------------------------------


@source_app.command("add")
@handle_errors
def source_add_command(
    name: Annotated[
        str, typer.Argument(metavar="NAME", show_default=False,
                            help="Source name: lowercase letters, digits, '_' and '-'.")
    ],
    url: Annotated[
        str | None,
        typer.Option("--url", metavar="URL", rich_help_panel=_SOURCE,
                     help="duckdb:///FILE, sqlite:///FILE or postgresql://USER@HOST/DB; "
                          "${ENV_VAR} placeholders keep secrets out of the store."),
    ] = None,
    table: Annotated[
        str | None,
        typer.Option("--table", metavar="T", rich_help_panel=_SOURCE,
                     help="Table, TABLE or SCHEMA.TABLE."),
    ] = None,
    subject_column: Annotated[
        str | None,
        typer.Option("--subject-column", metavar="C", rich_help_panel=_SOURCE,
                     help="Column holding the subject key (customer id, e-mail...)."),
    ] = None,
    encrypted: Annotated[
        str | None,
        typer.Option("--encrypted", metavar="A,B", rich_help_panel=_ENCRYPTED,
                     help="Columns encrypted with 'fairmark protect encrypt': erasure "
                          "crypto-shreds the subject's key, access decrypts them."),
    ] = None,
    master_key_env: Annotated[
        str | None,
        typer.Option("--master-key-env", metavar="VAR", rich_help_panel=_ENCRYPTED,
                     help="Environment variable holding the master key (name stored)."),
    ] = None,
    master_key: Annotated[
        str | None,
        typer.Option("--master-key", metavar="FILE", rich_help_panel=_ENCRYPTED,
                     help="Master key file (path stored)."),
    ] = None,
    keystore: Annotated[
        str | None,
        typer.Option("--keystore", metavar="URL", rich_help_panel=_ENCRYPTED,
                     help="Store holding the keystore. Default: the --db store."),
    ] = None,
    shred_only: Annotated[
        bool,
        typer.Option("--shred-only", rich_help_panel=_ENCRYPTED,
                     help="Erase by crypto-shredding only; keep the rows (append-only "
                          "tables). Their subject column should be a pseudonym."),
    ] = False,
    no_check: Annotated[
        bool,
        typer.Option("--no-check", rich_help_panel=_SOURCE,
                     help="Register without connecting to check the table and columns."),
    ] = False,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """Register a table holding personal data, and the column with the subject key."""
    from fairmark.cli._common import fail
    from fairmark.privacy.dsr.sources import Encryption, add_source

    fmt = check_choice("--format", fmt, FORMATS)
    for value, option, expected in (
        (url, "--url", "the source's database URL"),
        (table, "--table", "the table holding the personal data"),
        (subject_column, "--subject-column", "the column holding the subject key"),
    ):
        if value is None or not value.strip():
            fail(f"{option} is required; expected {expected}")
    extra = [o for o, v in (("--master-key-env", master_key_env), ("--master-key", master_key),
                            ("--keystore", keystore), ("--shred-only", shred_only)) if v]
    encryption = None
    if encrypted is None:
        if extra:
            fail(f"{extra[0]} is only for encrypted sources; expected --encrypted A,B with it")
    else:
        columns = tuple(c.strip() for c in encrypted.split(",") if c.strip())
        encryption = Encryption(
            columns=columns,
            master_key_env=master_key_env,
            master_key_file=master_key,
            keystore_url=keystore,
            delete_rows=not shred_only,
        )
    authorize_command(db, token, "dsr.handle")
    source = add_source(
        name, str(url), str(table), str(subject_column),
        encryption=encryption, check=not no_check, db=db,
    )
    if fmt == "json":
        typer.echo(json.dumps(source.fields(), indent=2, ensure_ascii=False))
        return
    how = "checked" if not no_check else "not checked: --no-check"
    _print(
        f"Registered source {source.name}: {source.engine} {source.shown_url}, table "
        f"{source.table}, subject column {source.subject_column} ({how})."
    )
    if source.encryption is not None:
        mode = "crypto-shred and delete" if source.encryption.delete_rows else "crypto-shred only"
        _print(f"Encrypted columns {', '.join(source.encryption.columns)}; erasure: {mode}.")


@source_app.command("list")
@handle_errors
def source_list_command(
    db: DbOpt = None, fmt: FormatOpt = "text", token: TokenOption = None
) -> None:
    """List the registered sources (passwords hidden)."""
    from fairmark.privacy.dsr.sources import list_sources, sources_document

    fmt = check_choice("--format", fmt, FORMATS)
    authorize_command(db, token, "dsr.handle")
    sources = list_sources(db)
    if fmt == "json":
        typer.echo(json.dumps(sources_document(sources), indent=2, ensure_ascii=False))
        return
    if not sources:
        _print("No sources registered yet; add one with 'fairmark dsr source add'.")
        return
    table = Table()
    for column in ("name", "engine", "url", "table", "subject column", "erasure"):
        table.add_column(column, overflow="fold")
    for s in sources:
        if s.encryption is None:
            erasure = "delete"
        else:
            erasure = "shred+delete" if s.encryption.delete_rows else "shred"
        table.add_row(*(escape(v) for v in (s.name, s.engine, s.shown_url, s.table,
                                            s.subject_column, erasure)))
    console.print(table)


@source_app.command("remove")
@handle_errors
def source_remove_command(
    name: Annotated[str, typer.Argument(metavar="NAME", show_default=False,
                                        help="The source to unregister.")],
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """Unregister a source (its past outcomes stay in the request log)."""
    from fairmark.privacy.dsr.sources import remove_source

    fmt = check_choice("--format", fmt, FORMATS)
    authorize_command(db, token, "dsr.handle")
    source = remove_source(name, db)
    if fmt == "json":
        typer.echo(json.dumps(source.fields(), indent=2, ensure_ascii=False))
        return
    _print(f"Removed source {source.name} ({source.engine} {source.shown_url}).")


# -- identity verification ---------------------------------------------------------------


@app.command("verify")
@handle_errors
def verify_command(
    subject: SubjectArg,
    method: Annotated[
        str | None,
        typer.Option("--method", metavar="M",
                     help="How the identity was checked, e.g. account_login, id_document."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", metavar="NAME", help="Who checked the identity.")
    ] = None,
    status: Annotated[
        str,
        typer.Option("--status", metavar="verified|failed",
                     help="Outcome of the check; 'failed' keeps erasure refused."),
    ] = "verified",
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """Record the identity check of a data subject (required before 'erase --execute')."""
    from fairmark.cli._common import fail
    from fairmark.privacy.dsr.requests import record_verification

    fmt = check_choice("--format", fmt, FORMATS)
    status = check_choice("--status", status, ("verified", "failed"))
    if method is None or not method.strip():
        fail("--method is required; expected how the identity was checked")
    if by is None or not by.strip():
        fail("--by is required; expected who checked the identity")
    principal = authorize_command(db, token, "dsr.handle")
    record = record_verification(
        subject, str(method), str(by), status=status, db=db, actor=principal.name
    )
    if fmt == "json":
        typer.echo(json.dumps(record.to_dict(), indent=2, ensure_ascii=False))
        return
    _print(
        f"Recorded identity check of subject {_ref(record.subject_ref)}: {record.status} by "
        f"{record.verified_by} ({record.method}), verification {record.verification_id}."
    )


# -- access and erasure ------------------------------------------------------------------


def _identity_line(result: Any) -> str:
    found = result.identity_verification
    if found is None:
        return "Identity: no verification on record."
    return (
        f"Identity: {found.status} by {found.verified_by} ({found.method}) on "
        f"{found.verified_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC."
    )


def _finish(result: Any) -> None:
    if result.failed_sources:
        err_console.print(
            f"failed: {len(result.failed_sources)} of {len(result.outcomes)} sources "
            f"({', '.join(result.failed_sources)}); the others were processed",
            markup=False, highlight=False, soft_wrap=True,
        )
        raise typer.Exit(1)


@app.command("access")
@handle_errors
def access_command(
    subject: SubjectArg,
    out: Annotated[
        str | None,
        typer.Option("--out", metavar="DIR", rich_help_panel=_OUTPUT,
                     help="New or empty folder: one JSON file per source + manifest.json."),
    ] = None,
    received_at: ReceivedOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """Export every record about the subject from every source (right of access)."""
    from fairmark.cli._common import fail
    from fairmark.privacy.dsr.access import access

    fmt = check_choice("--format", fmt, FORMATS)
    if out is None or not out.strip():
        fail("--out is required; expected a new or empty folder for the export")
    authorize_command(db, token, "dsr.handle")
    result = access(subject, str(out), db=db, received_at=received_at)
    if fmt == "json":
        typer.echo(result.to_json())
    else:
        _print(f"Access request {result.request_id} for subject {_ref(result.subject_ref)}.")
        for o in result.outcomes:
            if o.error is not None:
                _print(f"  {o.source}: FAILED: {o.error}")
                continue
            note = (f" ({o.n_cells_unreadable} encrypted cells unreadable)"
                    if o.n_cells_unreadable else "")
            _print(f"  {o.source}: {o.rows_found:,} records -> {o.file}{note}")
        _print(_identity_line(result))
        _print(f"Wrote {result.out} (manifest.json lists the files and their SHA-256).")
    _finish(result)


@app.command("erase")
@handle_errors
def erase_command(
    subject: SubjectArg,
    execute: Annotated[
        bool,
        typer.Option("--execute",
                     help="Really erase (needs 'dsr verify' first). Default: dry run."),
    ] = False,
    received_at: ReceivedOpt = None,
    max_age: Annotated[
        int,
        typer.Option("--verification-max-age", metavar="DAYS",
                     help="Oldest identity verification accepted, in days."),
    ] = 90,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """Erase the subject in every source: a dry run unless --execute (right to erasure)."""
    from fairmark.cli._common import fail
    from fairmark.privacy.dsr.erase import erase

    fmt = check_choice("--format", fmt, FORMATS)
    if max_age < 1:
        fail(f"--verification-max-age is {max_age}; expected a whole number of days >= 1")
    authorize_command(db, token, "dsr.handle")
    result = erase(subject, execute=execute, db=db, received_at=received_at,
                   max_verification_age=timedelta(days=max_age))
    if fmt == "json":
        typer.echo(result.to_json())
        _finish(result)
        return
    mode = "dry run, nothing changed" if result.dry_run else "executed"
    _print(
        f"Erasure request {result.request_id} for subject {_ref(result.subject_ref)} ({mode})."
    )
    for o in result.outcomes:
        if o.error is not None:
            _print(f"  {o.source}: FAILED: {o.error}")
        elif result.dry_run:
            plan = {
                "delete": "would be deleted",
                "delete_and_shred": "would be deleted and the data key crypto-shredded",
                "shred": "would stay; the data key would be crypto-shredded",
            }[str(o.plan)]
            _print(f"  {o.source}: {o.rows_found:,} rows found; {plan}")
        else:
            parts = [f"{o.rows_found:,} rows found"]
            if o.rows_deleted is not None:
                parts.append(f"{o.rows_deleted:,} deleted")
            if o.shred_status is not None:
                parts.append(f"data key {o.shred_status.replace('_', ' ')}")
            parts.append(f"{o.rows_remaining:,} remain" if o.rows_remaining is not None else "")
            _print(f"  {o.source}: {', '.join(p for p in parts if p)}; verified")
    _print(_identity_line(result))
    if result.dry_run:
        _print("Run again with --execute to erase" + (
            "." if result.identity_verification is not None
            and result.identity_verification.status == "verified"
            else " (after 'fairmark dsr verify SUBJECT --method M --by NAME')."))
    _finish(result)


# -- the request log ---------------------------------------------------------------------


@requests_app.command("list")
@handle_errors
def requests_list_command(
    subject: Annotated[
        str | None,
        typer.Option("--subject", metavar="SUBJECT", help="Only this subject's requests."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", help="At most this many (newest first).")
    ] = 50,
    db: DbOpt = None,
    fmt: FormatOpt = "text",
    token: TokenOption = None,
) -> None:
    """List recorded access and erasure requests, newest first."""
    from fairmark.privacy.dsr.requests import list_requests
    from fairmark.privacy.dsr.result import requests_document

    fmt = check_choice("--format", fmt, FORMATS)
    authorize_command(db, token, "dsr.handle")
    found = list_requests(db, subject=subject, limit=limit)
    if fmt == "json":
        typer.echo(json.dumps(requests_document(found), indent=2, ensure_ascii=False))
        return
    if not found:
        _print("No requests recorded" + (" for this subject." if subject else " yet."))
        return
    table = Table()
    table.add_column("request id", no_wrap=True, min_width=36)  # whole ids, to copy
    table.add_column("created (UTC)", no_wrap=True)
    table.add_column("request", no_wrap=True)
    table.add_column("subject", no_wrap=True)
    table.add_column("found/deleted", justify="right", no_wrap=True)
    table.add_column("status", min_width=10)
    for r in found:
        if r.n_outcomes < r.n_sources:
            status = f"interrupted {r.n_outcomes}/{r.n_sources}"
        else:
            status = f"{r.n_failed}/{r.n_sources} failed" if r.n_failed else "ok"
        table.add_row(
            r.request_id,
            r.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            "dry-run erasure" if r.dry_run else r.request,
            _ref(r.subject_ref),
            f"{r.rows_found:,}/{r.rows_deleted:,}",
            status,
        )
    console.print(table)
