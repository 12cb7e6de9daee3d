"""Password policy and hashing for the coming web app (argon2id).

Passwords are never stored, logged or returned: only their argon2id hash (a PHC string
``$argon2id$v=19$m=…,t=…,p=…$salt$hash``) is kept in ``gov_users.password_hash``.

Sources: RFC 9106 (Argon2), section 4 "Parameter Choice": ``argon2.PasswordHasher()``'s
defaults are its second recommended option (argon2id, t=3, m=64 MiB, p=4); NIST SP 800-63B
section 5.1.1.2 (memorized secret verifiers: length limits, Unicode normalisation, all
printing characters and spaces allowed, no composition rules); OWASP Password Storage
Cheat Sheet.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from fairmark.errors import UsageError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_password",
    "dummy_verify",
    "hash_password",
    "needs_rehash",
    "verify_hash",
]

MIN_PASSWORD_LENGTH = 12
"""Fewest characters (NIST SP 800-63B 5.1.1.2 asks for at least 8; fairmark asks 12)."""

MAX_PASSWORD_LENGTH = 256
"""Most characters accepted (NIST SP 800-63B 5.1.1.2: at least 64 must be allowed)."""

_HASHER = PasswordHasher()


def _normalise(password: str) -> str:
    """NFKC-normalise, as NIST SP 800-63B 5.1.1.2 recommends for Unicode secrets."""
    return unicodedata.normalize("NFKC", password)


def check_password(password: str, *, user: str | None = None) -> str:
    """Check ``password`` against the password policy and return it normalised.

    Parameters
    ----------
    password : str
        The new password (any printing characters and spaces).
    user : str, optional
        The user's name; a password equal to it is refused.

    Returns
    -------
    str
        The NFKC-normalised password.

    Raises
    ------
    UsageError
        Not text, shorter than :data:`MIN_PASSWORD_LENGTH` or longer than
        :data:`MAX_PASSWORD_LENGTH` characters (after normalisation), only whitespace,
        or equal to the user name. The message never contains the password.
    """
    if not isinstance(password, str):
        raise UsageError("password is not text; expected a string")
    normalised = _normalise(password)
    if len(normalised) < MIN_PASSWORD_LENGTH:
        raise UsageError(
            f"password has {len(normalised)} characters; expected at least "
            f"{MIN_PASSWORD_LENGTH} (NIST SP 800-63B 5.1.1.2)"
        )
    if len(normalised) > MAX_PASSWORD_LENGTH:
        raise UsageError(
            f"password has {len(normalised)} characters; expected at most {MAX_PASSWORD_LENGTH}"
        )
    if not normalised.strip():
        raise UsageError("password is only whitespace; expected other characters too")
    if user is not None and normalised.strip().lower() == user.lower():
        raise UsageError("password is the user name; expected something else")
    return normalised


def hash_password(password: str, *, user: str | None = None) -> str:
    """Check ``password`` (:func:`check_password`) and return its argon2id hash.

    Parameters
    ----------
    password : str
    user : str, optional
        The user's name (a password equal to it is refused).

    Returns
    -------
    str
        PHC string starting with ``$argon2id$``; a random 16-byte salt each call.

    Raises
    ------
    UsageError
        The password breaks the policy.
    """
    return _HASHER.hash(check_password(password, user=user))


def verify_hash(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash`` (constant-time in argon2).

    Parameters
    ----------
    password_hash : str
        PHC string from :func:`hash_password`.
    password : str

    Returns
    -------
    bool
        ``False`` also for a malformed hash or a non-text password; never raises.
    """
    if not isinstance(password, str):
        return False
    try:
        return _HASHER.verify(password_hash, _normalise(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Return whether ``password_hash`` was made with other parameters than today's."""
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("fairmark-dummy-password-for-timing")


def dummy_verify(password: str) -> None:
    """Spend as long as a verification, for an unknown user (no timing oracle)."""
    verify_hash(_dummy_hash(), password)
