"""Match keys: one identifier normalised the way a platform asks, then unsalted SHA-256.

:func:`normalise` applies a platform profile's rule for a field
(:mod:`fairmark.privacy.audience.profiles`) through the pure functions of
:mod:`fairmark.privacy.audience.normalise`; :func:`match_key` hashes the result. A value
that is already a SHA-256 digest (64 hex characters) passes through, lowercased, for
fields the platform takes hashed; for fields it takes in plain text it is an error.
Nothing un-normalisable is ever hashed, and an empty value never is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache

from fairmark.errors import UsageError
from fairmark.privacy.audience import normalise as norm
from fairmark.privacy.audience.normalise import NormalisationError, is_sha256_hex
from fairmark.privacy.audience.profiles import FIELDS, FieldRule, PlatformProfile, get_profile

__all__ = ["check_region", "hash_key", "match_key", "normalise", "normalise_for"]


def hash_key(text: str) -> str:
    """Return the unsalted SHA-256 of ``text`` (UTF-8) as 64 lowercase hex characters.

    Raises
    ------
    UsageError
        For an empty or blank ``text``: an empty string is never hashed.

    Notes
    -----
    Source: FIPS 180-4 (SHA-256); every platform asks for the lowercase hex digest
    (X Ads API "Custom Audiences User Data": "the final output hash must be in lower case").
    """
    if not text or not text.strip():
        raise UsageError("refusing to hash an empty value")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@cache
def _supported_regions() -> frozenset[str]:
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


def check_region(region: str | None) -> str | None:
    """Return ``region`` as an upper-case ISO 3166-1 alpha-2 code, or ``None``.

    Accepts a code in either case (``gb``), or an English country name or common alias
    (``United Kingdom``, ``UK``).

    Raises
    ------
    UsageError
        When it is not a country with a telephone numbering plan in libphonenumber.
    """
    if region is None:
        return None
    try:
        code = norm.country_code(str(region))
    except NormalisationError:
        code = None
    if code is None or code not in _supported_regions():
        raise UsageError(
            f"unknown region {region!r}; expected an ISO 3166-1 alpha-2 country code "
            "such as GB, US or DE"
        )
    return code


Normaliser = Callable[[str, PlatformProfile, FieldRule, str | None], str]


def _name(value: str, profile: PlatformProfile, rule: FieldRule, region: str | None) -> str:
    if not rule.hashed:
        return norm.normalise_plain_text(value, max_length=rule.max_length or 35)
    assert profile.name_style is not None
    return norm.normalise_name(value, style=profile.name_style)


def _plain(value: str, profile: PlatformProfile, rule: FieldRule, region: str | None) -> str:
    return norm.normalise_plain_text(value, max_length=rule.max_length or 50)


_NORMALISERS: dict[str, Normaliser] = {
    "email": lambda v, p, r, g: norm.normalise_email(
        v, plus_tag=p.email_plus_tag, gmail_dots=p.email_gmail_dots
    ),
    "phone": lambda v, p, r, g: norm.normalise_phone(v, region=g, style=p.phone_style),
    "first_name": _name,
    "last_name": _name,
    "city": lambda v, p, r, g: norm.normalise_city(v),
    "state": lambda v, p, r, g: norm.normalise_state(v, region=g),
    "postal_code": lambda v, p, r, g: norm.normalise_postal_code(v, style=p.postal_style, region=g),
    "country": lambda v, p, r, g: norm.normalise_country(v, case=p.country_case),
    "birth_year": lambda v, p, r, g: norm.normalise_birth_part(v, part="year"),
    "birth_month": lambda v, p, r, g: norm.normalise_birth_part(v, part="month"),
    "birth_day": lambda v, p, r, g: norm.normalise_birth_part(v, part="day"),
    "gender": lambda v, p, r, g: norm.normalise_gender(v),
    "job_title": _plain,
    "company": _plain,
}


def _rule(field: str, profile: PlatformProfile) -> FieldRule:
    if field not in FIELDS:
        raise UsageError(f"unknown field {field!r}; expected one of {', '.join(FIELDS)}")
    if field in profile.expands:
        parts = ", ".join(profile.expands[field])
        raise UsageError(
            f"{profile.platform} takes {field} as {parts}; ask for one of those fields"
        )
    return profile.rule(field)


def normalise_for(
    value: str, rule: FieldRule, profile: PlatformProfile, region: str | None
) -> tuple[str, bool]:
    """Normalise ``value`` under ``rule``; return ``(text, already_hashed)``.

    ``region`` must already be checked (:func:`check_region`). Used by the list
    preparation, which resolves the profile and rule once per column.

    Raises
    ------
    NormalisationError
        When the value cannot be normalised (``hash_not_allowed`` for a digest given for
        a field the platform takes in plain text).
    """
    if not isinstance(value, str):
        raise NormalisationError("not_text", f"{rule.field} is not text")
    if is_sha256_hex(value):
        if rule.hashed:
            return value.strip().lower(), True
        raise NormalisationError(
            "hash_not_allowed",
            f"value looks like a SHA-256 digest, but {profile.platform} takes {rule.field} "
            "in plain text",
        )
    return _NORMALISERS[rule.field](value, profile, rule, region), False


def normalise(value: str, field: str, platform: str, region: str | None = None) -> str:
    """Return ``value`` normalised as ``platform`` asks for ``field``, before hashing.

    Parameters
    ----------
    value : str
        One raw identifier, e.g. ``"020 7946 0958"``.
    field : str
        One of :data:`fairmark.privacy.audience.profiles.FIELDS` that the platform takes
        (``email``, ``phone``, ``first_name`` …; for Meta ``birth_year``, ``birth_month``
        and ``birth_day`` rather than ``date_of_birth``).
    platform : {"meta", "google", "tiktok", "x", "linkedin"}
    region : str, optional
        Default country (ISO 3166-1 alpha-2) of phone numbers written without a country
        code, and of postal codes and states.

    Returns
    -------
    str
        The normalised text (``"+442079460958"`` for Google, ``"442079460958"`` for
        Meta). A value that is already a SHA-256 digest is returned lowercased.

    Raises
    ------
    UsageError
        Unknown platform, unknown field, a field the platform does not take, or an
        unknown region.
    NormalisationError
        (a :class:`fairmark.errors.DataError`) when the value cannot be normalised; its
        ``code`` names the reason (``phone_needs_region``, ``invalid_email`` …).

    Examples
    --------
    >>> normalise("020 7946 0958", "phone", "google", region="GB")
    '+442079460958'
    >>> normalise("Cloudy.SanFrancisco+shopping@gmail.com", "email", "google")
    'cloudysanfrancisco@gmail.com'
    """
    profile = get_profile(platform)
    rule = _rule(field, profile)
    return normalise_for(value, rule, profile, check_region(region))[0]


def match_key(value: str, field: str, platform: str, region: str | None = None) -> str:
    """Return the match key of one identifier: normalised as the platform asks, then
    unsalted SHA-256 as 64 lowercase hex characters.

    Parameters
    ----------
    value, field, platform, region
        As for :func:`normalise`.

    Returns
    -------
    str
        E.g. ``match_key("John_Smith@gmail.com", "email", "meta")`` is
        ``62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f`` (Meta's
        published example). The same value always gives the same key.

    Raises
    ------
    UsageError
        As for :func:`normalise`, and for a field the platform uploads unhashed (Google's
        ``country`` and ``postal_code``, LinkedIn's names): use :func:`normalise`.
    NormalisationError
        When the value cannot be normalised; it is never hashed raw.
    """
    profile = get_profile(platform)
    rule = _rule(field, profile)
    if not rule.hashed:
        raise UsageError(
            f"{profile.platform} takes {field} unhashed; use normalise() for its upload value"
        )
    text, already_hashed = normalise_for(value, rule, profile, check_region(region))
    return text if already_hashed else hash_key(text)
