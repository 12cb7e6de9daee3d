"""One row of ``outcome_metrics[]``: a numeric-outcome metric of one group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.fairness.result import json_number

__all__ = ["OUTCOME_METRICS", "OutcomeMetric"]

#: The metric keys of ``outcome_metrics[]`` (each has a glossary entry), in report order.
OUTCOME_METRICS: tuple[str, ...] = (
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


@dataclass(frozen=True)
class OutcomeMetric:
    """A metric of a numeric outcome (offer value, discount, price) for one group.

    Parameters
    ----------
    feature : str
        Sensitive feature (intersections joined by ``" & "``).
    group : str
        The group's label.
    metric : str
        One of :data:`OUTCOME_METRICS`:

        * ``outcome_n``, ``outcome_n_missing``: rows with a value / with a missing value
          (counts);
        * ``outcome_mean`` (Student-t interval), ``outcome_median`` (approximate, from the
          engine), ``outcome_total``: in the outcome's units;
        * ``population_share`` (Wilson interval), ``value_share``: fractions in [0, 1] of
          the feature's rows and of its total value; ``value_share_gap`` their difference;
        * ``mean_outcome_difference`` (Welch interval and test) and ``mean_outcome_ratio``
          (delta-method log interval): against ``reference``.
    value : float or None
        ``None`` when undefined (``reason`` says why); ``±inf`` for a ratio over a zero
        reference mean.
    ci_low, ci_high : float or None
        Confidence interval of ``value`` at the audit's confidence level.
    ci_method : str or None
        ``student_t``, ``wilson``, ``welch`` or ``delta_log``.
    reference : str or None
        The feature's reference group (comparisons only).
    p_value, p_value_holm : float or None
        Welch test of equal means, and its Holm adjustment over the audit's outcome
        comparisons (``mean_outcome_difference`` only).
    reason : str or None
        A :class:`fairmark.errors.Reason` value when ``value`` is undefined or infinite.
    """

    feature: str
    group: str
    metric: str
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_method: str | None = None
    reference: str | None = None
    p_value: float | None = None
    p_value_holm: float | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``outcome_metrics[]`` object of ``report.json`` (JSON-safe numbers)."""
        return {
            "feature": self.feature,
            "group": self.group,
            "metric": self.metric,
            "reference": self.reference,
            "value": json_number(self.value),
            "ci_low": json_number(self.ci_low),
            "ci_high": json_number(self.ci_high),
            "ci_method": self.ci_method,
            "p_value": json_number(self.p_value),
            "p_value_holm": json_number(self.p_value_holm),
            "reason": self.reason,
        }
