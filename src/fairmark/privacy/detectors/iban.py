"""International bank account numbers: ISO 13616 mod-97 check and per-country length.

Validation is python-stdnum's ``stdnum.iban.validate``: ISO 7064 MOD 97-10 check digits and
the country's registered length and BBAN format (SWIFT IBAN Registry). Upper- and lower-case,
compact or grouped by spaces (``"GB82 WEST 1234 5698 7654 32"``) are accepted.
"""

from __future__ import annotations

import re

from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "find_ibans", "validate_iban"]

CANDIDATE = r"\b[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,30}\b"


def _mod97_ok(text: str) -> bool:
    """ISO 13616 check: move the first four characters to the end, letters to 10-35,
    and the number is 1 modulo 97 (ISO/IEC 7064 MOD 97-10)."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isalnum():
        return False
    digits = "".join(str(int(c, 36)) for c in compact[4:] + compact[:4])
    return int(digits) % 97 == 1


def validate_iban(candidate: str) -> float:
    """Confidence that ``candidate`` is an IBAN.

    Parameters
    ----------
    candidate : str
        E.g. ``"GB82WEST12345698765432"`` or ``"de89 3704 0044 0532 0130 00"``.

    Returns
    -------
    float
        0.95 when python-stdnum accepts it (mod-97 check digits, the country's length and
        BBAN structure); 0.0 otherwise.

    Notes
    -----
    Sources: ISO 13616-1:2020 (IBAN structure); ISO/IEC 7064 (MOD 97-10); SWIFT IBAN
    Registry (country lengths), via ``stdnum.iban``.
    """
    text = candidate.strip()
    if not text or not text.isascii():
        return 0.0
    if not _mod97_ok(text):  # cheap check first; stdnum adds the country's BBAN format
        return 0.0
    try:
        stdnum_iban.validate(text)
    except ValidationError:
        return 0.0
    return 0.95


_TOKEN_END = re.compile(r"(?<=[A-Za-z0-9])(?= |$)")


def find_ibans(candidate: str, region: str | None = None) -> list[tuple[int, int, float]]:
    """The longest valid IBAN at the start of a candidate span (offsets relative to it).

    The candidate pattern may run on into a following word or number (``"GB82WEST...32 and"``
    with the space); this shortens it at space boundaries until an IBAN validates.

    Parameters
    ----------
    candidate : str
        A span matched by the IBAN candidate pattern.
    region : str or None
        Unused (an IBAN names its own country); present for the ``refine`` interface.

    Returns
    -------
    list of (start, end, score)
        At most one span.
    """
    ends = sorted({m.start() for m in _TOKEN_END.finditer(candidate)}, reverse=True)
    for end in ends:
        score = validate_iban(candidate[:end])
        if score > 0:
            return [(0, end, score)]
    return []


DETECTOR = Detector(
    entity_type=EntityType.IBAN_CODE,
    candidate_pattern=CANDIDATE,
    validate=validate_iban,
    column_name_hints=(r"iban", r"bank_?account", r"account_?(?:no|number)"),
    context_words=("iban", "bank", "account", "transfer", "sepa", "bic", "swift"),
    source="ISO 13616-1:2020, ISO/IEC 7064 MOD 97-10 (python-stdnum stdnum.iban)",
    refine=find_ibans,
)
