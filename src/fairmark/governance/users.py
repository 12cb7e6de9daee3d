"""Users: add, change role, disable and enable, passwords, and one user's full record.

Every change is authorised first (:func:`fairmark.governance.access.authorize`), checked
completely, and then written together with its audit-log entry in ONE write transaction
(:func:`fairmark.store.db.write_transaction`), so a refused request leaves the store
unchanged. Passwords and their hashes never appear in a log payload or a result.

Sources: ISO/IEC 42001:2023 clause 5.3 (roles, responsibilities and authorities);
NIST SP 800-53 AC-2 (account management) for disabling instead of deleting accounts and
keeping at least one administrator; NIST SP 800-63B 5.1.1.2 and RFC 9106 for passwords
(:mod:`fairmark.governance.passwords`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from fairmark.errors import FairmarkError, StoreError, UsageError
from fairmark.governance.access import (
    FIRST_TOKEN_HINT,
    ROLES,
    SERVER_NEEDS_TOKEN,
    AccessError,
    Principal,
    authorize,
    is_first_token,
    permissions_of,
    require_holds,
)
from fairmark.governance.chain import append_entry
from fairmark.governance.clock import db_now
from fairmark.governance.identity import (
    NAME_PATTERN,
    TokenInfo,
    TrainingInfo,
    UserInfo,
    current_training,
    ensure_actor,
    fmt_time,
    get_user,
)
from fairmark.governance.passwords import (
    dummy_verify,
    hash_password,
    needs_rehash,
    rehash_password,
    verify_hash,
)
from fairmark.store.db import one_line, redact_url, write_transaction
from fairmark.store.models_governance import (
    LogEntryRow,
    SystemRow,
    Token,
    TrainingRecord,
    User,
)

__all__ = [
    "OWNER_ROLES",
    "UserProfile",
    "add_user",
    "check_role",
    "check_user_name",
    "disable_user",
    "enable_user",
    "issuer_of",
    "password_setter",
    "set_password",
    "set_role",
    "show_user",
    "user_row",
    "verify_password",
]

OWNER_ROLES: tuple[str, ...] = ("owner", "admin")
"""Roles a system's accountable owner may have (as :mod:`fairmark.governance.inventory`
requires when a system is registered or handed over)."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_MAX_DISPLAY_NAME = 200
_MAX_EMAIL = 320


@contextmanager
def _database_errors(engine: Engine, what: str) -> Iterator[None]:
    """Database errors become one-line ``StoreError``; fairmark's own errors pass unchanged.

    (``store_errors`` alone would turn an ``AccessError``, a ``PermissionError`` and so an
    ``OSError``, into a ``StoreError``.)
    """
    try:
        yield
    except FairmarkError:
        raise
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"cannot {what} at {redact_url(engine.url)}: {one_line(exc)}") from exc


@contextmanager
def writing(engine: Engine, what: str) -> Iterator[Connection]:
    """One write transaction (rolled back on any error); database errors become
    one-line ``StoreError`` naming ``what``."""
    with _database_errors(engine, what), write_transaction(engine) as conn:
        yield conn


@contextmanager
def reading(engine: Engine | Connection, what: str) -> Iterator[Connection]:
    """A read connection; database errors become one-line ``StoreError``."""
    if isinstance(engine, Connection):
        yield engine
        return
    with _database_errors(engine, what), engine.connect() as conn:
        yield conn


def check_user_name(name: Any) -> str:
    """Return ``name`` if it is a valid user name, else raise ``UsageError``.

    A name is a lowercase letter, then up to 63 lowercase letters, digits, ``.``, ``_`` or
    ``-`` (:data:`fairmark.governance.identity.NAME_PATTERN`), like a POSIX login name.
    """
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise UsageError(
            f"user name {name!r} is not valid; expected a lowercase letter then up to 63 "
            "lowercase letters, digits, '.', '_' or '-'"
        )
    return name


def check_role(role: Any) -> str:
    """Return ``role`` if it is one of :data:`fairmark.governance.access.ROLES`."""
    if role not in ROLES:
        raise UsageError(f"role {role!r} is not known; expected one of: {', '.join(ROLES)}")
    return str(role)


def _check_optional(value: Any, label: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{label} is {value!r}; expected non-empty text or nothing")
    value = value.strip()
    if len(value) > limit:
        raise UsageError(f"{label} has {len(value)} characters; expected at most {limit}")
    return value


def _check_email(email: Any) -> str | None:
    email = _check_optional(email, "email", _MAX_EMAIL)
    if email is not None and not _EMAIL.fullmatch(email):
        raise UsageError(f"email {email!r} is not an address; expected e.g. name@example.org")
    return email


def user_row(conn: Connection, name: str) -> Any:
    """Return the ``gov_users`` row of ``name``; ``UsageError`` listing known names if none."""
    row = conn.execute(select(User).where(User.name == name)).first()
    if row is None:
        get_user(conn, name)  # raises the UsageError that lists the known names
    return row


def _other_enabled_admins(conn: Connection, name: str) -> int:
    """Enabled admins other than ``name``, their rows locked until the transaction ends.

    ``FOR UPDATE`` makes two admins demoting or disabling each other at the same moment
    on PostgreSQL queue instead of both succeeding and leaving no admin (SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers; there the clause is not emitted).
    """
    names = conn.execute(
        select(User.name).where(User.role == "admin", User.disabled_at.is_(None)).with_for_update()
    ).scalars()
    return sum(1 for n in names if n != name)


def add_user(
    engine: Engine,
    *,
    name: str,
    role: str,
    display_name: str | None = None,
    email: str | None = None,
    password: str | None = None,
    principal: Principal,
) -> UserInfo:
    """Add a user.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The migrated store.
    name : str
        Login name, ``^[a-z][a-z0-9._-]{0,63}$``.
    role : str
        One of :data:`fairmark.governance.access.ROLES`.
    display_name : str, optional
        At most 200 characters.
    email : str, optional
        ``local@domain.tld``, at most 320 characters (RFC 5321 limit).
    password : str, optional
        For the web app; 12 to 256 characters and not easy to guess (zxcvbn score 4,
        with ``name``, ``email``, ``display_name``, ``role`` and ``fairmark`` as
        context words, and not only those words with digits and punctuation;
        NIST SP 800-63B 5.1.1.2). Stored as an argon2id hash only.
    principal : Principal
        Needs ``user.manage`` (admin) and every permission of ``role`` its own role can
        hold (:func:`fairmark.governance.access.require_holds`).

    Returns
    -------
    UserInfo

    Raises
    ------
    AccessError
        ``principal`` lacks ``user.manage``, or ``role`` has permissions beyond what it
        holds (a scoped token: all of them named).
    UsageError
        Invalid name, role, display name, email or password; the name is taken.
    StoreError
        The database refuses the write.

    Notes
    -----
    Logged as ``user.add`` with name, role, display name, email and whether a password
    was set (never the password or its hash).
    """
    authorize(principal, "user.manage")
    check_user_name(name)
    check_role(role)
    require_holds(principal, permissions_of(role), f"add user {name!r} with role {role}")
    display_name = _check_optional(display_name, "display name", _MAX_DISPLAY_NAME)
    email = _check_email(email)
    password_hash = (
        None
        if password is None
        else hash_password(password, user=name, related=(email, display_name, role))
    )
    with writing(engine, "add user") as conn:
        ensure_actor(conn, principal)
        if conn.execute(select(User.name).where(User.name == name)).first() is not None:
            raise UsageError(f"user {name!r} exists already; expected a new name")
        now = db_now(conn)  # the store's clock, after the log lock
        conn.execute(
            insert(User).values(
                name=name,
                role=role,
                display_name=display_name,
                email=email,
                password_hash=password_hash,
                created_at=now,
            )
        )
        append_entry(
            conn,
            actor=principal.name,
            action="user.add",
            entity_type="user",
            entity_id=name,
            payload={
                "name": name,
                "role": role,
                "display_name": display_name,
                "email": email,
                "has_password": password_hash is not None,
            },
            at=now,
        )
        return UserInfo.from_row(user_row(conn, name))


def set_password(engine: Engine, name: str, password: str, *, principal: Principal) -> UserInfo:
    """Set (or replace) the web-app password of user ``name``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
    password : str
        12 to 256 characters, not the user name, not easy to guess (zxcvbn score 4,
        with the user's name, email, display name, role and ``fairmark`` as context
        words; NIST SP 800-63B 5.1.1.2,
        :func:`fairmark.governance.passwords.check_password`).
    principal : Principal
        The user themself (needs ``token.own``, which every role holds unless a token's
        scopes exclude it) or an admin (``user.manage`` and every permission of the
        user's role it can hold, :func:`fairmark.governance.access.require_holds`).

    Returns
    -------
    UserInfo

    Raises
    ------
    AccessError
        Someone else's password without ``user.manage``, or of a user whose role has
        permissions beyond what ``principal`` holds (all of them named); the first admin
        of a PostgreSQL store before their first token (who may only create that token).
    UsageError
        Unknown user; the password breaks the policy.
    StoreError

    Notes
    -----
    Logged as ``user.password`` (the name only). Who set the password decides whether a
    token made with it is self-issued (:func:`password_setter`): another user's password
    is set by the actor (an admin), so it gives no self-issued token until the user sets
    their own; one's own password counts as the user's when they proved their current
    password (``via="password"``) or act with their local account or a self-issued token,
    else as set by whoever issued the token acted with (:func:`issuer_of`; the payload
    then adds ``set_by``), so an admin-issued token cannot turn into a self-set password.
    Separation of duties: NIST SP 800-53 AC-5.
    """
    own = name == principal.name
    authorize(principal, "token.own" if own else "user.manage")
    if is_first_token(principal):
        raise AccessError(SERVER_NEEDS_TOKEN + FIRST_TOKEN_HINT)
    what = f"set the password of {name!r}"
    with reading(engine, "read user") as conn:
        row = user_row(conn, name)
        if not own:
            require_holds(principal, permissions_of(row.role), f"{what} (role {row.role})")
    password_hash = hash_password(
        password, user=name, related=(row.email, row.display_name, row.role)
    )
    with writing(engine, "set password") as conn:
        ensure_actor(conn, principal)
        row = user_row(conn, name)
        if not own:
            require_holds(principal, permissions_of(row.role), f"{what} (role {row.role})")
        # proving the current password (via="password") makes the change the user's own
        mine = not own or principal.via == "password"
        set_by = principal.name if mine else issuer_of(conn, principal)
        conn.execute(update(User).where(User.name == name).values(password_hash=password_hash))
        append_entry(
            conn,
            actor=principal.name,
            action="user.password",
            entity_type="user",
            entity_id=name,
            payload={"name": name, **({} if set_by == principal.name else {"set_by": set_by})},
        )
        return UserInfo.from_row(user_row(conn, name))


def password_setter(conn: Connection, name: str) -> str | None:
    """Return who set user ``name``'s current password, from the hash-chained log.

    Parameters
    ----------
    conn : sqlalchemy.Connection
    name : str

    Returns
    -------
    str or None
        The newest ``user.password`` entry of ``name`` (rehashes skipped): its ``set_by``,
        else its actor; or, when ``name`` was added with a password and never changed it,
        the ``user.add`` actor (an admin). ``None`` when the log records no password
        (none was set, or it was written into the database directly).

    Notes
    -----
    Derived from the log, so no column is needed: a password set by someone else than
    ``name`` makes tokens made with it not self-issued (:func:`issuer_of`). Separation of
    duties: NIST SP 800-53 AC-5.
    """
    rows = conn.execute(
        select(LogEntryRow.actor, LogEntryRow.action, LogEntryRow.payload)
        .where(
            LogEntryRow.entity_type == "user",
            LogEntryRow.entity_id == name,
            LogEntryRow.action.in_(("user.add", "user.password")),
        )
        .order_by(LogEntryRow.seq.desc())
    )
    for actor, action, text in rows:
        payload = json.loads(text)
        if action == "user.add":
            return actor if payload.get("has_password") else None
        if payload.get("reason") == "rehash":
            continue  # the same password, hashed anew at its user's login
        return str(payload.get("set_by") or actor)
    return None


def issuer_of(conn: Connection, principal: Principal) -> str:
    """Return who issued the credential ``principal`` acts with (for separation of duties).

    Parameters
    ----------
    conn : sqlalchemy.Connection
    principal : Principal

    Returns
    -------
    str
        Through a token: its issuer (``gov_tokens.created_by``), so a token made with an
        admin-issued token is admin-issued too; logged in with a password: whoever set it
        (:func:`password_setter`; the user themself when the log records nobody else);
        otherwise (the operating-system account on SQLite, the first admin) the
        principal's own name.

    Notes
    -----
    A reviewer decides only with a self-issued token
    (:func:`fairmark.governance.access.require_self_issued`); without this an admin could
    launder one through a token or a password they gave the reviewer. NIST SP 800-53 AC-5.
    """
    if principal.via == "token":
        return principal.issued_by or principal.name
    if principal.via == "password":
        return password_setter(conn, principal.name) or principal.name
    return principal.name


def verify_password(engine: Engine, name: str, password: str) -> bool:
    """Return whether ``password`` is user ``name``'s password (for the web app's login).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name, password : str

    Returns
    -------
    bool
        ``False`` for an unknown or disabled user or one without a password (after the
        same argon2 work, so timing does not tell which). On success with a hash made with
        older parameters, the hash is replaced by a new one (logged as ``user.password``
        with ``reason: rehash``).

    Raises
    ------
    StoreError
        The store cannot be read or written.
    """
    with reading(engine, "verify password") as conn:
        row = conn.execute(
            select(User.password_hash, User.disabled_at).where(User.name == name)
        ).first()
    if row is None or row.password_hash is None:
        dummy_verify(password)
        return False
    ok = verify_hash(row.password_hash, password)
    if not ok or row.disabled_at is not None:
        return False
    if needs_rehash(row.password_hash):
        fresh = rehash_password(password)
        with writing(engine, "rehash password") as conn:
            conn.execute(
                update(User)
                .where(User.name == name, User.password_hash == row.password_hash)
                .values(password_hash=fresh)
            )
            append_entry(
                conn,
                actor=name,
                action="user.password",
                entity_type="user",
                entity_id=name,
                payload={"name": name, "reason": "rehash"},
            )
    return True


def set_role(engine: Engine, name: str, role: str, *, principal: Principal) -> UserInfo:
    """Change the role of user ``name``.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
    role : str
        One of :data:`fairmark.governance.access.ROLES`.
    principal : Principal
        Needs ``user.manage`` (admin) and every permission of the old and the new role
        that its own role can hold (:func:`fairmark.governance.access.require_holds`).

    Returns
    -------
    UserInfo

    Raises
    ------
    AccessError
        ``principal`` lacks ``user.manage``, or either role has permissions beyond what
        it holds (all of them named).
    UsageError
        Unknown user or role; the user has that role already; ``name`` is the last
        enabled admin and ``role`` is not ``admin`` (a store must keep one, NIST SP 800-53
        AC-2); ``role`` is not in :data:`OWNER_ROLES` while ``name`` owns a system that is
        not retired (the systems are named; hand them over first with ``fairmark system
        update NAME --owner OTHER``).
    StoreError

    Notes
    -----
    Logged as ``user.role`` with the old and the new role. A system's accountable owner
    keeps role owner or admin for as long as the system is not retired (ISO/IEC
    42001:2023 clause 5.3; EU AI Act Art. 26(2), human oversight by persons with the
    necessary authority). Disabling an owner stays allowed (:func:`disable_user`).
    """
    authorize(principal, "user.manage")
    check_role(role)
    with writing(engine, "change role") as conn:
        ensure_actor(conn, principal)
        row = user_row(conn, name)
        if row.role == role:
            raise UsageError(f"user {name!r} has role {role} already; expected another role")
        require_holds(
            principal,
            permissions_of(row.role) | permissions_of(role),
            f"change the role of {name!r} from {row.role} to {role}",
        )
        if (
            row.role == "admin"
            and row.disabled_at is None
            and _other_enabled_admins(conn, name) == 0
        ):
            raise UsageError(
                f"user {name!r} is the last enabled admin; expected another admin first "
                "('fairmark user add NAME --role admin')"
            )
        if role not in OWNER_ROLES:
            _refuse_owner_demotion(conn, name, role)
        conn.execute(update(User).where(User.name == name).values(role=role))
        append_entry(
            conn,
            actor=principal.name,
            action="user.role",
            entity_type="user",
            entity_id=name,
            payload={"name": name, "role": role, "previous_role": row.role},
        )
        return UserInfo.from_row(user_row(conn, name))


def _refuse_owner_demotion(conn: Connection, name: str, role: str) -> None:
    """Refuse role ``role`` (not owner/admin) while ``name`` owns a system not yet retired."""
    owned = (
        conn.execute(
            select(SystemRow.name)
            .where(SystemRow.owner == name, SystemRow.status != "retired")
            .order_by(SystemRow.name)
        )
        .scalars()
        .all()
    )
    if owned:
        many = len(owned) > 1
        raise UsageError(
            f"user {name!r} owns AI system{'s' if many else ''} {', '.join(owned)}, and a "
            f"system's owner has role owner or admin, not {role}; expected "
            f"{'them' if many else 'it'} handed over first ('fairmark system update NAME "
            "--owner OTHER')"
        )


def disable_user(engine: Engine, name: str, *, principal: Principal) -> UserInfo:
    """Disable user ``name``: they can no longer act, and every token of theirs is revoked.

    The user row stays, so the audit log and past decisions keep naming a known user.
    The tokens are revoked in the same transaction, so :func:`enable_user` later brings
    back the user but none of the tokens: those may have leaked while the account was
    disabled (often the reason for disabling it); the user makes new ones.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
    principal : Principal
        Needs ``user.manage`` (admin) and every permission of the user's role that its
        own role can hold (:func:`fairmark.governance.access.require_holds`).

    Returns
    -------
    UserInfo

    Raises
    ------
    AccessError
        ``principal`` lacks ``user.manage``, or the user's role has permissions beyond
        what it holds (all of them named).
    UsageError
        Unknown user; already disabled; ``name`` is the last enabled admin.
    StoreError

    Notes
    -----
    Logged as ``user.disable``, then one ``token.revoke`` per token not yet revoked
    (payload ``{"token_id", "user", "reason": "user.disable"}``; expired tokens too), all
    at the same time. NIST SP 800-53 AC-2 (disable, not delete, accounts). A system's
    owner may be disabled (unlike :func:`set_role`, which refuses demoting them): a
    leaked or departed account must be stoppable at once; the systems keep naming the
    disabled owner until handed over (``fairmark system update NAME --owner OTHER``).
    """
    authorize(principal, "user.manage")
    with writing(engine, "disable user") as conn:
        ensure_actor(conn, principal)
        row = user_row(conn, name)
        if row.disabled_at is not None:
            raise UsageError(
                f"user {name!r} was already disabled at {fmt_time(row.disabled_at)}; "
                "expected an enabled user"
            )
        require_holds(principal, permissions_of(row.role), f"disable {name!r} (role {row.role})")
        if row.role == "admin" and _other_enabled_admins(conn, name) == 0:
            raise UsageError(
                f"user {name!r} is the last enabled admin; expected another admin first "
                "('fairmark user add NAME --role admin')"
            )
        now = db_now(conn)  # the store's clock, after the log lock
        conn.execute(update(User).where(User.name == name).values(disabled_at=now))
        append_entry(
            conn,
            actor=principal.name,
            action="user.disable",
            entity_type="user",
            entity_id=name,
            payload={"name": name},
            at=now,
        )
        _revoke_all_tokens(conn, name, actor=principal.name, now=now)
        return UserInfo.from_row(user_row(conn, name))


def _revoke_all_tokens(conn: Connection, name: str, *, actor: str, now: datetime) -> None:
    """Revoke every token of ``name`` not yet revoked, each logged as ``token.revoke``.

    Expired tokens too: their expiry is one database column, a revocation is also in the
    hash-chained log (:func:`fairmark.governance.identity.resolve_principal` checks both).
    """
    token_ids = (
        conn.execute(
            select(Token.token_id)
            .where(Token.user_name == name, Token.revoked_at.is_(None))
            .order_by(Token.created_at, Token.token_id)
        )
        .scalars()
        .all()
    )
    for token_id in token_ids:
        conn.execute(update(Token).where(Token.token_id == token_id).values(revoked_at=now))
        append_entry(
            conn,
            actor=actor,
            action="token.revoke",
            entity_type="token",
            entity_id=token_id,
            payload={"token_id": token_id, "user": name, "reason": "user.disable"},
            at=now,
        )


def enable_user(engine: Engine, name: str, *, principal: Principal) -> UserInfo:
    """Enable a disabled user again.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    name : str
    principal : Principal
        Needs ``user.manage`` (admin) and every permission of the user's role that its
        own role can hold (:func:`fairmark.governance.access.require_holds`).

    Returns
    -------
    UserInfo

    Raises
    ------
    AccessError
        ``principal`` lacks ``user.manage``, or the user's role has permissions beyond
        what it holds (all of them named).
    UsageError
        Unknown user; the user is enabled.
    StoreError

    Notes
    -----
    Logged as ``user.enable``. The user's tokens stay revoked (:func:`disable_user`
    revoked them all); the user creates new ones.
    """
    authorize(principal, "user.manage")
    with writing(engine, "enable user") as conn:
        ensure_actor(conn, principal)
        row = user_row(conn, name)
        if row.disabled_at is None:
            raise UsageError(f"user {name!r} is enabled already; expected a disabled user")
        require_holds(principal, permissions_of(row.role), f"enable {name!r} (role {row.role})")
        conn.execute(update(User).where(User.name == name).values(disabled_at=None))
        append_entry(
            conn,
            actor=principal.name,
            action="user.enable",
            entity_type="user",
            entity_id=name,
            payload={"name": name},
        )
        return UserInfo.from_row(user_row(conn, name))


@dataclass(frozen=True)
class UserProfile:
    """One user's full record (``fairmark user show``).

    Attributes
    ----------
    user : UserInfo
    tokens : tuple of TokenInfo
        Newest first, revoked and expired ones included.
    training : tuple of TrainingInfo
        Newest completion first.
    current_training : TrainingInfo or None
        The record current on ``on`` (:func:`fairmark.governance.identity.current_training`).
    on : date
        The day judged.
    """

    user: UserInfo
    tokens: tuple[TokenInfo, ...]
    training: tuple[TrainingInfo, ...]
    current_training: TrainingInfo | None
    on: date

    @property
    def ai_literacy_current(self) -> bool:
        """Whether a current AI-literacy training record is held (EU AI Act Art. 4)."""
        return self.current_training is not None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (never a hash)."""
        return {
            "user": self.user.to_dict(),
            "tokens": [t.to_dict() for t in self.tokens],
            "training": [t.to_dict() for t in self.training],
            "current_training": (
                None if self.current_training is None else self.current_training.to_dict()
            ),
            "ai_literacy_current": self.ai_literacy_current,
            "on": self.on.isoformat(),
        }


def show_user(
    engine: Engine | Connection, name: str, *, principal: Principal, on: date | None = None
) -> UserProfile:
    """Return user ``name`` with their tokens and training records.

    Parameters
    ----------
    engine : sqlalchemy.Engine or sqlalchemy.Connection
    name : str
    principal : Principal
        The user themself, or ``user.read`` (admin, auditor).
    on : date, optional
        Day for the current-training judgement (default: today, UTC, by the store's
        clock, :func:`fairmark.governance.clock.db_now`).

    Returns
    -------
    UserProfile

    Raises
    ------
    AccessError
        Another user's record without ``user.read``.
    UsageError
        Unknown user.
    """
    if name != principal.name:
        authorize(principal, "user.read")
    with reading(engine, "read user") as conn:
        as_of = db_now(conn)  # the store's clock, not the client's
        on = as_of.date() if on is None else on
        user = get_user(conn, name)
        tokens = conn.execute(
            select(Token)
            .where(Token.user_name == name)
            .order_by(Token.created_at.desc(), Token.token_id)
        ).all()
        training = conn.execute(
            select(TrainingRecord)
            .where(TrainingRecord.user_name == name)
            .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.recorded_at.desc())
        ).all()
        current = current_training(conn, name, on)
    return UserProfile(
        user=user,
        tokens=tuple(TokenInfo.from_row(r, as_of=as_of) for r in tokens),
        training=tuple(TrainingInfo.from_row(r) for r in training),
        current_training=current,
        on=on,
    )
