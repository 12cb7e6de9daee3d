"""Find personal data in free text: e-mail, phone, card, IBAN, national id, IP, date of birth,
postal code, street address and person names, each span validated.

How a text is scanned (:func:`scan_text`):

1. The text is normalised (:mod:`fairmark.privacy.text`: NFKC, invisible characters removed).
2. Each detector's candidate pattern (:mod:`fairmark.privacy.detectors`) is run over it.
3. Each candidate is validated (Luhn, mod-97, libphonenumber, python-stdnum …) or refined to
   the validated sub-span; a context word of the detector within :data:`CONTEXT_BEFORE`
   characters before or :data:`CONTEXT_AFTER` after the span adds :data:`CONTEXT_BOOST`
   to its confidence (detectors with ``needs_context`` keep a span only with one).
4. Spans below ``min_score`` are dropped; overlapping spans are resolved greedily, the
   higher confidence first and the longer span on a tie.
5. Offsets are mapped back to code points of the ORIGINAL text, and each finding carries a
   masked copy of its text (:func:`fairmark.privacy.masking.mask`), never the raw value.

:func:`scan_texts` scans many texts with the same result per text, faster: the candidate
patterns, which are written in the common subset of Python ``re`` and RE2, are first run
over the whole batch by Arrow's RE2 kernels (``pyarrow.compute.match_substring_regex``), and
Python only looks at the texts and detectors that have a candidate.

The confidence scale follows Presidio's (``RecognizerResult.score`` in [0, 1], context
enhancement by a fixed boost); the values are fairmark's own, documented per detector.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers

from fairmark.errors import UsageError
from fairmark.privacy.detectors import DETECTORS, Detector, detector_for
from fairmark.privacy.entities import EntityType
from fairmark.privacy.masking import mask
from fairmark.privacy.text import decode_text, normalise, quick_normalise

__all__ = [
    "CONTEXT_AFTER",
    "CONTEXT_BEFORE",
    "CONTEXT_BOOST",
    "MIN_SCORE",
    "TextFinding",
    "decode_text",
    "scan_text",
    "scan_texts",
]

MIN_SCORE = 0.5
"""Default reporting threshold on a finding's confidence."""

CONTEXT_BOOST = 0.35
"""Added to a candidate's confidence (capped at 1) when a context word is near it."""

CONTEXT_BEFORE = 48
"""Characters before a span searched for context words."""

CONTEXT_AFTER = 24
"""Characters after a span searched for context words."""


@dataclass(frozen=True)
class TextFinding:
    """One span of personal data found in a text.

    Parameters
    ----------
    entity_type : str
        An :class:`~fairmark.privacy.entities.EntityType` value, e.g. ``"EMAIL_ADDRESS"``.
    start, end : int
        Half-open span in code points of the original text (``text[start:end]``).
    score : float
        Confidence in [0, 1] (validation, plus the context boost).
    text_masked : str
        The span's text masked by :func:`fairmark.privacy.masking.mask`.
    """

    entity_type: str
    start: int
    end: int
    score: float
    text_masked: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe mapping of the fields (no raw text)."""
        return {
            "entity_type": self.entity_type,
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "text_masked": self.text_masked,
        }


@dataclass(frozen=True)
class _Compiled:
    detector: Detector
    pattern: re.Pattern[str]
    context_words: tuple[str, ...]


@cache
def _compiled(detector: Detector) -> _Compiled:
    words = tuple(w.lower() for w in detector.context_words)
    return _Compiled(detector, re.compile(detector.candidate_pattern, re.ASCII), words)


def _has_word(window: str, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` (lower case) occurs in ``window`` as a whole word."""
    lowered = window.lower()
    for word in words:
        at = lowered.find(word)
        while at >= 0:
            end = at + len(word)
            before_ok = at == 0 or not lowered[at - 1].isalnum()
            after_ok = end == len(lowered) or not lowered[end].isalnum()
            if before_ok and after_ok:
                return True
            at = lowered.find(word, at + 1)
    return False


def _as_text(value: object, what: str = "text") -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return decode_text(value)[0]
    raise UsageError(f"{what} must be str or bytes, got {type(value).__name__}")


def _select(entities: Iterable[EntityType | str] | None) -> tuple[_Compiled, ...]:
    if entities is None:
        return tuple(_compiled(d) for d in DETECTORS)
    if isinstance(entities, str):
        entities = [entities]
    chosen = {detector_for(e).entity_type for e in entities}
    if not chosen:
        raise UsageError("entities is empty; give at least one entity type or None for all")
    return tuple(_compiled(d) for d in DETECTORS if d.entity_type in chosen)


def _check_region(region: str | None) -> str | None:
    if region is None:
        return None
    if not isinstance(region, str) or region.upper() not in phonenumbers.SUPPORTED_REGIONS:
        raise UsageError(
            f"unknown region {region!r}; expected an ISO 3166-1 alpha-2 code such as 'GB' or 'US'"
        )
    return region.upper()


def _check_min_score(min_score: float) -> float:
    if not isinstance(min_score, int | float) or not 0 < min_score <= 1:
        raise UsageError(f"min_score must be a number in (0, 1], got {min_score!r}")
    return float(min_score)


_Span = tuple[int, int, float, str]


def _candidates(
    text: str, compiled: _Compiled, region: str | None, min_score: float
) -> Iterable[_Span]:
    detector = compiled.detector
    words = compiled.context_words
    for match in compiled.pattern.finditer(text):
        candidate = match.group(0)
        if detector.needs_context and not _has_word(
            text[max(0, match.start() - CONTEXT_BEFORE) : match.end() + CONTEXT_AFTER], words
        ):
            continue  # cheap test first: no context word anywhere near the candidate
        if detector.refine is not None:
            subs = detector.refine(candidate, region)
        else:
            score = detector.validate(candidate)
            subs = [(0, len(candidate), score)] if score > 0 else []
        for rel_start, rel_end, score in subs:
            if score + (CONTEXT_BOOST if words else 0.0) < min_score:
                continue
            start, end = match.start() + rel_start, match.start() + rel_end
            has_context = bool(words) and _has_word(
                text[max(0, start - CONTEXT_BEFORE) : start]
                + " \n "
                + text[end : end + CONTEXT_AFTER],
                words,
            )
            if detector.needs_context and not has_context:
                continue
            if has_context:
                score = min(1.0, score + CONTEXT_BOOST)
            if score >= min_score:
                yield start, end, round(score, 3), detector.entity_type.value


def _resolve(spans: list[_Span]) -> list[_Span]:
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (-s[2], s[0] - s[1], s[0])):
        if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
            kept.append(span)
    kept.sort(key=lambda s: (s[0], s[1]))
    return kept


def _scan_normalised(
    text: str, detectors: Sequence[_Compiled], region: str | None, min_score: float
) -> list[_Span]:
    spans = [
        span for compiled in detectors for span in _candidates(text, compiled, region, min_score)
    ]
    return _resolve(spans) if len(spans) > 1 else spans


def _findings(original: str, normalised: str, spans: list[_Span]) -> list[TextFinding]:
    mapper = normalise(original) if normalised is not original else None
    found = []
    for start, end, score, entity_type in spans:
        if mapper is not None:
            start, end = mapper.to_original(start, end)
        found.append(
            TextFinding(
                entity_type=entity_type,
                start=start,
                end=end,
                score=score,
                text_masked=mask(original[start:end], entity_type),
            )
        )
    return found


def scan_text(
    text: str | bytes,
    *,
    entities: Iterable[EntityType | str] | None = None,
    region: str | None = None,
    min_score: float = MIN_SCORE,
) -> list[TextFinding]:
    """Find personal data in one text.

    Parameters
    ----------
    text : str or bytes
        The text. Bytes are decoded as UTF-8 with replacement characters; use
        :func:`decode_text` first when you must report that a value was not valid UTF-8.
    entities : iterable of EntityType or str, optional
        Only these entity types (default: all detectors of
        :data:`fairmark.privacy.detectors.DETECTORS`).
    region : str, optional
        ISO 3166-1 alpha-2 region for national phone numbers (``"GB"``); default ``None``
        tries the regions of :data:`fairmark.privacy.detectors.phone.DEFAULT_REGIONS`.
    min_score : float, default 0.5
        Findings with a lower confidence are dropped.

    Returns
    -------
    list of TextFinding
        Sorted by start offset, non-overlapping; offsets in code points of ``text`` (of the
        decoded text for bytes).

    Raises
    ------
    UsageError
        When ``text`` is neither str nor bytes, an entity type is unknown or has no
        detector, the region is not a region libphonenumber knows, or ``min_score`` is not
        in (0, 1].

    Notes
    -----
    Sources of each validation rule: see the detector modules (ISO/IEC 7812 Luhn, ISO 13616
    IBAN, ITU-T E.164, RFC 5322 e-mail, RFC 791/4291 IP, python-stdnum national ids).
    """
    original = _as_text(text)
    detectors = _select(entities)
    region = _check_region(region)
    min_score = _check_min_score(min_score)
    normalised = quick_normalise(original)
    spans = _scan_normalised(normalised, detectors, region, min_score)
    return _findings(original, normalised, spans) if spans else []


@cache
def _gate_pattern(patterns: tuple[str, ...]) -> str:
    """A cheap RE2 pattern that matches every text in which any of ``patterns`` matches.

    Every candidate pattern needs a digit, an ``@``, two colons (IPv6) or a person cue;
    the gate looks for those alone, so the costly patterns run only on the texts it passes.
    """
    parts = ["[0-9]", "@", ":[0-9A-Fa-f]{0,4}:"]
    person = detector_for(EntityType.PERSON).candidate_pattern
    if person in patterns:
        parts.append(person)
    return "|".join(parts)


def scan_texts(
    texts: Sequence[str | bytes | None],
    *,
    entities: Iterable[EntityType | str] | None = None,
    region: str | None = None,
    min_score: float = MIN_SCORE,
) -> list[list[TextFinding]]:
    """Find personal data in many texts; the same findings as :func:`scan_text` per text.

    Parameters
    ----------
    texts : sequence of str, bytes or None
        The texts; ``None`` (a missing value) gives no findings.
    entities, region, min_score
        As in :func:`scan_text`.

    Returns
    -------
    list of list of TextFinding
        One list per input text, in input order.

    Raises
    ------
    UsageError
        As :func:`scan_text`, and when an element is neither str, bytes nor None.

    Notes
    -----
    The batch goes through Arrow's RE2 regex kernels twice: a gate (a digit, an ``@``, two
    colons or a person cue word) and then each detector's candidate pattern over the texts
    the gate passed; Python validates only the (text, detector) pairs that have a candidate.
    Every candidate pattern is written so that RE2 and Python ``re`` (with ``re.ASCII``)
    match the same strings, which keeps the result identical to :func:`scan_text`.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    detectors = _select(entities)
    region = _check_region(region)
    min_score = _check_min_score(min_score)
    originals: list[str | None] = list(texts)
    if not all(type(t) is str for t in originals):  # slow path: bytes, None, subclasses
        originals = [
            t if t is None else _as_text(t, what=f"texts[{i}]") for i, t in enumerate(originals)
        ]
    normalised = [t if t is None or t.isascii() else quick_normalise(t) for t in originals]
    results: list[list[TextFinding]] = [[] for _ in originals]
    if not originals:
        return results

    array = pa.array(normalised, type=pa.large_string())
    gate = pc.match_substring_regex(
        array, _gate_pattern(tuple(c.detector.candidate_pattern for c in detectors))
    )
    rows = pc.indices_nonzero(pc.fill_null(gate, False))
    if len(rows) == 0:
        return results
    subset = array.take(rows)
    row_index = rows.to_pylist()
    hits: dict[int, list[_Compiled]] = {}
    for compiled in detectors:
        matches = pc.match_substring_regex(subset, compiled.detector.candidate_pattern)
        prefilter = compiled.detector.text_prefilter
        if prefilter is not None and min_score >= MIN_SCORE:
            matches = pc.and_(matches, pc.match_substring_regex(subset, prefilter))
        matched = pc.indices_nonzero(pc.fill_null(matches, False))
        for j in matched.to_pylist():
            hits.setdefault(row_index[j], []).append(compiled)
    for i in sorted(hits):
        text = normalised[i]
        original = originals[i]
        assert text is not None and original is not None
        spans = _scan_normalised(text, hits[i], region, min_score)
        if spans:
            results[i] = _findings(original, text, spans)
    return results
