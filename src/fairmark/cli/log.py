"""``fairmark log``: verify, export, show and checkpoint the tamper-evident audit log.

Thin wrappers over :mod:`fairmark.governance.log`. ``verify`` exits 0 when the log is
intact, 1 when tampering was found (the first bad entry is named), 2 on bad input;
``verify --file`` checks an export offline, without a store (``--file -``: from stdin, as
``export --out -`` writes it). A failed verification, and a checkpoint refused because the
log does not match what this machine signed before, exit 1. ``export --out FILE`` refuses an
existing file without ``--force``, and never replaces the store, the key or its anchor.
Reading the log needs the
``log.read`` permission (admin, auditor, owner, reviewer), a checkpoint ``log.checkpoint``
(admin). ``trust-key``, ``distrust-key`` and ``keys`` keep the store's list of trusted
checkpoint keys in the log (:mod:`fairmark.governance.log_keys`; registering needs
``log.checkpoint``); ``public-key`` prints this client's key for an admin to register.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, err_console, handle_errors, printable
from fairmark.cli._governance import (
    OUTPUT_FORMATS,
    DbUrlOption,
    FormatOption,
    TokenOption,
    emit,
    governance_session,
    print_kv,
)
from fairmark.errors import UsageError

__all__ = ["app"]

app = typer.Typer(
    help="The tamper-evident audit log: verify, export, show, checkpoint.",
    no_args_is_help=True,
)

KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        metavar="FILE",
        help="Ed25519 signing key (PEM). Default: $FAIRMARK_SIGNING_KEY, else beside a "
        "SQLite store, else ~/.config/fairmark/signing_key.pem.",
        show_default=False,
    ),
]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _short(digest: str | None) -> str:
    return "—" if not digest else f"{digest[:16]}…"


def _print_verification(result: Any) -> None:
    if result.ok:
        title = f"audit log intact ({result.source})"
    else:
        bad = result.first_bad
        title = f"audit log TAMPERED at entry {bad.seq} ({bad.kind}): {bad.message}"
    rows: list[tuple[str, Any]] = [
        ("entries", result.n_entries),
        (
            "head",
            None if result.head_seq is None else f"{result.head_seq} {_short(result.head_hash)}",
        ),
        ("checkpoints", result.n_checkpoints),
        ("last checkpoint", result.last_checkpoint_seq),
        ("trusted keys", list(result.trusted_keys) or "not checked"),
        ("trusted by log", list(result.keys_trusted_by_log)),
    ]
    print_kv(title, rows)
    for warning in result.warnings:
        err_console.print(printable(f"warning: {warning}"), markup=False, highlight=False)


@app.command("verify")
@handle_errors
def verify_command(
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="FILE",
            help="Verify this export (from 'fairmark log export') offline, without a store; "
            "- reads it from stdin.",
        ),
    ] = None,
    public_key: Annotated[
        list[str] | None,
        typer.Option(
            "--public-key",
            metavar="HEX_OR_FINGERPRINT",
            help="A trusted checkpoint key: raw Ed25519 public key or its SHA-256 "
            "fingerprint (hex). Repeatable. Default: the local signing key, if it exists.",
        ),
    ] = None,
    key: KeyOption = None,
    anchor: Annotated[
        Path | None,
        typer.Option(
            "--anchor",
            metavar="FILE",
            help="The newest checkpoint known from outside the store: an anchor file "
            "(<key file>.head.json) or an evidence bundle's checkpoint.json; the log must "
            "still hold its entry and checkpoint. Default: the anchor beside the key file.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Check every hash link and signed checkpoint; name the first bad entry (exit 1)."""
    from fairmark.governance.log import verify_export, verify_log
    from fairmark.governance.log_anchor import load_anchor

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    if file is not None:
        if key is not None:
            raise UsageError(
                "--key is for a store; expected --public-key with the trusted key "
                "fingerprint when verifying a --file"
            )
        pinned = None if anchor is None else load_anchor(anchor, "")
        if str(file) == "-":
            result = _verify_stdin(public_key, pinned)
        else:
            result = verify_export(file, public_keys=public_key, anchor=pinned)
    else:
        with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
            result = verify_log(
                engine, public_keys=public_key, key=key, principal=principal, anchor=anchor
            )
    emit(fmt, result.to_dict(), lambda: _print_verification(result))
    if not result.ok:
        raise typer.Exit(1)


def _verify_stdin(public_key: list[str] | None, pinned: Any) -> Any:
    """Verify an export read from stdin: spooled to a temporary file (it is read twice;
    memory stays bounded), named ``-`` in messages and in the result."""
    import shutil
    import tempfile

    from fairmark.governance.log import verify_export

    with tempfile.TemporaryDirectory(prefix="fairmark-log-") as folder:
        spool = Path(folder) / "stdin.jsonl"
        with spool.open("wb") as handle:
            shutil.copyfileobj(sys.stdin.buffer, handle)
        return verify_export(spool, public_keys=public_key, anchor=pinned, source="-")


@app.command("export")
@handle_errors
def export_command(
    out: Annotated[
        str,
        typer.Option("--out", metavar="FILE|-", help="JSON Lines file, or - for stdout."),
    ] = "-",
    since: Annotated[
        int | None,
        typer.Option("--since", metavar="SEQ", help="Only entries after this seq."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace FILE if it exists (never the store, the signing key or its anchor).",
        ),
    ] = False,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Write the log as JSON Lines: a header, one line per entry, then the checkpoints."""
    from fairmark.governance.log import export_log

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    if not out.strip():
        raise UsageError("--out is empty; expected a file name or - for stdout")
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        if out == "-":
            info = export_log(engine, sys.stdout, since_seq=since, principal=principal)
            sys.stdout.flush()
        else:
            info = export_log(engine, Path(out), since_seq=since, principal=principal, force=force)
    summary = (
        f"exported {_count(info.n_entries, 'entry', 'entries')}"
        + ("" if info.first_seq is None else f" ({info.first_seq}..{info.last_seq})")
        + f" and {_count(info.n_checkpoints, 'checkpoint', 'checkpoints')} to {info.out}"
    )
    if out == "-":  # stdout holds the export: the summary goes to stderr
        err_console.print(summary, markup=False, highlight=False)
        return
    emit(
        fmt,
        info.to_dict(),
        lambda: print_kv(summary, [("sha256", info.sha256), ("head", _short(info.head_hash))]),
    )


def _entity(value: str | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    kind, _, ident = value.partition(":")
    if not kind.strip():
        raise UsageError(
            f"--entity {value!r} has no type; expected TYPE or TYPE:ID, e.g. system:churn"
        )
    return kind.strip(), (ident.strip() or None)


@app.command("show")
@handle_errors
def show_command(
    entity: Annotated[
        str | None,
        typer.Option("--entity", metavar="TYPE[:ID]", help="Only entries about this entity."),
    ] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", metavar="ACTION", help="Only this action, e.g. review.decide."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only entries at or after (ISO 8601, UTC)."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATE", help="Only entries before (ISO 8601, UTC)."),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, metavar="N", help="The newest N matching entries.")
    ] = 50,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show log entries (the newest N matching, oldest first)."""
    from fairmark.governance.chain import canonical_json
    from fairmark.governance.log import read_entries

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    entity_type, entity_id = _entity(entity)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        entries = read_entries(
            engine,
            since=since,
            until=until,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            limit=limit,
            newest=True,
            principal=principal,
        )

    def render() -> None:
        if not entries:
            console.print("No matching log entries.", markup=False, highlight=False)
            return
        table = Table()
        table.add_column("seq", justify="right", no_wrap=True)
        table.add_column("time (UTC)", no_wrap=True)
        table.add_column("actor", overflow="fold")
        table.add_column("action", no_wrap=True)
        table.add_column("entity", overflow="fold")
        table.add_column("payload", overflow="fold")
        for e in entries:
            payload = canonical_json(e.payload)
            table.add_row(
                str(e.seq),
                e.created_at[:19].replace("T", " "),
                escape(printable(e.actor)),
                escape(printable(e.action)),
                escape(printable(f"{e.entity_type}:{e.entity_id}")),
                escape(printable(payload if len(payload) <= 80 else payload[:79] + "…")),
            )
        console.print(table)

    emit(fmt, [e.to_dict() for e in entries], render)


@app.command("checkpoint")
@handle_errors
def checkpoint_command(
    key: KeyOption = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Sign the head of the log with the Ed25519 key (admin); the key is made if missing."""
    from fairmark.governance.log import create_checkpoint

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        info = create_checkpoint(engine, key=key, principal=principal)
    emit(
        fmt,
        info.to_dict(),
        lambda: print_kv(
            f"checkpoint of entry {info.seq} signed (recorded as entry {info.log_seq})",
            [
                ("entry hash", info.entry_hash),
                ("key fingerprint", info.key_fingerprint),
                ("created", info.created_at),
            ],
        ),
    )


# ----------------------------------------------------------------------------- keys


def _print_key(title: str, record: Any, status: str | None = None) -> None:
    rows: list[tuple[str, Any]] = [
        ("label", record.label),
        ("status", record.status if status is None else status),
        ("public key", record.public_key),
        ("registered", f"entry {record.registered_seq} by {record.registered_by}"),
    ]
    if record.distrusted_seq is not None:
        rows.append(("distrusted", f"entry {record.distrusted_seq} by {record.distrusted_by}"))
    print_kv(title, rows)


@app.command("trust-key")
@handle_errors
def trust_key_command(
    public_key: Annotated[
        str,
        typer.Argument(
            metavar="PUBLIC_KEY_HEX_OR_FILE",
            help="The raw Ed25519 public key (64 hex digits, as 'fairmark log public-key' "
            "prints it on the key's machine), or a file holding it (hex or PEM).",
        ),
    ],
    label: Annotated[
        str,
        typer.Option("--label", metavar="TEXT", help="Whose key it is, e.g. 'rita laptop'."),
    ],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Register a checkpoint key as trusted by the store (admin; appends log.key.trust).

    Prints the key's verified status as 'fairmark log keys' shows it, judged after the
    command's automatic checkpoint: trusted once a checkpoint of a trusted key covers the
    registration, else pending.
    """
    from fairmark.governance.keys import public_key_hex
    from fairmark.governance.log_keys import key_standing, trust_key
    from fairmark.store import RunStore

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    public = public_key_hex(public_key)
    with governance_session(db_url, token) as (engine, principal, url):
        record = trust_key(engine, public, label=label, principal=principal)
    with RunStore(url) as store:  # after the session's checkpoint, which may cover it
        standing = key_standing(store.engine, record.key_fingerprint)
    if standing is None:  # pragma: no cover - the entry was just committed
        emit(fmt, record.to_dict(), lambda: _print_key(f"key {record.key_fingerprint}", record))
        return
    source = _root_source(None, None, url)

    def render() -> None:
        title = f"key {record.key_fingerprint} registered (entry {record.seq})"
        _print_key(title, record, status=f"{standing.status}: {_trust_text(standing, source)}")

    emit(fmt, standing.to_dict(), render)


@app.command("distrust-key")
@handle_errors
def distrust_key_command(
    fingerprint: Annotated[
        str,
        typer.Argument(
            metavar="FINGERPRINT",
            help="The key's fingerprint as 'fairmark log keys' lists it (or its public key).",
        ),
    ],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Withdraw a trusted checkpoint key (admin; appends log.key.distrust); checkpoints it
    signs from then on are unknown_key, earlier ones stay valid."""
    from fairmark.governance.log_keys import distrust_key

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        record = distrust_key(engine, fingerprint, principal=principal)
    emit(
        fmt,
        record.to_dict(),
        lambda: _print_key(f"key {record.key_fingerprint} distrusted (entry {record.seq})", record),
    )


@app.command("keys")
@handle_errors
def keys_command(
    public_key: Annotated[
        list[str] | None,
        typer.Option(
            "--public-key",
            metavar="HEX_OR_FINGERPRINT",
            help="A root key to judge trust from: raw Ed25519 public key or its SHA-256 "
            "fingerprint (hex). Repeatable. Default: the local signing key, as for "
            "'fairmark log verify'.",
        ),
    ] = None,
    key: KeyOption = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """List the checkpoint keys the store's log registers and whether verification trusts
    them (trusted, pending, distrusted), judged from your root keys as 'log verify' does."""
    from fairmark.governance.log_keys import list_keys

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, url):
        listing = list_keys(engine, principal=principal, public_keys=public_key, key=key)
    source = _root_source(public_key, key, url)
    if listing.warning:
        err_console.print(
            printable(f"warning: {listing.warning}"), markup=False, highlight=False, soft_wrap=True
        )

    def render() -> None:
        if not listing.keys:
            console.print(
                "No registered checkpoint keys (every client signs; an admin registers keys "
                "with 'fairmark log trust-key').",
                markup=False,
                highlight=False,
            )
            return
        table = Table()
        table.add_column("fingerprint", overflow="fold")
        table.add_column("label", overflow="fold")
        table.add_column("status", no_wrap=True)
        table.add_column("seq", justify="right", no_wrap=True)
        table.add_column("by", overflow="fold")
        for k in listing.keys:
            r = k.record
            table.add_row(
                r.key_fingerprint,
                escape(printable(r.label)),
                k.status,
                str(r.seq),
                escape(printable(r.distrusted_by or r.registered_by)),
            )
        console.print(table)
        for k in listing.keys:  # why: one line per key, never folded
            console.print(
                printable(f"{k.record.key_fingerprint[:16]}… {k.status}: {_trust_text(k, source)}"),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        if listing.roots is None:
            console.print(
                "No root key, so no status is checked: pass --public-key with the "
                "organisation's key (or --key).",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        else:
            roots = ", ".join(f"{r} ({source(r)})" for r in sorted(listing.roots))
            console.print(f"roots: {roots}", markup=False, highlight=False, soft_wrap=True)

    emit(fmt, [k.to_dict() for k in listing.keys], render)


def _root_source(public_keys: list[str] | None, key: Path | None, url: str) -> Any:
    """``source(root) -> str``: where a root key comes from, for ``log keys``."""
    from fairmark.governance.keys import fingerprint, key_path

    given = {v.strip().lower() for v in public_keys or ()}
    named = given | {fingerprint(v) for v in given}

    def source(root: str) -> str:
        if root in named:
            return "--public-key"
        if key is not None:
            return f"--key {key}"
        return f"local key file {key_path(None, url)}"

    return source


def _trust_text(k: Any, source: Any) -> str:
    """Why a key of ``log keys`` has its status, and from which root."""
    if k.status == "unchecked":
        return "no root key to check against"
    if k.status == "trusted" and k.covered_by is None:
        return f"a root ({source(k.root)})"
    if k.status == "pending":
        return (
            f"entry {k.pending_seq} is covered by no checkpoint of a trusted key; "
            "verification does not trust it (unknown_key)"
        )
    text = (
        f"entry {k.status_seq}, covered by checkpoint {k.covered_by} (key "
        f"{str(k.covered_by_key)[:16]}…), from root {str(k.root)[:16]}… ({source(k.root)})"
    )
    if k.pending_seq is not None:
        text += f"; entry {k.pending_seq} is not covered yet"
    return text


@app.command("public-key")
@handle_errors
def public_key_command(
    key: KeyOption = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
) -> None:
    """Print this client's public key (hex) for an admin's 'fairmark log trust-key'; the
    key file is made if missing. Reads no store."""
    from fairmark.governance.keys import load_signing_key
    from fairmark.store import database_url

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    signing = load_signing_key(key, store_url=database_url(db_url), create=True)
    document = {
        "public_key": signing.public_hex,
        "key_fingerprint": signing.fingerprint,
        "path": str(signing.path),
    }

    def render() -> None:
        typer.echo(signing.public_hex)  # alone on stdout: 'fairmark log public-key > me.pub'
        err_console.print(
            printable(
                f"key file {signing.path}, fingerprint {signing.fingerprint}; an admin "
                f"registers it with 'fairmark log trust-key {signing.public_hex} --label NAME'"
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    emit(fmt, document, render)
