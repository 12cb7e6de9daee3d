"""Display cells: one value of a report document turned into text, by the display rules.

Every report view (audit, score and outcome sections, delivery, representation, proxies)
builds its cells here, so the rules hold everywhere:

* a suppressed group (reason ``below_min_group_size``) shows no number, only
  "fewer than {min_group_size} — not shown"; a count hidden by disclosure control
  (:mod:`fairmark.report.disclosure_control`) shows "fewer than {k} — not shown" (reason
  ``below_k``) or "not shown — would reveal a small group by subtraction" (reason
  ``differencing``);
* an undefined value (``None``) shows "undefined" and its reason, never ``0``;
* ``"inf"`` shows "∞ (reference rate is zero)" or "∞" with its reason.

Nothing is computed here: every number comes from the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fairmark.report._format import fmt_ci, fmt_count, fmt_number
from fairmark.report.glossary import Unit, glossary

__all__ = [
    "DISPLAY_UNITS",
    "HIDDEN_REASON",
    "HIDDEN_REASONS",
    "Cell",
    "CellMaker",
    "display_unit",
    "document_k",
    "reason_name",
    "words",
]

HIDDEN_REASON = "below_min_group_size"
#: Every reason that hides a value: too small to estimate, or disclosure control.
HIDDEN_REASONS: frozenset[str] = frozenset({HIDDEN_REASON, "below_k", "differencing"})


def document_k(doc: Mapping[str, Any]) -> int | None:
    """Return the ``k`` of a document's ``disclosure_control`` (``None`` without it)."""
    control = doc.get("disclosure_control")
    if isinstance(control, Mapping) and isinstance(control.get("k"), int):
        return int(control["k"])
    return None

#: Display units that differ from the glossary's: the AUC gap is shown as a plain number,
#: like the AUCs it is the difference of (0.77 − 0.60 = 0.17, not "17 pp").
DISPLAY_UNITS: dict[str, Unit] = {"auc_difference": "ratio"}


def display_unit(metric: str | None) -> Unit:
    """Return how values of ``metric`` are shown (its glossary unit, or ``"none"``).

    Parameters
    ----------
    metric : str or None
        A metric key of the glossary, e.g. ``"roc_auc"``.
    """
    if metric is None:
        return "none"
    if metric in DISPLAY_UNITS:
        return DISPLAY_UNITS[metric]
    entry = glossary().get(metric)
    return entry.unit if entry is not None else "none"


def words(code: str) -> str:
    """Return a code in words: ``"missing_y_true"`` → ``"missing y true"``."""
    return code.replace("_", " ")


def reason_name(reason: str | None) -> str:
    """Return the plain-language name of a reason code (its glossary name when it has one).

    Parameters
    ----------
    reason : str or None
        A :class:`fairmark.errors.Reason` code, or another code with a glossary entry.
    """
    if reason is None:
        return "no reason given"
    entry = glossary().get(reason)
    return entry.name if entry is not None else words(reason)


@dataclass(frozen=True)
class Cell:
    """One displayed value: ``text`` and its interval ``ci`` (``""`` when there is none).

    Attributes
    ----------
    text : str
        The value as shown, e.g. ``"12.3%"``, ``"undefined — no actual positives"``.
    ci : str
        The interval as shown, e.g. ``"10.1% to 14.9%"``, or ``""``.
    undefined : bool
        The value is ``None`` in the document.
    hidden : bool
        The value belongs to a suppressed group and is not shown.
    reason : str or None
        The reason code the document gives for the value.
    note : str
        A second, muted line (e.g. the largest banding error), or ``""``.
    """

    text: str
    ci: str = ""
    undefined: bool = False
    hidden: bool = False
    reason: str | None = None
    note: str = ""


@dataclass
class CellMaker:
    """Build cells for one document and remember every reason code shown.

    Parameters
    ----------
    min_group_size : int
        The document's minimum group size (named in the text of hidden cells).
    k : int or None
        The document's disclosure-control threshold (named in the text of cells hidden
        with reason ``below_k``).
    """

    min_group_size: int
    k: int | None = None
    reasons_seen: list[str] = field(default_factory=list)

    @property
    def suppressed_text(self) -> str:
        """``"fewer than {min_group_size} — not shown"``."""
        return f"fewer than {self.min_group_size} — not shown"

    def note_reason(self, reason: str | None) -> None:
        """Remember ``reason`` so that the glossary explains it."""
        if reason is not None and reason not in self.reasons_seen:
            self.reasons_seen.append(reason)

    def hidden_text(self, reason: str | None = HIDDEN_REASON) -> str:
        """The text shown in place of a value hidden for ``reason``."""
        if reason == "below_k":
            return f"fewer than {self.k} — not shown" if self.k else "too few — not shown"
        if reason == "differencing":
            return "not shown — would reveal a small group by subtraction"
        return self.suppressed_text

    def hidden(self, reason: str | None = HIDDEN_REASON) -> Cell:
        """The cell of a value hidden for ``reason`` (default: a group too small to show)."""
        reason = reason if reason in HIDDEN_REASONS else HIDDEN_REASON
        self.note_reason(reason)
        return Cell(text=self.hidden_text(reason), hidden=True, reason=reason)

    def missing(self, text: str = "—") -> Cell:
        """A cell for a value the document does not have at all (not an undefined value)."""
        return Cell(text=text)

    def value(
        self,
        value: Any,
        low: Any,
        high: Any,
        reason: str | None,
        unit: Unit,
        *,
        signed: bool = True,
        note: str = "",
    ) -> Cell:
        """Return the cell of one value with its interval.

        Parameters
        ----------
        value, low, high : float, int, "inf", "-inf" or None
            As stored in the document.
        reason : str or None
            The document's reason code; a reason of :data:`HIDDEN_REASONS` hides the value.
        unit : {"rate", "difference", "ratio", "count", "none"}
            See :func:`fairmark.report._format.fmt_number`.
        signed : bool, default True
            Whether a difference carries an explicit sign.
        note : str, optional
            A muted second line shown with a defined value.
        """
        if reason in HIDDEN_REASONS:
            return self.hidden(reason)
        text = fmt_number(value, unit, signed=signed)
        self.note_reason(reason)
        if text is None:
            return Cell(text=f"undefined — {reason_name(reason)}", undefined=True, reason=reason)
        if value == "inf" and reason == "reference_rate_zero":
            return Cell(text="∞ (reference rate is zero)", reason=reason)
        if value in ("inf", "-inf"):
            return Cell(text=f"{text} ({reason_name(reason)})", reason=reason)
        return Cell(text=text, ci=fmt_ci(low, high, unit, signed=signed), reason=reason, note=note)

    def count(self, value: Any, reason: str | None = None) -> Cell:
        """Return the cell of a count (people, rows); ``None`` shows "undefined"."""
        if reason in HIDDEN_REASONS:
            return self.hidden(reason)
        if value is None:
            self.note_reason(reason)
            return Cell(text=f"undefined — {reason_name(reason)}", undefined=True, reason=reason)
        return Cell(text=fmt_count(value))

    def text(self, value: Any, reason: str | None, fmt: Any, *, note: str = "") -> Cell:
        """Return the cell of a value formatted by ``fmt(value) -> str`` (amounts, scores)."""
        if reason in HIDDEN_REASONS:
            return self.hidden(reason)
        self.note_reason(reason)
        if value is None:
            return Cell(text=f"undefined — {reason_name(reason)}", undefined=True, reason=reason)
        if value in ("inf", "-inf"):
            sign = "−" if value == "-inf" else ""
            return Cell(text=f"{sign}∞ ({reason_name(reason)})", reason=reason)
        return Cell(text=fmt(value), reason=reason, note=note)
