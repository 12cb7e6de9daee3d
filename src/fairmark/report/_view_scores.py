"""Display model of an audit's ``score_metrics[]``: how well the score works per group.

One :class:`ScoreFeatureView` per feature: a per-group table (ROC AUC, expected calibration
error, missing scores, Kolmogorov-Smirnov and Wasserstein distance to the reference group),
a table of selection rates at score cut-offs, the two spreads (AUC gap, calibration gap)
and the reliability curves for the chart. Nothing is computed: every number comes from the
document (items as written by ``ScoreMetric.to_dict()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.report._cells import (
    HIDDEN_REASON,
    HIDDEN_REASONS,
    Cell,
    CellMaker,
    display_unit,
    reason_name,
)
from fairmark.report._format import fmt_number
from fairmark.report.glossary import Unit, glossary

__all__ = [
    "SCORE_GROUP_METRICS",
    "SPREAD_METRICS",
    "CutoffColumn",
    "ScoreFeatureView",
    "ScoreGroupRow",
    "ScoreSpread",
    "build_score_views",
    "fmt_score",
]

#: Per-group score metrics, in table order.
SCORE_GROUP_METRICS: tuple[str, ...] = ("roc_auc", "ece", "missing_scores", "ks", "wasserstein")
#: Per-feature spreads over the groups.
SPREAD_METRICS: tuple[str, ...] = ("auc_difference", "calibration_difference")
_CUTOFF_METRICS = ("selection_rate_at", "disparate_impact_at")
_COMPARED = frozenset({"ks", "wasserstein", "disparate_impact_at"})
# Smallest banding error that can change a shown value: half the last digit shown
# (ratios with two decimals; rates and differences with one decimal of a percentage).
_VISIBLE: Mapping[str, float] = {"ratio": 0.005, "rate": 0.0005, "difference": 0.0005}


def fmt_score(x: float) -> str:
    """Format a score value (a cut-off) with four significant digits: ``4.963996 -> "4.964"``."""
    return f"{x:.4g}".replace("-", "−")


@dataclass(frozen=True)
class CutoffColumn:
    """One score cut-off: ``title`` (``"Top 10% of scores"``, ``"Score ≥ 0.5"``) and ``detail``.

    ``audited`` marks the cut-off of the decision the audit judged (``spec.top_k`` or
    ``spec.threshold``).
    """

    title: str
    detail: str
    audited: bool = False


@dataclass(frozen=True)
class ScoreGroupRow:
    """One group of a feature's score tables.

    Attributes
    ----------
    metrics : Mapping of str to Cell
        By :data:`SCORE_GROUP_METRICS` key (only those the feature has).
    cutoffs : tuple of (Cell, Cell or None)
        Per cut-off column: the selection rate and the ratio to the reference group's
        (``None`` for the reference group itself).
    """

    name: str
    is_reference: bool
    suppressed: bool
    n: Cell
    metrics: Mapping[str, Cell]
    cutoffs: tuple[tuple[Cell, Cell | None], ...]

    @property
    def has_note(self) -> bool:
        """Whether any cell of the row carries a banding-error note."""
        return any(c.note for c in self.metrics.values())


@dataclass(frozen=True)
class ScoreSpread:
    """A feature's AUC gap or calibration gap, with the groups it covers."""

    metric: str
    name: str
    value: Cell
    lowest: str
    highest: str
    coverage: str


@dataclass(frozen=True)
class ScoreFeatureView:
    """Everything shown about the score for one (possibly intersectional) feature.

    Attributes
    ----------
    columns : tuple of str
        The :data:`SCORE_GROUP_METRICS` present for this feature, in table order.
    curves : tuple of Mapping
        ``{"group", "is_reference", "points": [{mean_predicted, fraction_positive,
        share}, ...]}`` of every shown group with a reliability curve.
    """

    name: str
    reference: str | None
    columns: tuple[str, ...]
    rows: tuple[ScoreGroupRow, ...]
    cutoffs: tuple[CutoffColumn, ...]
    spreads: tuple[ScoreSpread, ...]
    curves: tuple[Mapping[str, Any], ...]
    n_suppressed: int

    @property
    def has_calibration(self) -> bool:
        """Whether the feature's table has the expected calibration error."""
        return "ece" in self.columns


def _cutoff_key(m: Mapping[str, Any]) -> tuple[Any, ...]:
    if m.get("cutoff_kind") == "top_fraction":
        return ("top_fraction", m.get("top_fraction"))
    return ("threshold", m.get("cutoff"))


def _is_audited(m: Mapping[str, Any], spec: Mapping[str, Any]) -> bool:
    """Whether cut-off item ``m`` is the decision of the audit (same top share or threshold)."""
    top_k, threshold = spec.get("top_k"), spec.get("threshold")
    if m.get("cutoff_kind") == "top_fraction":
        top = m.get("top_fraction")
        return (
            isinstance(top_k, int | float)
            and isinstance(top, int | float)
            and (0 < top_k < 1 and abs(top - top_k) < 1e-9)
        )
    cutoff = m.get("cutoff")
    return (
        isinstance(threshold, int | float)
        and isinstance(cutoff, int | float)
        and abs(cutoff - threshold) < 1e-12
    )


def _cutoff_column(m: Mapping[str, Any], spec: Mapping[str, Any]) -> CutoffColumn:
    cutoff = m.get("cutoff")
    share = m.get("selected_share")
    top = m.get("top_fraction")
    audited = _is_audited(m, spec)
    share_text = (
        f"{fmt_number(share, 'rate')} of everyone scored is selected"
        if isinstance(share, int | float)
        else ""
    )
    if m.get("cutoff_kind") == "top_fraction" and isinstance(top, int | float):
        at = f"score ≥ {fmt_score(cutoff)}" if isinstance(cutoff, int | float) else ""
        return CutoffColumn(
            title=f"Top {top * 100:g}% of scores",
            detail="; ".join(p for p in (at, share_text) if p),
            audited=audited,
        )
    title = f"Score ≥ {fmt_score(cutoff)}" if isinstance(cutoff, int | float) else "Cut-off"
    return CutoffColumn(title=title, detail=share_text, audited=audited)


class _ScoreBuilder:
    def __init__(
        self,
        items: Sequence[Mapping[str, Any]],
        groups: Sequence[Mapping[str, Any]],
        references: Mapping[str, Any],
        cells: CellMaker,
        spec: Mapping[str, Any],
    ) -> None:
        self.items = items
        self.spec = spec
        self.groups = groups
        self.references = references
        self.cells = cells
        self.hidden = {(g["feature"], g["group"]) for g in groups if g["suppressed"]}
        self.hidden_reason = {
            (g["feature"], g["group"]): g.get("suppressed_reason") or HIDDEN_REASON
            for g in groups
            if g["suppressed"]
        }

    def reason_of(self, m: Mapping[str, Any]) -> str:
        """Why an item is hidden: its own reason, else that of a hidden group it involves."""
        if m.get("reason") in HIDDEN_REASONS:
            return str(m["reason"])
        for who in (m.get("group"), m.get("reference")):
            if (m["feature"], who) in self.hidden_reason:
                return self.hidden_reason[(m["feature"], who)]
        return HIDDEN_REASON

    def unit(self, metric: str) -> Unit:
        return display_unit(metric)

    def is_hidden(self, m: Mapping[str, Any]) -> bool:
        feature = m["feature"]
        return (
            m.get("reason") == HIDDEN_REASON
            or (m.get("reason") in HIDDEN_REASONS and m["metric"] != "missing_scores")
            or (feature, m.get("group")) in self.hidden
            or (feature, m.get("reference")) in self.hidden
        )

    def cell(self, m: Mapping[str, Any] | None) -> Cell:
        if m is None:
            return self.cells.missing()
        if self.is_hidden(m):
            return self.cells.hidden(self.reason_of(m))
        metric = m["metric"]
        unit = self.unit(metric)
        note = ""
        bound = m.get("error_bound")
        if isinstance(bound, int | float) and bound >= _VISIBLE.get(unit, 0.0005):
            shown = fmt_number(bound, unit, signed=False)
            note = f"± up to {shown} (score bands)"
        if metric == "missing_scores":
            return self.cells.count(m["value"], m.get("reason"))
        value = m["value"]
        if metric == "roc_auc" and isinstance(value, int | float) and value < 0.5:
            backwards = "below 0.5: ranked backwards"
            note = f"{backwards}; {note}" if note else backwards
        return self.cells.value(
            m["value"], m["ci_low"], m["ci_high"], m.get("reason"), unit, signed=False, note=note
        )

    def spread(self, m: Mapping[str, Any]) -> ScoreSpread:
        entry = glossary().get(m["metric"])
        by_reason: dict[str, list[str]] = {}
        for lo in m.get("left_out") or ():
            self.cells.note_reason(lo["reason"])
            by_reason.setdefault(lo["reason"], []).append(str(lo["group"]))
        left_out = [
            f"{', '.join(groups)} ({reason_name(reason)})" for reason, groups in by_reason.items()
        ]
        n_groups = m.get("n_groups")
        coverage = (
            f"covers {n_groups} group{'s' if n_groups != 1 else ''}"
            if isinstance(n_groups, int)
            else "groups covered not recorded"
        )
        if left_out:
            coverage += "; left out: " + "; ".join(left_out)
        return ScoreSpread(
            metric=m["metric"],
            name=entry.name if entry is not None else m["metric"],
            value=self.cell(m),
            lowest=m.get("group") or "—",
            highest=m.get("reference") or "—",
            coverage=coverage,
        )

    def feature_view(self, feature: str, items: Sequence[Mapping[str, Any]]) -> ScoreFeatureView:
        order = [g["group"] for g in self.groups if g["feature"] == feature]
        for m in items:
            if m["metric"] not in SPREAD_METRICS and m.get("group") not in order:
                order.append(m["group"])
        ref = self.references.get(feature)
        reference = ref["group"] if ref else None
        by_group: dict[tuple[str, str], Mapping[str, Any]] = {}
        cutoff_items: dict[tuple[Any, ...], Mapping[str, Any]] = {}
        for m in items:
            if m["metric"] in _CUTOFF_METRICS:
                cutoff_items.setdefault(_cutoff_key(m), m)
            elif m["metric"] not in SPREAD_METRICS:
                by_group[(m["group"], m["metric"])] = m
        cutoff_keys = list(cutoff_items)
        by_cutoff = {
            (m["group"], m["metric"], _cutoff_key(m)): m
            for m in items
            if m["metric"] in _CUTOFF_METRICS
        }
        columns = tuple(
            k for k in SCORE_GROUP_METRICS if any(metric == k for _, metric in by_group)
        )
        rows = []
        curves = []
        for group in order:
            is_ref = group == reference
            suppressed = (feature, group) in self.hidden or any(
                m.get("reason") == HIDDEN_REASON for (g, _), m in by_group.items() if g == group
            )
            n_item = next((m for (g, _), m in by_group.items() if g == group), None)
            why = self.hidden_reason.get((feature, group), HIDDEN_REASON)
            if suppressed:
                n = self.cells.hidden(why)
            elif n_item is not None:
                marks = n_item.get("suppressed_counts") or {}
                n = self.cells.count(n_item.get("n"), marks.get("n") or n_item.get("reason"))
            else:
                n = self.cells.missing()
            metrics = {}
            for key in columns:
                m = by_group.get((group, key))
                if m is None and is_ref and key in _COMPARED:
                    metrics[key] = Cell(text="reference group")
                else:
                    metrics[key] = self.cells.hidden(why) if suppressed else self.cell(m)
            cut_cells: list[tuple[Cell, Cell | None]] = []
            for key in cutoff_keys:
                rate = by_cutoff.get((group, "selection_rate_at", key))
                ratio = by_cutoff.get((group, "disparate_impact_at", key))
                if suppressed:
                    hidden = self.cells.hidden(why)
                    cut_cells.append((hidden, None if is_ref else hidden))
                    continue
                cut_cells.append(
                    (self.cell(rate), None if is_ref and ratio is None else self.cell(ratio))
                )
            rows.append(
                ScoreGroupRow(
                    name=group,
                    is_reference=is_ref,
                    suppressed=suppressed,
                    n=n,
                    metrics=metrics,
                    cutoffs=tuple(cut_cells),
                )
            )
            ece = by_group.get((group, "ece"))
            if not suppressed and ece is not None and ece.get("curve"):
                curves.append(
                    {
                        "group": group,
                        "is_reference": is_ref,
                        "points": [
                            {
                                "mean_predicted": p["mean_predicted"],
                                "fraction_positive": p["fraction_positive"],
                                "share": p["share"],
                            }
                            for p in ece["curve"]
                        ],
                    }
                )
        spreads = tuple(
            self.spread(m) for key in SPREAD_METRICS for m in items if m["metric"] == key
        )
        return ScoreFeatureView(
            name=feature,
            reference=reference,
            columns=columns,
            rows=tuple(rows),
            cutoffs=tuple(_cutoff_column(cutoff_items[k], self.spec) for k in cutoff_keys),
            spreads=spreads,
            curves=tuple(curves),
            n_suppressed=sum(1 for r in rows if r.suppressed),
        )


def _features(items: Iterable[Mapping[str, Any]], first: Sequence[str]) -> list[str]:
    order = [f for f in first]
    for m in items:
        if m["feature"] not in order:
            order.append(m["feature"])
    return order


def build_score_views(
    doc: Mapping[str, Any], cells: CellMaker, feature_order: Sequence[str]
) -> tuple[ScoreFeatureView, ...]:
    """Return one :class:`ScoreFeatureView` per feature that has score metrics.

    Parameters
    ----------
    doc : Mapping
        A validated audit document; ``score_metrics`` may be missing or empty.
    cells : CellMaker
        The document's cell maker.
    feature_order : sequence of str
        Feature order of the report (features without score metrics are skipped).

    Returns
    -------
    tuple of ScoreFeatureView
        Empty when the document has no score metrics.
    """
    items: Sequence[Mapping[str, Any]] = doc.get("score_metrics") or ()
    if not items:
        return ()
    builder = _ScoreBuilder(
        items, doc["groups"], doc["summary"]["reference_groups"], cells, doc["spec"]
    )
    views = []
    for feature in _features(items, feature_order):
        mine = [m for m in items if m["feature"] == feature]
        if mine:
            views.append(builder.feature_view(feature, mine))
    return tuple(views)
