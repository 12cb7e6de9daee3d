"""Dates of birth: a calendar date that could be a living person's birth date.

A date on its own is not personal data of the birth kind; in text a date is reported as a
date of birth only next to a birth context word ("born", "date of birth", "DOB" …), and in a
table only in a column whose name says so (the table scan reads ``column_name_hints``).
:func:`validate_dob` accepts ISO 8601 dates (``1985-03-12``, with an optional time), numeric
day/month/year in either order (``12/03/1985``, ``3-12-85``), and dates with an English
month name (``12 March 1985``, ``March 12, 1985``), dated between 120 years ago and today
(ISO 8601-1:2019 for the calendar date forms).
"""

from __future__ import annotations

import datetime as dt
import re

from fairmark.privacy.detectors.base import Detector, words_pattern
from fairmark.privacy.entities import EntityType

__all__ = ["DETECTOR", "MAX_AGE_YEARS", "parse_date", "validate_dob"]

MAX_AGE_YEARS = 120
"""Oldest plausible age in years (the oldest verified human lived 122 years)."""

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
CANDIDATE = (
    r"(?i:\b(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
    r"|[0-9]{1,2}[./\-][0-9]{1,2}[./\-](?:[0-9]{4}|[0-9]{2})"
    rf"|[0-9]{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTHS})\.?,? [0-9]{{4}}"
    rf"|(?:{_MONTHS})\.? [0-9]{{1,2}}(?:st|nd|rd|th)?,? [0-9]{{4}})\b)"
)

_MONTH_NUMBER = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T].*)?", re.ASCII)
_NUMERIC = re.compile(r"([0-9]{1,2})[./\-]([0-9]{1,2})[./\-]([0-9]{4}|[0-9]{2})", re.ASCII)
_DAY_MONTH = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?(?: of)? ([a-z]+)\.?,? ([0-9]{4})")
_MONTH_DAY = re.compile(r"([a-z]+)\.? ([0-9]{1,2})(?:st|nd|rd|th)?,? ([0-9]{4})")


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _two_digit_year(year: int, today: dt.date) -> int:
    century = today.year // 100 * 100
    return century + year if century + year <= today.year else century - 100 + year


def parse_date(candidate: str, *, today: dt.date | None = None) -> dt.date | None:
    """Parse a date written in one of the accepted forms; ``None`` when it is not a date.

    Parameters
    ----------
    candidate : str
        E.g. ``"1985-03-12"``, ``"12/03/1985"``, ``"6/24/91"``, ``"March 12, 1985"``.
    today : datetime.date, optional
        Reference date for two-digit years (a two-digit year is the latest year not after
        ``today``); defaults to the current date.

    Returns
    -------
    datetime.date or None
        For an ambiguous numeric date (both parts ≤ 12) day-first is tried first, then
        month-first (either is a valid calendar date, which is all a birth-date check needs).
    """
    today = today or dt.date.today()
    text = candidate.strip().lower()
    match = _ISO.fullmatch(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day)
    match = _NUMERIC.fullmatch(text)
    if match:
        first, second, year_text = match.groups()
        year = int(year_text)
        if len(year_text) == 2:
            year = _two_digit_year(year, today)
        return _date(year, int(second), int(first)) or _date(year, int(first), int(second))
    for pattern, order in ((_DAY_MONTH, "dmy"), (_MONTH_DAY, "mdy")):
        match = pattern.fullmatch(text)
        if match:
            parts = dict(zip(order, match.groups(), strict=True))
            month = _MONTH_NUMBER.get(parts["m"])
            if month is None:
                return None
            return _date(int(parts["y"]), month, int(parts["d"]))
    return None


def validate_dob(candidate: str, *, today: dt.date | None = None) -> float:
    """Confidence that ``candidate`` is a plausible date of birth (before any context).

    Parameters
    ----------
    candidate : str
        A date value or span.
    today : datetime.date, optional
        Reference date; defaults to the current date.

    Returns
    -------
    float
        0.4 for a valid calendar date between :data:`MAX_AGE_YEARS` years ago and
        ``today`` (below the 0.5 reporting threshold on purpose: in text the birth context
        word lifts it, in a table the column name); 0.0 for anything else.

    Notes
    -----
    Sources: ISO 8601-1:2019 §5.2 (calendar dates); the age bound follows the oldest
    verified human lifespan (122 years, Guinness World Records).
    """
    today = today or dt.date.today()
    date = parse_date(candidate, today=today)
    if date is None:
        return 0.0
    earliest = _date(today.year - MAX_AGE_YEARS, today.month, 1) or today
    return 0.4 if earliest <= date <= today else 0.0


_CONTEXT_WORDS = (
    "born",
    "birth",
    "birthday",
    "dob",
    "d.o.b",
    "date of birth",
    "birthdate",
    "geboren",
    "né",
    "née",
    "nacido",
    "nata",
    "nato",
)

DETECTOR = Detector(
    entity_type=EntityType.DATE_OF_BIRTH,
    candidate_pattern=CANDIDATE,
    validate=validate_dob,
    column_name_hints=(r"\bdob\b", r"birth", r"born", r"geburt", r"naissance", r"nacimiento"),
    context_words=_CONTEXT_WORDS,
    source="ISO 8601-1:2019 §5.2 (calendar dates), with a birth context word or column name",
    needs_context=True,
    text_prefilter=words_pattern(_CONTEXT_WORDS),
)
