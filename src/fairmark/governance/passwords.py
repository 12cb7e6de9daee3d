"""Password policy and hashing for the coming web app (argon2id).

Passwords are never stored, logged or returned: only their argon2id hash (a PHC string
``$argon2id$v=19$m=…,t=…,p=…$salt$hash``) is kept in ``gov_users.password_hash``.

Sources: RFC 9106 (Argon2), section 4 "Parameter Choice": ``argon2.PasswordHasher()``'s
defaults are its second recommended option (argon2id, t=3, m=64 MiB, p=4); NIST SP 800-63B
section 5.1.1.2 (memorized secret verifiers: length limits, Unicode normalisation, all
printing characters and spaces allowed, no composition rules, and values from lists of
commonly used, expected or compromised passwords refused); OWASP Password Storage Cheat
Sheet; Wheeler, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security 2016
(the estimator behind :data:`MIN_STRENGTH`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from fairmark.errors import UsageError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "MIN_STRENGTH",
    "SERVICE_WORDS",
    "check_password",
    "dummy_verify",
    "hash_password",
    "needs_rehash",
    "rehash_password",
    "verify_hash",
]

MIN_PASSWORD_LENGTH = 12
"""Fewest characters (NIST SP 800-63B 5.1.1.2 asks for at least 8; fairmark asks 12)."""

MAX_PASSWORD_LENGTH = 256
"""Most characters accepted (NIST SP 800-63B 5.1.1.2: at least 64 must be allowed)."""

MIN_STRENGTH = 4
"""Lowest zxcvbn score accepted, on its scale 0 to 4 (4: "very unguessable: strong
protection from offline slow-hash scenario", guesses >= 10**10). Scores 0 to 2 are the
values found in zxcvbn's frequency lists of common and leaked passwords, names and words, and
their simple variants (keyboard patterns, repeats, sequences, dates, l33t): the check
NIST SP 800-63B 5.1.1.2 asks for against "commonly-used, expected, or compromised" values.
Score 3 still admits one common word plus a year and punctuation (``Summer2026!!``,
``Welcome2026!!``, zxcvbn about 10**8.5 guesses), the "expected" values of the same
section; a passphrase of three or four uncommon words or 24 random characters scores 4."""

SERVICE_WORDS: tuple[str, ...] = ("fairmark",)
"""The service's own name: a context-specific word for every user (NIST SP 800-63B
5.1.1.2 names "the name of the service" among the values to refuse)."""

_HASHER = PasswordHasher()

_WORD_SPLIT = re.compile(r"[\W_]+")
_MIN_WORD = 3


def _normalise(password: str) -> str:
    """NFKC-normalise, as NIST SP 800-63B 5.1.1.2 recommends for Unicode secrets."""
    return unicodedata.normalize("NFKC", password)


def check_password(
    password: str,
    *,
    user: str | None = None,
    related: Iterable[str | None] = (),
) -> str:
    """Check ``password`` against the password policy and return it normalised.

    Parameters
    ----------
    password : str
        The new password (any printing characters and spaces).
    user : str, optional
        The user's name; a password equal to it is refused, and it counts as an easy
        guess inside a longer password (one of zxcvbn's ``user_inputs``).
    related : iterable of str or None, default ()
        Other values an attacker would try first for this user (their email address,
        display name, role); passed to zxcvbn as ``user_inputs`` too, with
        :data:`SERVICE_WORDS`. ``None`` items are skipped.

    Returns
    -------
    str
        The NFKC-normalised password.

    Raises
    ------
    UsageError
        Not text, shorter than :data:`MIN_PASSWORD_LENGTH` or longer than
        :data:`MAX_PASSWORD_LENGTH` characters (after normalisation), only whitespace,
        equal to the user name, or too easy to guess: a zxcvbn score below
        :data:`MIN_STRENGTH` (a common or leaked password, a dictionary word or name,
        a keyboard pattern, a repeat or a sequence, possibly built from the user's own
        name or email; NIST SP 800-63B 5.1.1.2), or its letters are only context words
        (:data:`SERVICE_WORDS`, ``user`` and the words of ``related``, each of 3 or more
        letters) joined by digits and punctuation, which zxcvbn can score high when
        separators split them (``rosa-reviewer-2026``). The message never contains the
        password; for a weak one it quotes zxcvbn's warning (or, without a warning,
        its suggestions).

    Notes
    -----
    The whole normalised password is scored (zxcvbn's ``max_length`` raised from its
    default 72 to :data:`MAX_PASSWORD_LENGTH`; scoring 256 characters takes about half a
    second, and only authenticated users set passwords).
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
    words = _user_inputs([*SERVICE_WORDS, user, *related])
    _check_strength(normalised, words)
    if _only_context_words(normalised, words):
        raise UsageError(
            "password is only words tied to this account (the service name 'fairmark', the "
            "user's name, email, display name or role) with digits and punctuation; "
            "expected other words too (NIST SP 800-63B 5.1.1.2, context-specific words)"
        )
    return normalised


def _only_context_words(password: str, words: list[str]) -> bool:
    """Whether the password's letters (lowercased; digits, punctuation and spaces dropped)
    are one or more context words of 3 or more letters, one after the other."""
    letters = "".join(c for c in password.lower() if c.isalpha())
    pieces = {"".join(c for c in word if c.isalpha()) for word in words}
    pieces = {p for p in pieces if len(p) >= _MIN_WORD}
    if not letters or not pieces:
        return False
    # ends[i]: letters[:i] splits into context words (word segmentation, dynamic programming)
    ends = [True] + [False] * len(letters)
    for i in range(1, len(letters) + 1):
        ends[i] = any(letters.endswith(p, 0, i) and ends[i - len(p)] for p in pieces)
    return ends[-1]


def _check_strength(password: str, words: list[str]) -> None:
    """Refuse a password whose zxcvbn score is below :data:`MIN_STRENGTH`."""
    result = zxcvbn(password, user_inputs=words, max_length=MAX_PASSWORD_LENGTH)
    score = int(result["score"])
    if score >= MIN_STRENGTH:
        return
    feedback = result.get("feedback") or {}
    advice = (feedback.get("warning") or "").strip() or " ".join(
        s.strip() for s in feedback.get("suggestions") or () if s.strip()
    )
    raise UsageError(
        f"password is too easy to guess (zxcvbn score {score} of 4"
        + (f": {advice}" if advice else "")
        + f"); expected a score of at least {MIN_STRENGTH}, e.g. a longer phrase of "
        "uncommon words, not built from the user's name or email (NIST SP 800-63B 5.1.1.2)"
    )


def _user_inputs(related: Iterable[str | None]) -> list[str]:
    """The user's own words for zxcvbn: each value whole, and its parts of 3 or more
    letters or digits (``jane.doe@acme.org`` gives ``jane``, ``doe``, ``acme`` and ``org``
    too), lowercased: zxcvbn matches a user input only as a whole word."""
    words: dict[str, None] = {}
    for value in related:
        if not isinstance(value, str) or not value.strip():
            continue
        words[value.strip().lower()] = None
        for part in _WORD_SPLIT.split(value.lower()):
            if len(part) >= _MIN_WORD:
                words[part] = None
    return list(words)


def hash_password(
    password: str, *, user: str | None = None, related: Iterable[str | None] = ()
) -> str:
    """Check ``password`` (:func:`check_password`) and return its argon2id hash.

    Parameters
    ----------
    password : str
    user : str, optional
        The user's name (a password equal to it is refused; one containing it is scored
        weaker).
    related : iterable of str or None, default ()
        The user's email address, display name or role (scored like ``user``).

    Returns
    -------
    str
        PHC string starting with ``$argon2id$``; a random 16-byte salt each call.

    Raises
    ------
    UsageError
        The password breaks the policy (:func:`check_password`).
    """
    return _HASHER.hash(check_password(password, user=user, related=related))


def rehash_password(password: str) -> str:
    """Return a fresh argon2id hash of an already *verified* password, without the policy.

    For replacing a hash made with older argon2 parameters at login
    (:func:`fairmark.governance.users.verify_password`): a password set under an
    earlier, laxer policy must keep working, so only :func:`hash_password` (setting a
    new password) applies :func:`check_password`.

    Parameters
    ----------
    password : str
        The password that :func:`verify_hash` just accepted.

    Returns
    -------
    str
        PHC string with today's parameters (RFC 9106 section 4).
    """
    return _HASHER.hash(_normalise(password))


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
