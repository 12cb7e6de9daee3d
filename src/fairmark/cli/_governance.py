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
        start = _log_head(store.engine)
        yield store.engine, principal, url
        _periodic_checkpoint(store.engine, url, start)


CHECKPOINT_EVERY = 1
"""Sign a checkpoint of the audit log after a command once this many entries are unsigned
(1: after every command that appended entries)."""


def _log_head(engine: Engine) -> int | None:
    """The audit log's last ``seq`` (0 when empty), ``None`` when it cannot be read."""
    from sqlalchemy import func, select
    from sqlalchemy.exc import SQLAlchemyError

    from fairmark.store.models_governance import LogEntryRow

    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.max(LogEntryRow.seq))).scalar() or 0)
    except SQLAlchemyError:
        return None


def _periodic_checkpoint(engine: Engine, url: str, start: int | None = None) -> None:
    """Sign a checkpoint when the command appended entries that no checkpoint covers.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store the command used.
    url : str
        Its URL (places the default key beside a SQLite store).
    start : int or None
        The log's last ``seq`` when the command began; nothing is signed unless the log
        grew since (a reading command never writes). ``None``: not known, check anyway.

    Notes
    -----
    Signs when :data:`CHECKPOINT_EVERY` (1) entries follow the last checkpoint, not
    counting that checkpoint's own ``log.checkpoint`` entry, so the newest governance
    events are always covered by a signature and by the anchor file beside the key
    (:mod:`fairmark.governance.log_anchor`). Runs after a command succeeded; a problem
    here (no writable key folder) is printed as one warning line and never undoes the
    command. Source: Schneier & Kelsey 1999 (periodic authenticated checkpoints bound how
    many recent entries can vanish unnoticed); RFC 9162 section 8.1.4.
    """
    from sqlalchemy import func, select

    from fairmark.errors import FairmarkError
    from fairmark.governance.keys import load_signing_key
    from fairmark.governance.log import maybe_checkpoint
    from fairmark.governance.log_verify import CHECKPOINT_ACTION
    from fairmark.store.db import store_errors, write_transaction
    from fairmark.store.models_governance import Checkpoint, LogEntryRow

    try:
        with store_errors(engine.url, "cannot read the audit log"), engine.connect() as conn:
            head = conn.execute(select(func.max(LogEntryRow.seq))).scalar() or 0
            last = conn.execute(select(func.max(Checkpoint.seq))).scalar() or 0
            if start is not None and head <= start:
                return  # the command appended nothing
            unsigned = head - last
            if last and unsigned >= 1:
                after = conn.execute(
                    select(LogEntryRow.action).where(LogEntryRow.seq == last + 1)
                ).scalar()
                if after == CHECKPOINT_ACTION:
                    unsigned -= 1  # only the checkpoint's own record follows it
        if unsigned < CHECKPOINT_EVERY:
            return
        key = load_signing_key(store_url=url)
        with (
            store_errors(engine.url, "cannot write a checkpoint to the store"),
            write_transaction(engine) as conn,
        ):
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
