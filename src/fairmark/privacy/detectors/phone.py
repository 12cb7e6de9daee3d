"""Telephone numbers: ITU-T E.164 numbers validated with Google's libphonenumber metadata.

A candidate is a run of digits with the usual separators (spaces, dots, dashes, brackets),
optionally followed by an extension (``x123``, ``ext. 123``, not counted), 7 to 15 digits
long (E.164 §6.2.1 caps an international number at 15 digits). Numbers with an
international prefix (``+`` or ``00``) are validated on their own; national numbers
against a region: the ``region`` the caller gives, else the regions of
:data:`DEFAULT_REGIONS` (the same as Presidio's ``PhoneRecognizer``). Validity is
libphonenumber's (the ``phonenumbers`` package): international numbers go through
``parse`` + ``is_valid_number``; national numbers are checked against the same numbering-plan
metadata directly (national prefix stripped as ``parse`` does, then the region's number-type
patterns and possible lengths), which makes the same decision as
``is_valid_number(parse(number, region))`` (the tests measure the agreement) at about an
eighth of its cost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException

from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DEFAULT_REGIONS", "DETECTOR", "find_phones", "validate_phone"]

DEFAULT_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "IL", "IN", "CA", "BR")
"""Regions tried for a national number when no region is given (Presidio 2.2's default)."""

CANDIDATE = (
    r"(?:\+|\(|\b)[0-9](?:[ ().\-]{0,2}[0-9]){6,18}(?:(?:x| ?ext\.? ?)[0-9]{1,6})?\b"
)

_EXTENSION = re.compile(r"(?:x| ?ext\.? ?)[0-9]{1,6}$", re.ASCII)

_DIGITS = re.compile(r"[0-9]")
_NOT_PHONE_SHAPES = re.compile(
    r"(?:[0-9]{1,2}[.\-][0-9]{1,2}[.\-](?:19|20)[0-9]{2}"  # 12.05.2024, 1-2-1999
    r"|(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}"  # 2024-05-12
    r"|[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"  # IPv4 address
    r"|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"  # 1,234,567.00
    r"|[0-9]{3}-[0-9]{2}-[0-9]{4})",  # US SSN grouping
    re.ASCII,
)


_DATE_INSIDE = re.compile(
    r"(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}|[0-9]{2}[./][0-9]{2}[./](?:19|20)[0-9]{2}", re.ASCII
)


def _digit_count(text: str) -> int:
    return len(_DIGITS.findall(text))


@lru_cache(maxsize=512)
def _region_lengths(region: str) -> tuple[frozenset[int], str, str, bool] | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    lengths = frozenset(metadata.general_desc.possible_length or ())
    prefix = metadata.national_prefix or ""
    complex_prefix = (metadata.national_prefix_for_parsing or prefix) != prefix
    return lengths, prefix, str(metadata.country_code), complex_prefix


def _may_be_national(digits: str, region: str) -> bool:
    """Cheap necessary condition for ``parse(digits, region)`` to give a valid number.

    The national significant number must have one of the region's possible lengths
    (libphonenumber metadata ``general_desc.possible_length``) after removing, at most, the
    national prefix (or a national prefix with a carrier code) or the country code.
    """
    info = _region_lengths(region)
    if info is None:
        return True
    lengths, prefix, country_code, complex_prefix = info
    n = len(digits)
    cuts = {0}
    if prefix and digits.startswith(prefix):
        cuts.add(len(prefix))
        if complex_prefix:
            cuts.update({1, 2, 3, 4})
    if digits.startswith(country_code):
        cuts.add(len(country_code))
    return any(n - cut in lengths for cut in cuts)


@lru_cache(maxsize=512)
def _compiled_metadata(region: str) -> tuple[Any, re.Pattern[str] | None, re.Pattern[str]] | None:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    prefix = metadata.national_prefix_for_parsing
    return (
        metadata,
        re.compile(prefix) if prefix else None,
        re.compile(metadata.general_desc.national_number_pattern),
    )


def _strip_national_prefix(number: str, region: str) -> str:
    """The national significant number of a nationally written number.

    The same steps as libphonenumber's ``maybeStripNationalPrefixAndCarrierCode``: the
    region's ``national_prefix_for_parsing`` is removed (or rewritten by
    ``national_prefix_transform_rule``) unless that turns a viable number into a non-viable
    one (viable: matches the region's general national-number pattern).
    """
    compiled = _compiled_metadata(region)
    if compiled is None:
        return number
    metadata, prefix_re, general_re = compiled
    if prefix_re is None:
        return number
    match = prefix_re.match(number)
    if match is None:
        return number
    viable = general_re.fullmatch(number) is not None
    rule = metadata.national_prefix_transform_rule
    groups = match.groups()
    if rule and groups and groups[-1] is not None:
        result = prefix_re.sub(rule, number, count=1)
    else:
        result = number[match.end() :]
    if viable and general_re.fullmatch(result) is None:
        return number
    return result


_TYPE_DESCS = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


@lru_cache(maxsize=512)
def _type_patterns(region: str) -> tuple[tuple[frozenset[int], re.Pattern[str]], ...]:
    """(possible lengths, national-number pattern) of the general description and of each
    number type of ``region``, in libphonenumber's ``getNumberTypeHelper`` order."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return ()
    out = []
    for name in ("general_desc", *_TYPE_DESCS):
        desc = getattr(metadata, name)
        if desc is None or desc.national_number_pattern is None:
            if name == "general_desc":
                return ()
            continue
        out.append(
            (frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern))
        )
    return tuple(out)


def _valid_in_region(nsn: str, region: str) -> bool:
    """libphonenumber's ``isValidNumberForRegion`` on a national significant number: it
    matches the region's general description and at least one number type's (length in
    the type's possible lengths, pattern matching the whole number)."""
    patterns = _type_patterns(region)
    if not patterns:
        return False
    n = len(nsn)
    (general_lengths, general), *types = patterns
    if (general_lengths and n not in general_lengths) or general.fullmatch(nsn) is None:
        return False
    return any(
        (not lengths or n in lengths) and pattern.fullmatch(nsn) for lengths, pattern in types
    )


def _valid_national(digits: str, region: str, *, other_regions: bool = False) -> bool:
    """Whether national digits form a valid number of ``region``, as
    ``is_valid_number(parse(digits, region))`` decides, at a fraction of its cost: the
    national prefix is stripped as libphonenumber does (the country code too when the
    digits start with it) and the number-type patterns of the region's metadata are matched.
    With ``other_regions`` the regions sharing the country code are tried too (a Canadian
    number is valid under region "US", as ``is_valid_number`` says)."""
    compiled = _compiled_metadata(region)
    if compiled is None:
        return False
    country_code = compiled[0].country_code
    numbers = [digits]
    if digits.startswith(str(country_code)):
        numbers.append(digits[len(str(country_code)) :])
    regions = [region]
    if other_regions:
        shared = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
        regions += [r for r in shared if r != region]
    for number in numbers:
        nsn = _strip_national_prefix(number, region)
        if not 2 <= len(nsn) <= 17:
            continue
        if any(_valid_in_region(nsn, r) for r in regions):
            return True
    return False


@lru_cache(maxsize=65536)
def _score(candidate: str, region: str | None) -> float:
    text = _EXTENSION.sub("", candidate.strip())  # "259.735.7502x459": the line, not the desk
    if _NOT_PHONE_SHAPES.fullmatch(text) or _DATE_INSIDE.search(text):
        return 0.0
    n_digits = _digit_count(text)
    if not 7 <= n_digits <= 15:
        return 0.0
    international = text.startswith(("+", "00"))
    if international:
        text = "+" + text[2:] if text.startswith("00") else text
    regions: Sequence[str] = (region,) if region else DEFAULT_REGIONS
    if international:
        try:
            number = phonenumbers.parse(text, None)
        except NumberParseException:
            return 0.0
        if phonenumbers.is_valid_number(number):
            return 0.75
        # A well-formed international number outside the allocated ranges (a made-up or
        # mistyped number is still a phone number in a note).
        return 0.5 if phonenumbers.is_possible_number(number) else 0.0
    digits = "".join(_DIGITS.findall(text))
    for reg in regions:
        if _may_be_national(digits, reg) and _valid_national(
            digits, reg, other_regions=bool(region)
        ):
            separated = any(c in text for c in " -.()")
            return 0.6 if separated else 0.45
    return 0.0


def validate_phone(candidate: str, region: str | None = None) -> float:
    """Confidence that ``candidate`` is a telephone number.

    Parameters
    ----------
    candidate : str
        A value or a span, e.g. ``"+44 20 7946 0958"``, ``"541-714-1388"``,
        ``"0490 75 40 81"``.
    region : str or None
        ISO 3166-1 alpha-2 region for national numbers (``"GB"``); ``None`` tries
        :data:`DEFAULT_REGIONS`.

    Returns
    -------
    float
        0.75 for a valid international number (``+`` or ``00`` prefix); 0.5 for an
        international number of a possible length for its country code that is not in an
        allocated range (``is_possible_number`` but not ``is_valid_number``); 0.6 for a valid
        national number written with separators; 0.45 for a valid national number written
        as bare digits (an order number looks the same: it needs a context word such as
        "phone" to be reported in text); 0.0 when no region's numbering plan accepts it, when
        it has fewer than 7 or more than 15 digits, or when it has the shape of a date, an
        IPv4 address or a thousands-separated amount.

    Notes
    -----
    Sources: ITU-T Recommendation E.164 (11/2010) §6 (number structure, 15-digit maximum);
    libphonenumber numbering-plan metadata via the ``phonenumbers`` package
    (``parse`` + ``is_valid_number``).
    """
    return _score(candidate, region.upper() if region else None)


_SPLIT_GAP = re.compile(r" {2,}| ?[/|] ?")


def find_phones(candidate: str, region: str | None = None) -> list[tuple[int, int, float]]:
    """Validated phone numbers inside a candidate span (offsets relative to it).

    The whole candidate is validated first; when it fails, its parts between wide gaps (two
    or more spaces) are validated one by one, so that two numbers written side by side are
    both found. libphonenumber's own ``PhoneNumberMatcher`` is not used: it costs about a
    millisecond per candidate, and every payment card number is a phone candidate too.

    Parameters
    ----------
    candidate : str
        A span matched by the phone candidate pattern.
    region : str or None
        As in :func:`validate_phone`.

    Returns
    -------
    list of (start, end, score)
        Empty when no valid number is inside.
    """
    score = validate_phone(candidate, region)
    if score > 0:
        return [(0, len(candidate), score)]
    found = []
    start = 0
    for gap in [*_SPLIT_GAP.finditer(candidate), None]:
        end = gap.start() if gap is not None else len(candidate)
        part = candidate[start:end]
        if part and part != candidate:
            sub = validate_phone(part, region)
            if sub > 0:
                found.append((start, end, sub))
        if gap is not None:
            start = gap.end()
    return found


DETECTOR = Detector(
    entity_type=EntityType.PHONE_NUMBER,
    candidate_pattern=CANDIDATE,
    validate=validate_phone,
    column_name_hints=(r"phone", r"tel(?:ephone)?\b", r"mobile", r"cell", r"\bfax\b", r"msisdn"),
    context_words=(
        "phone",
        "telephone",
        "tel",
        "mobile",
        "cell",
        "cellphone",
        "call",
        "fax",
        "number",
        "sms",
        "text",
        "whatsapp",
        "office",
        "desk",
        "contact",
        "ring",
        "landline",
    ),
    source="ITU-T E.164; libphonenumber metadata (python package phonenumbers)",
    refine=find_phones,
)
