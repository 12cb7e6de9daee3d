"""Entry point of the ``fairmark`` command."""

from __future__ import annotations

import typer

from fairmark import __version__
from fairmark.cli import audit as audit_cmd
from fairmark.cli import demo as demo_cmd
from fairmark.cli import policy as policy_cmd
from fairmark.cli import runs as runs_cmd

app = typer.Typer(
    name="fairmark",
    help="Responsible AI for marketing: audit fairness, judge it against your policy, keep the record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("audit")(audit_cmd.audit_command)
app.command("demo")(demo_cmd.demo_command)
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(runs_cmd.app, name="runs")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fairmark {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Responsible AI for marketing."""


def main() -> None:
    """Run the ``fairmark`` command line."""
    app()
