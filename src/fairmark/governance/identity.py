"""Who is acting: resolving the principal of a command, the first admin, users and training.

How a command's acting user is established (:func:`resolve_principal`):

1. **A token** (``--token`` or ``$FAIRMARK_TOKEN``): ``fmk_<token_id>_<secret>``, made by
   ``fairmark user token create``. Only the SHA-256 of the whole token string is stored
   (``gov_tokens.token_hash``), compared in constant time. The token must be neither
   revoked nor expired and its user must be enabled; the principal carries the token's
   scopes, which narrow (never widen) the user's role.
2. **No users yet**: the operating-system account acts as ``admin`` (``via="bootstrap"``),
   so a single user on their own machine needs no ceremony. Reading writes nothing; the
   first *write* records that account as the store's first admin (:func:`ensure_actor`,
   logged as ``user.bootstrap``).
3. **Users exist, SQLite store**: the operating-system account must be a registered,
   enabled user (``via="local"``). The account is the login name of the process's real
   user id (:func:`process_account`), never ``$LOGNAME``/``$USER``, which anyone can set.
   A SQLite store is a local file: whoever can write the file can change anything in it,
   so the account is as much proof as the file permits, and asking for more would only
   add ceremony.
4. **Users exist, PostgreSQL store**: a token is required. A PostgreSQL store is a shared
   team server reached over the network; the client's account name is whatever the
   client says it is and proves nothing about who is typing. One exception keeps a new
   server from locking out its first admin: the account the bootstrap made admin (the
   ``user.bootstrap`` entry of the hash-chained log, :func:`bootstrap_admin`), while it
   is an enabled admin that has NEVER had a token and has no password, may create its
   own first token (``fairmark user token create``) and do nothing else
   (:data:`fairmark.governance.access.FIRST_TOKEN_SCOPES`). That is the same trust the
   bootstrap itself placed in the account, and it ends with the first token. Every other
   user (admins added or promoted later included) needs a password or a token made for
   them by an admin.
5. **A password** (:func:`login`): a user proves their password (argon2id) to create
   their own token (``fairmark user token create --user NAME --password-stdin``), so
   nobody depends on an admin-issued token, which cannot decide reviews
   (:func:`fairmark.governance.access.require_self_issued`).

Sources: NIST SP 800-63B (2017, rev. 2020) section 5.1.1 (memorized secrets) and 5.2.10
(authenticator binding), OWASP Authentication Cheat Sheet; ISO/IEC 42001:2023 clause 5.3
(roles, responsibilities and authorities); EU AI Act (Regulation (EU) 2024/1689) Art. 4
(AI literacy) for :func:`current_training`.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, fields
from dataclasses import field as _field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from fairmark.errors import UsageError
from fairmark.governance.access import (
    FIRST_TOKEN_SCOPES,
    SERVER_NEEDS_TOKEN,
    AccessError,
    Principal,
    authorize,
)
from fairmark.governance.chain import _lock_head, append_entry
from fairmark.governance.clock import db_now
from fairmark.store.models_governance import LogEntryRow, Token, TrainingRecord, User

__all__ = [
    "NAME_PATTERN",
    "TOKEN_PREFIX",
    "WRONG_LOGIN",
    "TokenInfo",
    "TrainingInfo",
    "UserInfo",
    "bootstrap_admin",
    "current_training",
    "ensure_actor",
    "first_token_allowed",
    "fmt_time",
    "get_user",
    "hash_token",
    "list_users",
    "login",
    "no_first_token",
    "os_account",
    "parse_token",
    "process_account",
    "resolve_principal",
    "unknown_user",
]

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9._-]{0,63}$")
"""A user name: lowercase letter, then up to 63 lowercase letters, digits, ``.``, ``_``, ``-``."""

TOKEN_PREFIX = "fmk_"
"""Every token starts with this, then ``<token_id>_<secret>``."""

_TOKEN_ID = re.compile(r"^[0-9a-f]{16}$")

INVALID_TOKEN = "token is not valid; expected a token from 'fairmark user token create'"
"""The one message for a malformed or unknown token (it never echoes the token)."""

WRONG_LOGIN = "wrong user name or password"
"""The one message for an unknown user, a user without a password and a wrong password."""

_MAX_NAMES_LISTED = 20


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _as_dict(obj: Any) -> dict[str, Any]:
    """A result dataclass as JSON-ready values (ISO dates and times, lists for tuples)."""
    out: dict[str, Any] = {}
    for field in fields(obj):
        value = getattr(obj, field.name)
        if isinstance(value, datetime | date):
            value = _iso(value)
        elif isinstance(value, tuple | frozenset):
            value = list(value)
        out[field.name] = value
    return out


@dataclass(frozen=True)
class UserInfo:
    """One user, as shown by ``fairmark user list|show`` (never the password hash).

    Attributes
    ----------
    name : str
    role : str
        One of :data:`fairmark.governance.access.ROLES`.
    display_name, email : str or None
    has_password : bool
        Whether a password (argon2id hash) is set for the web app.
    created_at : datetime
        UTC.
    disabled_at : datetime or None
        When the user was disabled; a disabled user cannot act.
    """

    name: str
    role: str
    display_name: str | None
    email: str | None
    has_password: bool
    created_at: datetime
    disabled_at: datetime | None

    @property
    def enabled(self) -> bool:
        """Whether the user may act (not disabled)."""
        return self.disabled_at is None

    @classmethod
    def from_row(cls, row: Any) -> UserInfo:
        """Build from a ``gov_users`` row."""
        return cls(
            name=row.name,
            role=row.role,
            display_name=row.display_name,
            email=row.email,
            has_password=row.password_hash is not None,
            created_at=row.created_at,
            disabled_at=row.disabled_at,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (ISO 8601 UTC times; ``enabled`` added)."""
        out = _as_dict(self)
        out["enabled"] = self.enabled
        return out


@dataclass(frozen=True)
class TokenInfo:
    """One API token, without its secret or hash.

    Attributes
    ----------
    token_id : str
        The public part (16 hex digits); the token reads ``fmk_<token_id>_<secret>``.
    user : str
    scopes : tuple of str
        Permission names of :data:`fairmark.governance.access.PERMISSIONS` or the aliases
        ``read`` and ``*``.
    label : str or None
    created_at : datetime
    expires_at : datetime or None
        ``None``: never expires.
    revoked_at : datetime or None
    created_by : str
        Who issued it: the user themself, or an admin for them (such a token cannot
        decide reviews, close conditions or comment: separation of duties).
    as_of : datetime or None
        The store's time when the token was read (:func:`fairmark.governance.clock.db_now`,
        the PostgreSQL server's clock): the default moment of :meth:`status`. Not part of
        equality, ``repr`` or :meth:`to_dict`.
    """

    token_id: str
    user: str
    scopes: tuple[str, ...]
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    created_by: str
    as_of: datetime | None = _field(default=None, compare=False, repr=False)

    @classmethod
    def from_row(cls, row: Any, *, as_of: datetime | None = None) -> TokenInfo:
        """Build from a ``gov_tokens`` row read at ``as_of`` (the store's time, ``db_now``)."""
        return cls(
            token_id=row.token_id,
            user=row.user_name,
            scopes=tuple(row.scopes or ()),
            label=row.label,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            created_by=row.created_by,
            as_of=as_of,
        )

    def status(self, now: datetime | None = None) -> str:
        """Return ``active``, ``expired`` or ``revoked`` at ``now`` (default: ``as_of``, the
        store's time when the token was read; this process's clock if it was not set)."""
        now = (self.as_of or datetime.now(UTC)) if now is None else now
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (ISO 8601 UTC times; ``status`` added)."""
        out = _as_dict(self)
        del out["as_of"]
        out["status"] = self.status()
        return out


@dataclass(frozen=True)
class TrainingInfo:
    """One AI-literacy training record (EU AI Act Art. 4).

    Attributes
    ----------
    record_id : str
        UUID.
    user, course : str
    completed_on, expires_on : date
        The record covers the days ``completed_on <= day < expires_on``.
    evidence : str or None
        Certificate reference or link.
    recorded_by : str
    recorded_at : datetime
    """

    record_id: str
    user: str
    course: str
    completed_on: date
    expires_on: date
    evidence: str | None
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> TrainingInfo:
        """Build from a ``gov_training`` row."""
        return cls(
            record_id=row.record_id,
            user=row.user_name,
            course=row.course,
            completed_on=row.completed_on,
            expires_on=row.expires_on,
            evidence=row.evidence,
            recorded_by=row.recorded_by,
            recorded_at=row.recorded_at,
        )

    def covers(self, on: date) -> bool:
        """Return whether the record is current on day ``on``."""
        return self.completed_on <= on < self.expires_on

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (ISO dates, ISO 8601 UTC time)."""
        return _as_dict(self)


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of the whole token string (what ``gov_tokens`` stores).

    A token holds 256 random bits, so a fast unsalted hash suffices: there is nothing to
    guess (NIST SP 800-63B 5.1.1.2 asks for slow salted hashing of *memorized* secrets).
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_token(token: str) -> str | None:
    """Return the token id of ``fmk_<token_id>_<secret>``, or ``None`` if malformed."""
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        return None
    token_id, sep, secret = token[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not secret or not _TOKEN_ID.fullmatch(token_id):
        return None
    return token_id


def process_account() -> str:
    """Return the login name of the real user id running this process, as the system has it.

    On POSIX systems: ``pwd.getpwuid(os.getuid()).pw_name``, the password database's
    name for the real user id the kernel gave the process. Environment variables cannot
    change it, unlike :func:`getpass.getuser`, which returns ``$LOGNAME``, ``$USER``,
    ``$LNAME`` or ``$USERNAME`` first: any account could set ``LOGNAME=alice`` and act as
    the registered user ``alice`` of a SQLite store.

    Where the :mod:`pwd` module does not exist (Windows), falls back to
    :func:`getpass.getuser`, which there reads ``%USERNAME%``: on such systems the
    account name is only what the environment claims, and a shared SQLite file should be
    used with tokens (``FAIRMARK_TOKEN``) instead.

    Returns
    -------
    str
        The name as stored by the system (not lowercased; see :func:`os_account`).

    Raises
    ------
    KeyError
        The real user id has no entry in the password database (e.g. a container run
        with an arbitrary ``--user`` id). ``$LOGNAME``/``$USER`` are deliberately NOT
        consulted then.
    OSError
        The fallback :func:`getpass.getuser` cannot tell the account.

    Notes
    -----
    Source: POSIX.1-2017 ``getuid()`` and ``getpwuid()`` (the real user id and its
    password database entry); Python's :func:`getpass.getuser` documentation (it checks
    the environment variables first).
    """
    try:
        import pwd
    except ImportError:  # Windows: no password database
        return getpass.getuser()
    return pwd.getpwuid(os.getuid()).pw_name


def os_account(os_user: str | None = None) -> str:
    """Return the operating-system account acting, lowercased.

    Parameters
    ----------
    os_user : str, optional
        Use this instead of asking the operating system (tests, service wrappers).

    Returns
    -------
    str
        ``os_user``, else :func:`process_account` (the real user id's login name from
        the password database, never ``$LOGNAME``/``$USER``; on systems without
        :mod:`pwd` such as Windows, :func:`getpass.getuser`), stripped and lowercased.

    Raises
    ------
    AccessError
        The account name cannot be determined (no password database entry for the real
        user id, or no account name at all).
    """
    if os_user is None:
        try:
            os_user = process_account()
        except (OSError, KeyError, ImportError):
            raise AccessError(
                f"cannot tell which operating-system account is acting (user id "
                f"{_uid()} has no entry in the password database); expected a token in "
                "FAIRMARK_TOKEN or --token"
            ) from None
    return os_user.strip().lower()


def _uid() -> str:
    """The real user id as text, or ``unknown`` where the system has none (Windows)."""
    getuid = getattr(os, "getuid", None)
    return "unknown" if getuid is None else str(getuid())


def fmt_time(value: datetime) -> str:
    """Return ``value`` as ``YYYY-MM-DD HH:MM:SS UTC`` (for messages)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _resolve_token(conn: Connection, token: str) -> Principal:
    token_id = parse_token(token)
    if token_id is None:
        raise AccessError(INVALID_TOKEN)
    row = conn.execute(select(Token).where(Token.token_id == token_id)).first()
    if row is None or not hmac.compare_digest(hash_token(token), row.token_hash):
        raise AccessError(INVALID_TOKEN)
    now = db_now(conn)  # the server's clock on PostgreSQL, not the client's
    if row.revoked_at is not None:
        raise AccessError(
            f"token {TOKEN_PREFIX}{token_id} was revoked at {fmt_time(row.revoked_at)}; "
            "expected a current token (make one with 'fairmark user token create')"
        )
    # the revocation is also in the hash-chained log: a revoked_at cleared in the database
    # behind fairmark's back does not bring the token back (EU AI Act Art. 12)
    revoked_in_log = conn.execute(
        select(LogEntryRow.created_at)
        .where(
            LogEntryRow.action == "token.revoke",
            LogEntryRow.entity_type == "token",
            LogEntryRow.entity_id == token_id,
        )
        .limit(1)
    ).scalar()
    if revoked_in_log is not None:
        raise AccessError(
            f"token {TOKEN_PREFIX}{token_id} was revoked at {revoked_in_log} (audit log); "
            "expected a current token (make one with 'fairmark user token create')"
        )
    if row.expires_at is not None and row.expires_at <= now:
        raise AccessError(
            f"token {TOKEN_PREFIX}{token_id} expired at {fmt_time(row.expires_at)}; "
            "expected a current token (make one with 'fairmark user token create')"
        )
    user = conn.execute(select(User).where(User.name == row.user_name)).first()
    if user is None or user.disabled_at is not None:
        raise AccessError(
            f"token {TOKEN_PREFIX}{token_id} belongs to user {row.user_name!r}, who is "
            "disabled; expected a token of an enabled user"
        )
    return Principal(
        name=user.name,
        role=user.role,
        via="token",
        scopes=frozenset(row.scopes or ()),
        token_id=token_id,
        issued_by=row.created_by,
    )


def resolve_principal(
    engine: Engine | Connection, *, token: str | None = None, os_user: str | None = None
) -> Principal:
    """Return who is acting: the token's user, the first (bootstrap) admin, or a local user.

    Reads only; nothing is written (see :func:`ensure_actor` for the first admin).

    Parameters
    ----------
    engine : sqlalchemy.Engine or sqlalchemy.Connection
        The migrated store.
    token : str, optional
        ``fmk_<token_id>_<secret>`` (``--token`` or ``$FAIRMARK_TOKEN``). An empty string
        counts as no token.
    os_user : str, optional
        The operating-system account (default :func:`os_account`: the real user id's
        login name, not ``$LOGNAME``/``$USER``), lowercased.

    Returns
    -------
    Principal
        ``via="token"`` with the token's scopes and ``issued_by`` its creator;
        ``via="bootstrap"`` as ``admin`` when the store has no users; ``via="local"`` for
        a registered user of a SQLite store; on PostgreSQL, ``via="local"`` with scopes
        :data:`~fairmark.governance.access.FIRST_TOKEN_SCOPES` for the first admin before
        their first token (:func:`first_token_allowed`).

    Raises
    ------
    AccessError
        The token is malformed or unknown (the message never echoes it), revoked, expired,
        or its user is disabled; users exist and the local account is not a registered,
        enabled user (SQLite); users exist and no token was given (PostgreSQL), unless
        the first-token case applies (an admin without token or password who is not the
        bootstrap admin is told how to get one, :func:`no_first_token`).

    Notes
    -----
    Why local accounts are trusted on SQLite but not on PostgreSQL: see the module
    docstring. Sources: NIST SP 800-63B section 5.2.10; OWASP Authentication Cheat Sheet.
    """
    if isinstance(engine, Connection):
        return _resolve(engine, token=token, os_user=os_user)
    with engine.connect() as conn:
        return _resolve(conn, token=token, os_user=os_user)


def _resolve(conn: Connection, *, token: str | None, os_user: str | None) -> Principal:
    if token:
        return _resolve_token(conn, token)
    account = os_account(os_user)
    users = conn.execute(select(func.count()).select_from(User)).scalar_one()
    if users == 0:
        return Principal(name=account, role="admin", via="bootstrap")
    if conn.dialect.name == "postgresql":
        if first_token_allowed(conn, account):
            row = conn.execute(select(User.role).where(User.name == account)).one()
            return Principal(name=account, role=row.role, via="local", scopes=FIRST_TOKEN_SCOPES)
        if _admin_without_credentials(conn, account):
            raise AccessError(no_first_token(account))
        raise AccessError(SERVER_NEEDS_TOKEN)
    row = conn.execute(select(User).where(User.name == account)).first()
    if row is None:
        raise AccessError(
            f"operating-system account {account!r} is not a user of this store; ask an admin "
            f"for 'fairmark user add {account} --role ROLE', or set FAIRMARK_TOKEN"
        )
    if row.disabled_at is not None:
        raise AccessError(
            f"user {account!r} was disabled at {fmt_time(row.disabled_at)}; "
            "expected an enabled user (ask an admin)"
        )
    return Principal(name=row.name, role=row.role, via="local")


def no_first_token(name: str) -> str:
    """Return the refusal for admin ``name`` (no token, no password) who is not the
    store's bootstrap admin, on a PostgreSQL store: one line saying how to get a token.

    Parameters
    ----------
    name : str
        The operating-system account (lowercased), an enabled admin.

    Returns
    -------
    str
        :data:`~fairmark.governance.access.SERVER_NEEDS_TOKEN`, then the two ways an admin
        gives ``name`` a credential (a password, or a token made for them).

    Notes
    -----
    Only the bootstrap admin claims a first token by account name
    (:func:`first_token_allowed`); NIST SP 800-63B section 5.2.10 (authenticator binding).
    """
    return (
        f"{SERVER_NEEDS_TOKEN}; only the store's first admin may create a first token by "
        f"account name, and {name!r} has neither a token nor a password: expected an admin "
        f"to run 'fairmark user passwd {name} --password-stdin' (then 'fairmark user token "
        f"create --user {name} --password-stdin') or 'fairmark user token create --user {name}'"
    )


def bootstrap_admin(conn: Connection) -> str | None:
    """Return the user the store's bootstrap made its first admin, from the hash-chained log.

    Parameters
    ----------
    conn : sqlalchemy.Connection

    Returns
    -------
    str or None
        The ``entity_id`` of the earliest ``user.bootstrap`` entry (written by
        :func:`ensure_actor` on the first write to a store without users); ``None`` when
        the log has none (users inserted into the database without fairmark).

    Notes
    -----
    Read from the append-only, hash-chained log rather than from a mutable column, so
    neither a later ``user add --role admin`` nor a promotion makes another user the
    bootstrap admin (EU AI Act Art. 12, record-keeping).
    """
    return conn.execute(
        select(LogEntryRow.entity_id)
        .where(LogEntryRow.action == "user.bootstrap", LogEntryRow.entity_type == "user")
        .order_by(LogEntryRow.seq)
        .limit(1)
    ).scalar()


def _admin_without_credentials(conn: Connection, name: str) -> bool:
    """Whether ``name`` is an enabled admin that never had a token and has no password."""
    row = conn.execute(
        select(User.role, User.disabled_at, User.password_hash).where(User.name == name)
    ).first()
    if row is None or row.role != "admin" or row.disabled_at is not None:
        return False
    if row.password_hash is not None:
        return False
    had = conn.execute(select(Token.token_id).where(Token.user_name == name).limit(1)).first()
    return had is None


def first_token_allowed(conn: Connection, name: str) -> bool:
    """Return whether ``name`` may create a first token without one on a PostgreSQL store.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    name : str
        The operating-system account (lowercased).

    Returns
    -------
    bool
        ``True`` when ``name`` is the store's bootstrap admin (:func:`bootstrap_admin`,
        from the hash-chained log) and is still an enabled admin that has never had a
        token (no ``gov_tokens`` row with ``user_name = name``, revoked or not) and has no
        password. ``False`` for every other user, admins added or promoted later
        included: they need a password or a token made for them by an admin.

    Notes
    -----
    The same trust the bootstrap places in the operating-system account that first
    writes to an empty store (module docstring, rule 4): it lasts until that admin's first
    token exists, so a new server cannot lock out its first admin when the first write was
    not ``fairmark user token create``. Extending it to any admin without credentials
    would let anyone whose client reports that account name claim the admin (account
    names prove nothing over the network; NIST SP 800-63B section 5.2.10, OWASP
    Authentication Cheat Sheet). A user with a password uses :func:`login`.
    """
    if not _admin_without_credentials(conn, name):
        return False
    return bootstrap_admin(conn) == name


def login(engine: Engine, name: str, password: str) -> Principal:
    """Prove user ``name``'s password and return them as ``via="password"``.

    Used by ``fairmark user token create --user NAME --password-stdin`` so that every user
    can create their own token (which, unlike an admin-issued one, can decide reviews).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    name : str
        The user name.
    password : str
        The password (argon2id-verified, constant time inside argon2; an unknown user or
        one without a password costs the same work, so timing does not tell which).

    Returns
    -------
    Principal
        ``Principal(name, role, via="password")`` (no scopes: the role's permissions).

    Raises
    ------
    AccessError
        ``wrong user name or password`` for an unknown user, a user without a password
        and a wrong password alike; the right password of a disabled user: refused with
        the time it was disabled.
    StoreError
        The store cannot be read (or a stale hash cannot be replaced).

    Notes
    -----
    NIST SP 800-63B section 5.1.1.2 (memorized secrets, verified against a salted slow
    hash) and OWASP Authentication Cheat Sheet (one generic message for a failed login).
    On success with a hash of older argon2 parameters, the hash is replaced
    (:func:`fairmark.governance.users.verify_password`).
    """
    from fairmark.governance.passwords import dummy_verify, needs_rehash, verify_hash
    from fairmark.governance.users import reading, verify_password

    if not isinstance(name, str) or not isinstance(password, str):
        raise AccessError(WRONG_LOGIN)
    with reading(engine, "log in") as conn:
        row = conn.execute(
            select(User.name, User.role, User.password_hash, User.disabled_at).where(
                User.name == name
            )
        ).first()
    if row is None or row.password_hash is None:
        dummy_verify(password)
        raise AccessError(WRONG_LOGIN)
    if not verify_hash(row.password_hash, password):
        raise AccessError(WRONG_LOGIN)
    if row.disabled_at is not None:
        raise AccessError(
            f"user {name!r} was disabled at {fmt_time(row.disabled_at)}; "
            "expected an enabled user (ask an admin)"
        )
    if needs_rehash(row.password_hash):
        verify_password(engine, name, password)
    return Principal(name=row.name, role=row.role, via="password")


def ensure_actor(conn: Connection, principal: Principal) -> None:
    """Record the first admin on the first write to a store without users.

    Call it first inside every write transaction, before the change itself.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        Inside the write transaction (:func:`fairmark.store.db.write_transaction`).
    principal : Principal
        From :func:`resolve_principal`.

    Raises
    ------
    AccessError
        ``via="bootstrap"`` but the store has users by now and ``principal`` is not an
        enabled admin among them (someone else bootstrapped first).
    UsageError
        The operating-system account name is not a valid user name
        (:data:`NAME_PATTERN`).

    Notes
    -----
    Takes the audit log's lock first, for every principal (one lock order for all writers).
    Writes nothing unless ``principal.via == "bootstrap"``. When ``gov_users`` is empty it
    inserts ``principal.name`` as ``admin`` and appends ``user.bootstrap`` to the log, in
    the caller's transaction, so the first admin and the first change commit together.
    """
    # Every governance write takes the audit log's lock FIRST (PostgreSQL advisory lock;
    # SQLite's BEGIN IMMEDIATE already serialises): all writers then lock in one order
    # (log, then rows), so a writer holding a system row can never wait on a writer that
    # holds the log lock (no deadlock); and two first writes at once see one first admin.
    _lock_head(conn)
    if principal.via != "bootstrap":
        return
    rows = conn.execute(select(User.name, User.role, User.disabled_at)).all()
    if rows:
        mine = next((r for r in rows if r.name == principal.name), None)
        if mine is None or mine.role != "admin" or mine.disabled_at is not None:
            raise AccessError(
                f"this store got users while {principal.name!r} was acting as its first "
                "admin; expected a registered admin (run the command again)"
            )
        return
    if not NAME_PATTERN.fullmatch(principal.name):
        raise UsageError(
            f"operating-system account {principal.name!r} is not a valid fairmark user name; "
            f"expected {NAME_PATTERN.pattern} (act with a token instead)"
        )
    now = db_now(conn)  # after the log lock
    conn.execute(insert(User).values(name=principal.name, role="admin", created_at=now))
    append_entry(
        conn,
        actor=principal.name,
        action="user.bootstrap",
        entity_type="user",
        entity_id=principal.name,
        payload={"name": principal.name, "role": "admin", "via": "operating-system account"},
        at=now,
    )


def _known_names(conn: Connection) -> list[str]:
    return list(
        conn.execute(select(User.name).order_by(User.name).limit(_MAX_NAMES_LISTED + 1)).scalars()
    )


def unknown_user(conn: Connection, name: str) -> UsageError:
    """Return the error for an unknown user ``name``, listing the known names."""
    names = _known_names(conn)
    if not names:
        return UsageError(
            f"no user {name!r}; this store has no users yet "
            "(add one with 'fairmark user add NAME --role ROLE')"
        )
    shown = ", ".join(names[:_MAX_NAMES_LISTED])
    if len(names) > _MAX_NAMES_LISTED:
        shown += ", … (see 'fairmark user list')"
    return UsageError(f"no user {name!r}; expected one of: {shown}")


def get_user(conn: Connection | Engine, name: str) -> UserInfo:
    """Return the user ``name``.

    Parameters
    ----------
    conn : sqlalchemy.Connection or sqlalchemy.Engine
    name : str

    Returns
    -------
    UserInfo

    Raises
    ------
    UsageError
        No such user: ``no user 'x'; expected one of: …`` (the known names), or a hint to
        add one when the store has none.
    """
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return get_user(c, name)
    row = conn.execute(select(User).where(User.name == name)).first()
    if row is None:
        raise unknown_user(conn, name)
    return UserInfo.from_row(row)


def list_users(engine: Engine | Connection, *, principal: Principal) -> list[UserInfo]:
    """Return every user, by name.

    Parameters
    ----------
    engine : sqlalchemy.Engine or sqlalchemy.Connection
    principal : Principal
        Needs ``user.read`` (admin, auditor).

    Returns
    -------
    list of UserInfo

    Raises
    ------
    AccessError
        ``principal`` lacks ``user.read``.
    """
    authorize(principal, "user.read")
    if isinstance(engine, Connection):
        rows = engine.execute(select(User).order_by(User.name)).all()
    else:
        with engine.connect() as conn:
            rows = conn.execute(select(User).order_by(User.name)).all()
    return [UserInfo.from_row(r) for r in rows]


def current_training(conn: Connection | Engine, user_name: str, on: date) -> TrainingInfo | None:
    """Return the user's training record current on day ``on``, or ``None``.

    Parameters
    ----------
    conn : sqlalchemy.Connection or sqlalchemy.Engine
    user_name : str
    on : datetime.date
        The day to judge (e.g. ``date.today()`` for a reviewer's decision).

    Returns
    -------
    TrainingInfo or None
        Among the records with ``completed_on <= on < expires_on``, the one that expires
        last; ``None`` when no record covers ``on`` (or the user is unknown).

    Notes
    -----
    EU AI Act Art. 4 (AI literacy): deployers take measures to ensure a sufficient level
    of AI literacy of staff dealing with AI systems; the policy's ``training_valid_days``
    sets how long one training counts.
    """
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return current_training(c, user_name, on)
    if isinstance(on, datetime):
        on = on.astimezone(UTC).date()
    row = conn.execute(
        select(TrainingRecord)
        .where(
            TrainingRecord.user_name == user_name,
            TrainingRecord.completed_on <= on,
            TrainingRecord.expires_on > on,
        )
        .order_by(TrainingRecord.expires_on.desc(), TrainingRecord.completed_on.desc())
        .limit(1)
    ).first()
    return None if row is None else TrainingInfo.from_row(row)
