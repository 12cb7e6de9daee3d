"""Outcome-value fairness: how a numeric outcome (offer value, discount, price, credit limit)
is spread across groups.

A yes/no audit can pass while one group gets systematically smaller discounts or lower
credit limits. With ``outcome`` in the audit spec, fairmark reports per group (marginal and
intersectional, the same groups and reference groups as the audit)::

    outcome_n, outcome_n_missing   rows with / without a value (missing values are counted,
                                   never silently dropped)
    outcome_mean                   Σ w x / Σ w, Student-t interval (Kish effective n)
    outcome_median                 approximate, from the engine (see below)
    outcome_total                  Σ w x
    population_share               Σ w_g / Σ w over the feature's rows with a value, Wilson
    value_share                    total_g / Σ total: the group's share of all the value
    value_share_gap                value_share − population_share (0 = value in proportion
                                   to head count; −0.05 = five points less than its size)
    mean_outcome_difference        mean_g − mean_ref, Welch interval and test (Welch 1947;
                                   Welch–Satterthwaite df), Holm-adjusted over the audit
    mean_outcome_ratio             mean_g / mean_ref, delta-method interval on the log scale

**Aggregates, not rows.** One engine group-by over the finest cells (all sensitive
features together) gives per cell the row and missing-value counts, the total, and the
moments of the outcome; groups are merged from cells with the pairwise formulas of Chan,
Golub & LeVeque (1979). Medians are **approximate** (DuckDB ``approx_quantile``, a
t-digest; Spark ``percentile_approx``) and, because medians are not additive over cells,
computed by one extra small group-by per reported grouping (each feature and each
intersection). They are unweighted even with ``sample_weight``.

Groups below ``min_group_size`` (in the audit, or in rows with an outcome value) are not
estimated: their values are ``None`` with reason ``below_min_group_size`` and their counts
are not shown; they still count in the feature's totals, so shares stay shares of the
whole.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fairmark.engine.source import DataSource
from fairmark.errors import Reason
from fairmark.fairness import stats
from fairmark.fairness._outcome_engine import outcome_cells, outcome_medians
from fairmark.fairness.mean_stats import (
    Moments,
    combine_moments,
    log_ratio_interval,
    t_interval,
    welch,
)
from fairmark.fairness.outcome_result import OutcomeMetric
from fairmark.fairness.result import AuditMetrics, GroupStats
from fairmark.fairness.spec import INTERSECTION_SEP, AuditSpec

__all__ = [
    "OutcomeAggregates",
    "OutcomeMetric",
    "OutcomeMetricRows",
    "compute_outcome_metrics",
    "outcome_aggregates",
    "outcome_metrics_from_aggregates",
]

_EMPTY = Moments(0.0, 0.0, None, 0.0)


@dataclass
class _Cell:
    """A group's outcome aggregates, merged from cube cells."""

    rows: int = 0
    valid: int = 0
    missing: int = 0
    total: float = 0.0
    moments: Moments = _EMPTY

    def add(self, row: dict[str, Any]) -> None:
        self.rows += int(row["fm_rows"])
        self.valid += int(row["fm_valid"])
        self.missing += int(row["fm_missing"])
        self.total += float(row["fm_total"])
        raw_mean = row["fm_mean"]
        mean = None if row["fm_valid"] == 0 or raw_mean != raw_mean else float(raw_mean)
        cell = Moments(float(row["fm_sw"]), float(row["fm_sw2"]), mean, float(row["fm_m2"]))
        self.moments = combine_moments(self.moments, cell)


def _merge(cells: Any, combo: tuple[str, ...]) -> dict[tuple[str, ...], _Cell]:
    out: dict[tuple[str, ...], _Cell] = {}
    for row in cells.to_dict("records"):
        levels = tuple(str(row[f]) for f in combo)
        out.setdefault(levels, _Cell()).add(row)
    return out


@dataclass
class _Status:
    """Whether a group's outcome can be estimated, and why not."""

    reason: str | None
    show_counts: bool


def _status(g: GroupStats, cell: _Cell, min_n: int) -> _Status:
    if g.suppressed or 0 < cell.valid < min_n:
        return _Status(Reason.BELOW_MIN_GROUP_SIZE.value, False)
    if cell.rows == 0:
        return _Status(Reason.EMPTY_GROUP.value, True)
    if cell.valid == 0:
        return _Status(Reason.NO_OUTCOME_VALUES.value, True)
    if cell.moments.sum_w <= 0:  # every weight of the group is zero
        return _Status(Reason.EMPTY_GROUP.value, True)
    return _Status(None, True)


def _rows_for_group(
    feature: str,
    g: GroupStats,
    cell: _Cell,
    status: _Status,
    median: float | None,
    totals: tuple[float, float, float],
    conf: float,
) -> list[OutcomeMetric]:
    label = g.group
    total_value, total_w, neff_total = totals
    if not status.show_counts:
        counts = [
            OutcomeMetric(feature, label, m, None, reason=status.reason)
            for m in ("outcome_n", "outcome_n_missing")
        ]
    else:
        counts = [
            OutcomeMetric(feature, label, "outcome_n", float(cell.valid)),
            OutcomeMetric(feature, label, "outcome_n_missing", float(cell.missing)),
        ]
    names = (
        "outcome_mean",
        "outcome_median",
        "outcome_total",
        "population_share",
        "value_share",
        "value_share_gap",
    )
    if status.reason is not None:
        undefined = [OutcomeMetric(feature, label, k, None, reason=status.reason) for k in names]
        return counts + undefined
    m = cell.moments
    lo, hi = t_interval(m, conf)
    pop = m.sum_w / total_w
    pop_lo, pop_hi = stats.wilson_interval(pop * neff_total, neff_total, conf)
    mean_method = "student_t" if lo is not None else None
    out = [
        *counts,
        OutcomeMetric(feature, label, "outcome_mean", m.mean, lo, hi, mean_method),
        OutcomeMetric(feature, label, "outcome_median", median),
        OutcomeMetric(feature, label, "outcome_total", cell.total),
        OutcomeMetric(feature, label, "population_share", pop, pop_lo, pop_hi, "wilson"),
    ]
    if total_value == 0:
        reason = Reason.ZERO_TOTAL.value
        out += [
            OutcomeMetric(feature, label, "value_share", None, reason=reason),
            OutcomeMetric(feature, label, "value_share_gap", None, reason=reason),
        ]
    else:
        share = cell.total / total_value
        out += [
            OutcomeMetric(feature, label, "value_share", share),
            OutcomeMetric(feature, label, "value_share_gap", share - pop),
        ]
    return out


def _comparisons(
    feature: str,
    label: str,
    ref: str,
    own: tuple[Moments, str | None],
    reference: tuple[Moments, str | None],
    conf: float,
) -> list[OutcomeMetric]:
    (m, reason), (r, ref_reason) = own, reference
    if reason is not None or ref_reason is not None:
        why = reason if reason is not None else Reason.NOT_ESTIMABLE.value
        return [
            OutcomeMetric(feature, label, k, None, reference=ref, reason=why)
            for k in ("mean_outcome_difference", "mean_outcome_ratio")
        ]
    w = welch(m, r, conf)
    assert w is not None and m.mean is not None and r.mean is not None
    diff = OutcomeMetric(
        feature,
        label,
        "mean_outcome_difference",
        w.difference,
        w.ci_low,
        w.ci_high,
        "welch" if w.ci_low is not None else None,
        ref,
        w.p_value,
    )
    if r.mean == 0:
        value = None if m.mean == 0 else math.copysign(math.inf, m.mean)
        ratio = OutcomeMetric(
            feature,
            label,
            "mean_outcome_ratio",
            value,
            reference=ref,
            reason=Reason.REFERENCE_RATE_ZERO.value,
        )
    else:
        lo, hi = log_ratio_interval(m, r, conf)
        ratio = OutcomeMetric(
            feature,
            label,
            "mean_outcome_ratio",
            m.mean / r.mean,
            lo,
            hi,
            "delta_log" if lo is not None else None,
            ref,
        )
    return [diff, ratio]


def _feature_rows(
    feature: str,
    combo: tuple[str, ...],
    groups: Sequence[GroupStats],
    merged: dict[tuple[str, ...], _Cell],
    medians: dict[tuple[str, ...], float | None],
    ref_label: str | None,
    min_n: int,
    conf: float,
) -> list[OutcomeMetric]:
    cells = {INTERSECTION_SEP.join(levels): c for levels, c in merged.items()}
    med = {INTERSECTION_SEP.join(levels): v for levels, v in medians.items()}
    total_value = sum(c.total for c in cells.values())
    total = _EMPTY
    for c in cells.values():
        total = combine_moments(total, c.moments)
    totals = (total_value, total.sum_w, total.n_eff)
    statuses = {g.group: _status(g, cells.get(g.group, _Cell()), min_n) for g in groups}
    out: list[OutcomeMetric] = []
    for g in groups:
        cell = cells.get(g.group, _Cell())
        out += _rows_for_group(feature, g, cell, statuses[g.group], med.get(g.group), totals, conf)
    if ref_label is None or ref_label not in statuses:
        return out
    ref_cell = cells.get(ref_label, _Cell())
    reference = (ref_cell.moments, statuses[ref_label].reason)
    for g in groups:
        if g.group == ref_label:
            continue
        own = (cells.get(g.group, _Cell()).moments, statuses[g.group].reason)
        out += _comparisons(feature, g.group, ref_label, own, reference, conf)
    return out


def _holm(rows: list[OutcomeMetric]) -> list[OutcomeMetric]:
    idx = [
        i
        for i, r in enumerate(rows)
        if r.metric == "mean_outcome_difference" and r.p_value is not None
    ]
    adjusted = stats.holm_adjust([rows[i].p_value for i in idx])
    out = list(rows)
    for i, p in zip(idx, adjusted, strict=True):
        r = rows[i]
        out[i] = OutcomeMetric(
            r.feature,
            r.group,
            r.metric,
            r.value,
            r.ci_low,
            r.ci_high,
            r.ci_method,
            r.reference,
            r.p_value,
            p,
            r.reason,
        )
    return out


@dataclass(frozen=True)
class OutcomeAggregates:
    """The engine aggregates the outcome metrics of one audit are computed from.

    Attributes
    ----------
    cells : pandas.DataFrame
        Per cell of all sensitive features: the outcome counts, total and moments
        (:func:`fairmark.fairness._outcome_engine.outcome_cells`).
    medians : dict
        ``grouping (tuple of feature names) -> {levels tuple -> approximate median or
        None}`` for each feature and each intersection, in report order
        (:func:`fairmark.fairness._outcome_engine.outcome_medians`).

    Notes
    -----
    Recorded with the run (:func:`fairmark.governance.artifacts.build_artifacts`) so that
    an evidence bundle can recompute every outcome metric without the data
    (:func:`outcome_metrics_from_aggregates`).
    """

    cells: Any
    medians: dict[tuple[str, ...], dict[tuple[str, ...], float | None]]


class OutcomeMetricRows(tuple):  # type: ignore[type-arg]
    """The ``outcome_metrics`` of an audit (a tuple of :class:`OutcomeMetric`), carrying
    the :class:`OutcomeAggregates` they were computed from in ``aggregates``.

    A plain tuple in every other respect, so
    :class:`~fairmark.fairness.result.AuditMetrics` holds it unchanged; the aggregates
    ride along to :func:`fairmark.governance.artifacts.build_artifacts`.
    """

    aggregates: OutcomeAggregates

    def __new__(cls, rows: Any, aggregates: OutcomeAggregates) -> OutcomeMetricRows:
        obj = super().__new__(cls, rows)
        obj.aggregates = aggregates
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (tuple(self), self.aggregates))


def _combos(spec: AuditSpec) -> list[tuple[str, ...]]:
    return [(f,) for f in spec.feature_names] + list(spec.intersections)


def outcome_aggregates(source: DataSource, spec: AuditSpec) -> OutcomeAggregates:
    """Run the engine passes of the outcome metrics: cell moments, then medians per grouping.

    Parameters
    ----------
    source : DataSource
    spec : AuditSpec
        With ``outcome`` set.

    Returns
    -------
    OutcomeAggregates

    Raises
    ------
    DataError
        As :func:`compute_outcome_metrics`.
    """
    cells = outcome_cells(source, spec)
    medians = {combo: outcome_medians(source, spec, combo) for combo in _combos(spec)}
    return OutcomeAggregates(cells, medians)


def outcome_metrics_from_aggregates(
    aggregates: OutcomeAggregates, spec: AuditSpec, metrics: AuditMetrics
) -> tuple[OutcomeMetric, ...]:
    """Compute the outcome metrics of an audit from its recorded aggregates.

    Parameters
    ----------
    aggregates : OutcomeAggregates
        From :func:`outcome_aggregates` (or read back from an evidence bundle).
    spec : AuditSpec
    metrics : AuditMetrics
        The audit's groups, reference groups and ``min_group_size``.

    Returns
    -------
    tuple of OutcomeMetric
        Exactly what :func:`compute_outcome_metrics` returned for the same aggregates
        (see there for the order and definitions).
    """
    conf = spec.confidence_level
    min_n = metrics.min_group_size
    rows: list[OutcomeMetric] = []
    for combo in _combos(spec):
        feature = INTERSECTION_SEP.join(combo)
        groups = [g for g in metrics.groups if g.feature == feature]
        merged = _merge(aggregates.cells, combo)
        medians = aggregates.medians.get(combo, {})
        ref = metrics.reference_groups.get(feature, {}).get("group")
        rows += _feature_rows(feature, combo, groups, merged, medians, ref, min_n, conf)
    return tuple(_holm(rows))


def compute_outcome_metrics(
    source: DataSource, spec: AuditSpec, metrics: AuditMetrics
) -> OutcomeMetricRows:
    """Compute the outcome-value metrics of an audit (``outcome_metrics[]``).

    Parameters
    ----------
    source : DataSource
        The audited data (:func:`fairmark.engine.as_table`).
    spec : AuditSpec
        With ``outcome``: a numeric column (any unit: currency, percentage points, months).
        ``sample_weight`` weights means, totals and shares; intervals then use Kish
        effective sample sizes (Kish 1965, *Survey Sampling* §11.7).
    metrics : AuditMetrics
        The audit's metrics: its groups, reference groups (``reference_groups``) and
        ``min_group_size`` are reused, so outcome rows line up with ``groups[]``.

    Returns
    -------
    OutcomeMetricRows
        A tuple of :class:`OutcomeMetric` whose ``aggregates`` attribute holds the
        :class:`OutcomeAggregates` it was computed from (:func:`outcome_aggregates` then
        :func:`outcome_metrics_from_aggregates`). Per feature (in ``metrics.features``
        order), per group: ``outcome_n``, ``outcome_n_missing``, ``outcome_mean``,
        ``outcome_median``, ``outcome_total``, ``population_share``, ``value_share``,
        ``value_share_gap``; then, per group other than the reference,
        ``mean_outcome_difference`` and ``mean_outcome_ratio``. See the module docstring
        for definitions; medians are approximate.

    Raises
    ------
    DataError
        If the outcome column is missing, not numeric (text, dates or true/false), holds
        infinite values, or the engine fails.

    Notes
    -----
    Welch's interval and test: Welch (1947), *Biometrika* 34:28-35; the same values as
    ``scipy.stats.ttest_ind(equal_var=False)`` for unweighted data. The ratio's interval
    is the delta method on the log scale; it is defined when both means are positive.
    A group's share of the total value against its share of the population is the
    comparison behind the Lorenz curve (Lorenz 1905, *Publications of the American
    Statistical Association* 9:209-219).
    """
    aggregates = outcome_aggregates(source, spec)
    rows = outcome_metrics_from_aggregates(aggregates, spec, metrics)
    return OutcomeMetricRows(rows, aggregates)
