"""What the accountability commands share: store, acting user, ``--format``, output.

Every ``fairmark system|review|gate|log|evidence|user`` command opens the store, resolves
who is acting (:func:`fairmark.governance.identity.resolve_principal`: the token in
``--token`` or ``$FAIRMARK_TOKEN``, else the local account), calls one core function that
checks the role, and prints the typed result as text or JSON. No logic lives here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from fairmark.cli._common import check_choice, console, err_console
from fairmark.governance.access import Principal

__all__ = [
    "OUTPUT_FORMATS",
    "TOKEN_ENV_VAR",
    "DbUrlOption",
    "FormatOption",
    "TokenOption",
    "emit",
    "governance_session",
]

OUTPUT_FORMATS = ("text", "json")
TOKEN_ENV_VAR = "FAIRMARK_TOKEN"

DbUrlOption = Annotated[
    str | None,
    typer.Option(
        "--db-url",
        metavar="URL",
        help="Store. Default: $FAIRMARK_DB_URL, else .fairmark/fairmark.db.",
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        metavar="TOKEN",
        help=f"API token to act with. Default: ${TOKEN_ENV_VAR}, else the local account.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", metavar="text|json", help="Output: text or json.")
]


@contextmanager
def governance_session(
    db_url: str | None, token: str | None
) -> Iterator[tuple[Engine, Principal, str]]:
    """Open the store and resolve the acting principal.

    Yields
    ------
    (engine, principal, url)
        The migrated store's engine, who is acting, and the store URL as given/resolved.

    Raises
    ------
    StoreError, AccessError
        The store cannot be opened; the token is unknown, revoked or expired; the local
        account is not a registered user (one line each, exit 2 through ``handle_errors``).
    """
    from fairmark.governance.identity import resolve_principal
    from fairmark.store import RunStore, database_url

    url = database_url(db_url)
    given = token if token is not None else os.environ.get(TOKEN_ENV_VAR) or None
    with RunStore(url) as store:
        principal = resolve_principal(store.engine, token=given)
        yield store.engine, principal, url
        _periodic_checkpoint(store.engine, url)


CHECKPOINT_EVERY = 100
"""Sign a checkpoint of the audit log after a command once this many entries are unsigned."""


def _periodic_checkpoint(engine: Engine, url: str) -> None:
    """Sign a checkpoint when :data:`CHECKPOINT_EVERY` entries follow the last one.

    Runs after a command succeeded; a problem here (no writable key folder) is printed as
    one warning line and never undoes the command. Source: Schneier & Kelsey 1999 (periodic
    authenticated checkpoints bound how many recent entries can vanish unnoticed).
    """
    from sqlalchemy import func, select

    from fairmark.errors import FairmarkError
    from fairmark.governance.keys import load_signing_key
    from fairmark.governance.log import maybe_checkpoint
    from fairmark.store.db import write_transaction
    from fairmark.store.models_governance import Checkpoint, LogEntryRow

    try:
        with engine.connect() as conn:
            head = conn.execute(select(func.max(LogEntryRow.seq))).scalar() or 0
            last = conn.execute(select(func.max(Checkpoint.seq))).scalar() or 0
        if head - last < CHECKPOINT_EVERY:
            return
        key = load_signing_key(store_url=url)
        with write_transaction(engine) as conn:
            maybe_checkpoint(conn, key, every=CHECKPOINT_EVERY)
    except FairmarkError as exc:
        err_console.print(
            f"warning: no periodic checkpoint of the audit log was signed: {exc.message}",
            markup=False,
            highlight=False,
        )


def emit(
    fmt: str,
    document: dict[str, Any] | list[Any],
    render_text: Callable[[], None] | None = None,
) -> None:
    """Print ``document`` as JSON (``--format json``) or call ``render_text``.

    Parameters
    ----------
    fmt : str
        ``text`` or ``json`` (checked; anything else exits 2).
    document : dict or list
        The JSON form of the result (from its ``to_dict``).
    render_text : callable, optional
        Prints the text form; default: the JSON, indented.
    """
    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    if fmt == "json" or render_text is None:
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    render_text()


def print_kv(title: str, rows: list[tuple[str, Any]]) -> None:
    """Print a title and ``label: value`` lines (values shown literally, no markup)."""
    console.print(title, style="bold", markup=False, highlight=False)
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        shown = "—" if value is None or value == [] else value
        if isinstance(shown, list | tuple):
            shown = ", ".join(str(v) for v in shown)
        console.print(f"  {key:<{width}}  {shown}", markup=False, highlight=False)
