"""Personal data inside the values of a free-text column, found by two engines.

A free-text column (notes, comments) is not an identifier as a whole, but people type
identifiers into it. :func:`scan_embedded` runs the sampled texts through
:func:`fairmark.privacy.scan_text.scan_texts` (fairmark's validated detectors, each row with
its own phone region) and the first :data:`PRESIDIO_MAX_TEXTS` of them through Presidio's
analyzer (:func:`fairmark.privacy.presidio_adapter.scan_texts_presidio`: pattern
recognizers, plus spaCy NER when an English model is installed; Presidio analyses a few
hundred texts per second, hence the cap). Each entity type found is listed with the share
of texts holding it according to each engine. Presidio results below
:data:`PRESIDIO_MIN_SCORE` are left out (the base score of Presidio's phone recognizer, so
that unvalidated low-score patterns such as ``US_BANK_NUMBER`` at 0.05 are not counted);
fairmark's findings use the text scan's own threshold (0.5).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.privacy.scan_result import EmbeddedEntity

__all__ = ["PRESIDIO_MAX_TEXTS", "PRESIDIO_MIN_SCORE", "EmbeddedScan", "scan_embedded"]

PRESIDIO_MIN_SCORE = 0.4
"""Presidio results with a lower score are not counted."""

PRESIDIO_MAX_TEXTS = 200
"""Most texts per column given to Presidio (the first ones of the random sample)."""


@dataclass(frozen=True)
class EmbeddedScan:
    """Result of :func:`scan_embedded`.

    Attributes
    ----------
    found : tuple of EmbeddedEntity
        Most frequent first.
    presidio : dict
        :func:`~fairmark.privacy.presidio_adapter.presidio_engine_info`; or
        ``{"presidio": None, "recognizers": None, "ner_model": None, "reason": …}`` when
        Presidio was not run or could not run.
    n_fairmark : int
        Texts scanned by fairmark.
    n_presidio : int
        Texts scanned by Presidio.
    """

    found: tuple[EmbeddedEntity, ...]
    presidio: dict[str, Any]
    n_fairmark: int
    n_presidio: int


def _not_run(reason: str) -> dict[str, Any]:
    return {"presidio": None, "recognizers": None, "ner_model": None, "reason": reason}


def _presidio(texts: list[str]) -> tuple[list[list[Any]] | None, dict[str, Any]]:
    try:
        from fairmark.privacy.presidio_adapter import presidio_engine_info, scan_texts_presidio

        info = presidio_engine_info()
        found = scan_texts_presidio(texts, score_threshold=PRESIDIO_MIN_SCORE)
    except ImportError as exc:
        name = exc.name or str(exc)
        return None, _not_run(f"Presidio could not run ({name} is not installed): free "
                              "text scanned with fairmark's detectors only")  # fmt: skip
    return found, dict(info)


def scan_embedded(
    texts: Sequence[str],
    regions: Sequence[str | None],
    *,
    presidio: bool = True,
    presidio_max_texts: int = PRESIDIO_MAX_TEXTS,
) -> EmbeddedScan:
    """Find personal data inside texts with fairmark's detectors and Presidio.

    Parameters
    ----------
    texts : sequence of str
        Sampled values of a free-text column (in random order).
    regions : sequence of str or None
        Phone region of each text's row (ISO 3166-1 alpha-2), ``None`` for the default
        regions.
    presidio : bool, default True
        Also run Presidio.
    presidio_max_texts : int, default 200
        Most texts given to Presidio (the first ones).

    Returns
    -------
    EmbeddedScan
        For each entity type: the share of texts holding at least one span according to
        each engine, the number of spans (fairmark's; Presidio's when only Presidio found
        the type) and the engines that found it.
    """
    from fairmark.privacy.scan_text import scan_texts

    fm_holders: dict[str, set[int]] = defaultdict(set)
    pr_holders: dict[str, set[int]] = defaultdict(set)
    fm_spans: dict[str, int] = defaultdict(int)
    pr_spans: dict[str, int] = defaultdict(int)
    by_region: dict[str | None, list[int]] = defaultdict(list)
    for i, region in enumerate(regions):
        by_region[region].append(i)
    for region, rows in by_region.items():
        results = scan_texts([texts[i] for i in rows], region=region)
        for i, findings in zip(rows, results, strict=True):
            for f in findings:
                fm_holders[f.entity_type].add(i)
                fm_spans[f.entity_type] += 1
    n = len(texts)
    m = 0
    if not presidio:
        info = _not_run("Presidio not run (switched off)")
    else:
        subset = list(texts[: max(0, presidio_max_texts)])
        found, info = _presidio(subset)
        if found is not None:
            m = len(subset)
            for i, findings in enumerate(found):
                for f in findings:
                    pr_holders[f.entity_type].add(i)
                    pr_spans[f.entity_type] += 1
    entities = [
        EmbeddedEntity(
            entity_type=kind,
            fairmark_share=len(fm_holders.get(kind, ())) / n if n else 0.0,
            presidio_share=(len(pr_holders.get(kind, ())) / m) if m else None,
            n_spans=fm_spans.get(kind, 0) or pr_spans.get(kind, 0),
            found_by=tuple(name for name, holders in (("fairmark", fm_holders),
                                                      ("presidio", pr_holders))
                           if kind in holders),
        )
        for kind in sorted(set(fm_holders) | set(pr_holders))
    ]  # fmt: skip
    entities.sort(key=lambda e: (-e.value_share, e.entity_type))
    return EmbeddedScan(found=tuple(entities), presidio=info, n_fairmark=n, n_presidio=m)
