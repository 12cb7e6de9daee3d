"""The detector interface: one small registered class per kind of personal data.

A detector has a *candidate* regular expression, written in the common subset of Python
``re`` and RE2 so the same pattern runs in Python and inside the data engine (DuckDB's
``regexp_matches``), and a ``validate`` function that confirms a candidate (Luhn, mod-97,
``phonenumbers``, ``python-stdnum`` …). The engine counts candidates over a whole column;
Python validates a bounded sample and every span found in text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fairmark.privacy.entities import DATA_CATEGORY, EntityType


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
    """

    entity_type: EntityType
    candidate_pattern: str
    validate: Callable[[str], float]
    column_name_hints: tuple[str, ...] = ()
    context_words: tuple[str, ...] = ()
    source: str = ""
    data_category: str = field(default="")

    def __post_init__(self) -> None:
        if not self.data_category:
            object.__setattr__(self, "data_category", DATA_CATEGORY[self.entity_type])
