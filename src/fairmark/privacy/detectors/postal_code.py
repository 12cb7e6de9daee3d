"""Postal codes: US ZIP codes, UK and Canadian postcodes, and other countries' with context.

Formats with a distinctive shape (UK: Royal Mail PAF / BS 7666 outward + inward code;
Canada: Canada Post ``A1A 1A1``; US ZIP+4) are recognised on their own. Plain digit groups
(a 5-digit ZIP, the 4-digit codes of Austria, Belgium, Denmark, Switzerland, Norway …, the
Dutch ``1234 AB``, Polish ``12-345``, Portuguese ``1234-567``, Swedish/Czech ``123 45``)
look like any other number and are reported in text only next to a context word ("zip",
"postcode", "PLZ" …), or in a table when the column name says so (UPU Postal addressing
systems, country pages, for the formats).
"""

from __future__ import annotations

import re

from fairmark.privacy.detectors.base import Detector, words_pattern
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "validate_postal_code"]

CANDIDATE = (
    r"\b(?:[0-9]{5}(?:-[0-9]{4})?"  # US ZIP, ZIP+4; DE, FR, ES, IT ...
    r"|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}"  # UK
    r"|[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]"  # Canada
    r"|[0-9]{4}(?: ?[A-Z]{2}|-[0-9]{3})?"  # AT BE CH DK NO ..., NL, PT
    r"|[0-9]{2}-[0-9]{3}"  # PL
    r"|[0-9]{3} [0-9]{2})\b"  # SE CZ SK GR
)

_UK = re.compile(r"([A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})", re.ASCII)
_CA = re.compile(r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]")
_ZIP4 = re.compile(r"[0-9]{5}-[0-9]{4}", re.ASCII)
_DIGITS5 = re.compile(r"[0-9]{5}", re.ASCII)
_OTHER = re.compile(
    r"[0-9]{4}(?: ?[A-Z]{2}|-[0-9]{3})?|[0-9]{2}-[0-9]{3}|[0-9]{3} [0-9]{2}", re.ASCII
)


def validate_postal_code(candidate: str) -> float:
    """Confidence that ``candidate`` is a postal code, before any context.

    Parameters
    ----------
    candidate : str
        E.g. ``"SW1A 1AA"``, ``"K1A 0B1"``, ``"20500-0003"``, ``"90210"``, ``"1012 AB"``.

    Returns
    -------
    float
        0.65 for a UK postcode or Canadian postal code of valid letter classes; 0.45 for a
        ZIP+4; 0.3 for five digits (not all zeros); 0.2 for the other countries' digit
        forms; 0.0 otherwise. Scores below 0.5 need a context word in text.

    Notes
    -----
    Sources: Royal Mail Programmers' Guide to the PAF / BS 7666-3 (UK letter classes);
    Canada Post Addressing Guidelines §5 (no D, F, I, O, Q, U; no W or Z first); USPS
    Publication 28 §231 (ZIP and ZIP+4); UPU Postal addressing systems (other countries).
    """
    text = candidate.strip()
    if not text.isascii():
        return 0.0
    if _UK.fullmatch(text) or _CA.fullmatch(text):
        return 0.65
    if _ZIP4.fullmatch(text):
        return 0.45
    if _DIGITS5.fullmatch(text):
        return 0.3 if text != "00000" else 0.0
    if _OTHER.fullmatch(text):
        return 0.2 if set(text) != {"0"} else 0.0
    return 0.0


_CONTEXT_WORDS = (
    "zip",
    "zip code",
    "zipcode",
    "postcode",
    "post code",
    "postal",
    "postal code",
    "plz",
    "postleitzahl",
    "code postal",
    "cp",
    "cap",
    "postnummer",
    "kod pocztowy",
)

DETECTOR = Detector(
    entity_type=EntityType.POSTAL_CODE,
    candidate_pattern=CANDIDATE,
    validate=validate_postal_code,
    column_name_hints=(r"\bzip", r"post_?code", r"postal", r"\bplz\b", r"code_?postal", r"\bcap\b"),
    context_words=_CONTEXT_WORDS,
    source="USPS Pub. 28; Royal Mail PAF; Canada Post; UPU Postal addressing systems",
    # Only UK and Canadian codes (a capital letter before a digit) reach 0.5 without a
    # context word.
    text_prefilter=words_pattern(_CONTEXT_WORDS) + "|[A-Z][0-9]",
)
