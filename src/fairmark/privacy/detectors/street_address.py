"""Street addresses: a house number with a street name and type, or a unit / post box.

Three written forms are recognised (each with optional unit such as "Apt. 864"):

- number first, then a capitalised street name and English street type (USPS Publication
  28, Appendix C1 street suffix abbreviations; Royal Mail thoroughfare types):
  ``"1668 Glyn St"``, ``"14 Crown Street"``; or a French street type as written in lower
  case, ``"12 rue de la Paix"``;
- name first with a street-type prefix (Romance languages: ``"Via Franscini 71"``,
  ``"Rua do Arenque 1634"``, ``"Calle Mayor 5"``) or a capitalised name ending in, or
  followed by, a street-type word (Germanic, Nordic, Finnish, Hungarian, Slavic:
  ``"Hauptstraße 5"``, ``"Præstevænget 15"``, ``"Harjukuja 54"``, ``"Erzsébet tér 19"``);
- a unit, post-office or military box alone: ``"Suite 501"``, ``"PO Box 123"``,
  ``"PSC 0413, Box 8144"``.

Street names in other scripts, and addresses without a street type ("Allika 46") are not
found: say so when reporting recall.
"""

from __future__ import annotations

import re

from fairmark.privacy.detectors._letters import LETTER, UPPER
from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "find_street_address", "validate_street_address"]

_EN_TYPES = (
    "street|st|streets|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct"
    "|way|place|pl|square|sq|squares|terrace|ter|parkway|pkwy|highway|hwy|circle|cir"
    "|crescent|cres|close|grove|gardens|gdns|row|walk|hill|hills|park|trail|trl|plaza"
    "|alley|mews|union|unions|fort|ft|port|crossing|xing|loop|run|pike|ridge|valley"
    "|heights|hts|view|views|point|green|cove|creek|glen|manor|meadows|station|junction"
    "|landing|harbor|harbour|springs|estates|expressway|freeway|turnpike|center|centre"
    "|common|commons|corner|corners|crest|field|fields|forest|garden|gateway|haven|island"
    "|isle|lake|lakes|lodge|mill|mills|motorway|oval|pass|path|pines|plains|prairie"
    "|ramp|ranch|rapids|rest|route|shore|shores|skyway|spur|summit|track|trace|village"
    "|ville|vista|wall|well|wells|wharf|burg|bypass|camp|canyon|cape|causeway|cliff|club"
    "|curve|dale|dam|divide|extension|falls|ferry|flat|flats|ford|forge|fork|grove"
    "|harbor|hollow|inlet|key|knoll|mall|mount|mountain|neck|orchard|overpass|parks"
    "|radial|river|roads|shoal|spring|stream|throughway|tunnel|underpass|viaduct"
)
_FR_TYPES = "rue|avenue|boulevard|bd|place|chemin|allée|allee|impasse|quai|route|cours"
_PREFIX_TYPES = (
    "rua|avenida|av\\.|calle|c/|carrer|camino|paseo|plaza|via|viale|piazza|piazzale|corso"
    "|largo|vicolo|rue|avenue|boulevard|chemin|place|quai|ulica|ul\\.|aleja|al\\."
    "|strada|calea|bulevardul|odos|leoforos"
)
_SUFFIX_TYPES = (
    "vej|vænget|gade|stræde|straße|strasse|straat|weg|gasse|allee|platz|damm|ufer"
    "|katu|kuja|tie|polku|kaari|väg|vägen|gatan|gata|gränd|veien|vei|veg|stien|sti"
    "|laan|plein|gracht|kade|singel|utca|út|tér|körút|iela|gatvė|tänav|maantee"
    "|ulice|náměstí|cesta|trg|terrasse|braut"
)


def _cased(alternatives: str) -> str:
    """``"street|st"`` → ``"Street|STREET|St|ST"``: street types as written in addresses."""
    words = [w for w in alternatives.split("|") if w]
    return "|".join(dict.fromkeys(f"{w[0].upper()}{w[1:]}|{w.upper()}" for w in words))


_UNIT = r"(?:,? (?:apt|apartment|suite|ste|unit|flat|floor|fl|room|rm)\.? ?#?[0-9]{1,5}[a-z]?)?"
_WORD = f"[{LETTER}][{LETTER}'\\-]*\\.?"
_NAME_WORD = f"[{UPPER}0-9][{LETTER}'\\-]*\\.?"

CANDIDATE = (
    # 1. number first, capitalised street name and English street type
    f"\\b[0-9]{{1,5}}[A-Za-z]?,? (?:{_NAME_WORD} ){{0,4}}(?:{_cased(_EN_TYPES)})\\b\\.?"
    f"(?i:{_UNIT})"
    # 1b. number first, French street type (lower case as written), then the name
    f"|\\b[0-9]{{1,5}}(?: bis| ter)?,? (?i:{_FR_TYPES}) (?:{_WORD} ?){{1,5}}"
    # 2. capitalised street-type prefix, then the name, then the number
    f"|\\b(?:{_cased(_PREFIX_TYPES)}) (?:{_WORD} ){{1,5}}[0-9]{{1,5}}[a-zA-Z]?\\b"
    f"(?i:{_UNIT})"
    # 2b. capitalised name ending in (or followed by) a street-type word, then the number
    f"|\\b[{UPPER}][{LETTER}]*(?: ?(?:{_SUFFIX_TYPES}))\\.? [0-9]{{1,5}}[a-zA-Z]?\\b\\.?"
    f"(?i:{_UNIT})"
    # 3. unit, post-office or military box alone
    "|(?i:\\b(?:apt|apartment|suite|ste|unit|flat)\\.? ?#?[0-9]{1,5}[a-z]?\\b"
    "|\\bp\\.? ?o\\.? box [0-9]{1,6}\\b"
    "|\\b(?:psc|cmr|unit) [0-9]{4}, box [0-9]{4}\\b)"
)

_CANDIDATE_RE = re.compile(CANDIDATE, re.ASCII)
_UNIT_ONLY = re.compile(
    r"(?i:(?:apt|apartment|suite|ste|unit|flat)\.? ?#?[0-9]{1,5}[a-z]?)", re.ASCII
)


def validate_street_address(candidate: str) -> float:
    """Confidence that ``candidate`` is (or holds) a street address.

    Parameters
    ----------
    candidate : str
        A value (``"1668 Glyn St"``, ``"Via Franscini 71, 6500 Bellinzona"``) or a span.

    Returns
    -------
    float
        0.7 when a number-plus-street-type form is found in it; 0.55 for a unit or box
        alone (``"Suite 501"``, ``"PO Box 12"``); 0.0 otherwise.

    Notes
    -----
    Sources: USPS Publication 28 (2015) Appendix C1 (street suffixes) and §213 (secondary
    unit designators); Royal Mail PAF thoroughfare descriptors; UPU Postal addressing
    systems (continental street forms).
    """
    match = _CANDIDATE_RE.search(candidate)
    if match is None:
        return 0.0
    found = match.group(0)
    if _UNIT_ONLY.fullmatch(found) or found.lower().replace(".", "").startswith(
        ("po box", "p o box", "psc", "cmr", "unit ")
    ):
        return 0.55
    return 0.7


def find_street_address(candidate: str, region: str | None = None) -> list[tuple[int, int, float]]:
    """The validated address in a candidate span, without a sentence-final full stop.

    A trailing ``"."`` stays when it belongs to an abbreviation (``"St."``, ``"Ave."``) or
    to a house number (``"Erzsébet tér 19."``, the Hungarian ordinal), and is dropped after
    a full word (``"14 Crown Street."``).

    Parameters
    ----------
    candidate : str
        A span matched by the street-address candidate pattern.
    region : str or None
        Unused; present for the ``refine`` interface.

    Returns
    -------
    list of (start, end, score)
        At most one span.
    """
    score = validate_street_address(candidate)
    if score == 0.0:
        return []
    end = len(candidate)
    last = candidate.rsplit(" ", 1)[-1]
    if last.endswith(".") and last[:-1].isalpha() and len(last) > 5:
        end -= 1
    return [(0, end, score)]


DETECTOR = Detector(
    entity_type=EntityType.STREET_ADDRESS,
    candidate_pattern=CANDIDATE,
    validate=validate_street_address,
    column_name_hints=(r"street", r"address(?:_?line)?", r"\baddr\b", r"strasse", r"\brue\b"),
    context_words=("address", "street", "live", "lives", "located", "deliver", "ship", "visit"),
    source="USPS Pub. 28 App. C1 and §213; Royal Mail PAF; UPU Postal addressing systems",
    refine=find_street_address,
)
