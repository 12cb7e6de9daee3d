"""National identification numbers: US SSN, UK NINO and five EU ids via python-stdnum.

Covered schemes (:data:`SCHEMES`):

- US Social Security Number (SSA, POMS RM 10201.035; never-issued ranges of 20 CFR 422.103
  practice: area 000, 666 and 900-999, group 00, serial 0000), written ``123-45-6789``.
- UK National Insurance number (HMRC National Insurance Manual NIM39110: two prefix
  letters with the excluded letters and pairs, six digits, suffix A-D).
- Germany: steuerliche Identifikationsnummer (IdNr, §139b AO; ``stdnum.de.idnr``).
- France: NIR / numéro de sécurité sociale (INSEE; ``stdnum.fr.nir``).
- Spain: DNI and NIE (Real Decreto 1553/2005, Orden INT/2058/2008; ``stdnum.es.dni``,
  ``stdnum.es.nie``).
- Italy: codice fiscale (DM 23/12/1976; ``stdnum.it.codicefiscale``).
- Netherlands: burgerservicenummer (BSN, Wet algemene bepalingen BSN; 11-proef;
  ``stdnum.nl.bsn``).

Schemes that are bare digit strings (IdNr, BSN, an undashed SSN) are also right for many
order or account numbers by chance (a BSN check passes one random 9-digit number in 11), so
in text they need a context word ("ssn", "bsn", "steuer-id" …) nearby to be reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn

from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "SCHEMES", "national_id_scheme", "validate_national_id"]

CANDIDATE = (
    r"\b(?:[0-9]{3}[ \-][0-9]{2}[ \-][0-9]{4}"  # US SSN, grouped
    r"|[A-Za-z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Da-d]"  # UK NINO
    r"|[12] ?[0-9]{2} ?[0-9AB]{2} ?[0-9AB]{2} ?[0-9]{3} ?[0-9]{3} ?[0-9]{2}"  # FR NIR
    r"|[0-9]{8}-?[A-Za-z]"  # ES DNI
    r"|[XYZxyz]-?[0-9]{7}-?[A-Za-z]"  # ES NIE
    r"|[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{2}"
    r"[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z]"  # IT codice fiscale
    r"|[0-9]{2} ?[0-9]{3} ?[0-9]{3} ?[0-9]{3}"  # DE IdNr (11 digits)
    r"|[0-9]{9})\b"  # NL BSN, US SSN without dashes
)

_SSN_DASHED = re.compile(r"([0-9]{3})[ \-]([0-9]{2})[ \-]([0-9]{4})", re.ASCII)
_SSN_PLAIN = re.compile(r"([0-9]{3})([0-9]{2})([0-9]{4})", re.ASCII)
_NINO = re.compile(r"([A-Z])([A-Z])([0-9]{6})([A-D])", re.ASCII)
_NINO_BAD_FIRST = frozenset("DFIQUV")
_NINO_BAD_SECOND = frozenset("DFIOQUV")
_NINO_BAD_PREFIX = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_SSN_NEVER_VALID = frozenset({"078051120", "219099999", "123456789"})


def _ssn_ok(area: str, group: str, serial: str) -> bool:
    if area in {"000", "666"} or area.startswith("9"):
        return False
    if group == "00" or serial == "0000":
        return False
    return area + group + serial not in _SSN_NEVER_VALID


def _us_ssn(text: str) -> float:
    dashed = _SSN_DASHED.fullmatch(text)
    if dashed:
        return 0.6 if _ssn_ok(*dashed.groups()) else 0.0
    plain = _SSN_PLAIN.fullmatch(text)
    if plain and len(set(text)) > 1:
        return 0.3 if _ssn_ok(*plain.groups()) else 0.0
    return 0.0


def _uk_nino(text: str) -> float:
    match = _NINO.fullmatch(text.replace(" ", "").upper())
    if not match:
        return 0.0
    first, second, _, _ = match.groups()
    if first in _NINO_BAD_FIRST or second in _NINO_BAD_SECOND:
        return 0.0
    if first + second in _NINO_BAD_PREFIX:
        return 0.0
    return 0.7


def _stdnum(module: object, score: float) -> Callable[[str], float]:
    is_valid = module.is_valid  # type: ignore[attr-defined]

    def check(text: str) -> float:
        return score if is_valid(text) else 0.0

    return check


_SHAPES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.ASCII)
    for name, pattern in {
        "US SSN": r"[0-9]{3}[ \-]?[0-9]{2}[ \-]?[0-9]{4}",
        "UK NINO": r"[A-Za-z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Da-d]",
        "FR NIR": r"[12][0-9AB ]{14,20}",
        "ES DNI": r"[0-9]{8}-?[A-Za-z]",
        "ES NIE": r"[XYZxyz]-?[0-9]{7}-?[A-Za-z]",
        "IT codice fiscale": r"[A-Za-z]{6}[0-9A-Za-z]{10}",
        "DE IdNr": r"[0-9]{2} ?[0-9]{3} ?[0-9]{3} ?[0-9]{3}",
        "NL BSN": r"[0-9]{9}",
    }.items()
}

SCHEMES: dict[str, Callable[[str], float]] = {
    "US SSN": _us_ssn,
    "UK NINO": _uk_nino,
    "FR NIR": _stdnum(nir, 0.75),
    "ES DNI": _stdnum(dni, 0.7),
    "ES NIE": _stdnum(nie, 0.75),
    "IT codice fiscale": _stdnum(codicefiscale, 0.9),
    "DE IdNr": _stdnum(idnr, 0.35),
    "NL BSN": _stdnum(bsn, 0.3),
}
"""Scheme name → ``check(text) -> confidence`` (0 rejects); confidences of schemes that are
bare digit strings stay below the 0.5 reporting threshold without a context word."""


def national_id_scheme(candidate: str) -> tuple[str | None, float]:
    """The scheme that accepts ``candidate`` with the highest confidence.

    Parameters
    ----------
    candidate : str
        One value or span, e.g. ``"123-45-6789"``, ``"QQ 12 34 56 C"``,
        ``"RCCMNL83S18D969H"``.

    Returns
    -------
    tuple of (str or None, float)
        ``(scheme name, confidence)``; ``(None, 0.0)`` when no scheme accepts it.
    """
    text = candidate.strip()
    if not text.isascii():
        return None, 0.0
    best: tuple[str | None, float] = (None, 0.0)
    for name, check in SCHEMES.items():
        if not _SHAPES[name].fullmatch(text):
            continue
        score = check(text)
        if score > best[1]:
            best = (name, score)
    return best


def validate_national_id(candidate: str) -> float:
    """Confidence that ``candidate`` is one of the national identifiers in :data:`SCHEMES`.

    Parameters
    ----------
    candidate : str
        One value or span.

    Returns
    -------
    float
        The best scheme's confidence (see :data:`SCHEMES`: 0.9 for a codice fiscale, 0.75
        for a NIR or NIE, 0.7 for a NINO or DNI, 0.6 for a dashed SSN, 0.3-0.35 for bare
        9/11-digit numbers that pass an SSN, BSN or IdNr check), 0.0 when none accepts it.

    Notes
    -----
    Sources: SSA POMS RM 10201.035 and SSA "Social Security Number Randomization" (2011)
    for never-issued SSN ranges; HMRC NIM39110 (NINO format); python-stdnum 1.20+
    (``de.idnr``, ``fr.nir``, ``es.dni``, ``es.nie``, ``it.codicefiscale``, ``nl.bsn``)
    for the EU check digits.
    """
    return national_id_scheme(candidate)[1]


DETECTOR = Detector(
    entity_type=EntityType.NATIONAL_ID,
    candidate_pattern=CANDIDATE,
    validate=validate_national_id,
    column_name_hints=(
        r"\bssn\b",
        r"social_?security",
        r"\bnino\b",
        r"national_?(?:id|insurance)",
        r"\bnir\b",
        r"\bdni\b",
        r"\bnie\b",
        r"\bnif\b",
        r"codice_?fiscale",
        r"\bbsn\b",
        r"steuer_?id",
        r"\bidnr\b",
        r"tax_?id",
        r"personal_?id",
    ),
    context_words=(
        "ssn",
        "social security",
        "national insurance",
        "nino",
        "ni number",
        "nir",
        "sécurité sociale",
        "securite sociale",
        "insee",
        "dni",
        "nie",
        "nif",
        "codice fiscale",
        "bsn",
        "burgerservicenummer",
        "steuer-id",
        "steuerid",
        "identifikationsnummer",
        "idnr",
        "national id",
        "id number",
        "tax id",
    ),
    source=(
        "SSA POMS RM 10201.035 (SSN); HMRC NIM39110 (NINO); python-stdnum de.idnr, fr.nir, "
        "es.dni, es.nie, it.codicefiscale, nl.bsn"
    ),
)
