"""``fairmark policy``: print the policy JSON Schema, lint a policy file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fairmark.cli._common import console, err_console, handle_errors

app = typer.Typer(help="Work with policy files.", no_args_is_help=True)


@app.command("schema")
@handle_errors
def schema_command() -> None:
    """Print the JSON Schema that policy files are validated against."""
    from fairmark.policy import policy_schema

    typer.echo(json.dumps(policy_schema(), indent=2))


@app.command("lint")
@handle_errors
def lint_command(
    file: Annotated[Path, typer.Argument(help="Policy YAML file.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Check a policy file: schema, known check ids, sensible bounds, review date.

    Exit code 0 when there is no error (warnings allowed), 2 otherwise.
    """
    from fairmark.policy import lint_policy

    messages = lint_policy(file)
    if fmt == "json":
        typer.echo(json.dumps([m.to_dict() for m in messages], indent=2))
    else:
        for m in messages:
            target = err_console if m.level == "error" else console
            target.print(str(m), markup=False, highlight=False)
        if not messages:
            console.print(f"{file}: ok")
    raise typer.Exit(2 if any(m.level == "error" for m in messages) else 0)
