"""A compact summary of one audited set of decisions: fairness, accuracy, conversions, verdict.

The before/after comparison of :func:`fairmark.mitigate.mitigate` puts two of these side
by side. Every number comes from the audit's aggregated statistics (the sufficient-
statistics cube and the disparities computed from it), never from rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.engine.cube import CELLS
from fairmark.errors import Reason
from fairmark.fairness.result import json_number

__all__ = ["FAIRNESS_KEYS", "DecisionSummary", "FairnessValue", "summarize"]

#: Fairness metrics reported per feature, in display order.
FAIRNESS_KEYS: tuple[str, ...] = (
    "disparate_impact_min",
    "demographic_parity_difference",
    "equal_opportunity_difference",
    "equalized_odds_difference",
)

_SPREADS = (
    "demographic_parity_difference",
    "equal_opportunity_difference",
    "equalized_odds_difference",
)


@dataclass(frozen=True)
class FairnessValue:
    """One fairness metric of one reported feature.

    Attributes
    ----------
    feature : str
        Reported feature (a sensitive feature or an intersection such as ``a & b``).
    metric : str
        One of :data:`FAIRNESS_KEYS`.
    value : float or None
        The value (a ratio for ``disparate_impact_min``, a difference of rates in
        [0, 1] otherwise); ``None`` when undefined, ``inf`` possible for the ratio.
    reason : str or None
        A :class:`fairmark.errors.Reason` value when ``value`` is ``None`` or infinite.
    group : str or None
        For ``disparate_impact_min``: the group with the lowest ratio; for the
        differences: the group with the lowest rate.
    reference : str or None
        The group compared against (the audit's reference group for the ratio, the group
        with the highest rate for the differences).
    """

    feature: str
    metric: str
    value: float | None
    reason: str | None
    group: str | None
    reference: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return ``{feature, metric, value, reason, group, reference}`` (JSON-safe)."""
        return {
            "feature": self.feature,
            "metric": self.metric,
            "value": json_number(self.value),
            "reason": self.reason,
            "group": self.group,
            "reference": self.reference,
        }


@dataclass(frozen=True)
class DecisionSummary:
    """Fairness, accuracy and business value of one set of decisions on the test rows.

    Attributes
    ----------
    verdict : str
        The audit's overall policy verdict (``pass``, ``warn``, ``fail``,
        ``insufficient_evidence``).
    n : int
        Test rows audited.
    n_selected : int
        Rows selected (the size of the list).
    selection_rate : float
        ``n_selected / n``, in [0, 1].
    accuracy : float
        ``(TP + TN) / n``: share of rows where the decision equals the actual outcome
        (selected and converted, or not selected and did not convert), in [0, 1].
    expected_conversions : int
        ``TP``: actual positives among the selected rows (sum of ``y_true`` over the
        list), a count of people.
    list_conversion_rate : float or None
        ``TP / (TP + FP)``: share of the list that converts (precision), in [0, 1];
        ``None`` with reason ``no_selections`` for an empty list.
    list_conversion_rate_reason : str or None
    fairness : tuple of FairnessValue
        :data:`FAIRNESS_KEYS` for every reported feature.
    run_id : str
        The audit run the numbers come from.
    """

    verdict: str
    n: int
    n_selected: int
    selection_rate: float
    accuracy: float
    expected_conversions: int
    list_conversion_rate: float | None
    list_conversion_rate_reason: str | None
    fairness: tuple[FairnessValue, ...]
    run_id: str

    def fairness_value(self, metric: str, feature: str) -> FairnessValue:
        """Return the :class:`FairnessValue` of ``metric`` for ``feature``.

        Raises
        ------
        KeyError
            If the pair is not in the summary.
        """
        for item in self.fairness:
            if item.metric == metric and item.feature == feature:
                return item
        raise KeyError(f"{metric} for {feature}")

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-safe summary (the ``before`` / ``after`` objects)."""
        return {
            "run_id": self.run_id,
            "verdict": self.verdict,
            "n": self.n,
            "n_selected": self.n_selected,
            "selection_rate": json_number(self.selection_rate),
            "accuracy": json_number(self.accuracy),
            "expected_conversions": self.expected_conversions,
            "list_conversion_rate": json_number(self.list_conversion_rate),
            "list_conversion_rate_reason": self.list_conversion_rate_reason,
            "fairness": [f.to_dict() for f in self.fairness],
        }


def summarize(result: Any) -> DecisionSummary:
    """Summarise a :class:`fairmark.AuditResult` of binary decisions.

    Parameters
    ----------
    result : fairmark.AuditResult
        An unweighted audit whose decision is a binary ``y_pred`` column.

    Returns
    -------
    DecisionSummary
        Counts from the sufficient-statistics cube (``tp``, ``fp``, ``fn``, ``tn`` summed
        over all cells); fairness values from the audit's disparities:
        ``disparate_impact_min`` is the smallest defined ``disparate_impact`` of the
        feature (each group's selection rate over the reference group's; the EEOC
        four-fifths rule, 29 CFR 1607.4(D), flags values below 0.8), the three
        differences are the audit's per-feature spreads (fairlearn definitions).

    Raises
    ------
    ValueError
        If the audit has no rows with both a label and a decision (cannot happen for the
        inputs :func:`fairmark.mitigate.mitigate` builds).
    """
    frame = result.cube.frame
    tp, fp, fn, tn = (int(frame[c].sum()) for c in CELLS)
    n = tp + fp + fn + tn
    if n == 0:
        raise ValueError("the audit has no rows with both a label and a decision")
    n_selected = tp + fp
    rate = tp / n_selected if n_selected else None
    fairness: list[FairnessValue] = []
    metrics = result.metrics
    for feature in metrics.features:
        fairness.append(_disparate_impact_min(metrics, feature))
        for key in _SPREADS:
            d = next(x for x in metrics.disparities_for(key) if x.feature == feature)
            fairness.append(FairnessValue(feature, key, d.value, d.reason, d.group, d.reference))
    return DecisionSummary(
        verdict=result.verdict,
        n=n,
        n_selected=n_selected,
        selection_rate=n_selected / n,
        accuracy=(tp + tn) / n,
        expected_conversions=tp,
        list_conversion_rate=rate,
        list_conversion_rate_reason=None if n_selected else Reason.NO_SELECTIONS.value,
        fairness=tuple(fairness),
        run_id=result.run_id,
    )


def _disparate_impact_min(metrics: Any, feature: str) -> FairnessValue:
    """The smallest defined disparate-impact ratio of one feature, or why there is none."""
    items = [d for d in metrics.disparities_for("disparate_impact") if d.feature == feature]
    defined = [d for d in items if d.value is not None]
    if not defined:
        reason = items[0].reason if items else Reason.SINGLE_GROUP.value
        return FairnessValue(feature, "disparate_impact_min", None, reason, None, None)
    low = min(defined, key=lambda d: d.value)
    return FairnessValue(
        feature, "disparate_impact_min", low.value, low.reason, low.group, low.reference
    )
