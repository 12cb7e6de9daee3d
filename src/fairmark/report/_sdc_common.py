"""Shared pieces of disclosure control on fairmark documents (:mod:`.disclosure_control`).

A :class:`TableBuilder` collects the count cells and additive relations of one document
for :func:`fairmark.privacy.disclosure.suppress_cells`; the helpers below write the
outcome back: a hidden estimate, a hidden finding, the ``suppressed_counts`` marker.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, MutableMapping
from typing import Any

from fairmark.errors import Reason
from fairmark.privacy.disclosure import BELOW_K, DIFFERENCING, Cell, Relation

__all__ = [
    "HIDDEN_REASONS",
    "TableBuilder",
    "as_count",
    "hide_estimate",
    "hide_finding",
    "mark_count",
]

HIDDEN_REASONS: frozenset[str] = frozenset(
    {Reason.BELOW_MIN_GROUP_SIZE.value, BELOW_K, DIFFERENCING}
)
"""Reasons that hide a value in every report: too small to estimate, below ``k``, or
suppressed against differencing."""

_REASON_WORDS: Mapping[str, str] = {
    Reason.BELOW_MIN_GROUP_SIZE.value: "the group is smaller than the minimum group size",
    BELOW_K: "the count is below the smallest count a report may publish",
    DIFFERENCING: "showing it would let a reader work out a small count by subtraction",
}


def as_count(value: Any) -> int | None:
    """Return a document's count as an ``int``, or ``None`` when it is not a whole number.

    Parameters
    ----------
    value : int, float or None
        A count as a document stores it (JSON numbers may come back as floats).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        return None
    return int(value) if value >= 0 else None


class TableBuilder:
    """Cells and relations of one document, with consistency guards.

    A relation is only kept when it can hold: if every count in it is known and they do
    not add up (a field that is not additive in this document), it is left out rather than
    failing the report.
    """

    def __init__(self) -> None:
        self.cells: dict[Hashable, Cell] = {}
        self.relations: list[Relation] = []

    def cell(
        self,
        cid: Hashable,
        count: int | None,
        *,
        published: bool = True,
        follows: Hashable | None = None,
        cost: float = 0.0,
    ) -> Hashable:
        """Add a cell (the first registration of an id wins) and return its id."""
        if cid not in self.cells:
            self.cells[cid] = Cell(cid, count, published, follows, cost)
        return cid

    def count(self, cid: Hashable) -> int | None:
        """Return a registered cell's count (``None`` when unknown or unregistered)."""
        cell = self.cells.get(cid)
        return None if cell is None else cell.count

    def relation(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """Add ``total = Σ parts`` when every id is a cell and the known counts allow it."""
        members = tuple(dict.fromkeys(parts))
        if not members or total in members:
            return
        if any(m not in self.cells for m in (total, *members)):
            return
        total_n = self.count(total)
        counts = [self.count(m) for m in members]
        known = sum(c for c in counts if c is not None)
        if total_n is not None:
            if None not in counts and known != total_n:
                return
            if known > total_n:
                return
        self.relations.append(Relation(total, members))

    def nested(self, whole: Hashable, part: Hashable, rest: Hashable) -> None:
        """Add ``whole = part + rest`` with ``rest`` an unpublished complement cell."""
        w, p = self.count(whole), self.count(part)
        if whole not in self.cells or part not in self.cells:
            return
        if w is not None and p is not None and p > w:
            return
        self.cell(rest, None if w is None or p is None else w - p, published=False)
        self.relation(whole, (part, rest))


def hide_estimate(reason: str) -> dict[str, Any]:
    """Return an estimate object with no value, only the reason it is hidden."""
    return {"value": None, "ci_low": None, "ci_high": None, "reason": reason}


def mark_count(item: MutableMapping[str, Any], field: str, reason: str) -> None:
    """Null ``item[field]`` and record why in ``item["suppressed_counts"]``."""
    item[field] = None
    marks = item.get("suppressed_counts")
    if not isinstance(marks, dict):
        marks = {}
        item["suppressed_counts"] = marks
    marks[field] = reason


def hide_finding(finding: MutableMapping[str, Any], reason: str) -> None:
    """Null a finding's value and replace its message by one that shows no number.

    The verdict stays: it was reached on the complete data; only the number is withheld.
    """
    finding["value"] = None
    who = ""
    if finding.get("group") is not None:
        who = f" for group {finding['group']!r}"
    if finding.get("feature") is not None:
        who += f" of {finding['feature']!r}"
    words = _REASON_WORDS.get(reason, reason.replace("_", " "))
    finding["message"] = (
        f"{finding.get('check', 'check')}{who}: the value is not shown ({words}); "
        f"verdict {finding.get('verdict')}"
    )
