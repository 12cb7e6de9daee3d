"""What every command shares: error handling, console, output formats."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer
from rich.console import Console

from fairmark.errors import FairmarkError

F = TypeVar("F", bound=Callable[..., Any])

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    """Print ``error: message`` on stderr (one line) and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
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
            fail(exc.message.replace("\n", " "), exc.exit_code)
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
    """Parse ``json,html`` into a tuple, rejecting unknown names (exit 2)."""
    items = tuple(x.strip().lower() for x in value.split(",") if x.strip())
    bad = [x for x in items if x not in allowed]
    if bad or not items:
        fail(f"unknown format {', '.join(bad) or repr(value)}; expected a comma list of {', '.join(allowed)}")
    return items


def stdout_is_terminal() -> bool:
    """True when standard output is an interactive terminal."""
    return sys.stdout.isatty()
