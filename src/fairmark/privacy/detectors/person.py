"""Person names, found from the words around them (no statistical model).

Without a named-entity model a name cannot be told from any other capitalised word, so this
detector reports a name only where the text itself says a name follows or precedes:

- a courtesy title or honorific: ``"Mr"``, ``"Mrs"``, ``"Ms"``, ``"Dr"``, ``"Prof"`` … (the
  reported span is the name without the title, as in Presidio's ``PERSON``);
- a salutation: ``"Dear …"``, ``"Hi …"``, ``"Hello …"``;
- an introduction or a label: ``"my name is …"``, ``"this is …"``, ``"Name: …"``,
  ``"name on the account …: …"``, ``"signed …"``, ``"Customer: …"``;
- a sign-off at the end of a letter: ``"Regards,\\n…"``, ``"Thanks, …"``.

The name is one to four capitalised Latin words or initials (``"Faina D. Yefremova"``,
``"Šárka Ottová"``). Names mentioned without such a cue ("the Christiansen novel") are not
found; the measured recall says how many that leaves out.
"""

from __future__ import annotations

import re

from fairmark.privacy.detectors._letters import LETTER, UPPER
from fairmark.privacy.detectors.base import Detector
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "NOT_NAMES", "find_person", "validate_person"]

_TITLES = (
    "mr|mrs|ms|miss|mx|dr|prof|sir|madam|dame|lord|lady|herr|frau|mme|mlle|sr|sra|srta"
    "|sig|sig\\.ra|signor|signora|señor|señora|monsieur|madame|mister|doctor|professor"
)
_CUES = (
    f"(?:{_TITLES})\\.?"
    "|dear|hi|hello|hey|greetings"
    "|my name is|my name's|name is|this is|i am|i'm|call me|speaking with|spoke with|spoke to"
    "|talked to|contact person|ask for"
    "|name:|full name:|customer:|client:|contact:|user:|signed:?|signed by|sincerely,"
    "|regards,|best regards,|kind regards,|thanks,|thank you,|cheers,|best,"
)
_TITLE_SET = frozenset(_TITLES.replace("\\.", ".").split("|"))
_TOKEN = f"[{UPPER}](?:[{LETTER}'’\\-]*[{LETTER}]|\\.)"
_NAME = f"{_TOKEN}(?:[ ]{_TOKEN}){{0,3}}"

_GAP = "[ \\t]*\\n?[ \\t]*"
CANDIDATE = f"\\b(?i:{_CUES}){_GAP}(?:(?i:{_TITLES})\\.?[ ]+)?{_NAME}"

_SPLIT = re.compile(
    f"(?P<cue>\\b(?i:{_CUES})){_GAP}(?:(?P<title>(?i:{_TITLES}))\\.?[ ]+)?(?P<name>{_NAME})",
    re.ASCII,
)
_NAME_RE = re.compile(_NAME, re.ASCII)

NOT_NAMES: frozenset[str] = frozenset(
    {
        "sir",
        "madam",
        "customer",
        "customers",
        "team",
        "all",
        "there",
        "everyone",
        "everybody",
        "friend",
        "friends",
        "colleague",
        "colleagues",
        "support",
        "valued",
        "client",
        "member",
        "manager",
        "partner",
        "sales",
        "service",
        "the",
        "a",
        "an",
        "i",
        "it",
        "we",
        "you",
        "he",
        "she",
        "they",
        "this",
        "that",
        "my",
        "our",
        "your",
        "not",
        "so",
        "very",
        "just",
        "also",
        "here",
        "calling",
        "writing",
        "sorry",
        "happy",
        "glad",
        "interested",
        "looking",
        "going",
        "trying",
        "unable",
        "still",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "yes",
        "no",
        "ok",
        "okay",
        "thanks",
        "thank",
        "please",
        "regarding",
        "re",
        "about",
        "good",
        "morning",
        "afternoon",
        "evening",
        "again",
        "both",
        "guys",
        "folks",
        "sirs",
        "madams",
        "what",
        "how",
        "when",
        "where",
        "why",
        "who",
        "is",
        "are",
        "was",
        "were",
    }
)
"""Capitalised words that follow a salutation or "this is" without being a name."""


def _trim(name: str) -> str:
    """Drop trailing tokens that are not names (``"John And"`` never happens, but
    ``"Maria Thanks"`` does) and a trailing initial's dot-less remnant."""
    tokens = name.split(" ")
    while tokens and tokens[-1].rstrip(".").lower() in NOT_NAMES:
        tokens.pop()
    return " ".join(tokens)


def validate_person(candidate: str) -> float:
    """Confidence that ``candidate`` is a person's name, on its own (no cue word).

    Parameters
    ----------
    candidate : str
        A value such as ``"Jane Doe"`` or ``"Šárka Ottová"``.

    Returns
    -------
    float
        0.3 for two to four capitalised Latin words or initials none of which is in
        :data:`NOT_NAMES` (a column of such values is a name column when its header says
        so; a single capitalised word is too weak to count); 0.0 otherwise.
    """
    text = candidate.strip()
    if not _NAME_RE.fullmatch(text):
        return 0.0
    tokens = text.split(" ")
    if not 2 <= len(tokens) <= 4:
        return 0.0
    if any(token.rstrip(".").lower() in NOT_NAMES for token in tokens):
        return 0.0
    return 0.3


def find_person(candidate: str, region: str | None = None) -> list[tuple[int, int, float]]:
    """The name after (or before) a cue inside a candidate span, offsets relative to it.

    Parameters
    ----------
    candidate : str
        A span matched by the person candidate pattern (cue plus name).
    region : str or None
        Unused; present for the ``refine`` interface.

    Returns
    -------
    list of (start, end, score)
        The name without the cue: 0.85 after a title, 0.75 after an introduction, a label
        or a sign-off, 0.65 after a salutation ("Hi", "Dear"); empty when the words after
        the cue are not a name (``"Dear Customer"``, ``"this is Monday"``).
    """
    match = _SPLIT.match(candidate)
    if match is None:
        return []
    # "Dear Mr Smith": a title after the salutation is the stronger cue.
    cue = (match.group("title") or match.group("cue")).lower().rstrip(".")
    start = match.start("name")
    name = _trim(match.group("name"))
    if not name or name.split(" ")[0].rstrip(".").lower() in NOT_NAMES:
        return []
    if len(name) < 2 or (name.endswith(".") and len(name) <= 2):
        return []
    if cue in _TITLE_SET:
        score = 0.85
    elif cue in {"dear", "hi", "hello", "hey", "greetings"}:
        score = 0.65
    else:
        score = 0.75
    return [(start, start + len(name), score)]


DETECTOR = Detector(
    entity_type=EntityType.PERSON,
    candidate_pattern=CANDIDATE,
    validate=validate_person,
    column_name_hints=(
        r"\bname\b",
        r"first_?name",
        r"last_?name",
        r"surname",
        r"full_?name",
        r"given_?name",
        r"family_?name",
        r"customer_?name",
        r"contact_?name",
        r"\bvorname\b",
        r"\bnom\b",
        r"\bnombre\b",
    ),
    context_words=(),
    source=(
        "cue words (titles, salutations, introductions, sign-offs) as in Sweeney 1996, "
        "'Replacing personally-identifying information in medical records' (Scrub system)"
    ),
    refine=find_person,
)
