"""Who may do what: roles, permissions, the acting principal, and the one authorisation check.

Five roles (ISO/IEC 42001:2023 clause 5.3, roles and responsibilities; separation of duties
after NIST SP 800-53 AC-5):

``admin``
    Manages users, tokens and training records, assigns reviewers, may act on any system.
``owner``
    Accountable owner of AI systems: registers, updates, classifies and submits *their own*
    systems for review, records their audit runs, exports their evidence.
``reviewer``
    Member of the ethics committee: comments, decides on reviews they are assigned to
    (never on a system they own or submitted), closes conditions. Must hold a current
    AI-literacy training record (EU AI Act Art. 4).
``auditor``
    Read-only, including the audit log and evidence bundles (an internal or external
    auditor).
``viewer``
    Reads the inventory, reviews and gate results.

Every command and API call names one permission from :data:`PERMISSIONS` and calls
:func:`authorize` before it changes or reads anything. A token narrows its user's
permissions to the token's scopes, never widens them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairmark.errors import FairmarkError

__all__ = [
    "FIRST_TOKEN_HINT",
    "FIRST_TOKEN_SCOPES",
    "OWNED_PERMISSIONS",
    "PERMISSIONS",
    "ROLES",
    "SCOPE_ALIASES",
    "SERVER_NEEDS_TOKEN",
    "AccessError",
    "Principal",
    "authorize",
    "effective_permissions",
    "holding",
    "is_first_token",
    "permissions_of",
    "require_holds",
    "require_self_issued",
]

ROLES: tuple[str, ...] = ("admin", "owner", "reviewer", "auditor", "viewer")
"""The roles, most to least privileged."""

_ALL = frozenset(ROLES)

PERMISSIONS: dict[str, frozenset[str]] = {
    # inventory
    "system.read": _ALL,
    "system.write": frozenset({"admin", "owner"}),
    # review workflow
    "review.read": _ALL,
    "review.submit": frozenset({"admin", "owner"}),
    "review.assign": frozenset({"admin"}),
    "review.comment": frozenset({"admin", "owner", "reviewer"}),
    "review.decide": frozenset({"reviewer"}),
    "review.close_condition": frozenset({"admin", "reviewer"}),
    "gate.check": _ALL,
    # audit runs and privacy records
    "run.read": _ALL,
    "run.write": frozenset({"admin", "owner"}),
    "privacy.write": frozenset({"admin", "owner"}),
    # consent ledger and data subject requests (a privacy officer has role admin)
    "consent.import": frozenset({"admin", "owner"}),
    # a data subject's consent is personal data (GDPR Art. 4(1)): not reviewers or viewers
    "consent.read": frozenset({"admin", "owner", "auditor"}),
    "dsr.handle": frozenset({"admin", "owner"}),
    # audit trail and evidence
    "log.read": frozenset({"admin", "auditor", "owner", "reviewer"}),
    "log.checkpoint": frozenset({"admin"}),
    "evidence.export": frozenset({"admin", "auditor", "owner"}),
    # people
    "user.read": frozenset({"admin", "auditor"}),
    "user.manage": frozenset({"admin"}),
    "token.own": _ALL,
}
"""``permission -> roles holding it``."""

OWNED_PERMISSIONS: frozenset[str] = frozenset(
    {"system.write", "review.submit", "evidence.export", "run.write"}
)
"""Permissions an ``owner`` holds only for the systems they own (admins for every system)."""

SCOPE_ALIASES: dict[str, frozenset[str]] = {
    "read": frozenset(
        {"system.read", "review.read", "gate.check", "run.read", "log.read", "user.read"}
    ),
    "*": frozenset(PERMISSIONS),
}
"""Token scope shortcuts: ``read`` (every read permission but ``consent.read``, which is
personal data and is named on its own) and ``*`` (all of the role's)."""


FIRST_TOKEN_SCOPES: frozenset[str] = frozenset({"token.own"})
"""Scopes of the first admin of a PostgreSQL store before their first token exists.

:func:`fairmark.governance.identity.resolve_principal` gives the operating-system account
these scopes when it is an enabled admin that never had a token and has no password, so
that it can run ``fairmark user token create`` for itself, and nothing else.
"""

SERVER_NEEDS_TOKEN = (
    "this PostgreSQL store has users: set FAIRMARK_TOKEN or --token to a token from "
    "'fairmark user token create' (account names are not proof of identity on a "
    "shared server)"
)
"""The refusal when a PostgreSQL store with users is used without a token."""

FIRST_TOKEN_HINT = (
    "; as its first admin without a token yet, run 'fairmark user token create' first"
)
"""Added to :data:`SERVER_NEEDS_TOKEN` for the first admin before their first token."""


class AccessError(FairmarkError, PermissionError):
    """The acting user may not do this (role, ownership, token scope, expired token).

    Exit code 2, like any other refused request; the message names the user, their role
    and what the action needs.
    """


@dataclass(frozen=True)
class Principal:
    """The user a command or API call acts as.

    Attributes
    ----------
    name : str
        The user's name (``gov_users.name``).
    role : str
        One of :data:`ROLES`.
    via : str
        How the identity was established: ``local`` (the operating-system account on a
        store without users, or a registered user of a local SQLite store), ``token``
        (an API token), ``password`` (a user who proved their password with
        :func:`fairmark.governance.identity.login`, to create their own token) or
        ``bootstrap`` (the first admin, created automatically).
    scopes : frozenset of str or None
        The token's permissions; ``None`` when not acting through a token (except the
        first admin of a PostgreSQL store before their first token:
        :data:`FIRST_TOKEN_SCOPES`).
    token_id : str or None
    issued_by : str or None
        Who created the token (``gov_tokens.created_by``); ``None`` when not acting
        through a token. A token issued by someone else (an admin provisioning it)
        cannot decide reviews, close conditions or comment: :func:`require_self_issued`.
    """

    name: str
    role: str
    via: str = "local"
    scopes: frozenset[str] | None = None
    token_id: str | None = None
    issued_by: str | None = None

    def can(self, permission: str, *, owner: str | None = None) -> bool:
        """Return whether this principal holds ``permission`` (for a system of ``owner``)."""
        try:
            authorize(self, permission, owner=owner)
        except AccessError:
            return False
        return True


def is_first_token(principal: Principal) -> bool:
    """Return whether ``principal`` is a PostgreSQL store's first admin before any token.

    That principal acts through the operating-system account (``via="local"``, no token)
    with :data:`FIRST_TOKEN_SCOPES` only (see
    :func:`fairmark.governance.identity.resolve_principal`).
    """
    return (
        principal.via == "local"
        and principal.token_id is None
        and principal.scopes == FIRST_TOKEN_SCOPES
    )


def require_self_issued(principal: Principal, action: str) -> None:
    """Refuse a token that someone else (an admin) issued for ``principal``.

    An admin may create tokens for other users (provisioning for reading or owner work),
    but a decision, a condition closed or a comment made through such a token could have
    been made by the admin in the user's name: separation of duties would be void. The
    issuer carries over: a token made with an admin-issued token, or with a password an
    admin set, is recorded as issued by that admin
    (:func:`fairmark.governance.users.issuer_of`).

    Parameters
    ----------
    principal : Principal
    action : str
        What is refused, as a verb phrase after the role (``decides``, ``closes
        conditions``, ``comments``).

    Raises
    ------
    AccessError
        ``principal.via == "token"`` and ``principal.issued_by != principal.name``.

    Notes
    -----
    Separation of duties: NIST SP 800-53 AC-5; ISO/IEC 42001:2023 clause 5.3.
    """
    if principal.via != "token" or principal.issued_by == principal.name:
        return
    article = "an" if principal.role[:1] in "aeiou" else "a"
    raise AccessError(
        f"token fmk_{principal.token_id} of {principal.name!r} was issued by "
        f"{principal.issued_by!r}; {article} {principal.role} {action} with a token they "
        "created themselves (fairmark user token create --password-stdin)"
    )


def permissions_of(role: str) -> frozenset[str]:
    """Return the permissions of ``role``.

    Raises
    ------
    AccessError
        ``role`` is not one of :data:`ROLES`.
    """
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return frozenset(p for p, roles in PERMISSIONS.items() if role in roles)


def authorize(principal: Principal, permission: str, *, owner: str | None = None) -> None:
    """Refuse unless ``principal`` holds ``permission``.

    Parameters
    ----------
    principal : Principal
    permission : str
        A key of :data:`PERMISSIONS`.
    owner : str, optional
        The accountable owner of the system acted on; for :data:`OWNED_PERMISSIONS` an
        ``owner`` must be that user.

    Raises
    ------
    AccessError
        One line naming the user, the role and what is needed: the role lacks the
        permission, the token's scopes exclude it, or an owner acts on another owner's
        system.
    KeyError
        ``permission`` is not a known permission (a programming error, not user input).
    """
    roles = PERMISSIONS[permission]
    who = f"user {principal.name!r} (role {principal.role})"
    if principal.role not in roles:
        raise AccessError(f"{who} may not {permission}; it needs role {' or '.join(sorted(roles))}")
    if principal.scopes is not None:
        if is_first_token(principal) and permission not in FIRST_TOKEN_SCOPES:
            raise AccessError(SERVER_NEEDS_TOKEN + FIRST_TOKEN_HINT)
        allowed: set[str] = set()
        for scope in principal.scopes:
            allowed |= SCOPE_ALIASES.get(scope, frozenset({scope}))
        if permission not in allowed:
            raise AccessError(
                f"{who}: token {principal.token_id} is not scoped for {permission}; "
                f"its scopes are {', '.join(sorted(principal.scopes)) or 'none'}"
            )
    if (
        permission in OWNED_PERMISSIONS
        and principal.role == "owner"
        and owner is not None
        and owner != principal.name
    ):
        raise AccessError(
            f"{who} may not {permission} for a system owned by {owner!r}; "
            "expected the system's owner or an admin"
        )


def effective_permissions(principal: Principal) -> frozenset[str]:
    """Return what ``principal`` may do: its role's permissions, narrowed by token scopes.

    Parameters
    ----------
    principal : Principal

    Returns
    -------
    frozenset of str
        :func:`permissions_of` the role, intersected with the scopes (aliases of
        :data:`SCOPE_ALIASES` expanded) when the principal acts with scopes (a token, or
        :data:`FIRST_TOKEN_SCOPES`).

    Raises
    ------
    AccessError
        The principal's role is not one of :data:`ROLES`.

    Notes
    -----
    Least privilege: NIST SP 800-53 AC-6.
    """
    held = permissions_of(principal.role)
    if principal.scopes is None:
        return held
    allowed: set[str] = set()
    for scope in principal.scopes:
        allowed |= SCOPE_ALIASES.get(scope, frozenset({scope}))
    return held & frozenset(allowed)


def holding(principal: Principal) -> str:
    """Describe what ``principal`` holds, for messages: ``your role admin`` plus, through
    scopes, ``with token scopes token.own, user.manage``."""
    if principal.scopes is None:
        return f"your role {principal.role}"
    return (
        f"your role {principal.role} with token scopes "
        f"{', '.join(sorted(principal.scopes)) or 'none'}"
    )


def require_holds(principal: Principal, permissions: frozenset[str], action: str) -> None:
    """Refuse an action that would give (or manage) more than ``principal`` holds.

    Used for every change to another user that hands out their role's power: adding a
    user or changing a role (the new role's permissions), and enabling or disabling a
    user, setting their password or creating their token (the user's current role's).
    A ``user.manage`` token scoped to less than its admin's role can thus neither make a
    new admin nor take over an existing account.

    Parameters
    ----------
    principal : Principal
        The acting user (already authorised for ``user.manage``).
    permissions : frozenset of str
        What the action would give: all the permissions of the role concerned.
    action : str
        What is refused, as a verb phrase (``add user 'eve' with role admin``).

    Raises
    ------
    AccessError
        Some of ``permissions`` that the acting role holds are outside
        :func:`effective_permissions` (the token's scopes exclude them); every such
        permission is named.

    Notes
    -----
    Only permissions the acting principal's role can hold are compared: an admin never
    holds ``review.decide`` (separation of duties) yet appoints reviewers; what keeps a
    decision the reviewer's own is :func:`require_self_issued`. Least privilege and
    separation of duties: NIST SP 800-53 AC-6 and AC-5; RFC 6749 section 6 (a refreshed
    grant never widens).
    """
    beyond = sorted(
        (permissions & permissions_of(principal.role)) - effective_permissions(principal)
    )
    if not beyond:
        return
    many = len(beyond) > 1
    raise AccessError(
        f"user {principal.name!r} (role {principal.role}) may not {action}: "
        f"permission{'s' if many else ''} {', '.join(beyond)} {'are' if many else 'is'} "
        f"beyond what you hold ({holding(principal)}); expected to hold every permission "
        "of that role (e.g. a token with scope '*')"
    )
