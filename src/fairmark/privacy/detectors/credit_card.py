"""Payment card numbers (PANs): ISO/IEC 7812-1 Luhn check digit plus issuer ranges.

A candidate is 12 to 19 digits, optionally grouped by single spaces or dashes. It is kept
when its Luhn check digit is right (ISO/IEC 7812-1:2017 Annex B), it is not one digit
repeated, and its issuer identification number and length fit a card scheme in
:data:`ISSUER_RANGES`.
"""

from __future__ import annotations

import re

from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "ISSUER_RANGES", "card_scheme", "luhn_ok", "validate_card"]

CANDIDATE = r"\b[0-9](?:[ \-]?[0-9]){11,18}\b"

ISSUER_RANGES: tuple[tuple[str, int, int, frozenset[int]], ...] = (
    # (scheme, lowest IIN prefix, highest IIN prefix (same number of digits), PAN lengths)
    ("Visa", 4, 4, frozenset({13, 16, 19})),
    ("Mastercard", 51, 55, frozenset({16})),
    ("Mastercard", 2221, 2720, frozenset({16})),
    ("American Express", 34, 34, frozenset({15})),
    ("American Express", 37, 37, frozenset({15})),
    ("Discover", 6011, 6011, frozenset(range(16, 20))),
    ("Discover", 644, 649, frozenset(range(16, 20))),
    ("Discover", 65, 65, frozenset(range(16, 20))),
    ("JCB", 3528, 3589, frozenset(range(16, 20))),
    ("JCB", 2131, 2131, frozenset({15})),
    ("JCB", 1800, 1800, frozenset({15})),
    ("Diners Club", 300, 305, frozenset(range(14, 20))),
    ("Diners Club", 3095, 3095, frozenset(range(14, 20))),
    ("Diners Club", 36, 36, frozenset(range(14, 20))),
    ("Diners Club", 38, 39, frozenset(range(14, 20))),
    ("UnionPay", 62, 62, frozenset(range(16, 20))),
    ("UnionPay", 81, 81, frozenset(range(16, 20))),
    ("Maestro", 50, 50, frozenset(range(12, 20))),
    ("Maestro", 56, 69, frozenset(range(12, 20))),
)
"""Issuer ranges: scheme, IIN prefix range (inclusive) and the PAN lengths it issues.

Sources: the schemes' published IIN tables as summarised in ISO/IEC 7812-1 registries —
Visa Core Rules (4, 13/16/19 digits); Mastercard Rules 2016 announcement of the 2-series
(2221-2720); American Express (34, 37); Discover Global Network IIN ranges (6011, 644-649,
65); JCB (3528-3589, and the historic 15-digit 1800/2131); Diners Club International
(300-305, 3095, 36, 38-39); UnionPay (62, 81); Maestro (50, 56-69, 12-19 digits).
"""

_SEPARATORS = re.compile(r"[ \-]")


def luhn_ok(digits: str) -> bool:
    """``True`` when the last digit of ``digits`` is its Luhn (mod-10) check digit.

    Parameters
    ----------
    digits : str
        ASCII digits only.

    Notes
    -----
    Source: ISO/IEC 7812-1:2017 Annex B (Luhn formula for computing modulus-10 check
    digits); H. P. Luhn, US patent 2,950,048 (1960).
    """
    total = 0
    for i, char in enumerate(reversed(digits)):
        d = ord(char) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_scheme(digits: str) -> str | None:
    """The card scheme whose issuer range and length fit ``digits``, else ``None``.

    Parameters
    ----------
    digits : str
        The PAN as ASCII digits, no separators.
    """
    for scheme, low, high, lengths in ISSUER_RANGES:
        width = len(str(low))
        if len(digits) in lengths and low <= int(digits[:width]) <= high:
            return scheme
    return None


def validate_card(candidate: str) -> float:
    """Confidence that ``candidate`` is a payment card number.

    Parameters
    ----------
    candidate : str
        12-19 digits, optionally separated by single spaces or dashes
        (``"4111 1111 1111 1111"``, ``"5500-0000-0000-0004"``).

    Returns
    -------
    float
        0.9 when the Luhn digit is right and a scheme issues that prefix at that length
        (0.95 when written in the scheme's usual groups of four); 0.3 when the Luhn digit is
        right but no scheme in :data:`ISSUER_RANGES` issues that prefix and length (reported
        in text only next to a context word such as "card"); 0.0 otherwise, and for one
        digit repeated (``"0000 0000 0000 0000"`` passes Luhn but is no card).

    Notes
    -----
    Sources: ISO/IEC 7812-1:2017 (PAN structure, 8-19 digits, Luhn check digit, Annex B);
    the issuer ranges in :data:`ISSUER_RANGES`.
    """
    text = candidate.strip()
    digits = _SEPARATORS.sub("", text)
    if not digits.isascii() or not digits.isdigit() or not 12 <= len(digits) <= 19:
        return 0.0
    if digits == digits[0] * len(digits) or not luhn_ok(digits):
        return 0.0
    if card_scheme(digits) is None:
        return 0.3
    groups = _SEPARATORS.split(text)
    if len(groups) > 1 and all(len(g) == 4 for g in groups[:-1]):
        return 0.95
    return 0.9


DETECTOR = Detector(
    entity_type=EntityType.CREDIT_CARD,
    candidate_pattern=CANDIDATE,
    validate=validate_card,
    column_name_hints=(r"card", r"\bpan\b", r"\bcc_?(?:num|number)\b", r"credit"),
    context_words=(
        "card",
        "credit",
        "debit",
        "visa",
        "mastercard",
        "amex",
        "discover",
        "jcb",
        "diners",
        "maestro",
        "unionpay",
        "cc",
        "pan",
        "payment",
    ),
    source="ISO/IEC 7812-1:2017 (Luhn, Annex B) and card schemes' issuer ranges",
)
