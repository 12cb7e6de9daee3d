"""``fairmark policy``: print the policy JSON Schema, lint a policy file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from fairmark.cli._common import check_choice, console, err_console, handle_errors

app = typer.Typer(help="Policy files: their JSON Schema, and a linter.", no_args_is_help=True)

OUTPUT_FORMATS = ("text", "json")


@app.command("schema")
@handle_errors
def schema_command() -> None:
    """Print the JSON Schema that policy files are validated against."""
    from fairmark.policy import policy_schema

    typer.echo(json.dumps(policy_schema(), indent=2))


@app.command("lint")
@handle_errors
def lint_command(
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="Policy YAML file, e.g. policies/default.yaml."),
    ],
    fmt: Annotated[
        str,
        typer.Option("--format", metavar="text|json",
                     help="text: one 'file:line:column: level: message' line per problem; "
                     "json: a list of messages."),
    ] = "text",
) -> None:
    """Check a policy file: schema, known check ids, sensible bounds, review date.

    Exit code 0 when there is no error (warnings allowed), 2 otherwise.
    """
    from fairmark.policy import lint_policy

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    messages = lint_policy(file)
    errors = [m for m in messages if m.level == "error"]
    if fmt == "json":
        typer.echo(json.dumps([m.to_dict() for m in messages], indent=2))
    else:
        for m in messages:
            target = err_console if m.level == "error" else console
            target.print(str(m), markup=False, highlight=False, soft_wrap=True)
        if not errors:
            note = f" ({len(messages)} warning(s))" if messages else ""
            console.print(f"{file}: ok{note}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2 if errors else 0)
