"""Entry point of the ``fairmark`` command."""

from __future__ import annotations

import io
import os
import sys
import warnings
from collections.abc import Sequence
from typing import Annotated, Any, TextIO

import typer
from typer.core import TyperGroup

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


def _click_classes(name: str) -> tuple[type[Exception], ...]:
    """The exception class ``name`` of the click that Typer runs on.

    Typer 0.2x runs on a copy of click (``typer._click``); older releases on ``click``
    itself. Both are returned when both exist.
    """
    found: list[type[Exception]] = []
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            cls = getattr(__import__(module, fromlist=[name]), name)
        except (ImportError, AttributeError):
            continue
        found.append(cls)
    return tuple(found)


_PARSE_ERRORS = _click_classes("ClickException")
_NO_ARGS_HELP = _click_classes("NoArgsIsHelpError")


def _json_requested(args: Sequence[str]) -> bool:
    """Whether the command line asks for ``--format json`` (``--format json`` or ``=json``)."""
    from fairmark.cli._common import wants_json

    items = list(args)
    for i, item in enumerate(items):
        if item == "--":
            break
        if item == "--format" and i + 1 < len(items) and wants_json(items[i + 1]):
            return True
        if item.startswith("--format=") and wants_json(item.partition("=")[2]):
            return True
    return False


class OneLineErrorsGroup(TyperGroup):
    """The root command group: a command-line parse error is one ``error:`` line, exit 2.

    Click and Typer print a usage box for an unknown option, a missing argument or a bad
    value. fairmark prints the click message on one line instead, with where to look for
    help: ``error: No such option: --frmat (Possible options: --format); see 'fairmark
    system list --help'``, exit code 2, and with ``--format json`` also
    :func:`fairmark.cli._common.error_document` (kind ``usage``) on stdout. ``--help``
    and a group called without a command still print the help.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line as :meth:`typer.core.TyperGroup.main`, errors one line.

        Parameters
        ----------
        args, prog_name, complete_var, windows_expand_args, extra
            As :meth:`click.Command.main`.
        standalone_mode : bool
            ``True`` (the console script, ``python -m fairmark``, test runners): parse
            errors are printed as one line and the process exits. ``False``: click's own
            behaviour (exceptions propagate).

        Raises
        ------
        SystemExit
            In standalone mode, always: 0, the command's exit code, or 2 for a parse
            error (1 when input ended at a prompt).
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        from fairmark.cli._common import fail, json_errors

        argv = sys.argv[1:] if args is None else list(args)
        try:
            result = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except _NO_ARGS_HELP as exc:
            sys.exit(getattr(exc, "exit_code", 2))  # the help was printed (Typer prints it)
        except _PARSE_ERRORS as exc:
            message = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
            ctx = getattr(exc, "ctx", None)
            if ctx is not None and ctx.command.get_help_option(ctx) is not None:
                message = message.rstrip(".") + (
                    f"; see '{ctx.command_path} {ctx.help_option_names[0]}'"
                )
            try:
                with json_errors(_json_requested(argv)):
                    fail(message, 2, "usage")
            except typer.Exit as done:
                sys.exit(done.exit_code)
        except typer.Abort:
            try:
                with json_errors(_json_requested(argv)):
                    fail("aborted: input ended; expected an answer at the prompt", 1, "usage")
            except typer.Exit as done:
                sys.exit(done.exit_code)
        # click returns the exit code of a typer.Exit / ctx.exit, else the command's value
        sys.exit(result if isinstance(result, int) and not isinstance(result, bool) else 0)


app = typer.Typer(
    cls=OneLineErrorsGroup,
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


SIGPIPE_EXIT = 141
"""Exit code after stdout was closed when the command's own code is not known: 128 + 13
(SIGPIPE), what a POSIX shell reports for a process a broken pipe ends."""


def _silence_stdout() -> None:
    """Point file descriptor 1 at ``os.devnull``: later writes, also at exit, go nowhere.

    The recipe of the Python documentation, "Note on SIGPIPE" (library/signal.html). A
    ``sys.stdout`` without a file descriptor (a test runner's capture) is left alone.
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    _devnull_onto(fd)


def _devnull_onto(fd: int) -> None:
    """Make file descriptor ``fd`` refer to ``os.devnull`` (``dup2``)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class _ClosedPipeWriter(io.FileIO):
    """Standard output's file descriptor, written without raising when the reader left.

    The first :class:`BrokenPipeError` (``fairmark … | head -1``: the reader closed the
    pipe) points the descriptor at ``os.devnull`` (:func:`_devnull_onto`) and counts the
    bytes as written, so the command runs to its end and exits with its own code.
    """

    broken = False

    def write(self, data: Any) -> int:
        """Write ``data``; after a broken pipe, discard it (its length is returned)."""
        size = memoryview(data).nbytes
        if self.broken:
            return size
        try:
            return super().write(data) or 0
        except BrokenPipeError:
            self.broken = True
            _devnull_onto(self.fileno())
            return size


def _guard_stdout() -> None:
    """Replace ``sys.stdout`` by the same stream over a :class:`_ClosedPipeWriter`.

    Only when standard output is file descriptor 1 and not a terminal (a pipe or a file);
    encoding, error handler, line buffering and write-through stay as they were.
    """
    stream = sys.stdout
    try:
        if stream.fileno() != 1 or stream.isatty():
            return
        stream.flush()
    except (AttributeError, OSError, ValueError):
        return
    raw = _ClosedPipeWriter(1, "w", closefd=False)
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
        write_through=getattr(stream, "write_through", False),
    )


def main() -> None:
    """Run the ``fairmark`` command line (the ``fairmark`` console script).

    Warnings of class :class:`fairmark.errors.DataWarning` (data read with a caveat, such as
    a CSV file that is not UTF-8) are printed as one ``warning: …`` line on stderr.

    Raises
    ------
    SystemExit
        Always: the command's exit code (0, 1, 2 …).

    Notes
    -----
    A reader that closes standard output early (``fairmark evidence verify b.zip | head
    -1``) does not change the exit code: the rest of the output is discarded
    (:class:`_ClosedPipeWriter`, stdout pointed at ``os.devnull`` as the Python
    documentation's "Note on SIGPIPE" recommends) and the command ends with its own code,
    so ``set -o pipefail`` sees a verified bundle as verified. When a broken pipe still
    ends the command before its code is known (a write that bypassed ``sys.stdout``), the
    exit code is :data:`SIGPIPE_EXIT` (141), with no message.
    """
    warnings.showwarning = _show_warning
    _guard_stdout()
    try:
        app()
    except BrokenPipeError:
        _silence_stdout()
        sys.exit(SIGPIPE_EXIT)
