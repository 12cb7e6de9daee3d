"""Typed results of proxy detection: one association per pair, the joint test, all of it.

:class:`ProxyMetrics` is what the check ``fairness.proxy_association`` measures (the
``"proxies"`` kind of run); :class:`fairmark.fairness.proxies.ProxyResult` adds the policy
verdict and provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fairmark.fairness.result import json_number

__all__ = ["DEFAULT_PROXY_BOUND", "ProxyAssociation", "ProxyMetrics", "RedundantEncoding"]

DEFAULT_PROXY_BOUND = 0.3
"""Association above which a feature is flagged when the policy sets no bound."""

Measure = Literal["cramers_v", "correlation_ratio"]


@dataclass(frozen=True)
class ProxyAssociation:
    """How strongly one candidate feature is associated with one sensitive feature.

    Attributes
    ----------
    feature : str
        The candidate column.
    sensitive_feature : str
        Name of the sensitive feature (``age_band`` for a binned ``age``).
    kind : {"categorical", "numeric"}
    measure : {"cramers_v", "correlation_ratio"}
        ``cramers_v`` (bias-corrected, Bergsma 2013) for categorical features;
        ``correlation_ratio`` (η of the feature given the sensitive groups) for numeric.
    association : float or None
        The measure, in [0, 1]; ``None`` with ``reason`` when undefined.
    nmi : float or None
        Normalised mutual information (arithmetic mean of entropies) of the same table;
        for numeric features of the quantile-binned table. Missing values are a level.
    reason : str or None
        :class:`fairmark.errors.Reason` code when ``association`` is ``None``.
    flagged : bool
        ``association > bound``; never for an undefined association.
    bound : float
        The policy's maximum for this sensitive feature (default 0.3).
    rank : int
        1 for the strongest association of its sensitive feature; undefined ones last.
    n_levels : int
        Levels of the feature that occur (bins for numeric features), ``(missing)``
        included.
    n_missing : int
        Rows where the feature is missing (a column total, never a group count).
    bin_edges : tuple of float
        Numeric features: the cut points of the bins the NMI table uses (a value ``x``
        is in bin ``#{e : e < x}``); empty for categorical features.
    """

    feature: str
    sensitive_feature: str
    kind: str
    measure: Measure
    association: float | None
    nmi: float | None
    reason: str | None
    flagged: bool
    bound: float
    rank: int
    n_levels: int
    n_missing: int
    bin_edges: tuple[float, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the ``proxies[]`` object of the result document."""
        return {
            "feature": self.feature,
            "sensitive_feature": self.sensitive_feature,
            "association": json_number(self.association),
            "measure": self.measure,
            "nmi": json_number(self.nmi),
            "flagged": self.flagged,
            "reason": self.reason,
            "bound": self.bound,
            "rank": self.rank,
            "kind": self.kind,
            "n_levels": self.n_levels,
            "n_missing": self.n_missing,
            "bin_edges": [float(e) for e in self.bin_edges] if self.kind == "numeric" else None,
        }


@dataclass(frozen=True)
class RedundantEncoding:
    """How well all candidate features together predict one sensitive feature.

    Attributes
    ----------
    sensitive_feature : str
    value : float or None
        Mean cross-validated ROC AUC (one-vs-rest, macro-averaged for more than two
        groups): 0.5 = the features reveal nothing, 1 = they identify the group exactly.
        ``None`` with ``reason`` when fewer than two groups are large enough.
    std : float or None
        Standard deviation of the AUC over the folds.
    n_sample : int
        Rows drawn by the engine for the test (at most ``sample_size``).
    n_classes : int
        Groups of the sensitive feature used (those with at least ``min_group_size``
        rows, and at least ``cv_folds``, in the sample).
    groups_left_out : int
        Groups too small in the sample to be cross-validated (their rows are not used;
        their counts are never shown).
    model : str
        The scikit-learn model, e.g. ``HistGradientBoostingClassifier``.
    cv_folds : int
        Stratified folds.
    reason : str or None
        :class:`fairmark.errors.Reason` code when ``value`` is ``None``.
    """

    sensitive_feature: str
    value: float | None
    std: float | None
    n_sample: int
    n_classes: int
    groups_left_out: int
    model: str
    cv_folds: int
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the ``redundant_encoding_auc[sensitive_feature]`` object."""
        return {
            "value": json_number(self.value),
            "std": json_number(self.std),
            "n_sample": self.n_sample,
            "n_classes": self.n_classes,
            "groups_left_out": self.groups_left_out,
            "model": self.model,
            "cv_folds": self.cv_folds,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ProxyMetrics:
    """Everything proxy detection computed: the input of the ``"proxies"`` checks.

    Attributes
    ----------
    associations : tuple of ProxyAssociation
        Ranked: by association, strongest first, undefined last.
    redundant_encoding : dict of str to RedundantEncoding
        By sensitive feature; empty when the joint test was not run.
    sensitive_features : tuple of str
        Names, in the order given.
    n_rows : int
        Rows in the data.
    bounds : dict of str to float
        Flagging bound per sensitive feature.
    """

    associations: tuple[ProxyAssociation, ...]
    redundant_encoding: dict[str, RedundantEncoding] = field(default_factory=dict)
    sensitive_features: tuple[str, ...] = ()
    n_rows: int = 0
    bounds: dict[str, float] = field(default_factory=dict)

    def for_sensitive(self, name: str) -> tuple[ProxyAssociation, ...]:
        """Return the associations with sensitive feature ``name``, ranked."""
        return tuple(a for a in self.associations if a.sensitive_feature == name)
