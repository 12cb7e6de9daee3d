"""``fairmark gate NAME``: may this AI system be deployed now? The check a pipeline runs.

Prints ``PASS`` or ``FAIL`` and one line per reason with what to do next
(:func:`fairmark.governance.gate.evaluate_gate`). Exit codes: 0 the gate passes, 1 it is
closed, 2 bad input (unknown system, refused token, unreadable store). A system whose own
policy file is missing or no longer loads is a closed gate (exit 1, ``policy_missing`` or
``policy_changed``), not bad input: the command was right, the system may not deploy.

Register it as a single command: ``app.command("gate")(gate.gate_command)`` (a one-command
Typer group would expect a sub-command name).
"""

from __future__ import annotations

from datetime import UTC, datetime
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
)

__all__ = ["EPILOG", "app", "gate_command", "render_gate"]

EPILOG = (
    "Passes only when the system is classified in a deployable tier, has a current approval "
    "of its model version with no open blocking condition, and its latest audit passed, is "
    "newer than the model version, recent enough and measured every check its tier requires. "
    "Exit codes: 0 pass, 1 fail (also when the system's policy file is missing), 2 bad input "
    "(unknown system, refused token, unreadable store)."
)

app = typer.Typer(help="The deployment gate of an AI system.", no_args_is_help=True)


def _when(value: datetime | None) -> str:
    return "—" if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _line(text: str) -> None:
    console.print(printable(text), markup=False, highlight=False, soft_wrap=True)


def render_gate(result: Any) -> None:
    """Print a :class:`~fairmark.governance.gate.GateResult` as text.

    ``PASS <system>`` or ``FAIL <system>``, then one ``- message [code]`` line per reason,
    then what the gate relied on (approval, audit run, advisory conditions).
    """
    verdict = "PASS" if result.passed else "FAIL"
    style = "bold green" if result.passed else "bold red"
    console.print(
        printable(
            f"{verdict} {result.system}  (model version {result.model_version}, "
            f"tier {result.tier or 'not classified'}, at {_when(result.evaluated_at)})"
        ),
        style=style,
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    for reason in result.reasons:
        _line(f"  - {reason.message} [{reason.code}]")
    approval = f"review {result.review_id}" if result.review_id is not None else "none"
    _line(f"  approval: {approval}")
    _line(f"  latest audit: {result.run_id or 'none'}")
    for condition in result.advisory_conditions:
        due = f" (due {condition['due_on']})" if condition.get("due_on") else ""
        console.print(
            printable(
                f"  advisory condition {condition['condition_id']}: {condition['text']}{due}"
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@app.command("gate", epilog=EPILOG)
@handle_errors
def gate_command(
    system: Annotated[str, typer.Argument(metavar="NAME", help="A registered AI system.")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Check whether an AI system may be deployed: exit 0 pass, 1 fail, 2 bad input."""
    from fairmark.governance.gate import evaluate_gate

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        result = evaluate_gate(engine, system, principal=principal)
    emit(fmt, result.to_dict(), lambda: render_gate(result))
    if not result.passed:
        raise typer.Exit(1)
