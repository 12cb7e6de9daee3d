"""``fairmark evidence``: export and verify the evidence bundle of an audit run.

``export`` wraps :func:`fairmark.governance.evidence.export_bundle` (needs the store and the
``evidence.export`` permission); ``verify`` wraps
:func:`fairmark.governance.evidence.verify_bundle` (offline: no store, no token). Exit
codes: 0 success (bundle verified), 1 verification failed, 2 bad input or refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from fairmark.cli._common import check_choice, console, handle_errors, printable
from fairmark.cli._governance import (
    OUTPUT_FORMATS,
    DbUrlOption,
    FormatOption,
    TokenOption,
    emit,
    governance_session,
    print_kv,
)

__all__ = ["app"]

app = typer.Typer(
    help="Evidence bundles for independent auditors: export one run's, verify one offline.",
    no_args_is_help=True,
)

_MARK = {"ok": "ok", "failed": "FAILED", "skipped": "skipped"}
_SHOWN_PROBLEMS = 20


@app.command("export")
@handle_errors
def export_command(
    run_id: Annotated[
        str, typer.Argument(metavar="RUN_ID", help="The run's id or a unique prefix of it.")
    ],
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="The zip file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            metavar="PEM",
            help="Signing key. Default: $FAIRMARK_SIGNING_KEY, else beside a SQLite store, "
            "else ~/.config/fairmark/signing_key.pem (created when missing).",
        ),
    ] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Write the signed evidence bundle of one audit run (zip)."""
    from fairmark.governance.evidence import export_bundle

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        info = export_bundle(engine, run_id, out, principal=principal, key=key, force=force)

    checkpoint = f"entry {info.checkpoint_seq}, signed {info.checkpoint_created_at}" + (
        "" if info.signed_checkpoint else f" by key {info.checkpoint_fingerprint} (existing)"
    )
    fingerprints = [info.checkpoint_fingerprint or info.key_fingerprint, info.key_fingerprint]
    noun = "fingerprint" if len(set(fingerprints)) == 1 else "fingerprints"

    def render() -> None:
        print_kv(
            f"evidence bundle of run {info.run_id}",
            [
                ("file", info.path),
                ("size", f"{info.size:,} bytes, {len(info.files)} files"),
                ("sha256", info.sha256),
                ("log segment", f"entries {info.log_first_seq}-{info.checkpoint_seq}"),
                ("checkpoint", checkpoint),
                ("key fingerprint", info.key_fingerprint),
            ],
        )
        pins = " ".join(f"--public-key {fp}" for fp in dict.fromkeys(fingerprints))
        console.print(
            f"Give the auditor the bundle and, separately, the key {noun}; they run "
            f"'fairmark evidence verify {info.path} {pins}'.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )

    emit(fmt, info.to_dict(), render)


def _print_verification(result: Any) -> None:
    verdict = "verified" if result.ok else "VERIFICATION FAILED"
    console.print(
        printable(f"evidence bundle {result.path}: {verdict}"),
        style="bold",
        markup=False,
        highlight=False,
    )
    for label, value in (("run", result.run_id), ("key fingerprint", result.key_fingerprint)):
        console.print(
            printable(f"  {label}: {value or '—'}"), markup=False, highlight=False, soft_wrap=True
        )
    for step in result.steps:
        console.print(
            printable(f"  [{_MARK.get(step.status, step.status)}] {step.name}: {step.detail}"),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        if step.status == "failed" and len(step.problems) > 1:
            for problem in step.problems[:_SHOWN_PROBLEMS]:
                console.print(
                    printable(f"      - {problem}"), markup=False, highlight=False, soft_wrap=True
                )
            if len(step.problems) > _SHOWN_PROBLEMS:
                rest = len(step.problems) - _SHOWN_PROBLEMS
                console.print(
                    f"      … {rest} more (--format json lists all)", markup=False, highlight=False
                )
    if result.carried:
        console.print("carried, not recomputed:", markup=False, highlight=False)
        for section, why in result.carried.items():
            console.print(
                printable(f"  {section}: {why}"), markup=False, highlight=False, soft_wrap=True
            )
    for warning in result.warnings:
        console.print(
            printable(f"warning: {warning}"), markup=False, highlight=False, soft_wrap=True
        )


@app.command("verify")
@handle_errors
def verify_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The bundle (zip).")],
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            metavar="PATH",
            help="The audited data (CSV, Parquet): recompute the aggregates from it and "
            "compare them cell by cell.",
        ),
    ] = None,
    public_key: Annotated[
        list[str] | None,
        typer.Option(
            "--public-key",
            metavar="KEY",
            help="Pin the signing key: its fingerprint or raw public key (64 hex digits), "
            "as your organisation publishes it. Repeatable.",
        ),
    ] = None,
    fmt: FormatOption = "text",
) -> None:
    """Verify an evidence bundle offline: signature, log, policy, every metric, the data."""
    from fairmark.governance.evidence import verify_bundle

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    result = verify_bundle(file, data=data, public_keys=public_key or None)
    emit(fmt, result.to_dict(), lambda: _print_verification(result))
    raise typer.Exit(result.exit_code)
