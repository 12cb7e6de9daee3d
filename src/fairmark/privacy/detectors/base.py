"""The detector interface: one small registered class per kind of personal data.

A detector has a *candidate* regular expression, written in the common subset of Python
``re`` and RE2 so the same pattern runs in Python and inside the data engine (DuckDB's
``regexp_matches``), and a ``validate`` function that confirms a candidate (Luhn, mod-97,
``phonenumbers``, ``python-stdnum`` …). The engine counts candidates over a whole column;
Python validates a bounded sample and every span found in text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fairmark.privacy.entities import DATA_CATEGORY, EntityType

__all__ = ["Detector", "words_pattern"]


def words_pattern(words: Sequence[str]) -> str:
    """A case-insensitive pattern matching any of ``words`` (for ``text_prefilter``).

    Parameters
    ----------
    words : sequence of str
        Literal words or phrases.

    Returns
    -------
    str
        ``(?i:w1|w2|...)`` with regex metacharacters escaped, longest first.
    """
    escaped = (re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return "(?i:" + "|".join(escaped) + ")"


@dataclass(frozen=True)
class Detector:
    """One kind of personal data and how to find it.

    Parameters
    ----------
    entity_type : EntityType
    candidate_pattern : str
        Regular expression (Python ``re`` and RE2 compatible, no look-around, no
        back-references) matching candidate spans inside a text.
    validate : callable
        ``validate(candidate: str) -> float``: confidence in [0, 1] that the candidate is
        really this entity (0 rejects it).
    column_name_hints : tuple of str
        Lower-case regular expressions matched against a column name (``r"e_?mail"``).
    context_words : tuple of str
        Lower-case words that raise confidence when they appear near a span in text.
    source : str
        Where the validation rule comes from (standard, library).
    data_category : str
        fideslang data category; defaults to ``DATA_CATEGORY[entity_type]``.
    needs_context : bool
        In text, keep a candidate only when one of ``context_words`` is near it (a date is a
        date of birth only next to "born"; a bare 4-digit number is a postal code only next
        to "zip"). Column scans use ``column_name_hints`` instead.
    refine : callable or None
        ``refine(candidate: str, region: str | None) -> Sequence[(start, end, score)]``:
        for entity types whose candidate span can be wider than the entity (a phone number
        followed by more digits, an IBAN followed by a word), the validated sub-spans of the
        candidate, offsets relative to it. ``None``: the candidate is validated whole with
        ``validate``.
    text_prefilter : str or None
        Optional pattern (same dialect as ``candidate_pattern``) that every text holding a
        finding of this detector with confidence >= 0.5 matches, e.g. its context words for
        a detector that needs context. Batch scans with ``min_score >= 0.5`` skip the
        detector on texts that do not match it; it never changes a result, only saves work.
    """

    entity_type: EntityType
    candidate_pattern: str
    validate: Callable[[str], float]
    column_name_hints: tuple[str, ...] = ()
    context_words: tuple[str, ...] = ()
    source: str = ""
    data_category: str = field(default="")
    needs_context: bool = False
    refine: Callable[[str, str | None], Sequence[tuple[int, int, float]]] | None = None
    text_prefilter: str | None = None

    def __post_init__(self) -> None:
        if not self.data_category:
            object.__setattr__(self, "data_category", DATA_CATEGORY[self.entity_type])
