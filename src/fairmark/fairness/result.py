"""Typed results of the fairness metrics: estimates, group rows, disparities."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fairmark.privacy.consent.coverage import ConsentCoverage
    from fairmark.privacy.feature_profile import PrivacyProfile

__all__ = ["AuditMetrics", "Disparity", "Estimate", "GroupStats", "json_number"]


def json_number(x: float | None) -> float | str | None:
    """Render a float for JSON: ``inf`` as the string ``"inf"``/``"-inf"``, NaN as ``None``."""
    if x is None:
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if math.isnan(x):
        return None
    return float(x)


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval, or the reason it is undefined.

    Parameters
    ----------
    value : float or None
        The estimate (a rate in [0, 1] for group metrics); ``None`` when undefined.
    ci_low, ci_high : float or None
        Bounds of the confidence interval (``None`` when ``value`` is ``None``).
    reason : str or None
        A :class:`fairmark.errors.Reason` value when ``value`` is undefined or infinite.
    """

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return ``{value, ci_low, ci_high, reason}`` with JSON-safe numbers."""
        return {
            "value": json_number(self.value),
            "ci_low": json_number(self.ci_low),
            "ci_high": json_number(self.ci_high),
            "reason": self.reason,
        }


GROUP_METRICS: tuple[str, ...] = (
    "share",
    "base_rate",
    "selection_rate",
    "tpr",
    "fpr",
    "fnr",
    "tnr",
    "ppv",
    "npv",
    "accuracy",
)


@dataclass(frozen=True)
class GroupStats:
    """Counts and metrics of one group of one (possibly intersectional) feature.

    ``n``, ``n_weighted``, ``n_pos`` and ``n_pred_pos`` are ``None`` when the group is
    suppressed (``n < min_group_size``); the metrics then carry reason
    ``below_min_group_size``.
    """

    feature: str
    features: tuple[str, ...]
    group: str
    levels: tuple[str, ...]
    is_reference: bool
    suppressed: bool
    n: int | None
    n_weighted: float | None
    n_pos: float | None
    n_pred_pos: float | None
    metrics: dict[str, Estimate]

    def to_dict(self) -> dict[str, Any]:
        """Return the ``groups[]`` object of ``report.json``."""
        out: dict[str, Any] = {
            "feature": self.feature,
            "features": list(self.features),
            "group": self.group,
            "levels": list(self.levels),
            "is_reference": self.is_reference,
            "suppressed": self.suppressed,
            "n": self.n,
            "n_weighted": json_number(self.n_weighted),
            "n_pos": json_number(self.n_pos),
            "n_pred_pos": json_number(self.n_pred_pos),
        }
        for name in GROUP_METRICS:
            out[name] = self.metrics[name].to_dict()
        return out


@dataclass(frozen=True)
class Disparity:
    """A comparison of one metric between groups of one feature.

    For the per-feature summaries (``demographic_parity_difference`` …) ``group`` is the
    group with the lowest rate and ``reference`` the one with the highest; for per-group
    comparisons (``disparate_impact`` …) ``reference`` is the feature's reference group.
    """

    feature: str
    metric: str
    group: str | None
    reference: str | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    ci_method: str | None
    p_value: float | None
    p_value_holm: float | None
    test: str | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``disparities[]`` object of ``report.json``."""
        return {
            "feature": self.feature,
            "metric": self.metric,
            "group": self.group,
            "reference": self.reference,
            "value": json_number(self.value),
            "ci_low": json_number(self.ci_low),
            "ci_high": json_number(self.ci_high),
            "ci_method": self.ci_method,
            "p_value": json_number(self.p_value),
            "p_value_holm": json_number(self.p_value_holm),
            "test": self.test,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class AuditMetrics:
    """Everything the fairness metrics computed for one audit: the input of every check.

    Attributes
    ----------
    features : tuple of str
        Reported features in order: each sensitive feature, then each intersection.
    groups : tuple of GroupStats
    disparities : tuple of Disparity
    reference_groups : dict
        ``feature -> {"group": str, "chosen_by": "user" | "highest_selection_rate"}``.
    min_group_size : int
    small_groups : dict
        ``feature -> [group, ...]`` of groups with ``0 < n < min_group_size``.
    score_metrics : tuple
        Per-group score metrics (``roc_auc``, ``ece``, ``ks``, ``wasserstein``, cut-off
        parity) when the audit has a score (:mod:`fairmark.fairness.scores`); each item
        has ``to_dict()``.
    outcome_metrics : tuple
        Per-group numeric-outcome metrics when the audit has an outcome column
        (:mod:`fairmark.fairness.outcomes`); each item has ``to_dict()``.
    privacy : PrivacyProfile or None
        The personal data in the audited table's columns and which of them the model
        needs (:mod:`fairmark.privacy.feature_profile`), the input of the checks
        ``privacy.pii_in_features`` and ``privacy.data_minimisation``; ``None`` when not
        profiled.
    consent : ConsentCoverage or None
        Share of the audited data subjects without a valid consent record (or another
        lawful basis) for the declared purpose (:mod:`fairmark.privacy.consent.coverage`),
        the input of ``privacy.consent_coverage``; ``None`` unless the audit names its
        subject-id column and purpose.
    """

    features: tuple[str, ...]
    groups: tuple[GroupStats, ...]
    disparities: tuple[Disparity, ...]
    reference_groups: dict[str, dict[str, str]]
    min_group_size: int
    small_groups: dict[str, list[str]] = field(default_factory=dict)
    score_metrics: tuple[Any, ...] = ()
    outcome_metrics: tuple[Any, ...] = ()
    privacy: PrivacyProfile | None = None
    consent: ConsentCoverage | None = None

    def disparities_for(self, metric: str) -> list[Disparity]:
        """Return the disparities of one metric, in feature order."""
        return [d for d in self.disparities if d.metric == metric]
