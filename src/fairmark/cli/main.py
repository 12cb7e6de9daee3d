"""Entry point of the ``fairmark`` command."""

from __future__ import annotations

import warnings
from typing import Annotated, TextIO

import typer

from fairmark import __version__
from fairmark.cli import audience as audience_cmd
from fairmark.cli import audit as audit_cmd
from fairmark.cli import consent as consent_cmd
from fairmark.cli import content as content_cmd
from fairmark.cli import delivery as delivery_cmd
from fairmark.cli import demo as demo_cmd
from fairmark.cli import dsr as dsr_cmd
from fairmark.cli import evidence as evidence_cmd
from fairmark.cli import explain as explain_cmd
from fairmark.cli import gate as gate_cmd
from fairmark.cli import log as log_cmd
from fairmark.cli import mitigate as mitigate_cmd
from fairmark.cli import model_card as model_card_cmd
from fairmark.cli import pii as pii_cmd
from fairmark.cli import policy as policy_cmd
from fairmark.cli import privacy as privacy_cmd
from fairmark.cli import protect as protect_cmd
from fairmark.cli import proxies as proxies_cmd
from fairmark.cli import representation as representation_cmd
from fairmark.cli import review as review_cmd
from fairmark.cli import runs as runs_cmd
from fairmark.cli import system as system_cmd
from fairmark.cli import user as user_cmd

app = typer.Typer(
    name="fairmark",
    help=(
        "Responsible AI for marketing: audit the fairness of a targeting decision, judge it "
        "against your policy file, keep the record.\n\n"
        "Start with 'fairmark demo', then 'fairmark audit --help'. Exit codes: 0 pass or "
        "warn, 1 fail or insufficient evidence, 2 bad input."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("audit", epilog=audit_cmd.EPILOG, no_args_is_help=True)(audit_cmd.audit_command)
app.command("demo")(demo_cmd.demo_command)
app.command("delivery", epilog=delivery_cmd.EPILOG)(delivery_cmd.delivery_command)
app.command("representation", epilog=representation_cmd.EPILOG)(
    representation_cmd.representation_command
)
app.command("proxies", epilog=proxies_cmd.EPILOG)(proxies_cmd.proxies_command)
app.command("explain")(explain_cmd.explain_command)
app.command("model-card")(model_card_cmd.model_card_command)
app.command("mitigate")(mitigate_cmd.mitigate_command)
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(runs_cmd.app, name="runs")
app.add_typer(pii_cmd.app, name="pii")
app.add_typer(privacy_cmd.app, name="privacy")
app.add_typer(audience_cmd.app, name="audience")
app.add_typer(protect_cmd.app, name="protect")
app.add_typer(consent_cmd.app, name="consent")
app.add_typer(content_cmd.app, name="content")
app.add_typer(dsr_cmd.app, name="dsr")
app.add_typer(system_cmd.app, name="system")
app.add_typer(review_cmd.app, name="review")
app.command("gate", epilog=gate_cmd.EPILOG)(gate_cmd.gate_command)
app.add_typer(log_cmd.app, name="log")
app.add_typer(evidence_cmd.app, name="evidence")
app.add_typer(user_cmd.app, name="user")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fairmark {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Responsible AI for marketing."""


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int,
    file: TextIO | None = None, line: str | None = None,
) -> None:  # fmt: skip
    """Print a :class:`~fairmark.errors.DataWarning` as one ``warning: …`` line on stderr."""
    import sys

    from fairmark.errors import DataWarning

    if issubclass(category, DataWarning):
        text = " ".join(str(message).split())
        print(f"warning: {text}", file=sys.stderr if file is None else file, flush=True)
        return
    _ORIGINAL_SHOWWARNING(message, category, filename, lineno, file, line)


_ORIGINAL_SHOWWARNING = warnings.showwarning


def main() -> None:
    """Run the ``fairmark`` command line (the ``fairmark`` console script).

    Warnings of class :class:`fairmark.errors.DataWarning` (data read with a caveat, such as
    a CSV file that is not UTF-8) are printed as one ``warning: …`` line on stderr.
    """
    warnings.showwarning = _show_warning
    app()
