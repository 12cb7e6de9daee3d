"""``fairmark runs``: list and show recorded audit runs.

Reading runs needs the ``run.read`` permission (every role), checked with the same
principal resolution as the accountability commands (``--token`` / ``$FAIRMARK_TOKEN``,
else the local account; :func:`fairmark.cli._governance.authorize_command`).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from fairmark.cli._common import check_choice, console, handle_errors, printable
from fairmark.cli._governance import TokenOption, authorize_command

app = typer.Typer(help="Recorded audit runs (the store is append-only).", no_args_is_help=True)

OUTPUT_FORMATS = ("text", "json")
_DB_HELP = "Run store. Default: $FAIRMARK_DB_URL, else .fairmark/fairmark.db."


def summary_to_dict(summary: Any) -> dict[str, Any]:
    """Return a :class:`fairmark.store.RunSummary` as a JSON-ready dict.

    ``created_at`` becomes ISO 8601 UTC text (``2025-01-31T12:00:00Z``), as in
    ``report.json``; the other fields are kept as they are.
    """
    d = dataclasses.asdict(summary)
    d["created_at"] = summary.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return d


@app.command("list")
@handle_errors
def list_command(
    limit: Annotated[
        int, typer.Option("--limit", min=1, metavar="N", help="At most this many runs.")
    ] = 20,
    system: Annotated[
        str | None,
        typer.Option("--system", metavar="NAME", help="Only runs of this AI system."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", metavar="text|json", help="Output.")] = "text",
    db_url: Annotated[str | None, typer.Option("--db-url", metavar="URL", help=_DB_HELP)] = None,
    token: TokenOption = None,
) -> None:
    """List recorded audit runs, newest first."""
    from fairmark.store import list_runs

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    authorize_command(db_url, token, "run.read")
    runs = list_runs(limit=limit, system_name=system, url=db_url)
    if fmt == "json":
        typer.echo(json.dumps([summary_to_dict(r) for r in runs], indent=2))
        return
    if not runs:
        console.print("No runs recorded yet" + (f" for system {system!r}." if system else "."),
                      markup=False, highlight=False)
        return
    table = Table()
    table.add_column("run id", no_wrap=True, min_width=36)  # whole ids, to copy
    table.add_column("created (UTC)", no_wrap=True)
    for col in ("system", "policy", "verdict"):
        table.add_column(col, overflow="fold")
    for r in runs:
        policy = f"{r.policy_id} v{r.policy_version}" if r.policy_id else "—"
        table.add_row(
            r.run_id,
            r.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            escape(printable(r.system_name or "—")),
            escape(printable(policy)),
            r.verdict,
        )
    console.print(table)


@app.command("show")
@handle_errors
def show_command(
    run_id: Annotated[
        str,
        typer.Argument(metavar="RUN_ID",
                       help="Run id, or a unique prefix of it (see 'fairmark runs list')."),
    ],
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="text|json",
                     help="text: summary tables; json: the stored report.json document."),
    ] = "text",
    db_url: Annotated[str | None, typer.Option("--db-url", metavar="URL", help=_DB_HELP)] = None,
    token: TokenOption = None,
) -> None:
    """Show one recorded run (its stored report)."""
    from fairmark.cli._summary import print_summary
    from fairmark.store import get_run

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    authorize_command(db_url, token, "run.read")
    doc = get_run(run_id, url=db_url)
    if fmt == "json":
        typer.echo(json.dumps(doc, indent=2))
        return
    print_summary(doc, console, title=f"run {doc['run_id']} ({doc['created_at']})")
