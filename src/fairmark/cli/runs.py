"""``fairmark runs``: list and show recorded audit runs."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from fairmark.cli._common import console, handle_errors

app = typer.Typer(help="Recorded audit runs.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_command(
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many runs.")] = 20,
    system: Annotated[str | None, typer.Option("--system", help="Only runs of this AI system.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    db_url: Annotated[str | None, typer.Option("--db-url", help="Store URL.")] = None,
) -> None:
    """List recorded audit runs, newest first."""
    from fairmark.store import list_runs

    runs = list_runs(limit=limit, system_name=system, url=db_url)
    if fmt == "json":
        typer.echo(json.dumps([r.to_dict() for r in runs], indent=2))
        return
    table = Table()
    for col in ("run id", "created (UTC)", "system", "policy", "verdict"):
        table.add_column(col)
    for r in runs:
        policy = f"{r.policy_id} v{r.policy_version}" if r.policy_id else "—"
        table.add_row(r.run_id, r.created_at.strftime("%Y-%m-%d %H:%M:%S"), r.system_name or "—", policy, r.verdict)
    console.print(table)


@app.command("show")
@handle_errors
def show_command(
    run_id: Annotated[str, typer.Argument(help="Run id or a unique prefix of it.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    db_url: Annotated[str | None, typer.Option("--db-url", help="Store URL.")] = None,
) -> None:
    """Show one recorded run (its stored report)."""
    from fairmark.cli._summary import print_summary
    from fairmark.store import get_run

    doc = get_run(run_id, url=db_url)
    if fmt == "json":
        typer.echo(json.dumps(doc, indent=2))
        return
    print_summary(doc, console, title=f"run {doc['run_id']} ({doc['created_at']})")
