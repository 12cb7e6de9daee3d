"""How many values of a column *are* a given kind of personal data, from a sample.

For each detector (:data:`fairmark.privacy.detectors.DETECTORS`) and each sampled value,
:func:`whole_value_score` asks whether the value as a whole is that entity: its candidate
spans (the detector's ``candidate_pattern``, validated by ``refine`` or ``validate``) must
cover at least :data:`MIN_COVERAGE` of the value's characters, or, for detectors with a
``refine`` step (phone, IBAN, person), ``validate`` must accept the whole value on its own
(a value holding a candidate that ``refine`` cut short; and any value for person names,
whose candidate pattern needs a cue word: ``"Jane Doe"`` is a name without one). A value inside a
sentence (``"call me on +44 …"``) is not a phone number *value*; free text is judged
separately.

The column name plays the part a context word plays in text: when it matches the
detector's ``column_name_hints`` (or fairmark's name rules give the same entity type), the
score gets :data:`fairmark.privacy.scan_text.CONTEXT_BOOST`, capped at 1, as in
:func:`fairmark.privacy.scan_text.scan_text`.

:func:`evaluate_values` turns the per-value results into :class:`EntityEvidence` and an
estimate of the share of the whole column's non-null values that are the entity
(``match_share``):

- ``engine × sample``: the engine's candidate share over the whole column times the
  fraction of sampled candidates that validate. Used when every validated sampled value
  is also a candidate (true for e-mail, card, IBAN, IP, phone, national id, postal code,
  date, address forms), which makes the product an unbiased estimate with the candidate
  share known exactly;
- ``sample``: the share of sampled values that validate, when some validated values are
  not candidates (names: the candidate pattern needs a cue word) or the engine could not
  count (bytes).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from fairmark.privacy.column_names import NameHint, normalise_name
from fairmark.privacy.detectors import Detector
from fairmark.privacy.entities import EntityType

__all__ = [
    "FULL_SCORE",
    "MIN_COVERAGE",
    "EntityEvidence",
    "evaluate_values",
    "has_name_context",
    "name_shape_share",
    "vocabulary_hint",
    "whole_value_score",
]

MIN_COVERAGE = 0.8
"""Share of a value's characters its validated candidate spans must cover."""

FULL_SCORE = 0.5
"""A mean validation score at or above this (the text scan's reporting threshold) counts
fully as value evidence; lower means count proportionally."""


@dataclass(frozen=True)
class EntityEvidence:
    """What the sampled values say about one entity type.

    Attributes
    ----------
    entity_type : EntityType
    n_sampled : int
        Non-null values looked at.
    n_candidates : int
        Sampled values containing a candidate of the detector's pattern.
    n_valid : int
        Sampled values that are the entity as a whole (score > 0).
    n_valid_candidates : int
        Of ``n_valid``, those that are also candidates.
    mean_score : float
        Mean whole-value score of the valid values (name boost included), 0 if none.
    engine_share : float or None
        Candidate share over the whole column, from the engine.
    match_share : float
        Estimated share of the column's non-null values that are the entity.
    estimator : str
        ``"engine × sample"`` or ``"sample"`` (see the module docstring).
    name_context : bool
        Whether the column name gave the detector its context boost.
    examples : tuple of str
        Up to three distinct valid values, for masking (never reported raw).
    """

    entity_type: EntityType
    n_sampled: int
    n_candidates: int
    n_valid: int
    n_valid_candidates: int
    mean_score: float
    engine_share: float | None
    match_share: float
    estimator: str
    name_context: bool
    examples: tuple[str, ...] = ()

    @property
    def strength(self) -> float:
        """Value evidence in [0, 1]: ``match_share × min(1, mean_score / FULL_SCORE)``."""
        return self.match_share * min(1.0, self.mean_score / FULL_SCORE)


_NO_CUE = frozenset({EntityType.PERSON})
"""Entities whose candidate pattern needs a cue word that a column value does not have:
``validate`` judges their values even without a candidate."""


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


@cache
def _takes_region(detector: Detector) -> bool:
    try:
        return "region" in inspect.signature(detector.validate).parameters
    except (TypeError, ValueError):
        return False


def has_name_context(column: str, detector: Detector, hint: NameHint | None) -> bool:
    """Whether the column name is context for ``detector`` (its hints, or fairmark's rules).

    Parameters
    ----------
    column : str
    detector : Detector
    hint : NameHint or None
        :func:`fairmark.privacy.column_names.classify_name` of ``column``.
    """
    if hint is not None and hint.entity_type == detector.entity_type:
        return True
    normal = normalise_name(column)
    spaced = normal.replace("_", " ")
    return any(
        re.search(h, normal) or re.search(h, spaced) for h in detector.column_name_hints
    )


def _validate(detector: Detector, text: str, region: str | None) -> float:
    if region is not None and _takes_region(detector):
        return float(detector.validate(text, region=region))  # type: ignore[call-arg]
    return float(detector.validate(text))


def whole_value_score(
    value: str, detector: Detector, *, region: str | None = None, boost: float = 0.0
) -> tuple[bool, float]:
    """Whether ``value`` holds a candidate, and its score as a whole-value ``detector`` entity.

    Parameters
    ----------
    value : str
    detector : Detector
    region : str or None
        Phone region of the row (ISO 3166-1 alpha-2), passed to detectors that take one.
    boost : float
        Added to a positive score (the column-name context), capped at 1.

    Returns
    -------
    (bool, float)
        ``is_candidate`` (the candidate pattern matches somewhere in the value) and the
        whole-value score in [0, 1] (0: not this entity as a whole).
    """
    text = value.strip()
    if not text:
        return False, 0.0
    spans: list[tuple[int, int, float]] = []
    candidate = False
    for match in _compiled(detector.candidate_pattern).finditer(text):
        candidate = True
        piece = match.group(0)
        if detector.refine is not None:
            subs = detector.refine(piece, region)
        else:
            s = _validate(detector, piece, region)
            subs = [(0, len(piece), s)] if s > 0 else []
        spans.extend((match.start() + a, match.start() + b, s) for a, b, s in subs if s > 0)
    covered = sum(b - a for a, b, _ in spans)
    score = 0.0
    if spans and covered >= MIN_COVERAGE * len(text):
        score = sum((b - a) * s for a, b, s in spans) / covered
    elif detector.refine is not None and (candidate or detector.entity_type in _NO_CUE):
        score = _validate(detector, text, region)
    if score > 0 and boost:
        score = min(1.0, score + boost)
    return candidate, score


def evaluate_values(
    values: Sequence[str],
    regions: Sequence[str | None],
    detectors: Sequence[Detector],
    *,
    column: str,
    hint: NameHint | None,
    engine_candidates: dict[EntityType, int] | None,
    n_non_null: int,
    boost: float,
) -> dict[EntityType, EntityEvidence]:
    """Validate sampled values with every detector and estimate each entity's share.

    Parameters
    ----------
    values : sequence of str
        Non-null sampled values (text, or the decimal form of integers).
    regions : sequence of str or None
        Phone region of each value's row (``None``: the detector's default regions).
    detectors : sequence of Detector
    column : str
        Column name (for the name context).
    hint : NameHint or None
        What fairmark's name rules say about ``column``.
    engine_candidates : dict or None
        ``EntityType -> candidate count over the whole column`` from the engine; ``None``
        when the engine could not count (bytes).
    n_non_null : int
        Non-null values in the whole column.
    boost : float
        Score added when the column name is the detector's context.

    Returns
    -------
    dict
        ``EntityType -> EntityEvidence`` for every detector.
    """
    out: dict[EntityType, EntityEvidence] = {}
    n = len(values)
    for detector in detectors:
        context = has_name_context(column, detector, hint)
        n_cand = n_valid = n_valid_cand = 0
        total = 0.0
        examples: list[str] = []
        for value, region in zip(values, regions, strict=True):
            cand, score = whole_value_score(
                value, detector, region=region, boost=boost if context else 0.0
            )
            n_cand += cand
            if score > 0:
                n_valid += 1
                n_valid_cand += cand
                total += score
                text = value.strip()
                if len(examples) < 3 and text not in examples:
                    examples.append(text)
        engine_share = None
        if engine_candidates is not None and detector.entity_type in engine_candidates:
            found = engine_candidates[detector.entity_type]
            engine_share = found / n_non_null if n_non_null else 0.0
        if n == 0:
            share, estimator = 0.0, "sample"
        elif engine_share is None or n_valid > n_valid_cand:
            share, estimator = n_valid / n, "sample"
        else:
            share = engine_share * (n_valid_cand / n_cand) if n_cand else 0.0
            estimator = "engine × sample"
        out[detector.entity_type] = EntityEvidence(
            entity_type=detector.entity_type,
            n_sampled=n,
            n_candidates=n_cand,
            n_valid=n_valid,
            n_valid_candidates=n_valid_cand,
            mean_score=total / n_valid if n_valid else 0.0,
            engine_share=engine_share,
            match_share=min(1.0, share),
            estimator=estimator,
            name_context=context,
            examples=tuple(examples),
        )
    return out


_NAME_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*\.?")


def name_shape_share(values: Sequence[str]) -> tuple[float, tuple[str, ...]]:
    """Share of values shaped like a person's name: 1 to 4 capitalised words of letters.

    Parameters
    ----------
    values : sequence of str

    Returns
    -------
    (float, tuple of str)
        The share in [0, 1] (0 for no values) and up to three distinct name-shaped
        values (for masking). ``"Emma"``, ``"O'Neil"``, ``"Mary-Jane Smith"`` and
        ``"J. R. Tolkien"`` are name-shaped; ``"bronze"``, ``"12 High St"`` and
        ``"admin."`` are not. A shape, not a validation: cities are name-shaped too.
    """
    if not values:
        return 0.0, ()
    good = 0
    examples: list[str] = []
    for value in values:
        text = value.strip()
        tokens = text.split()
        if 1 <= len(tokens) <= 4 and all(
            _NAME_TOKEN.fullmatch(tok) and tok[0].isupper() for tok in tokens
        ):
            good += 1
            if len(examples) < 3 and text not in examples:
                examples.append(text)
    return good / len(values), tuple(examples)


# --- small vocabularies: demographic columns recognised from their values ----------------

VOCABULARY_MIN_SHARE = 0.9
"""Share of sampled non-null values that must belong to a vocabulary (generic answers such
as ``unknown`` included) for the column to be recognised from its values."""

VOCABULARY_MAX_DISTINCT = 30
"""A column with more distinct sampled values than this is not a small vocabulary."""

_GENERIC_ANSWERS = frozenset(
    {"?", "-", "other", "others", "unknown", "n/a", "na", "none", "not stated",
     "prefer not to say", "not specified", "undisclosed", "declined", "missing"}
)  # fmt: skip

_VOCABULARIES: tuple[tuple[NameHint, frozenset[str]], ...] = (
    (NameHint("race or ethnicity", "user.demographic.race_ethnicity", strength=0.9),
     frozenset({
         "white", "black", "asian", "asian-pac-islander", "amer-indian-eskimo", "hispanic",
         "latino", "latina", "latinx", "hispanic or latino", "not hispanic or latino",
         "african american", "african-american", "black or african american",
         "american indian or alaska native", "native hawaiian or other pacific islander",
         "pacific islander", "native american", "alaska native", "caucasian", "mixed",
         "multiracial", "two or more races", "white british", "white other", "black african",
         "black caribbean", "arab", "middle eastern", "south asian", "east asian",
         "asian or asian british", "black british", "mixed race", "indigenous",
     })),
    (NameHint("sex or gender", "user.demographic.gender", strength=0.9),
     frozenset({
         "male", "female", "m", "f", "man", "woman", "men", "women", "non-binary", "nonbinary",
         "non binary", "transgender", "genderqueer", "intersex", "diverse", "divers",
     })),
    (NameHint("marital status", "user.demographic.marital_status", strength=0.9),
     frozenset({
         "married", "single", "divorced", "widowed", "widow", "widower", "separated",
         "never-married", "never married", "married-civ-spouse", "married-spouse-absent",
         "married-af-spouse", "civil partnership", "civil partner", "domestic partner",
         "domestic partnership", "cohabiting", "engaged", "in a relationship",
     })),
    (NameHint("religion or belief", "user.demographic.religious_belief", strength=0.9),
     frozenset({
         "christian", "christianity", "catholic", "roman catholic", "protestant", "orthodox",
         "anglican", "baptist", "methodist", "lutheran", "evangelical", "mormon", "muslim",
         "islam", "sunni", "shia", "jewish", "judaism", "hindu", "hinduism", "buddhist",
         "buddhism", "sikh", "sikhism", "jain", "bahai", "baha'i", "shinto", "taoist",
         "atheist", "agnostic", "no religion", "non-religious",
     })),
)
"""Value vocabularies of demographic columns, lower-cased. Sources: UCI Adult (Becker &
Kohavi 1996) ``race``, ``sex`` and ``marital-status`` levels; US OMB SPD-15 (1997) race
and ethnicity categories; UK ONS 2021 Census ethnic groups and religion question; GDPR
Art. 9(1) for which of them are special categories (racial or ethnic origin, religious
or philosophical beliefs)."""


def _vocab_key(value: str) -> str:
    return " ".join(str(value).strip().lower().replace("_", " ").split())


def vocabulary_hint(values: Sequence[str]) -> tuple[NameHint, float, int] | None:
    """Recognise a demographic column from a small vocabulary of its values.

    Parameters
    ----------
    values : sequence of str
        Sampled non-null values of one column.

    Returns
    -------
    (NameHint, float, int) or None
        The category the values show, the share of sampled values in its vocabulary
        (generic answers such as ``unknown`` or ``?`` count as members) and the number of
        distinct vocabulary words seen; ``None`` when no vocabulary covers at least
        :data:`VOCABULARY_MIN_SHARE` of the values with at least two distinct words, or
        the column has more than :data:`VOCABULARY_MAX_DISTINCT` distinct values.
        E.g. ``["White", "Black", "White", "Asian-Pac-Islander"]`` → race or ethnicity
        (``user.demographic.race_ethnicity``, GDPR Art. 9), share 1.0, 3 words.

    Notes
    -----
    Vocabularies and their sources: :data:`_VOCABULARIES`. Matching is on the trimmed,
    lower-cased value with ``_`` read as a space.
    """
    keys = [_vocab_key(v) for v in values if v is not None and str(v).strip()]
    if not keys:
        return None
    counts: dict[str, int] = {}
    for k in keys:
        counts[k] = counts.get(k, 0) + 1
    if len(counts) > VOCABULARY_MAX_DISTINCT:
        return None
    best: tuple[NameHint, float, int] | None = None
    for hint, words in _VOCABULARIES:
        words_seen = [k for k in counts if k in words]
        inside = sum(n for k, n in counts.items() if k in words or k in _GENERIC_ANSWERS)
        share = inside / len(keys)
        if len(words_seen) >= 2 and share >= VOCABULARY_MIN_SHARE \
                and (best is None or share > best[1]):
            best = (hint, share, len(words_seen))
    return best
