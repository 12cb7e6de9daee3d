"""Score fairness: per-group ROC AUC, calibration, score distances and cut-off parity.

When an audit has a ``score`` column, :func:`compute_score_metrics` runs one more engine
pass, the score histogram (:func:`fairmark.engine.histogram.build_score_histogram`: one
group-by over sensitive-feature cell × score bin × label), and computes everything below
from it (plus, on large data, one pass restricted to the groups whose AUC needs finer
bins; see :func:`compute_score_metrics`). Like the confusion-matrix metrics
(:mod:`fairmark.fairness.metrics`), every marginal and intersectional group is a sum of
cells, and nothing reads a row again.

Per group (marginal and intersectional, the groups of the audit)::

    roc_auc            Mann-Whitney AUC over >= 1,000 bins, within-bin pairs counted 1/2;
                       error_bound = Σ_b pos_b·neg_b / (2PN) ≥ |AUC − exact AUC|;
                       DeLong (1988) interval (unweighted data); null + single_class for
                       a group with one class only
    ece                expected calibration error over 10 equal-width probability bins
                       (Naeini et al. 2015), with the reliability curve (probability and
                       logit scores; not for score_kind="score")
    missing_scores     rows whose score is NULL/NaN (counted, reported, never dropped)
    ks, wasserstein    Kolmogorov-Smirnov statistic and Wasserstein-1 distance between
                       the group's score distribution and the reference group's, with
                       the binning error bound (score_stats)
    selection_rate_at  share selected at each cut-off (Wilson interval)
    disparate_impact_at  selection rate over the reference group's at each cut-off
                       (Katz log interval)

Cut-offs: the top 10%, 20% and 30% of scored rows, each a global score threshold read
from the histogram (the lower edge of the bin holding the k-th highest score; rows tied
within that bin are all selected, so the selected share is at least the fraction asked
for and ``selected_share`` states it), and every threshold in ``spec.cutoffs`` (exact:
``score >= cutoff`` is counted in the engine).

Per feature, over its groups where the value is defined (``n_groups`` says how many;
``left_out`` lists the others with their reason)::

    auc_difference          highest − lowest AUC   DeLong interval of the difference
                            (independent groups: var = var_hi + var_lo)
    calibration_difference  highest − lowest ECE

Rows with a missing label or score are not in any metric; groups below
``min_group_size`` are not estimated (``below_min_group_size``) and show no count. With
``sample_weight`` every count is a weighted sum and rate intervals use Kish effective
sample sizes, as in :mod:`fairmark.fairness.metrics`; AUC intervals are then not given.
The reference group of each feature is the audit's (``metrics.reference_groups``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairmark.engine.histogram import (
    MAX_BINS,
    ROW_BUDGET,
    ScoreHistogram,
    build_score_histogram,
    choose_n_bins,
)
from fairmark.engine.source import DataSource
from fairmark.fairness._score_rows import TOP_FRACTIONS, feature_metrics, global_cuts
from fairmark.fairness._score_sums import Bins, CellCodes, GroupSums, cell_codes, group_sums
from fairmark.fairness.result import AuditMetrics, GroupStats
from fairmark.fairness.score_result import SCORE_METRICS, ScoreMetric
from fairmark.fairness.score_stats import binned_auc
from fairmark.fairness.spec import AuditSpec

__all__ = [
    "AUC_ERROR_TARGET",
    "SCORE_METRICS",
    "TOP_FRACTIONS",
    "ScoreAggregates",
    "ScoreMetric",
    "ScoreMetricRows",
    "compute_score_metrics",
    "score_aggregates",
    "score_metrics_from_aggregates",
    "score_metrics_from_histogram",
]

#: AUC error bound above which a group's scores are binned again, finer.
AUC_ERROR_TARGET = 1e-3


class _Context:
    """A histogram with its per-combination group sums, computed once each."""

    def __init__(self, hist: ScoreHistogram) -> None:
        self.hist = hist
        self._codes: CellCodes | None = None
        self._sums: dict[tuple[str, ...], GroupSums] = {}

    def sums(self, combo: tuple[str, ...]) -> GroupSums:
        if combo not in self._sums:
            if self._codes is None:
                self._codes = cell_codes(self.hist)
            self._sums[combo] = group_sums(self.hist, combo, self._codes)
        return self._sums[combo]


@dataclass
class _Refined:
    """Finely binned scores of the groups whose AUC error bound was too wide."""

    ctx: _Context
    groups: set[tuple[str, str]]

    def bins(self, g: GroupStats) -> Bins | None:
        if (g.feature, g.group) not in self.groups:
            return None
        sums = self.ctx.sums(tuple(g.features))
        i = sums.index.get(tuple(g.levels))
        return None if i is None else sums.bins(i)


def _auc_bound(ctx: _Context, g: GroupStats) -> float | None:
    sums = ctx.sums(tuple(g.features))
    i = sums.index.get(tuple(g.levels))
    if i is None:
        return None
    b = sums.bins(i)
    if b.pos_w.sum() <= 0 or b.neg_w.sum() <= 0:
        return None
    return binned_auc(b.pos_w, b.neg_w).error_bound


def _refine(
    source: DataSource, spec: AuditSpec, metrics: AuditMetrics, ctx: _Context
) -> tuple[ScoreHistogram, tuple[tuple[str, str], ...]] | None:
    """Re-bin, with a million bins, the groups whose AUC error bound exceeds 1e-3.

    Smallest groups first, as many as fit in :data:`ROW_BUDGET` rows (a group's rows
    bound its share of the result). One more engine pass, filtered to those groups.
    Returns the fine histogram and the ``(feature, group)`` pairs it refines.
    """
    flagged = []
    for g in metrics.groups:
        if g.suppressed or not g.n:
            continue
        bound = _auc_bound(ctx, g)
        if bound is not None and bound > AUC_ERROR_TARGET:
            flagged.append(g)
    chosen, used = [], 0
    for g in sorted(flagged, key=lambda g: (g.n, g.feature, g.group)):
        if used + (g.n or 0) > ROW_BUDGET:
            break
        chosen.append(g)
        used += g.n or 0
    if not chosen:
        return None
    restrict = [dict(zip(g.features, g.levels, strict=True)) for g in chosen]
    fine = build_score_histogram(source, spec, n_bins=MAX_BINS, restrict_to=restrict)
    return fine, tuple((g.feature, g.group) for g in chosen)


def _all_metrics(
    ctx: _Context, spec: AuditSpec, metrics: AuditMetrics, fine: _Refined | None
) -> tuple[ScoreMetric, ...]:
    cuts = global_cuts(ctx.hist)
    out: list[ScoreMetric] = []

    def fine_bins(g: GroupStats) -> Bins | None:
        return None if fine is None else fine.bins(g)

    for feature in metrics.features:
        rows = [g for g in metrics.groups if g.feature == feature]
        if rows:
            sums = ctx.sums(tuple(rows[0].features))
            out += feature_metrics(feature, rows, sums, ctx.hist, cuts, metrics,
                                   spec.confidence_level, fine_bins)  # fmt: skip
    return tuple(out)


def score_metrics_from_histogram(
    hist: ScoreHistogram, spec: AuditSpec, metrics: AuditMetrics
) -> tuple[ScoreMetric, ...]:
    """Compute the score metrics of every group of an audit from one score histogram.

    Parameters
    ----------
    hist : ScoreHistogram
        From :func:`fairmark.engine.histogram.build_score_histogram`.
    spec : AuditSpec
        The audit spec (confidence level).
    metrics : AuditMetrics
        The audit's metrics: the groups (marginal and intersectional) in report order,
        the reference group of each feature and ``min_group_size``.

    Returns
    -------
    tuple of ScoreMetric
        Per feature: the group rows of each metric (``roc_auc``, ``ece``,
        ``missing_scores``, ``ks``, ``wasserstein``, then ``selection_rate_at`` and
        ``disparate_impact_at`` per cut-off), then ``auc_difference`` and
        ``calibration_difference``. No AUC refinement (see
        :func:`compute_score_metrics`).
    """
    return _all_metrics(_Context(hist), spec, metrics, None)


def _n_cells(spec: AuditSpec, metrics: AuditMetrics) -> int:
    """Upper bound on the number of cells: the product of the features' level counts."""
    out = 1
    for name in spec.feature_names:
        out *= max(1, sum(1 for g in metrics.groups if g.feature == name))
    return out


def _n_rows(spec: AuditSpec, metrics: AuditMetrics) -> int:
    """Upper bound on the labelled, scored rows (suppressed groups count as just too small)."""
    first = spec.feature_names[0]
    return sum(
        (metrics.min_group_size - 1) if g.suppressed else (g.n or 0)
        for g in metrics.groups
        if g.feature == first
    )


@dataclass(frozen=True)
class ScoreAggregates:
    """The engine aggregates the score metrics of one audit are computed from.

    Attributes
    ----------
    histogram : ScoreHistogram
        The score histogram of every row (cell × score bin × label).
    refined : ScoreHistogram or None
        The million-bin histogram of the groups whose AUC error bound was too wide
        (:func:`compute_score_metrics`, "AUC refinement"); ``None`` when none was.
    refined_groups : tuple of (str, str)
        ``(feature, group)`` of every group whose AUC comes from ``refined``.

    Notes
    -----
    Recorded with the run (:func:`fairmark.governance.artifacts.build_artifacts`) so that
    an evidence bundle can recompute every score metric without the data
    (:func:`score_metrics_from_aggregates`).
    """

    histogram: ScoreHistogram
    refined: ScoreHistogram | None = None
    refined_groups: tuple[tuple[str, str], ...] = ()


class ScoreMetricRows(tuple):  # type: ignore[type-arg]
    """The ``score_metrics`` of an audit (a tuple of :class:`ScoreMetric`), carrying the
    :class:`ScoreAggregates` they were computed from in ``aggregates``.

    A plain tuple in every other respect (equality, iteration, ``to_dict`` of the items),
    so :class:`~fairmark.fairness.result.AuditMetrics` holds it unchanged; the aggregates
    ride along to :func:`fairmark.governance.artifacts.build_artifacts`.
    """

    aggregates: ScoreAggregates

    def __new__(cls, rows: Any, aggregates: ScoreAggregates) -> ScoreMetricRows:
        obj = super().__new__(cls, rows)
        obj.aggregates = aggregates
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (tuple(self), self.aggregates))


def score_metrics_from_aggregates(
    aggregates: ScoreAggregates, spec: AuditSpec, metrics: AuditMetrics
) -> tuple[ScoreMetric, ...]:
    """Compute the score metrics of an audit from its recorded aggregates.

    Parameters
    ----------
    aggregates : ScoreAggregates
        From :func:`score_aggregates` (or read back from an evidence bundle).
    spec : AuditSpec
        The audit spec (confidence level).
    metrics : AuditMetrics
        The audit's confusion-matrix metrics (groups, reference groups, minimum size).

    Returns
    -------
    tuple of ScoreMetric
        Exactly what :func:`compute_score_metrics` returned for the same aggregates: the
        AUC of the groups in ``aggregates.refined_groups`` comes from the fine histogram.
    """
    fine = None
    if aggregates.refined is not None:
        fine = _Refined(_Context(aggregates.refined), set(aggregates.refined_groups))
    return _all_metrics(_Context(aggregates.histogram), spec, metrics, fine)


def score_aggregates(
    source: DataSource, spec: AuditSpec, metrics: AuditMetrics, *, n_bins: int | None = None
) -> ScoreAggregates:
    """Run the engine passes of the score metrics (see :func:`compute_score_metrics`).

    Parameters
    ----------
    source, spec, metrics, n_bins
        As :func:`compute_score_metrics`.

    Returns
    -------
    ScoreAggregates

    Raises
    ------
    DataError, UsageError
        As :func:`compute_score_metrics`.
    """
    auto = n_bins is None
    if n_bins is None:
        n_bins = choose_n_bins(_n_cells(spec, metrics), _n_rows(spec, metrics))
    hist = build_score_histogram(source, spec, n_bins=n_bins)
    refined = _refine(source, spec, metrics, _Context(hist)) if auto and n_bins < MAX_BINS else None
    if refined is None:
        return ScoreAggregates(hist)
    return ScoreAggregates(hist, refined[0], refined[1])


def compute_score_metrics(
    source: DataSource, spec: AuditSpec, metrics: AuditMetrics, *, n_bins: int | None = None
) -> ScoreMetricRows:
    """Score fairness metrics of an audit: one engine pass, then arithmetic on bins.

    Parameters
    ----------
    source : DataSource
        The audited data (:func:`fairmark.engine.as_table`).
    spec : AuditSpec
        The audit spec with ``score`` set; ``score_kind`` says whether the score is a
        probability (must lie in [0, 1]), a logit or an arbitrary ranking score, and
        ``cutoffs`` adds score thresholds to the top 10/20/30% cut-offs.
    metrics : AuditMetrics
        The audit's confusion-matrix metrics (groups, reference groups, minimum size).
    n_bins : int, optional
        Number of equal-width score bins (>= 1,000), without AUC refinement. Default:
        :func:`fairmark.engine.histogram.choose_n_bins` of the number of cells and rows
        (a million bins up to :data:`~fairmark.engine.histogram.ROW_BUDGET` rows;
        beyond, as fine as keeps the aggregated result within that many rows), then the
        AUC refinement below.

    Returns
    -------
    ScoreMetricRows
        A tuple of :class:`ScoreMetric` (see :func:`score_metrics_from_histogram` and the
        module docstring) whose ``aggregates`` attribute holds the
        :class:`ScoreAggregates` it was computed from (:func:`score_aggregates` then
        :func:`score_metrics_from_aggregates`).

    Raises
    ------
    DataError
        Probability scores outside [0, 1] (with the observed min and max and the hint
        ``score_kind='logit'``), infinite scores, a non-numeric score column, or a backend
        failure (see :func:`fairmark.engine.histogram.build_score_histogram`).
    UsageError
        If ``spec.score`` is not set or ``n_bins < 1000``.

    Notes
    -----
    **AUC refinement.** With the default binning, every group whose AUC error bound
    (``Σ_b pos_b·neg_b / (2PN)``) exceeds ``1e-3`` is binned again with a million bins
    in one more engine pass restricted to those groups (smallest first, up to
    :data:`~fairmark.engine.histogram.ROW_BUDGET` rows), and its AUC and bound come from
    the fine bins. A bound above 1e-3 can remain
    for groups beyond that budget and where scores tie exactly (exact ties count 1/2 in
    the exact AUC too, so they add to the bound but not to the error).

    References
    ----------
    Bamber 1975 (AUC as Mann-Whitney); DeLong, DeLong & Clarke-Pearson 1988 (AUC
    variance); Naeini, Cooper & Hauskrecht 2015 (ECE); Kolmogorov 1933 / Smirnov 1948;
    Villani 2009 (Wasserstein-1); 29 CFR 1607.4(D) and Katz et al. 1978 (selection-rate
    ratio and its interval).
    """
    aggregates = score_aggregates(source, spec, metrics, n_bins=n_bins)
    return ScoreMetricRows(score_metrics_from_aggregates(aggregates, spec, metrics), aggregates)
