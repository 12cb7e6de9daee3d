"""Measured quality of the dark-pattern pack on public labelled data.

Data sets (in ``../shared/data``, never copied into the repository):

- ``dark-patterns-yada2022/dataset.tsv`` (Yada et al. 2022, IEEE BigData): 1,178 dark and
  1,178 not-dark texts from shopping sites; precision and recall per Mathur category.
- ``dark-patterns-mathur2019/dark-patterns.csv`` (Mathur et al. 2019, CSCW): positives
  only; recall per category over the non-empty ``Pattern String`` texts.
- ``sms-spam-collection/SMSSpamCollection`` (Almeida et al. 2011): false-positive rate on
  the 4,827 ham (ordinary personal) messages, read with quoting disabled.

Predicted category of a text = the categories of its ``dark_patterns`` findings at or
above ``warn``. Tuning used a seeded random half of the Yada rows (:func:`split`, seed 0);
the report gives the other half (held out) and the full set.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fairmark.content.context import ScanContext
from fairmark.content.finding import SEVERITY_RANK
from fairmark.content.scanner import compile_packs, scan_with
from fairmark.errors import DataError

DARK_CATEGORIES: tuple[str, ...] = (
    "urgency",
    "scarcity",
    "social_proof",
    "misdirection",
    "sneaking",
    "obstruction",
    "forced_action",
)
SEED = 0


def _category(label: str) -> str:
    return label.strip().lower().replace(" ", "_")


def predicted(texts: list[str], *, primary: bool = False) -> list[set[str]]:
    """Dark-pattern categories (findings at or above warn) predicted for each text.

    With ``primary=True`` only the category of the longest finding is kept (the most
    specific message), to compare with data sets that give one category per text.
    """
    compiled = compile_packs(["dark_patterns"])
    ctx = ScanContext()
    out = []
    for t in texts:
        found = [f for f in compiled.scan(t, ctx) if SEVERITY_RANK[f.severity] >= 1]
        if primary and found:
            best = max(found, key=lambda f: (f.end - f.start, -f.start))
            out.append({best.category})
        else:
            out.append({f.category for f in found})
    return out


def read_yada(folder: Path) -> list[tuple[str, str, int]]:
    """Rows ``(text, category, label)`` of the Yada data set (category ``not_dark``)."""
    path = folder / "dark-patterns-yada2022" / "dataset.tsv"
    if not path.is_file():
        raise DataError(f"{path} not found; expected the shared data folder")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for r in rows:
        label = int(r["label"])
        cat = _category(r["Pattern Category"]) if label == 1 else "not_dark"
        out.append((r["text"] or "", cat, label))
    return out


def split(n: int, seed: int = SEED) -> tuple[list[int], list[int]]:
    """(tune, held-out) row indices: a seeded random half each."""
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    half = n // 2
    return sorted(idx[:half]), sorted(idx[half:])


@dataclass(frozen=True)
class CategoryScore:
    """Precision and recall of one category (``None`` when undefined: no predictions)."""

    category: str
    support: int
    predicted: int
    true_positives: int

    @property
    def precision(self) -> float | None:
        """TP / predicted."""
        return self.true_positives / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """TP / support."""
        return self.true_positives / self.support if self.support else None


def score_labelled(rows: list[tuple[str, str, int]], *, primary: bool = False) -> dict[str, Any]:
    """Per-category and overall (dark vs not dark) precision/recall of ``rows``.

    ``primary``: score only each text's primary category (see :func:`predicted`).
    """
    preds = predicted([r[0] for r in rows], primary=primary)
    per: dict[str, CategoryScore] = {}
    for cat in DARK_CATEGORIES:
        support = sum(1 for r in rows if r[1] == cat)
        npred = sum(1 for p in preds if cat in p)
        tp = sum(1 for r, p in zip(rows, preds, strict=True) if r[1] == cat and cat in p)
        per[cat] = CategoryScore(cat, support, npred, tp)
    any_pred = [bool(p) for p in preds]
    tp = sum(1 for r, p in zip(rows, any_pred, strict=True) if p and r[2] == 1)
    return {
        "n": len(rows),
        "per_category": per,
        "overall": CategoryScore("any", sum(r[2] for r in rows), sum(any_pred), tp),
    }


def read_mathur(folder: Path) -> list[tuple[str, str]]:
    """``(text, category)`` of the non-empty Mathur et al. pattern strings."""
    path = folder / "dark-patterns-mathur2019" / "dark-patterns.csv"
    if not path.is_file():
        raise DataError(f"{path} not found; expected the shared data folder")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        (r["Pattern String"], _category(r["Pattern Category"]))
        for r in rows
        if (r["Pattern String"] or "").strip()
    ]


def recall_mathur(rows: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """Per category ``(detected, support)`` on the Mathur positives."""
    preds = predicted([r[0] for r in rows])
    out: dict[str, tuple[int, int]] = {}
    support = Counter(r[1] for r in rows)
    for cat in DARK_CATEGORIES:
        hit = sum(1 for r, p in zip(rows, preds, strict=True) if r[1] == cat and cat in p)
        out[cat] = (hit, support.get(cat, 0))
    return out


def read_ham(folder: Path) -> list[str]:
    """The ham messages of the SMS Spam Collection (split on the first TAB, no quoting)."""
    path = folder / "sms-spam-collection" / "SMSSpamCollection"
    if not path.is_file():
        raise DataError(f"{path} not found; expected the shared data folder")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        label, _, text = line.partition("\t")
        if label == "ham":
            out.append(text)
    return out


def ham_false_positives(texts: list[str]) -> dict[str, Any]:
    """How many ham messages get a dark-pattern finding (warn+), and any finding at all.

    One pass with every shipped pack; the dark-pattern figures use the findings of the
    ``dark_patterns`` pack.
    """
    compiled = compile_packs(None)
    ctx = ScanContext()
    dark_flagged = any_flagged = 0
    per: Counter[str] = Counter()
    for t in texts:
        found = [f for f in scan_with(compiled, t, ctx) if SEVERITY_RANK[f.severity] >= 1]
        dark = {f.category for f in found if f.pack == "dark_patterns"}
        dark_flagged += bool(dark)
        any_flagged += bool(found)
        per.update(dark)
    return {
        "n": len(texts),
        "dark_flagged": dark_flagged,
        "any_flagged": any_flagged,
        "per_category": dict(per),
    }
