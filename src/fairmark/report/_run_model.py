"""Generic table model of the standalone run reports (delivery, representation, proxies).

A kind's builder returns a :class:`KindContent`: facts, tables of :class:`Cell` and what the
glossary must explain. The HTML template and the Markdown writer show any such content
without knowing the kind, so there is one page layout for every kind, not one per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fairmark.report._cells import Cell, CellMaker
from fairmark.report._view_rules import FindingContext

__all__ = ["Column", "KindContent", "RunTable", "TableRow"]


@dataclass(frozen=True)
class Column:
    """One column of a run table.

    Attributes
    ----------
    label : str
        Heading.
    key : str or None
        Glossary key explaining the column (the heading links to it), or ``None``.
    numeric : bool
        Right-aligned numbers (``True``) or left-aligned text.
    """

    label: str
    key: str | None = None
    numeric: bool = True


@dataclass(frozen=True)
class TableRow:
    """One row: its cells (as many as the table's columns) and a marker.

    Attributes
    ----------
    cells : tuple of Cell
    mark : str
        ``""``, ``"flagged"`` (shown highlighted, with the word in the row) or
        ``"suppressed"``.
    """

    cells: tuple[Cell, ...]
    mark: str = ""

    @property
    def spans(self) -> tuple[tuple[int, Cell, int], ...]:
        """``(column index, cell, span)``: consecutive hidden cells merged into one.

        A suppressed group then reads "fewer than 30 — not shown" once, not in every
        column.
        """
        out: list[tuple[int, Cell, int]] = []
        for i, cell in enumerate(self.cells):
            if cell.hidden and out and out[-1][1].hidden and out[-1][0] + out[-1][2] == i:
                first, kept, span = out[-1]
                out[-1] = (first, kept, span + 1)
            else:
                out.append((i, cell, 1))
        return tuple(out)


@dataclass(frozen=True)
class RunTable:
    """A titled table with an introduction in plain words."""

    title: str
    intro: str
    columns: tuple[Column, ...]
    rows: tuple[TableRow, ...]


Lookup = Callable[[Mapping[str, Any], str | None], FindingContext | None]


@dataclass(frozen=True)
class KindContent:
    """Everything kind-specific of a run report.

    Attributes
    ----------
    title, intro : str
        Page title and a plain-language paragraph on what the run measures.
    facts : tuple of (str, str)
    lists : tuple of (str, str)
        Named lists of groups or features, e.g. ``("Under-represented groups", "F, X")``.
    tables : tuple of RunTable
    cells : CellMaker
        The cell maker used (it knows the minimum group size and the reasons shown).
    confidence_level : float or None
        ``None`` when the run reports no interval.
    hidden : set of (str, str)
        ``(feature, group)`` of suppressed groups, as named in findings.
    lookup : callable
        Reference group and reason behind a finding.
    feature_label, group_label : str
        Headings of a finding's ``feature`` and ``group``.
    glossary_keys, method_keys : tuple of str
        Entries to explain in the glossary.
    """

    title: str
    intro: str
    facts: tuple[tuple[str, str], ...]
    tables: tuple[RunTable, ...]
    cells: CellMaker
    confidence_level: float | None
    lists: tuple[tuple[str, str], ...] = ()
    hidden: set[tuple[str, str]] = field(default_factory=set)
    lookup: Lookup | None = None
    feature_label: str = "Feature"
    group_label: str = "Group"
    glossary_keys: tuple[str, ...] = ()
    method_keys: tuple[str, ...] = ()
