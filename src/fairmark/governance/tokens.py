"""Scoped API tokens: create (the secret shown once), revoke, list.

A token reads ``fmk_<token_id>_<secret>``: ``token_id`` is 16 public hex digits (shown in
lists, used to revoke), ``secret`` is ``secrets.token_urlsafe(32)`` (256 random bits).
Only the SHA-256 of the whole string is stored; the token itself is returned once, by
:func:`create_token`, and never logged. A token's scopes narrow its user's role: it can
never do what the role cannot (:func:`fairmark.governance.access.authorize`). A token made
while acting through a token can do no more, and lives no longer, than that token
(:func:`create_token`); disabling a user revokes their tokens
(:func:`fairmark.governance.users.disable_user`).

Sources: NIST SP 800-63B section 5.1.2 (look-up secrets: at least 64 bits of entropy,
stored hashed), OWASP REST Security Cheat Sheet (scoped, expiring API keys); GitHub's
fine-grained personal access tokens for the ``prefix_id_secret`` shape that makes a leaked
token easy to recognise.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, Engine, insert, select, update

from fairmark.errors import UsageError
from fairmark.governance.access import (
    PERMISSIONS,
    SCOPE_ALIASES,
    SERVER_NEEDS_TOKEN,
    AccessError,
    Principal,
    authorize,
    effective_permissions,
    holding,
    is_first_token,
    permissions_of,
    require_holds,
)
from fairmark.governance.chain import append_entry
from fairmark.governance.clock import db_now
from fairmark.governance.identity import (
    INVALID_TOKEN,
    TOKEN_PREFIX,
    TokenInfo,
    ensure_actor,
    first_token_allowed,
    fmt_time,
    hash_token,
)
from fairmark.governance.users import issuer_of, reading, user_row, writing
from fairmark.store.models_governance import Token

__all__ = [
    "DEFAULT_EXPIRY",
    "DEFAULT_EXPIRY_DAYS",
    "MAX_EXPIRY_DAYS",
    "VALID_SCOPES",
    "create_token",
    "list_tokens",
    "revoke_token",
]

DEFAULT_EXPIRY_DAYS = 90
"""Days a token is valid unless told otherwise (and not acting through a token that
expires sooner: see :data:`DEFAULT_EXPIRY`)."""

DEFAULT_EXPIRY: Literal["default"] = "default"
"""``expires_in_days`` of :func:`create_token` when the caller gave none:
:data:`DEFAULT_EXPIRY_DAYS`, but acting through a token, no later than that token expires
(an explicit number of days is refused instead when it would outlive the acting token)."""

MAX_EXPIRY_DAYS = 3650
"""Longest expiry accepted (ten years); ``None`` means never (not recommended)."""

VALID_SCOPES: tuple[str, ...] = (*sorted(SCOPE_ALIASES), *sorted(PERMISSIONS))
"""Scopes a token may carry: the aliases ``*`` and ``read``, then every permission."""

_MAX_LABEL = 200


def _effective(scopes: Iterable[str], role: str) -> frozenset[str]:
    """Permissions a principal of ``role`` holds through ``scopes``."""
    allowed: set[str] = set()
    for scope in scopes:
        allowed |= SCOPE_ALIASES.get(scope, frozenset({scope}))
    return frozenset(allowed) & permissions_of(role)


def _check_scopes(scopes: Iterable[str], *, role: str, user: str) -> tuple[str, ...]:
    if isinstance(scopes, str):
        scopes = (scopes,)
    wanted = tuple(dict.fromkeys(scopes))
    if not wanted:
        raise UsageError(f"no scope given; expected one or more of: {', '.join(VALID_SCOPES)}")
    unknown = [s for s in wanted if s not in VALID_SCOPES]
    if unknown:
        raise UsageError(
            f"unknown scope {unknown[0]!r}; expected one of: {', '.join(VALID_SCOPES)}"
        )
    beyond = [s for s in wanted if s in PERMISSIONS and s not in permissions_of(role)]
    if beyond:
        raise UsageError(
            f"scope {beyond[0]} is beyond the role {role} of user {user!r}; a token narrows "
            f"its user's permissions, expected one of: "
            f"{', '.join(sorted(SCOPE_ALIASES) + sorted(permissions_of(role)))}"
        )
    return tuple(sorted(wanted))


def _check_expiry(expires_in_days: int | str | None) -> int | None:
    if expires_in_days is None:
        return None
    if (
        isinstance(expires_in_days, bool)
        or not isinstance(expires_in_days, int)
        or not 1 <= expires_in_days <= MAX_EXPIRY_DAYS
    ):
        raise UsageError(
            f"token expiry {expires_in_days!r} days is not allowed; expected 1 to "
            f"{MAX_EXPIRY_DAYS} days, or no expiry"
        )
    return expires_in_days


def _check_within_scopes(principal: Principal, wanted: Iterable[str], *, role: str) -> None:
    """Refuse a new token (for a user of ``role``) that could do more than its creator.

    Compares effective permissions: the new token's scopes within its user's role against
    what the principal holds (:func:`fairmark.governance.access.effective_permissions`:
    its role, narrowed by the scopes of the token it acts with), so ``*`` for a viewer is
    within an admin's ``*``, ``review.decide`` is beyond every admin, and nothing is within
    a token scoped ``user.manage`` alone except ``user.manage`` (for an admin).
    """
    held = effective_permissions(principal)
    extra = sorted(_effective(wanted, role) - held)
    if extra:
        many = len(extra) > 1
        allowed = sorted(held & permissions_of(role))
        raise UsageError(
            f"scope{'s' if many else ''} {', '.join(extra)} {'are' if many else 'is'} beyond "
            f"what you hold ({holding(principal)}); a token cannot do more than whoever "
            f"creates it, expected at most: {', '.join(allowed) or 'nothing'}"
        )


def _check_within_expiry(
    conn: Connection, principal: Principal, expires_at: datetime | None, now: datetime
) -> None:
    """Refuse a new token that would outlive the token ``principal`` acts with."""
    acting = conn.execute(
        select(Token.expires_at).where(Token.token_id == principal.token_id)
    ).first()
    if acting is None:  # deleted since it was resolved
        raise AccessError(INVALID_TOKEN)
    limit = acting.expires_at
    if limit is None or (expires_at is not None and expires_at <= limit):
        return
    days = (limit - now) // timedelta(days=1)
    hint = (
        f"--expires-days {days} or fewer"
        if days >= 1
        else "another token or your password (--password-stdin), as it expires within a day"
    )
    show = fmt_time
    if expires_at is not None and fmt_time(expires_at) == fmt_time(limit):
        show = _fmt_micro  # later within the same second: show the difference
    wanted = "never expire" if expires_at is None else f"expire at {show(expires_at)}"
    raise UsageError(
        f"the new token would {wanted}, after the token you act with "
        f"({TOKEN_PREFIX}{principal.token_id}) expires at {show(limit)}; a token cannot "
        f"create one that outlives it, expected {hint}"
    )


def _acting_expiry(conn: Connection, principal: Principal) -> datetime | None:
    """When the token ``principal`` acts with expires (``None``: never, or no token)."""
    if principal.token_id is None:
        return None
    acting = conn.execute(
        select(Token.expires_at).where(Token.token_id == principal.token_id)
    ).first()
    if acting is None:  # deleted since it was resolved
        raise AccessError(INVALID_TOKEN)
    return acting.expires_at


def _fmt_micro(value: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS.ffffff UTC`` (for two times within one second)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


def create_token(
    engine: Engine,
    *,
    user: str,
    scopes: Iterable[str] | None = None,
    expires_in_days: int | Literal["default"] | None = DEFAULT_EXPIRY,
    label: str | None = None,
    principal: Principal,
) -> tuple[TokenInfo, str]:
    """Create an API token for ``user`` and return it (the only time it is shown).

    Parameters
    ----------
    engine : sqlalchemy.Engine
    user : str
        Whose token it is; must be an enabled user.
    scopes : iterable of str, optional
        Permission names of :data:`fairmark.governance.access.PERMISSIONS` the user's role
        holds, or the aliases ``*`` (everything the role may do) and ``read`` (the role's
        read permissions). Default: ``*`` for one's own token; for another user's, the
        permissions both their role and ``principal`` hold, stored as explicit scopes (so
        an admin-issued token for a reviewer has no ``review.decide``, and a later
        promotion of the user does not widen it).
    expires_in_days : int or None or "default", default :data:`DEFAULT_EXPIRY`
        1 to 3650 days; ``None``: never expires (a leaked token then works until revoked).
        :data:`DEFAULT_EXPIRY` (none given): :data:`DEFAULT_EXPIRY_DAYS` (90), but acting
        through a token that expires sooner, exactly when that token expires (the log
        payload then adds ``expires_with``, the acting token's id). A number given is
        never shortened: one that would outlive the acting token is refused.
    label : str, optional
        What the token is for (at most 200 characters).
    principal : Principal
        ``user`` themself (``token.own``) or an admin (``user.manage``). Acting through a
        token, nobody creates a token (their own or another user's) that could do more
        or live longer than the acting token: the new token's effective permissions (its
        scopes within its user's role) must be among the acting token's (its scopes
        within the acting user's role), and it must expire no later than the acting
        token (a token that never expires only from one that never expires). Otherwise
        a leaked, short-lived or narrow token would mint a lasting or wider one (NIST
        SP 800-53 AC-6, least privilege; as RFC 6749 section 6 forbids a refreshed
        OAuth token any scope not originally granted). Exception: the first admin of a
        PostgreSQL store before their first token
        (:func:`fairmark.governance.access.is_first_token`) may create their own token
        with any scope, ``*`` included: the same trust the bootstrap places in the
        operating-system account, checked again inside the write transaction
        (:func:`fairmark.governance.identity.first_token_allowed`). A user who logged in
        with their password (``via="password"``) acts with their role's permissions.
        Every principal (a token or not) gives a token no more than it holds, and
        another user's token needs every permission of that user's role that the acting
        role can hold (:func:`fairmark.governance.access.require_holds`). The token's
        ``created_by`` is who issued the acting credential
        (:func:`fairmark.governance.users.issuer_of`): through a token, that token's
        ``created_by``; logged in with a password, whoever set it. So only the local
        account (SQLite), a password the user set themself, or a self-issued token makes
        a self-issued token (separation of duties, NIST SP 800-53 AC-5).

    Returns
    -------
    (TokenInfo, str)
        The stored token (without secret) and the token string ``fmk_<id>_<secret>``.

    Raises
    ------
    AccessError
        Another user's token without ``user.manage``, or for a user whose role has
        permissions beyond what ``principal`` holds (all of them named); a first-token
        principal whose first token exists by now (or who got a password, or lost the
        admin role); the acting token was deleted meanwhile.
    UsageError
        Unknown or disabled user; unknown scope (the valid ones are listed); a scope
        beyond the user's role; scopes beyond what ``principal`` holds (all of them
        named);
        an expiry after the acting token's (both times named, and the most
        ``--expires-days`` allowed); expiry out of range; bad label.
    StoreError

    Notes
    -----
    Logged as ``token.create`` with token id, user, scopes, label and expiry (never the
    token or its hash), plus ``first_token: true`` in the first-token case and
    ``issued_by`` when the issuer is not the actor, and ``expires_with`` when the default
    expiry was clamped to the acting token's.
    """
    own = user == principal.name
    authorize(principal, "token.own" if own else "user.manage")
    default_expiry = isinstance(expires_in_days, str) and expires_in_days == DEFAULT_EXPIRY
    expires_in_days = DEFAULT_EXPIRY_DAYS if default_expiry else _check_expiry(expires_in_days)
    if label is not None and (not isinstance(label, str) or len(label) > _MAX_LABEL):
        raise UsageError(f"token label is not text of at most {_MAX_LABEL} characters")
    token_id = secrets.token_hex(8)
    token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    with writing(engine, "create token") as conn:
        ensure_actor(conn, principal)
        row = user_row(conn, user)
        if row.disabled_at is not None:
            raise UsageError(f"user {user!r} is disabled; expected an enabled user")
        first = is_first_token(principal)
        if first and not (own and first_token_allowed(conn, principal.name)):
            raise AccessError(SERVER_NEEDS_TOKEN)
        if not own:
            what = f"create a token for {user!r} (role {row.role})"
            require_holds(principal, permissions_of(row.role), what)
        if scopes is None and not own:
            scopes = sorted(effective_permissions(principal) & permissions_of(row.role))
        wanted = _check_scopes(("*",) if scopes is None else scopes, role=row.role, user=user)
        if not first:
            _check_within_scopes(principal, wanted, role=row.role)
        issuer = principal.name if first else issuer_of(conn, principal)
        now = db_now(conn)  # the store's clock, after the log lock
        expires_at = None if expires_in_days is None else now + timedelta(days=expires_in_days)
        expires_with = None
        if default_expiry and principal.token_id is not None:
            limit = _acting_expiry(conn, principal)
            if limit is not None and expires_at is not None and limit < expires_at:
                expires_at, expires_with = limit, principal.token_id
        if principal.token_id is not None:
            _check_within_expiry(conn, principal, expires_at, now)
        conn.execute(
            insert(Token).values(
                token_id=token_id,
                user_name=user,
                token_hash=hash_token(token),
                scopes=list(wanted),
                label=label,
                created_by=issuer,
                created_at=now,
                expires_at=expires_at,
            )
        )
        append_entry(
            conn,
            actor=principal.name,
            action="token.create",
            entity_type="token",
            entity_id=token_id,
            payload={
                "token_id": token_id,
                "user": user,
                "scopes": list(wanted),
                "label": label,
                "expires_at": None if expires_at is None else expires_at.isoformat(),
                **({"first_token": True} if first else {}),
                **({} if issuer == principal.name else {"issued_by": issuer}),
                **({} if expires_with is None else {"expires_with": expires_with}),
            },
            at=now,
        )
        info = TokenInfo.from_row(
            conn.execute(select(Token).where(Token.token_id == token_id)).one(), as_of=now
        )
    return info, token


def _token_id(value: str) -> str:
    """Accept ``<id>``, ``fmk_<id>`` or a whole token; return the id."""
    if not isinstance(value, str) or not value.strip():
        raise UsageError("no token id given; expected one from 'fairmark user token list'")
    value = value.strip()
    if value.startswith(TOKEN_PREFIX):
        value = value[len(TOKEN_PREFIX) :].partition("_")[0]
    return value


def revoke_token(engine: Engine, token_id: str, *, principal: Principal) -> TokenInfo:
    """Revoke a token: it stops working at once.

    Parameters
    ----------
    engine : sqlalchemy.Engine
    token_id : str
        The id (``fmk_`` prefix optional) from ``fairmark user token list``.
    principal : Principal
        The token's user (``token.own``) or an admin (``user.manage``).

    Returns
    -------
    TokenInfo

    Raises
    ------
    AccessError
        Another user's token without ``user.manage``.
    UsageError
        Unknown token id; already revoked (``already revoked at …``).
    StoreError

    Notes
    -----
    Logged as ``token.revoke``.
    """
    authorize(principal, "token.own")
    tid = _token_id(token_id)
    with writing(engine, "revoke token") as conn:
        ensure_actor(conn, principal)
        row = conn.execute(select(Token).where(Token.token_id == tid)).first()
        if row is None:
            raise UsageError(
                f"no token {TOKEN_PREFIX}{tid}; expected an id from 'fairmark user token list'"
            )
        if row.user_name != principal.name:
            authorize(principal, "user.manage")
        if row.revoked_at is not None:
            raise UsageError(
                f"token {TOKEN_PREFIX}{tid} was already revoked at {fmt_time(row.revoked_at)}; "
                "expected an active token"
            )
        now = db_now(conn)  # the store's clock, after the log lock
        conn.execute(update(Token).where(Token.token_id == tid).values(revoked_at=now))
        append_entry(
            conn,
            actor=principal.name,
            action="token.revoke",
            entity_type="token",
            entity_id=tid,
            payload={"token_id": tid, "user": row.user_name},
            at=now,
        )
        row = conn.execute(select(Token).where(Token.token_id == tid)).one()
        return TokenInfo.from_row(row, as_of=now)


def list_tokens(
    engine: Engine | Connection, *, user: str | None = None, principal: Principal
) -> list[TokenInfo]:
    """Return tokens, newest first (revoked and expired included; never secrets).

    Parameters
    ----------
    engine : sqlalchemy.Engine or sqlalchemy.Connection
    user : str, optional
        Only this user's tokens. Default: every token for ``user.read`` (admin, auditor),
        else the principal's own.
    principal : Principal
        Own tokens: ``token.own``; others': ``user.read``.

    Returns
    -------
    list of TokenInfo

    Raises
    ------
    AccessError
        Another user's tokens without ``user.read``.
    UsageError
        Unknown user.
    """
    if user is None:
        user = None if principal.can("user.read") else principal.name
    if user == principal.name:
        authorize(principal, "token.own")
    elif user is not None:
        authorize(principal, "user.read")
    with reading(engine, "list tokens") as conn:
        query = select(Token).order_by(Token.created_at.desc(), Token.token_id)
        if user is not None:
            user_row(conn, user)
            query = query.where(Token.user_name == user)
        now = db_now(conn)
        return [TokenInfo.from_row(r, as_of=now) for r in conn.execute(query).all()]
