"""Typed result of the score metrics: one :class:`ScoreMetric` per ``score_metrics[]`` item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.fairness.result import json_number
from fairmark.fairness.score_stats import CalibrationPoint

__all__ = ["SCORE_METRICS", "ScoreMetric"]

#: Every ``metric`` value a :class:`ScoreMetric` can carry, in report order.
SCORE_METRICS: tuple[str, ...] = (
    "roc_auc",
    "ece",
    "missing_scores",
    "ks",
    "wasserstein",
    "selection_rate_at",
    "disparate_impact_at",
    "auc_difference",
    "calibration_difference",
)


@dataclass(frozen=True)
class ScoreMetric:
    """One score metric of one group (or one feature, for aggregates over its groups).

    Metrics (``metric``) and their units:

    * ``roc_auc`` (group): area under the ROC curve, [0, 1]; ``error_bound`` bounds
      ``|value - exact AUC|``; DeLong interval when unweighted.
    * ``ece`` (group): expected calibration error, probability units; ``curve`` holds the
      reliability curve.
    * ``missing_scores`` (group): rows whose score is NULL/NaN (a count).
    * ``ks`` / ``wasserstein`` (group vs ``reference``): Kolmogorov-Smirnov statistic
      ([0, 1]) / Wasserstein-1 distance (score units) between the group's score
      distribution and the reference group's; ``error_bound`` bounds the binning error.
    * ``selection_rate_at`` (group): share selected at ``cutoff`` (Wilson interval).
    * ``disparate_impact_at`` (group vs ``reference``): ratio of selection rates at
      ``cutoff`` (Katz log interval).
    * ``auc_difference`` / ``calibration_difference`` (feature): highest minus lowest AUC
      / ECE over the ``n_groups`` groups where it is defined; ``group`` is the lowest,
      ``reference`` the highest; ``left_out`` lists the groups not covered and why.

    Attributes
    ----------
    feature : str
        Sensitive feature (intersections joined by ``" & "``).
    group : str or None
        The group (``None`` only for an aggregate with no defined value).
    metric : str
        One of :data:`SCORE_METRICS`.
    value : float or None
        The value; ``None`` when undefined (``reason`` says why); ``inf`` allowed for a
        ratio whose reference rate is zero.
    reason : str or None
        A :class:`fairmark.errors.Reason` value when ``value`` is undefined or infinite.
    ci_low, ci_high : float or None
        Confidence interval of ``value``; ``ci_method`` names it (``delong``, ``wilson``,
        ``katz_log``).
    ci_method : str or None
    reference : str or None
        The group compared with (the feature's reference group, or the highest group of
        an aggregate).
    n : int or None
        Labelled rows with a score in the group (``None`` for suppressed groups and
        aggregates).
    n_groups : int or None
        For aggregates: the number of groups the value covers.
    left_out : tuple of (str, str)
        For aggregates: ``(group, reason)`` of every non-empty group not covered.
    cutoff : float or None
        For cut-off metrics: the score threshold (select ``score >= cutoff``).
    cutoff_kind : {"top_fraction", "threshold"} or None
        Whether the cut-off comes from a top fraction or from ``spec.cutoffs``.
    top_fraction : float or None
        For ``cutoff_kind == "top_fraction"``: the fraction asked for.
    selected_share : float or None
        For cut-off metrics: the share of all scored rows at or above ``cutoff``.
    error_bound : float or None
        Largest possible difference from the value on unbinned scores.
    curve : tuple of CalibrationPoint or None
        For ``ece``: the reliability curve.
    """

    feature: str
    group: str | None
    metric: str
    value: float | None
    reason: str | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_method: str | None = None
    reference: str | None = None
    n: int | None = None
    n_groups: int | None = None
    left_out: tuple[tuple[str, str], ...] = ()
    cutoff: float | None = None
    cutoff_kind: str | None = None
    top_fraction: float | None = None
    selected_share: float | None = None
    error_bound: float | None = None
    curve: tuple[CalibrationPoint, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``score_metrics[]`` object of ``report.json``.

        Always has ``feature, group, reference, metric, value, ci_low, ci_high,
        ci_method, reason, n``; adds ``n_groups`` and ``left_out`` for aggregates,
        ``cutoff, cutoff_kind, top_fraction, selected_share`` for cut-off metrics,
        ``error_bound`` and ``curve`` where they apply. Numbers are JSON-safe (``inf`` as
        ``"inf"``).
        """
        out: dict[str, Any] = {
            "feature": self.feature,
            "group": self.group,
            "reference": self.reference,
            "metric": self.metric,
            "value": json_number(self.value),
            "ci_low": json_number(self.ci_low),
            "ci_high": json_number(self.ci_high),
            "ci_method": self.ci_method,
            "reason": self.reason,
            "n": self.n,
        }
        if self.n_groups is not None:
            out["n_groups"] = self.n_groups
            out["left_out"] = [{"group": g, "reason": r} for g, r in self.left_out]
        if self.cutoff_kind is not None:
            out["cutoff"] = json_number(self.cutoff)
            out["cutoff_kind"] = self.cutoff_kind
            out["top_fraction"] = json_number(self.top_fraction)
            out["selected_share"] = json_number(self.selected_share)
        if self.error_bound is not None:
            out["error_bound"] = json_number(self.error_bound)
        if self.curve is not None:
            out["curve"] = [p.to_dict() for p in self.curve]
        return out
