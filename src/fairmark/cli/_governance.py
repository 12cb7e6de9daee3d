"""What the accountability commands share: store, acting user, ``--format``, output.

Every ``fairmark system|review|gate|log|evidence|user`` command opens the store, resolves
who is acting (:func:`fairmark.governance.identity.resolve_principal`: the token in
``--token`` or ``$FAIRMARK_TOKEN``, else the local account), calls one core function that
checks the role, and prints the typed result as text or JSON. No logic lives here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from fairmark.cli._common import check_choice, console, err_console, json_text, printable
from fairmark.errors import StoreError
from fairmark.governance.access import Principal

__all__ = [
    "NO_STORE",
    "OUTPUT_FORMATS",
    "TOKEN_ENV_VAR",
    "DbUrlOption",
    "FormatOption",
    "TokenOption",
    "authorize_command",
    "emit",
    "governance_session",
    "print_kv",
    "require_existing_store",
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

NO_STORE = (
    "no fairmark store at {path}; expected an existing store (run a write command first "
    "or check --db-url)"
)
"""The refusal of a reading command whose SQLite store file does not exist."""


def require_existing_store(url: str) -> None:
    """Refuse a SQLite store URL whose database file does not exist; create nothing.

    Parameters
    ----------
    url : str
        The resolved store URL (:func:`fairmark.store.database_url`).

    Raises
    ------
    StoreError
        :data:`NO_STORE` naming the path (exit 2). PostgreSQL URLs, in-memory SQLite and
        URLs that do not parse pass; :class:`fairmark.store.RunStore` reports those.

    Notes
    -----
    Opening a SQLite URL creates the file (and its folder): a mistyped ``--db-url`` on a
    reading command would otherwise read an empty new store and report, e.g., an intact
    empty audit log. Reading commands pass ``must_exist=True`` to
    :func:`governance_session`; writing commands still create the store.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return
    if parsed.get_backend_name() != "sqlite":
        return
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    if not Path(database).is_file():
        raise StoreError(NO_STORE.format(path=database))


def _given_token(token: str | None) -> str | None:
    return token if token is not None else os.environ.get(TOKEN_ENV_VAR) or None


_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
"""Suffixes of the files SQLite keeps beside a database file (write-ahead log, its shared
memory index, rollback journal). Source: SQLite documentation, "Temporary Files Used By
SQLite", sections 2.2-2.4."""

_CLEANUP_FAILED = (
    "warning: the refused command could not remove {path}, which it created: {cause}; "
    "remove it by hand if the --db-url was mistyped"
)
"""The one line printed when a file a refused command created cannot be removed."""


@dataclass(frozen=True)
class _NewStore:
    """What a command may create for a SQLite store file that did not exist before it.

    Attributes
    ----------
    database : pathlib.Path
        The store file (absolute).
    files : tuple of pathlib.Path
        The store file, its :data:`_SQLITE_SIDE_FILES`, and the signing key beside it with
        its anchor (and the anchor's lock file): those of them that did not exist when the
        command began. Store files first.
    folders : tuple of pathlib.Path
        The folders of the store file that did not exist when the command began, deepest
        first (``open_engine`` creates them).
    """

    database: Path
    files: tuple[Path, ...]
    folders: tuple[Path, ...]


def _new_sqlite_store(url: str) -> _NewStore | None:
    """Note what does not exist yet when ``url`` names a SQLite file that does not exist.

    Parameters
    ----------
    url : str
        The resolved store URL.

    Returns
    -------
    _NewStore or None
        ``None`` unless ``url`` is a SQLite URL of a database file (not in-memory, not a
        ``file:`` URI) and nothing exists at that path (not even an empty file or a
        dangling link).

    Notes
    -----
    The key and its anchor count only when they lie in the store file's folder (the
    default key place, :func:`fairmark.governance.keys.key_path`); a key named by
    ``$FAIRMARK_SIGNING_KEY`` elsewhere, or by ``--key``, is never removed.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from fairmark.governance.keys import key_path
    from fairmark.governance.log_anchor import anchor_path

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    database = Path(name).absolute()
    if os.path.lexists(database):
        return None
    candidates = [database, *(Path(f"{database}{s}") for s in _SQLITE_SIDE_FILES)]
    key = key_path(store_url=url).absolute()
    if key.parent == database.parent:
        anchor = anchor_path(key)
        candidates += [key, anchor, anchor.with_name(anchor.name + ".lock")]
    folders: list[Path] = []
    for folder in database.parents:
        if os.path.lexists(folder):
            break
        folders.append(folder)
    return _NewStore(
        database=database,
        files=tuple(p for p in candidates if not os.path.lexists(p)),
        folders=tuple(folders),
    )


def _failed(exc: BaseException) -> bool:
    """Whether ``exc`` ends the command as a failure (any exit code but 0)."""
    if isinstance(exc, typer.Exit):
        return exc.exit_code != 0
    if isinstance(exc, SystemExit):
        return exc.code not in (0, None)
    return not isinstance(exc, GeneratorExit)


def _remove_new_store(new: _NewStore) -> None:
    """Remove what a failed command created for a new SQLite store, if it holds no data.

    Parameters
    ----------
    new : _NewStore
        Noted before the store was opened (:func:`_new_sqlite_store`); the store's engine
        is disposed already.

    Notes
    -----
    The store file is removed only when a connection of its own takes SQLite's exclusive
    lock at once (no other process is using the file) and finds no row in any table but
    the migration version table (nothing was committed: no log entry, user or run). The
    file is unlinked while that lock is held, then the other new files, then the new
    folders while empty. When the file cannot be checked (locked, not a database,
    unreadable) everything is kept. A file that cannot be removed is named in one
    ``warning:`` line; the command's own error stands. Source: SQLite documentation,
    "File Locking And Concurrency In SQLite Version 3" (EXCLUSIVE lock); "Temporary Files
    Used By SQLite".
    """
    import sqlite3

    from fairmark.store.migrate import VERSION_TABLE

    def remove(path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            cause = exc.strerror or str(exc)
            err_console.print(
                printable(_CLEANUP_FAILED.format(path=path, cause=cause)),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )

    if os.path.lexists(new.database):
        if not new.database.is_file():
            return
        try:
            conn = sqlite3.connect(f"{new.database.as_uri()}?mode=rw", uri=True, timeout=0)
        except sqlite3.Error:
            return
        try:
            conn.isolation_level = None
            conn.execute("BEGIN EXCLUSIVE")
            tables = [
                row[0]
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if row[0] != VERSION_TABLE and not row[0].startswith("sqlite_")
            ]
            for table in tables:
                quoted = table.replace('"', '""')
                if conn.execute(f'SELECT 1 FROM "{quoted}" LIMIT 1').fetchone() is not None:
                    return  # something was committed: keep the store and its key
            remove(new.database)
        except sqlite3.Error:
            return
        finally:
            conn.close()
    for path in new.files:
        if path != new.database:
            remove(path)
    for folder in new.folders:
        try:
            folder.rmdir()
        except OSError:
            break


@contextmanager
def governance_session(
    db_url: str | None, token: str | None, *, must_exist: bool = False
) -> Iterator[tuple[Engine, Principal, str]]:
    """Open the store and resolve the acting principal.

    Parameters
    ----------
    db_url : str or None
        ``--db-url``; ``None``: ``$FAIRMARK_DB_URL``, else ``.fairmark/fairmark.db``.
    token : str or None
        ``--token``; ``None``: ``$FAIRMARK_TOKEN``, else the local account.
    must_exist : bool
        For reading commands: refuse a SQLite store whose file does not exist
        (:func:`require_existing_store`) instead of creating an empty one.

    Yields
    ------
    (engine, principal, url)
        The migrated store's engine, who is acting, and the store URL as given/resolved.

    Raises
    ------
    StoreError, AccessError
        The store cannot be opened (or, with ``must_exist``, does not exist); the token is
        unknown, revoked or expired; the local account is not a registered user (one line
        each, exit 2 through ``handle_errors``).

    Notes
    -----
    A refused command leaves no new store behind: when the SQLite store file did not
    exist before the command and the command fails (any exception but an exit with code
    0), the engine is disposed and what the command created is removed (the store file
    and its ``-wal``/``-shm``/``-journal`` files, the default signing key beside it and
    its ``.head.json`` anchor, the folders ``open_engine`` made), but only when the store
    holds no committed row (:func:`_remove_new_store`). A file or folder that existed
    before the command is never removed, nor is a store another process is using.
    PostgreSQL stores are left as they are (their writes roll back).
    """
    from fairmark.governance.identity import resolve_principal
    from fairmark.store import RunStore, database_url

    url = database_url(db_url)
    if must_exist:
        require_existing_store(url)
    given = _given_token(token)
    new = _new_sqlite_store(url)
    try:
        with RunStore(url) as store:
            principal = resolve_principal(store.engine, token=given)
            start = _log_head(store.engine)
            yield store.engine, principal, url
            _periodic_checkpoint(store.engine, url, start, principal)
    except BaseException as exc:
        if new is not None and _failed(exc):
            try:
                _remove_new_store(new)  # the engine is disposed by now
            except Exception as problem:  # the command's own error is the one to report
                err_console.print(
                    printable(_CLEANUP_FAILED.format(path=new.database, cause=problem)),
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
        raise


def authorize_command(db_url: str | None, token: str | None, permission: str) -> Principal:
    """Resolve who is acting on the store and refuse unless they hold ``permission``.

    For commands outside the accountability modules (``consent import``, ``dsr``,
    ``runs``) whose work is done by functions that open the store themselves: the same
    principal resolution as :func:`governance_session`, checked before anything is read
    or written.

    Parameters
    ----------
    db_url : str or None
        ``--db-url`` (``None``: ``$FAIRMARK_DB_URL``, else ``.fairmark/fairmark.db``).
    token : str or None
        ``--token`` (``None``: ``$FAIRMARK_TOKEN``, else the local account).
    permission : str
        A key of :data:`fairmark.governance.access.PERMISSIONS`.

    Returns
    -------
    Principal
        Who is acting; on a store without users the local account as admin
        (``via="bootstrap"``), and nothing is written (no first admin is recorded: only a
        governance write does that, :func:`fairmark.governance.identity.ensure_actor`).

    Raises
    ------
    AccessError
        The role lacks ``permission``, the token is not scoped for it, or the principal
        cannot be resolved (unknown, revoked or expired token; an unregistered local
        account; a PostgreSQL store with users and no token).
    StoreError
        The store cannot be opened.

    Notes
    -----
    Roles and permissions: ISO/IEC 42001:2023 clause 5.3; separation of duties after
    NIST SP 800-53 AC-5 (:mod:`fairmark.governance.access`).
    """
    from fairmark.governance.access import authorize

    with governance_session(db_url, token) as (_engine, principal, _url):
        authorize(principal, permission)
    return principal


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


def _periodic_checkpoint(
    engine: Engine, url: str, start: int | None = None, principal: Principal | None = None
) -> None:
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
    principal : Principal, optional
        Who acted. When an admin's client signs a store's first checkpoint, that key is
        registered as the store's first trusted key (bootstrap,
        :func:`fairmark.governance.log.sign_head`).

    Notes
    -----
    On a store other than SQLite whose log registers trusted keys
    (:mod:`fairmark.governance.log_keys`), a client whose key is not among them signs
    nothing and prints one ``note:`` line on stderr naming the key and the
    ``fairmark log trust-key`` command an admin runs; checkpoints of unregistered keys
    would make every other client's ``fairmark log verify`` report ``unknown_key``. On
    SQLite every client signs, with the key beside the file.

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
    from fairmark.governance.log_keys import NOT_TRUSTED, key_gate_applies, signing_allowed
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
        admin = (
            principal.name if principal is not None and principal.can("log.checkpoint") else None
        )
        trusted = True
        with (
            store_errors(engine.url, "cannot write a checkpoint to the store"),
            write_transaction(engine) as conn,
        ):
            trusted = not key_gate_applies(engine) or signing_allowed(conn, key.fingerprint)
            if trusted:
                maybe_checkpoint(conn, key, every=CHECKPOINT_EVERY, admin=admin)
        if not trusted:
            note = NOT_TRUSTED.format(fingerprint=key.fingerprint, public_key=key.public_hex)
            err_console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
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

    Notes
    -----
    The JSON is exact (parsing it gives ``document`` back) and has no raw terminal
    control character (:func:`fairmark.cli._common.json_text`); the text form prints
    stored values through :func:`fairmark.cli._common.printable` (:func:`print_kv`).
    """
    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    if fmt == "json" or render_text is None:
        typer.echo(json_text(document))
        return
    render_text()


def print_kv(title: str, rows: list[tuple[str, Any]]) -> None:
    """Print a title and ``label: value`` lines.

    Parameters
    ----------
    title : str
        The first line, bold.
    rows : list of (str, Any)
        Labels and values; ``None`` or ``[]`` shows ``—``, a list or tuple is joined with
        ``, ``.

    Notes
    -----
    Values are shown literally (no Rich markup) and through
    :func:`fairmark.cli._common.printable`: control characters, newlines included,
    appear as visible escapes (``\\x1b``, ``\\n``), so a stored value can neither
    drive the terminal nor fake another line (CWE-150).
    """
    console.print(printable(title), style="bold", markup=False, highlight=False)
    width = max((len(k) for k, _ in rows), default=0)
    for key, value in rows:
        shown = "—" if value is None or value == [] else value
        if isinstance(shown, list | tuple):
            shown = ", ".join(str(v) for v in shown)
        console.print(f"  {key:<{width}}  {printable(shown)}", markup=False, highlight=False)
