"""``fairmark user``: people, roles, API tokens and AI-literacy training records.

Thin wrappers over :mod:`fairmark.governance.users`, :mod:`fairmark.governance.tokens` and
:mod:`fairmark.governance.training`: each command opens the store, resolves who is acting
(``--token`` / ``$FAIRMARK_TOKEN``, else the local account), calls one function that checks
the role, and prints the result as text or ``--format json`` (the result's ``to_dict()``).
Bad input or a refused request: one line on stderr, exit 2, the store unchanged.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine

from fairmark.cli._common import check_choice, console, err_console, handle_errors, printable
from fairmark.cli._governance import (
    OUTPUT_FORMATS,
    DbUrlOption,
    FormatOption,
    TokenOption,
    emit,
    governance_session,
    print_kv,
)
from fairmark.errors import UsageError
from fairmark.governance.access import Principal

__all__ = ["app", "parse_day", "password_session", "read_password"]

app = typer.Typer(
    help="People and access: users, roles, API tokens, AI-literacy training records.",
    no_args_is_help=True,
)
token_app = typer.Typer(help="Scoped API tokens (the token is shown once).", no_args_is_help=True)
training_app = typer.Typer(
    help="AI-literacy training records (EU AI Act Art. 4).", no_args_is_help=True
)
app.add_typer(token_app, name="token")
app.add_typer(training_app, name="training")

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(option: str, value: str | None) -> date | None:
    """Parse ``YYYY-MM-DD`` given to ``option``; ``UsageError`` (exit 2) when it is not a day."""
    if value is None:
        return None
    text = value.strip()
    try:
        if not _DAY.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date; expected YYYY-MM-DD") from None


def read_password(from_stdin: bool) -> str:
    """Read a new password: the first line of standard input, or a hidden prompt twice.

    Raises
    ------
    UsageError
        Standard input is empty, or the two typed passwords differ.
    """
    if from_stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            raise UsageError(
                "no password on standard input; expected one line "
                "(e.g. printf '%s\\n' \"$PW\" | fairmark user passwd NAME --password-stdin)"
            )
        return password
    first = typer.prompt("New password", hide_input=True)
    second = typer.prompt("Repeat the password", hide_input=True)
    if first != second:
        raise UsageError("the two passwords differ; expected the same password twice")
    return str(first)


@contextmanager
def password_session(
    db_url: str | None, name: str, password: str
) -> Iterator[tuple[Engine, Principal, str]]:
    """Open the store and log user ``name`` in with ``password`` (no token needed).

    Yields
    ------
    (engine, principal, url)
        As :func:`fairmark.cli._governance.governance_session`, the principal
        ``via="password"`` (:func:`fairmark.governance.identity.login`).

    Raises
    ------
    StoreError, AccessError
        The store cannot be opened; ``wrong user name or password``; the user is disabled.
    """
    from fairmark.governance.identity import login
    from fairmark.store import RunStore, database_url

    url = database_url(db_url)
    with RunStore(url) as store:
        yield store.engine, login(store.engine, name, password), url


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _user_rows(user: Any) -> list[tuple[str, Any]]:
    return [
        ("role", user.role),
        ("display name", user.display_name),
        ("email", user.email),
        ("password set", "yes" if user.has_password else "no"),
        ("created", _time(user.created_at)),
        ("status", "enabled" if user.enabled else f"disabled {_time(user.disabled_at)}"),
    ]


def _print_user(title: str, user: Any) -> None:
    print_kv(title, _user_rows(user))


def _token_table(tokens: list[Any]) -> Table:
    table = Table()
    table.add_column("token id", no_wrap=True)
    table.add_column("user", overflow="fold")
    table.add_column("scopes", overflow="fold")
    table.add_column("label", overflow="fold")
    table.add_column("issued by", overflow="fold")
    table.add_column("expires (UTC)", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for t in tokens:
        table.add_row(
            f"fmk_{t.token_id}",
            escape(printable(t.user)),
            escape(printable(", ".join(t.scopes))),
            escape(printable(t.label or "—")),
            escape(printable(t.created_by)),
            _time(t.expires_at) or "never",
            t.status() if t.revoked_at is None else f"revoked {_time(t.revoked_at)}",
        )
    return table


# ----------------------------------------------------------------------------- users


@app.command("add")
@handle_errors
def add_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Login name (lowercase).")],
    role: Annotated[
        str, typer.Option("--role", metavar="ROLE", help="admin|owner|reviewer|auditor|viewer.")
    ],
    display_name: Annotated[
        str | None, typer.Option("--display-name", metavar="TEXT", help="Full name.")
    ] = None,
    email: Annotated[str | None, typer.Option("--email", metavar="ADDRESS")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read a web-app password from the first line of stdin."
        ),
    ] = False,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Add a user with a role (admin only)."""
    from fairmark.governance.users import add_user

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    password = read_password(True) if password_stdin else None
    with governance_session(db_url, token) as (engine, principal, _url):
        user = add_user(
            engine,
            name=name,
            role=role,
            display_name=display_name,
            email=email,
            password=password,
            principal=principal,
        )
    emit(fmt, user.to_dict(), lambda: _print_user(f"Added user {user.name}", user))


@app.command("list")
@handle_errors
def list_command(
    fmt: FormatOption = "text", db_url: DbUrlOption = None, token: TokenOption = None
) -> None:
    """List users (admin, auditor)."""
    from fairmark.governance.identity import list_users

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        users = list_users(engine, principal=principal)

    def render() -> None:
        if not users:
            console.print(
                "No users yet: the local account acts as admin until the first change.",
                markup=False,
                highlight=False,
            )
            return
        table = Table()
        for col in ("name", "role", "display name", "email", "status"):
            table.add_column(col, overflow="fold")
        for u in users:
            table.add_row(
                escape(printable(u.name)),
                u.role,
                escape(printable(u.display_name or "—")),
                escape(printable(u.email or "—")),
                "enabled" if u.enabled else "disabled",
            )
        console.print(table)

    emit(fmt, [u.to_dict() for u in users], render)


@app.command("show")
@handle_errors
def show_command(
    name: Annotated[
        str | None, typer.Argument(metavar="NAME", help="User (default: yourself).")
    ] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Show a user: role, tokens, training records, current AI literacy."""
    from fairmark.governance.users import show_user

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        profile = show_user(engine, name or principal.name, principal=principal)

    def render() -> None:
        current = profile.current_training
        literacy = (
            f"yes: {current.course}, until {current.expires_on.isoformat()}"
            if current is not None
            else "no current AI-literacy training record (EU AI Act Art. 4)"
        )
        print_kv(
            f"User {profile.user.name}", [*_user_rows(profile.user), ("AI literacy", literacy)]
        )
        if profile.tokens:
            console.print(_token_table(list(profile.tokens)))
        else:
            console.print("  tokens: none", markup=False, highlight=False)
        if profile.training:
            table = Table(title="training records")
            for col in ("course", "completed", "expires", "evidence", "recorded by"):
                table.add_column(col, overflow="fold")
            for t in profile.training:
                table.add_row(
                    escape(printable(t.course)),
                    t.completed_on.isoformat(),
                    t.expires_on.isoformat(),
                    escape(printable(t.evidence or "—")),
                    escape(printable(t.recorded_by)),
                )
            console.print(table)
        else:
            console.print("  training records: none", markup=False, highlight=False)

    emit(fmt, profile.to_dict(), render)


@app.command("set-role")
@handle_errors
def set_role_command(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    role: Annotated[str, typer.Argument(metavar="ROLE")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Change a user's role (admin only; the last admin keeps theirs)."""
    from fairmark.governance.users import set_role

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        user = set_role(engine, name, role, principal=principal)
    emit(fmt, user.to_dict(), lambda: _print_user(f"User {user.name} now has role {role}", user))


@app.command("disable")
@handle_errors
def disable_command(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Disable a user: they can no longer act and their tokens are revoked (admin only)."""
    from fairmark.governance.users import disable_user

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        user = disable_user(engine, name, principal=principal)
    emit(fmt, user.to_dict(), lambda: _print_user(f"Disabled user {user.name}", user))


@app.command("enable")
@handle_errors
def enable_command(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Enable a disabled user again (admin only); their old tokens stay revoked."""
    from fairmark.governance.users import enable_user

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        user = enable_user(engine, name, principal=principal)
    emit(fmt, user.to_dict(), lambda: _print_user(f"Enabled user {user.name}", user))


@app.command("passwd")
@handle_errors
def passwd_command(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of stdin (else: a hidden prompt).",
        ),
    ] = False,
    current_password_stdin: Annotated[
        bool,
        typer.Option(
            "--current-password-stdin",
            help=(
                "Prove NAME's current password instead of a token: stdin line 1 is the "
                "current password, line 2 the new one."
            ),
        ),
    ] = False,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Set a user's web-app password (yourself, or a user whose role you hold as admin).

    12-256 characters. A password an admin set for another user makes tokens that cannot
    decide reviews until the user sets their own: with their local account (SQLite), a
    self-issued token, or ``--current-password-stdin``.
    """
    from fairmark.governance.users import set_password

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    if current_password_stdin:
        if token is not None:
            raise UsageError(
                "--current-password-stdin and --token both given; expected one way to prove "
                "who you are"
            )
        current = sys.stdin.readline().rstrip("\r\n")
        password = sys.stdin.readline().rstrip("\r\n")
        if not current or not password:
            raise UsageError(
                "--current-password-stdin reads two lines from standard input, the current "
                "password then the new one; expected e.g. printf '%s\\n%s\\n' \"$OLD\" "
                "\"$NEW\" | fairmark user passwd NAME --current-password-stdin"
            )
        with password_session(db_url, name, current) as (engine, principal, _url):
            user = set_password(engine, name, password, principal=principal)
    else:
        password = read_password(password_stdin)
        with governance_session(db_url, token) as (engine, principal, _url):
            user = set_password(engine, name, password, principal=principal)
    emit(fmt, user.to_dict(), lambda: _print_user(f"Password set for {user.name}", user))


# ----------------------------------------------------------------------------- tokens


def _scopes(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    out = [s.strip() for v in values for s in v.split(",") if s.strip()]
    if not out:
        raise UsageError("--scope is empty; expected a permission name, 'read' or '*'")
    return tuple(out)


@token_app.command("create")
@handle_errors
def token_create_command(
    user: Annotated[
        str | None, typer.Option("--user", metavar="NAME", help="Whose token (default: you).")
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            metavar="SCOPE",
            help=(
                "Permission, 'read' or '*' (repeatable; default '*' for your own token, for "
                "another user's what both you and their role hold)."
            ),
        ),
    ] = None,
    expires_days: Annotated[
        int | None,
        typer.Option(
            "--expires-days",
            metavar="N",
            help="Valid for N days (1-3650; default 90, or less: when the token you act with "
            "expires).",
        ),
    ] = None,
    no_expiry: Annotated[
        bool, typer.Option("--no-expiry", help="Never expires (works until revoked).")
    ] = False,
    label: Annotated[str | None, typer.Option("--label", metavar="TEXT")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Prove --user's password (first line of stdin) and create your own token.",
        ),
    ] = False,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Create an API token; it is printed once (text: alone on stdout), only its hash is kept.

    With ``--user NAME --password-stdin`` a user creates their own token by password,
    without any token: the only kind of token, besides one made by the user through
    their own token, that may decide reviews and close conditions (not while the password
    is one an admin set). Made through a token, the new token has at most that token's
    scopes, expires no later than it, and counts as issued by whoever issued that token.
    """
    from fairmark.governance.tokens import DEFAULT_EXPIRY, DEFAULT_EXPIRY_DAYS, create_token

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    if no_expiry and expires_days is not None:
        raise UsageError("--expires-days and --no-expiry both given; expected one of them")
    days = None if no_expiry else (DEFAULT_EXPIRY if expires_days is None else expires_days)
    scopes = _scopes(scope)
    if password_stdin:
        if user is None:
            raise UsageError("--password-stdin needs --user NAME; expected whose password it is")
        if token is not None:
            raise UsageError(
                "--password-stdin and --token both given; expected one way to prove who you are"
            )
        password = read_password(True)
        with password_session(db_url, user, password) as (engine, principal, _url):
            info, secret = create_token(
                engine,
                user=user,
                scopes=scopes,
                expires_in_days=days,
                label=label,
                principal=principal,
            )
    else:
        with governance_session(db_url, token) as (engine, principal, _url):
            info, secret = create_token(
                engine,
                user=user or principal.name,
                scopes=scopes,
                expires_in_days=days,
                label=label,
                principal=principal,
            )
    document = {**info.to_dict(), "token": secret}

    default = (
        f" (the default for another user: what both you and {info.user}'s role hold)"
        if scopes is None and info.scopes != ("*",)
        else ""
    )

    def render() -> None:
        typer.echo(secret)
        expiry = _time(info.expires_at) or "never (revoke it when no longer needed)"
        if (
            days == DEFAULT_EXPIRY
            and info.expires_at is not None
            and info.expires_at < info.created_at + timedelta(days=DEFAULT_EXPIRY_DAYS)
        ):  # the default was clamped to the acting token's expiry
            expiry = f"with the token you act with, at {expiry}"
        err_console.print(
            f"token fmk_{info.token_id} for {info.user}, scopes {', '.join(info.scopes)}"
            f"{default}, expires {expiry}. It is shown only now: store it (e.g. in "
            "FAIRMARK_TOKEN).",
            markup=False,
            highlight=False,
        )

    emit(fmt, document, render)


@token_app.command("revoke")
@handle_errors
def token_revoke_command(
    token_id: Annotated[str, typer.Argument(metavar="TOKEN_ID", help="From 'user token list'.")],
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Revoke a token (your own, or any as admin); it stops working at once."""
    from fairmark.governance.tokens import revoke_token

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token) as (engine, principal, _url):
        info = revoke_token(engine, token_id, principal=principal)
    emit(
        fmt,
        info.to_dict(),
        lambda: console.print(
            f"Revoked token fmk_{info.token_id} of {info.user} at {_time(info.revoked_at)}",
            markup=False,
            highlight=False,
        ),
    )


@token_app.command("list")
@handle_errors
def token_list_command(
    user: Annotated[
        str | None,
        typer.Option("--user", metavar="NAME", help="Only this user's (default: all you may see)."),
    ] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """List tokens (ids, scopes, expiry, status; never secrets)."""
    from fairmark.governance.tokens import list_tokens

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    with governance_session(db_url, token, must_exist=True) as (engine, principal, _url):
        tokens = list_tokens(engine, user=user, principal=principal)

    def render() -> None:
        if not tokens:
            console.print("No tokens.", markup=False, highlight=False)
            return
        console.print(_token_table(tokens))

    emit(fmt, [t.to_dict() for t in tokens], render)


# ----------------------------------------------------------------------------- training


@training_app.command("record")
@handle_errors
def training_record_command(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The user trained.")],
    course: Annotated[str, typer.Option("--course", metavar="TEXT", help="Course name.")],
    completed: Annotated[
        str, typer.Option("--completed", metavar="YYYY-MM-DD", help="Day completed.")
    ],
    expires: Annotated[
        str | None,
        typer.Option(
            "--expires",
            metavar="YYYY-MM-DD",
            help="First day it no longer counts (default: the policy's training_valid_days).",
        ),
    ] = None,
    evidence: Annotated[
        str | None, typer.Option("--evidence", metavar="TEXT", help="Certificate id or link.")
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", metavar="FILE", help="Policy for the default validity."),
    ] = None,
    fmt: FormatOption = "text",
    db_url: DbUrlOption = None,
    token: TokenOption = None,
) -> None:
    """Record a completed AI-literacy training (EU AI Act Art. 4; admin only)."""
    from fairmark.governance.training import record_training

    fmt = check_choice("--format", fmt, OUTPUT_FORMATS)
    completed_on = parse_day("--completed", completed)
    expires_on = parse_day("--expires", expires)
    if completed_on is None:  # pragma: no cover - typer requires --completed
        raise UsageError("--completed is missing; expected YYYY-MM-DD")
    with governance_session(db_url, token) as (engine, principal, _url):
        record = record_training(
            engine,
            user=name,
            course=course,
            completed_on=completed_on,
            expires_on=expires_on,
            evidence=evidence,
            principal=principal,
            policy=policy,
        )
    emit(
        fmt,
        record.to_dict(),
        lambda: print_kv(
            f"Recorded training of {record.user}",
            [
                ("course", record.course),
                ("completed", record.completed_on.isoformat()),
                ("expires", record.expires_on.isoformat()),
                ("evidence", record.evidence),
                ("record id", record.record_id),
            ],
        ),
    )
