"""Display model of an audit's ``outcome_metrics[]``: how a numeric outcome is shared.

One :class:`OutcomeFeatureView` per feature, one :class:`OutcomeGroupRow` per group: people
with and without a value, average (with interval), approximate median, total, share of the
people against share of the value, and the comparison with the reference group (Welch
difference with p-values, ratio of averages). Amounts are in the outcome's own units (the
audit does not know them: euros, percentage points, months). Nothing is computed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.report._cells import HIDDEN_REASON, HIDDEN_REASONS, Cell, CellMaker
from fairmark.report._format import MINUS, fmt_p

__all__ = [
    "OUTCOME_COLUMNS",
    "OutcomeFeatureView",
    "OutcomeGroupRow",
    "amount_decimals",
    "build_outcome_views",
    "fmt_amount",
]

#: Per-group metrics, in table order.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "outcome_n",
    "outcome_n_missing",
    "outcome_mean",
    "outcome_median",
    "outcome_total",
    "population_share",
    "value_share",
    "value_share_gap",
    "mean_outcome_difference",
    "mean_outcome_ratio",
)
_COUNTS = frozenset({"outcome_n", "outcome_n_missing"})
_AMOUNTS = frozenset({"outcome_mean", "outcome_median", "outcome_total"})
_COMPARED = frozenset({"mean_outcome_difference", "mean_outcome_ratio"})
_UNITS: Mapping[str, Any] = {
    "population_share": "rate",
    "value_share": "rate",
    "value_share_gap": "difference",
    "mean_outcome_ratio": "ratio",
}


def amount_decimals(scale: float) -> int:
    """Decimals to show amounts of a feature with, from its typical size ``scale``.

    ``scale`` is the largest absolute group average of the feature: 0 decimals from 1,000,
    2 from 1, otherwise three significant digits of ``scale`` (``0.0123 -> 4``). Every
    average, median, difference and interval of the feature uses the same decimals, so a
    difference near zero shows as ``0.00`` rather than in scientific notation.

    Parameters
    ----------
    scale : float
        A non-negative typical size; 0 gives 2 decimals.
    """
    if scale >= 1000:
        return 0
    if scale >= 1 or scale == 0:
        return 2
    return min(10, 2 - math.floor(math.log10(scale)))


def fmt_amount(value: float, decimals: int = 2, *, signed: bool = False) -> str:
    """Format an amount in the outcome's own units with thousands separators.

    ``fmt_amount(12345.6, 0) -> "12,346"``, ``fmt_amount(2.3353) -> "2.34"``; with
    ``signed``, positive values get a ``+``; negative values a true minus sign; a value
    that rounds to zero shows as ``0.00`` without a sign.

    Parameters
    ----------
    value : float
        The amount.
    decimals : int, default 2
        Decimals (see :func:`amount_decimals`).
    signed : bool, default False
        Show the sign of a difference.
    """
    text = f"{value:,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return f"{0:.{decimals}f}"
    if signed and value > 0:
        text = "+" + text
    return text.replace("-", MINUS)


@dataclass(frozen=True)
class OutcomeGroupRow:
    """One group of a feature's outcome tables.

    Attributes
    ----------
    metrics : Mapping of str to Cell
        By :data:`OUTCOME_COLUMNS` key.
    p_value, p_value_holm : str
        Of the Welch test against the reference group (``"—"`` when there is none).
    """

    name: str
    is_reference: bool
    suppressed: bool
    metrics: Mapping[str, Cell]
    p_value: str
    p_value_holm: str


@dataclass(frozen=True)
class OutcomeFeatureView:
    """Everything shown about the outcome for one (possibly intersectional) feature."""

    name: str
    outcome: str
    reference: str | None
    rows: tuple[OutcomeGroupRow, ...]
    n_suppressed: int


class _OutcomeBuilder:
    def __init__(self, doc: Mapping[str, Any], cells: CellMaker) -> None:
        self.cells = cells
        self.hidden = {(g["feature"], g["group"]) for g in doc["groups"] if g["suppressed"]}
        self.hidden_reason = {
            (g["feature"], g["group"]): g.get("suppressed_reason") or HIDDEN_REASON
            for g in doc["groups"]
            if g["suppressed"]
        }

    def cell(self, m: Mapping[str, Any] | None, decimals: int = 2) -> Cell:
        if m is None:
            return self.cells.missing()
        metric = m["metric"]
        reason = m.get("reason")
        if metric in _COUNTS:
            return self.cells.count(m["value"], reason)
        if metric in _AMOUNTS or metric == "mean_outcome_difference":
            signed = metric == "mean_outcome_difference"
            if metric == "outcome_total" and isinstance(m["value"], int | float):
                decimals = amount_decimals(abs(m["value"]))

            def fmt(x: float) -> str:
                return fmt_amount(x, decimals, signed=signed)

            cell = self.cells.text(m["value"], reason, fmt)
            low, high = m.get("ci_low"), m.get("ci_high")
            if cell.undefined or cell.hidden or low is None or high is None:
                return cell
            return Cell(text=cell.text, ci=f"{fmt(low)} to {fmt(high)}", reason=cell.reason)
        return self.cells.value(
            m["value"], m.get("ci_low"), m.get("ci_high"), reason, _UNITS.get(metric, "none")
        )

    def feature_view(
        self,
        feature: str,
        items: Sequence[Mapping[str, Any]],
        order: Sequence[str],
        reference: str | None,
        outcome: str,
    ) -> OutcomeFeatureView:
        by_group = {(m["group"], m["metric"]): m for m in items}
        means = [
            abs(m["value"])
            for m in items
            if m["metric"] == "outcome_mean" and isinstance(m["value"], int | float)
        ]
        decimals = amount_decimals(max(means, default=0.0))
        groups = list(order)
        for m in items:
            if m["group"] not in groups:
                groups.append(m["group"])
        rows = []
        for group in groups:
            mine = [m for (g, _), m in by_group.items() if g == group]
            if not mine:
                continue
            row_reasons = [
                m["reason"]
                for m in mine
                if m.get("reason") in HIDDEN_REASONS and m["metric"] not in _COUNTS
            ]
            suppressed = (feature, group) in self.hidden or bool(row_reasons)
            why = self.hidden_reason.get((feature, group)) or (
                row_reasons[0] if row_reasons else HIDDEN_REASON
            )
            is_ref = group == reference
            metrics: dict[str, Cell] = {}
            for key in OUTCOME_COLUMNS:
                m = by_group.get((group, key))
                if suppressed:
                    metrics[key] = self.cells.hidden(why)
                elif m is None and is_ref and key in _COMPARED:
                    metrics[key] = Cell(text="reference group")
                else:
                    metrics[key] = self.cell(m, decimals)
            diff = by_group.get((group, "mean_outcome_difference"))
            shown = diff is not None and not suppressed
            rows.append(
                OutcomeGroupRow(
                    name=group,
                    is_reference=is_ref,
                    suppressed=suppressed,
                    metrics=metrics,
                    p_value=fmt_p(diff.get("p_value")) if shown and diff else "—",
                    p_value_holm=fmt_p(diff.get("p_value_holm")) if shown and diff else "—",
                )
            )
        return OutcomeFeatureView(
            name=feature,
            outcome=outcome,
            reference=reference,
            rows=tuple(rows),
            n_suppressed=sum(1 for r in rows if r.suppressed),
        )


def build_outcome_views(
    doc: Mapping[str, Any], cells: CellMaker, feature_order: Sequence[str]
) -> tuple[OutcomeFeatureView, ...]:
    """Return one :class:`OutcomeFeatureView` per feature that has outcome metrics.

    Parameters
    ----------
    doc : Mapping
        A validated audit document; ``outcome_metrics`` may be missing or empty.
    cells : CellMaker
        The document's cell maker.
    feature_order : sequence of str
        Feature order of the report.

    Returns
    -------
    tuple of OutcomeFeatureView
        Empty when the document has no outcome metrics.
    """
    items: Sequence[Mapping[str, Any]] = doc.get("outcome_metrics") or ()
    if not items:
        return ()
    builder = _OutcomeBuilder(doc, cells)
    outcome = str(doc["spec"].get("outcome") or "the outcome")
    refs = doc["summary"]["reference_groups"]
    features = list(feature_order)
    for m in items:
        if m["feature"] not in features:
            features.append(m["feature"])
    views = []
    for feature in features:
        mine = [m for m in items if m["feature"] == feature]
        if not mine:
            continue
        ref = refs.get(feature)
        reference = (
            ref["group"]
            if ref
            else next((m["reference"] for m in mine if m.get("reference")), None)
        )
        order = [g["group"] for g in doc["groups"] if g["feature"] == feature]
        views.append(builder.feature_view(feature, mine, order, reference, outcome))
    return tuple(views)
