"""What every command shares: error handling, console, output formats."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from fairmark.errors import FairmarkError

F = TypeVar("F", bound=Callable[..., Any])

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def one_line(message: str) -> str:
    """Collapse ``message`` onto one line (newlines and runs of spaces become one space)."""
    return " ".join(message.split())


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` on stderr as one line and exit with ``code``.

    Parameters
    ----------
    message : str
        What is wrong and what was expected. Printed literally (no Rich markup), newlines
        collapsed.
    code : int
        Exit code (2 for bad input).

    Raises
    ------
    typer.Exit
        Always, with ``code``.
    """
    err_console.print(
        f"[bold red]error:[/] {escape(one_line(message))}", markup=True, highlight=False
    )
    raise typer.Exit(code)


def handle_errors(func: F) -> F:
    """Turn fairmark errors (and anything unexpected) into one line on stderr, exit 2.

    Set ``FAIRMARK_DEBUG=1`` to see the traceback of an unexpected error.
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except FairmarkError as exc:
            fail(exc.message, exc.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except Exception as exc:  # never a traceback for the user
            if os.environ.get("FAIRMARK_DEBUG"):
                raise
            first = (str(exc).strip().splitlines() or [""])[0]
            fail(
                f"unexpected {type(exc).__name__}: {first} "
                "(set FAIRMARK_DEBUG=1 for details and please report it)",
                2,
            )

    return wrapper  # type: ignore[return-value]


def parse_formats(value: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Parse ``json,html`` into a tuple of names, rejecting unknown ones (exit 2)."""
    items = tuple(dict.fromkeys(x.strip().lower() for x in value.split(",") if x.strip()))
    bad = [x for x in items if x not in allowed]
    if bad or not items:
        shown = ", ".join(repr(x) for x in bad) or repr(value)
        fail(f"--format: unknown report format {shown}; expected a comma list of "
             f"{', '.join(allowed)}")
    return items


def check_choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` lower-cased if it is one of ``allowed``, else fail (exit 2)."""
    v = value.strip().lower()
    if v not in allowed:
        fail(f"{option}: unknown value {value!r}; expected one of {', '.join(allowed)}")
    return v


def write_run_reports(document: dict[str, Any], out: Any) -> None:
    """Write ``report.json/html/md`` and ``junit.xml`` of a run document to ``out``.

    Used by the commands whose results are not audits (delivery, representation,
    proxies); prints the paths written. Nothing is written when rendering fails.
    """
    if out is None:
        return
    from fairmark.report import write_reports

    for fmt_name, path in write_reports(document, out).items():
        err_console.print(f"[dim]{fmt_name:>5}[/] {path}", highlight=False)


# Options shared by the commands that judge a run against a policy and write reports.
PolicyOption = Annotated[
    str | None,
    typer.Option(
        "--policy",
        metavar="FILE",
        help="Policy YAML to judge against. Default: the built-in policy.",
    ),
]
ReportsOutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        metavar="FOLDER",
        help="Also write report.json, report.html, report.md and junit.xml here.",
    ),
]
