"""What every command shares: error handling, console, output formats.

Text a command prints may hold what users typed (names, comments, reasons): every
terminal control character in it is shown as a visible escape (:func:`printable`), so
stored text can never move the cursor, recolour or clear a reviewer's terminal. With
``--format json`` an error is also written to stdout as one JSON object
(:func:`error_document`), beside the ``error:`` line on stderr.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from fairmark.errors import DataError, FairmarkError, PolicyError, StoreError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""Characters :func:`printable` escapes: C0 (with tab and newline), DEL, C1, the Unicode
line/paragraph separators and the bidirectional embedding, override and isolate controls."""

_CONTROL_KEEP_LAYOUT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""As :data:`_CONTROL` but keeping tab and newline (the console's own layout)."""

_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""What ``json.dumps(ensure_ascii=False)`` leaves raw that a terminal acts on (it escapes
U+0000-U+001F itself; the newlines of the indentation are layout)."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: Any) -> str:
    """Return ``text`` with every terminal control character shown as a visible escape.

    Parameters
    ----------
    text : Any
        What to print; not a string: ``str(text)``.

    Returns
    -------
    str
        ``text`` with C0 controls (U+0000-U+001F, newline and tab included), DEL (U+007F)
        and C1 controls (U+0080-U+009F) written as Python-style escapes (``\\n``, ``\\r``,
        ``\\t``, ``\\x1b``, ``\\x9b``), and the Unicode line/paragraph separators and
        bidirectional controls (U+2028, U+2029, U+202A-U+202E, U+2066-U+2069) as
        ``\\u202e``. Everything else, backslashes included, is kept.

    Notes
    -----
    Stored text typed by one user (a comment, a display name, a reason) is printed on
    another user's terminal: an escape sequence in it could rewrite what the reviewer sees
    (CWE-150, improper neutralization of escape, meta or control sequences; ECMA-48 defines
    the C0/C1 sets). The bidirectional controls reorder what is displayed (CVE-2021-42574,
    "Trojan Source", Boucher & Anderson 2021). JSON output is not passed through this: it
    escapes them itself (:func:`json_text`).
    """
    return _CONTROL.sub(_escape_char, text if isinstance(text, str) else str(text))


class SafeConsole(Console):
    """A :class:`rich.console.Console` that never writes a control character it was given.

    Every string it renders (arguments of ``print``, table cells, titles) goes through
    :meth:`render_str`, which shows C0/C1 controls as visible escapes as :func:`printable`
    does, except newline and tab, which lay the output out. Rich's own styling is added
    after this, so colours and tables still work. A value whose newlines must be shown
    too is passed through :func:`printable` first.
    """

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """Render ``text`` as :meth:`rich.console.Console.render_str`, controls escaped."""
        return super().render_str(_CONTROL_KEEP_LAYOUT.sub(_escape_char, text), **kwargs)


console = SafeConsole()
err_console = SafeConsole(stderr=True, highlight=False, soft_wrap=True)

_JSON_ERRORS: ContextVar[bool] = ContextVar("fairmark_json_errors", default=False)
"""Set while a command runs with ``--format json``: :func:`fail` also writes JSON."""

ERROR_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (UsageError, "usage"),
    (DataError, "data"),
    (PolicyError, "policy"),
    (StoreError, "store"),
)
"""``(exception class, kind)`` of :func:`error_document`, first match wins; an
:class:`~fairmark.governance.access.AccessError` is ``access``, another fairmark error
``error``."""


def json_text(document: Any, *, indent: int | None = 2) -> str:
    """Return ``document`` as JSON text that is safe to print on a terminal.

    Parameters
    ----------
    document : Any
        JSON-serialisable.
    indent : int or None
        As :func:`json.dumps`.

    Returns
    -------
    str
        ``json.dumps(document, ensure_ascii=False)`` with DEL, the C1 controls and the
        Unicode separators and bidirectional controls written as ``\\uXXXX`` escapes
        (``json.dumps`` escapes only U+0000-U+001F when non-ASCII is kept). Parsing it
        gives back exactly ``document`` (RFC 8259 section 7: any character may be
        escaped).
    """
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def wants_json(fmt: Any) -> bool:
    """Return whether ``fmt`` (a ``--format`` value) is ``json`` (any case, spaces ignored)."""
    return isinstance(fmt, str) and fmt.strip().lower() == "json"


@contextmanager
def json_errors(enabled: bool) -> Iterator[None]:
    """While the block runs, errors printed by :func:`fail` are also written as JSON."""
    token = _JSON_ERRORS.set(enabled)
    try:
        yield
    finally:
        _JSON_ERRORS.reset(token)


def error_document(message: str, exit_code: int, kind: str) -> dict[str, Any]:
    """Return ``{"error": {"message", "exit_code", "kind"}}``: an error as ``--format json``.

    Parameters
    ----------
    message : str
        The one-line message (as on stderr, without ``error:``).
    exit_code : int
        The process exit code (2 bad input or refused; 1 failed; 130 interrupted).
    kind : str
        ``usage`` (bad option or argument), ``access`` (refused: role, token),
        ``store`` (store missing or unreadable), ``data``, ``policy``, ``error`` (another
        fairmark error), ``interrupted`` or ``internal`` (a bug).
    """
    return {"error": {"message": message, "exit_code": exit_code, "kind": kind}}


def one_line(message: str) -> str:
    """Collapse ``message`` onto one line (newlines and runs of spaces become one space)."""
    return " ".join(message.split())


def fail(message: str, code: int = 2, kind: str = "usage") -> NoReturn:
    """Print ``error: message`` on stderr as one line and exit with ``code``.

    Parameters
    ----------
    message : str
        What is wrong and what was expected. Printed literally (no Rich markup), runs of
        whitespace collapsed, other control characters escaped (:func:`printable`).
    code : int
        Exit code (2 for bad input).
    kind : str
        What went wrong, for the JSON form (see :func:`error_document`).

    Raises
    ------
    typer.Exit
        Always, with ``code``.

    Notes
    -----
    Inside a command run with ``--format json`` (:func:`json_errors`, set by
    :func:`handle_errors`), the error is also written to stdout as one JSON object
    :func:`error_document`, so a script reading stdout always gets JSON.
    """
    line = printable(one_line(message))
    err_console.print(f"[bold red]error:[/] {escape(line)}", markup=True, highlight=False)
    if _JSON_ERRORS.get():
        typer.echo(json_text(error_document(one_line(message), code, kind), indent=None))
    raise typer.Exit(code)


def _kind(exc: FairmarkError) -> str:
    from fairmark.governance.access import AccessError

    if isinstance(exc, AccessError):
        return "access"
    return next((kind for cls, kind in ERROR_KINDS if isinstance(exc, cls)), "error")


def handle_errors(func: F) -> F:
    """Turn fairmark errors (and anything unexpected) into one line on stderr, exit 2.

    Set ``FAIRMARK_DEBUG=1`` to see the traceback of an unexpected error. When the
    command's ``fmt`` argument (its ``--format``) is ``json``, the error is also written
    to stdout as :func:`error_document` (see :func:`fail`).
    """

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with json_errors(wants_json(kwargs.get("fmt"))):
            try:
                return func(*args, **kwargs)
            except typer.Exit:
                raise
            except FairmarkError as exc:
                fail(exc.message, exc.exit_code, _kind(exc))
            except KeyboardInterrupt:
                fail("interrupted", 130, "interrupted")
            except Exception as exc:  # never a traceback for the user
                if os.environ.get("FAIRMARK_DEBUG"):
                    raise
                first = (str(exc).strip().splitlines() or [""])[0]
                fail(
                    f"unexpected {type(exc).__name__}: {first} "
                    "(set FAIRMARK_DEBUG=1 for details and please report it)",
                    2,
                    "internal",
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
