"""Check `content.gender_coded`: how strongly a job ad leans masculine or feminine."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fairmark.checks.base import Check, Measurement
from fairmark.content.gender_coded import SOURCE, GenderBalance, coding_verdict, gender_balance


def _from_scan(result: Any) -> list[tuple[str, int, int]]:
    """``(document, masculine, feminine)`` counted from a content run's findings."""
    out = []
    for d in result.documents:
        m = sum(1 for f in d.findings if f.rule_id == "gender_coded.masculine_word")
        f = sum(1 for f in d.findings if f.rule_id == "gender_coded.feminine_word")
        if m or f:
            out.append((str(d.name), m, f))
    return out


def _balances(result: Any) -> list[tuple[str, GenderBalance]]:
    if isinstance(result, GenderBalance):
        return [("text 1", result)]
    if isinstance(result, str):
        return [("text 1", gender_balance(result))]
    if isinstance(result, Mapping):
        items = list(result.items())
    elif isinstance(result, Iterable):
        items = [(f"text {i}", b) for i, b in enumerate(result, start=1)]
    else:
        raise TypeError(f"content.gender_coded cannot measure a {type(result).__name__}")
    return [(str(k), b if isinstance(b, GenderBalance) else gender_balance(b)) for k, b in items]


def measure(result: Any) -> list[Measurement]:
    """One measurement per job ad: the absolute coding ``|feminine − masculine|``.

    Parameters
    ----------
    result : ContentScanResult, GenderBalance, str, mapping or iterable
        A ``fairmark content scan`` result (its ``documents``; the counts come from the
        ``gender_coded.*_word`` findings, so only employment ads count), or one
        :class:`~fairmark.content.gender_coded.GenderBalance` (or ad text), a mapping
        ``label -> GenderBalance | text``, or an iterable of them (labelled ``text 1`` …).

    Returns
    -------
    list of Measurement
        ``group`` = the ad's label; ``value`` = ``|score|`` in coded words (0 = balanced;
        above 3 = "strongly" coded in the Gender Decoder's terms); ``detail`` gives the
        counts and the verdict, so the direction of the lean is kept.
    """
    if hasattr(result, "documents"):
        counts = _from_scan(result)
        if not counts:
            return [
                Measurement("content.gender_coded", None, None, None, 0.0,
                            detail="no employment ad with gender-coded words")
            ]
    else:
        counts = [(label, b.masculine_count, b.feminine_count) for label, b in _balances(result)]
    return [
        Measurement(
            check_id="content.gender_coded",
            feature=None,
            group=label,
            reference=None,
            value=float(abs(f - m)),
            detail=f"{m} masculine- and {f} feminine-coded words: {coding_verdict(m, f)}",
        )
        for label, m, f in counts
    ]


CHECK = Check(
    id="content.gender_coded",
    title="Gender-coded wording: how far a job ad leans masculine or feminine",
    principle="fairness",
    scope="group",
    direction="lower_is_better",
    metric="gender_coded_wording",
    source=SOURCE,
    measure=measure,
    input="content",
)
