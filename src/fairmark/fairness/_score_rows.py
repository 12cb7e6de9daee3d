"""Score-metric rows of one feature, from the histogram summed into its groups.

The arithmetic of :mod:`fairmark.fairness.scores`: per group ``roc_auc``, ``ece``,
``missing_scores``, ``ks``, ``wasserstein``, ``selection_rate_at`` and
``disparate_impact_at``, and per feature ``auc_difference`` and
``calibration_difference`` (definitions in that module's docstring).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from fairmark.engine.histogram import ScoreHistogram
from fairmark.errors import Reason
from fairmark.fairness import stats
from fairmark.fairness._score_sums import Bins, GroupSums
from fairmark.fairness.result import AuditMetrics, GroupStats
from fairmark.fairness.score_result import ScoreMetric
from fairmark.fairness.score_stats import (
    AucEstimate,
    binned_auc,
    binned_ks,
    binned_wasserstein,
    reliability_curve,
    top_fraction_bin,
)

__all__ = ["TOP_FRACTIONS", "Cut", "feature_metrics", "global_cuts"]

#: Top fractions of scored rows at which selection-rate parity is always reported.
TOP_FRACTIONS: tuple[float, ...] = (0.1, 0.2, 0.3)


@dataclass(frozen=True)
class Cut:
    """A global cut-off: ``score >= cutoff`` (top fraction: bins ``>= bin``).

    Attributes
    ----------
    kind : {"top_fraction", "threshold"}
    fraction : float or None
        The top fraction asked for.
    cutoff : float
        Score threshold (score units).
    selected_share : float
        Share of all labelled, scored rows (weighted) at or above it.
    bin : int or None
        For a top fraction: the first selected bin.
    index : int or None
        For a threshold: its position in ``hist.cutoffs``.
    """

    kind: str
    fraction: float | None
    cutoff: float
    selected_share: float
    bin: int | None = None
    index: int | None = None


def global_cuts(hist: ScoreHistogram) -> list[Cut]:
    """The cut-offs of every ``selection_rate_at`` row: top 10/20/30%, then ``cutoffs``.

    A top fraction's cut-off is the lower edge of the bin holding the k-th highest
    (weighted) score (:func:`fairmark.fairness.score_stats.top_fraction_bin`).

    Parameters
    ----------
    hist : ScoreHistogram

    Returns
    -------
    list of Cut
        Empty when no row has both a label and a score.
    """
    frame = hist.frame
    valid = ((frame["label"] >= 0) & (frame["bin"] >= 0)).to_numpy()
    by_bin = frame.loc[valid, ["bin", "w"]].groupby("bin", sort=True)["w"].sum()
    total = by_bin.to_numpy()
    grand = float(total.sum())
    if grand <= 0:
        return []
    cuts = []
    for q in TOP_FRACTIONS:
        j = top_fraction_bin(total, q)
        b = int(by_bin.index[j])
        share = float(total[j:].sum() / grand)
        cuts.append(Cut("top_fraction", q, hist.lo + b * hist.width, share, bin=b))
    for i, c in enumerate(hist.cutoffs):
        share = float(frame[f"gew{i}"].to_numpy()[valid].sum() / grand)
        cuts.append(Cut("threshold", None, c, share, index=i))
    return cuts


@dataclass
class _Group:
    """One group's view of the sums, with its eligibility."""

    label: str
    i: int | None
    bins: Bins | None
    n: int
    total_w: float
    w2: float
    missing: int
    rows: int
    suppressed: bool

    def reason(self) -> str | None:
        """Why nothing can be estimated for this group, or None."""
        if self.suppressed:
            return Reason.BELOW_MIN_GROUP_SIZE.value
        if self.n == 0 or self.total_w <= 0:
            return Reason.EMPTY_GROUP.value
        return None


def _groups(stats_rows: list[GroupStats], sums: GroupSums, min_size: int) -> list[_Group]:
    out = []
    for g in stats_rows:
        i = sums.index.get(tuple(g.levels))
        if i is None:
            out.append(_Group(g.group, None, None, 0, 0.0, 0.0, 0, 0, False))
            continue
        b = sums.bins(i)
        n = round(float(b.pos_n.sum() + b.neg_n.sum()))
        total_w = float(b.w.sum())
        rows = round(float(sums.rows[i]))
        suppressed = 0 < n < min_size or 0 < rows < min_size
        missing = round(float(sums.missing[i]))
        w2 = float(sums.w2[i])
        out.append(_Group(g.group, i, b, n, total_w, w2, missing, rows, suppressed))
    return out


def _z(conf: float) -> float:
    from scipy.stats import norm

    return float(norm.isf((1.0 - conf) / 2.0))


def _count(g: _Group) -> int | None:
    return None if g.suppressed else g.n


def _auc(g: _Group, fine: Bins | None) -> tuple[AucEstimate | None, str | None]:
    """The group's AUC, from its finely binned scores when it was refined."""
    reason = g.reason()
    if reason is not None:
        return None, reason
    b = fine if fine is not None else g.bins
    assert b is not None
    if b.pos_w.sum() <= 0 or b.neg_w.sum() <= 0:
        return None, Reason.SINGLE_CLASS.value
    est = binned_auc(b.pos_w, b.neg_w, pos_count=b.pos_n, neg_count=b.neg_n)
    return est, None


def _rate(x_w: float, g: _Group, weighted: bool) -> tuple[float, float, float]:
    """(value, x, n) of a proportion, with Kish effective counts when weighted."""
    value = x_w / g.total_w
    if not weighted:
        return value, x_w, g.total_w
    neff = stats.kish_effective_n(g.total_w, g.w2)
    return value, value * neff, neff


def feature_metrics(
    feature: str,
    rows: list[GroupStats],
    sums: GroupSums,
    hist: ScoreHistogram,
    cuts: list[Cut],
    metrics: AuditMetrics,
    conf: float,
    fine_bins: Callable[[GroupStats], Bins | None],
) -> list[ScoreMetric]:
    """Every score-metric row of one feature (marginal or intersection).

    Parameters
    ----------
    feature : str
        The feature (intersections joined by ``" & "``).
    rows : list of GroupStats
        The feature's groups from the audit, in report order.
    sums : GroupSums
        The histogram summed into this feature's groups.
    hist : ScoreHistogram
        The histogram (score kind, bin width, cut-off columns).
    cuts : list of Cut
        From :func:`global_cuts`.
    metrics : AuditMetrics
        Reference groups and ``min_group_size``.
    conf : float
        Confidence level of the intervals.
    fine_bins : callable
        ``GroupStats -> Bins or None``: finer bins for the group's AUC, if refined.

    Returns
    -------
    list of ScoreMetric
        In the order of :mod:`fairmark.fairness.scores`.
    """
    groups = _groups(rows, sums, metrics.min_group_size)
    ref_label = metrics.reference_groups.get(feature, {}).get("group")
    ref = next((g for g in groups if g.label == ref_label and g.reason() is None), None)
    z = _z(conf)
    out: list[ScoreMetric] = []

    aucs: dict[str, AucEstimate] = {}
    for row, g in zip(rows, groups, strict=True):
        est, reason = _auc(g, fine_bins(row))
        if est is None:
            out.append(ScoreMetric(feature, g.label, "roc_auc", None, reason, n=_count(g)))
            continue
        aucs[g.label] = est
        lo = hi = method = None
        if est.variance is not None:
            half = z * math.sqrt(est.variance)
            lo, hi, method = max(est.value - half, 0.0), min(est.value + half, 1.0), "delong"
        out.append(
            ScoreMetric(feature, g.label, "roc_auc", est.value, None, lo, hi, method,
                        n=g.n, error_bound=est.error_bound)
        )  # fmt: skip

    eces: dict[str, float] = {}
    if hist.score_kind != "score":
        for g in groups:
            reason = g.reason()
            if reason is not None:
                out.append(ScoreMetric(feature, g.label, "ece", None, reason, n=_count(g)))
                continue
            i = g.i
            curve, ece = reliability_curve(sums.cal_w[i], sums.cal_pos[i], sums.cal_wp[i])
            eces[g.label] = ece
            out.append(ScoreMetric(feature, g.label, "ece", ece, n=g.n, curve=curve))

    for g in groups:
        if g.suppressed:
            out.append(ScoreMetric(feature, g.label, "missing_scores", None,
                                   Reason.BELOW_MIN_GROUP_SIZE.value))  # fmt: skip
        else:
            out.append(ScoreMetric(feature, g.label, "missing_scores", float(g.missing), n=g.n))

    if ref is not None:
        out += _distances(feature, groups, ref, sums, hist)
    for cut in cuts:
        out += _cut_metrics(feature, groups, ref, sums, cut, hist.weighted, conf)
    out.append(_spread(feature, "auc_difference", groups, {k: v.value for k, v in aucs.items()},
                       aucs, z, Reason.SINGLE_CLASS.value))  # fmt: skip
    if hist.score_kind != "score":
        out.append(_spread(feature, "calibration_difference", groups, eces, {}, z, None))
    return out


def _distances(
    feature: str, groups: list[_Group], ref: _Group, sums: GroupSums, hist: ScoreHistogram
) -> list[ScoreMetric]:
    out: list[ScoreMetric] = []
    r = ref.i
    assert r is not None
    rb = ref.bins
    assert rb is not None
    for g in groups:
        if g is ref:
            continue
        reason = g.reason()
        if reason is not None:
            for metric in ("ks", "wasserstein"):
                out.append(ScoreMetric(feature, g.label, metric, None, reason,
                                       reference=ref.label, n=_count(g)))  # fmt: skip
            continue
        assert g.i is not None
        gb = g.bins
        union = np.concatenate((gb.bin, rb.bin))  # both on the same bins for the CDFs
        union.sort(kind="stable")
        union = union[np.r_[True, union[1:] != union[:-1]]]
        g_w, r_w = np.zeros(union.size), np.zeros(union.size)
        g_w[np.searchsorted(union, gb.bin)] = gb.w
        r_w[np.searchsorted(union, rb.bin)] = rb.w
        d, d_bound = binned_ks(g_w, r_w)
        out.append(ScoreMetric(feature, g.label, "ks", d, reference=ref.label, n=g.n,
                               error_bound=d_bound))  # fmt: skip
        w1, w_bound = binned_wasserstein(gb.w, gb.ws, rb.w, rb.ws, hist.width)
        out.append(ScoreMetric(feature, g.label, "wasserstein", w1, reference=ref.label, n=g.n,
                               error_bound=w_bound))  # fmt: skip
    return out


def _cut_metrics(
    feature: str,
    groups: list[_Group],
    ref: _Group | None,
    sums: GroupSums,
    cut: Cut,
    weighted: bool,
    conf: float,
) -> list[ScoreMetric]:
    common: dict[str, Any] = {
        "cutoff": cut.cutoff,
        "cutoff_kind": cut.kind,
        "top_fraction": cut.fraction,
        "selected_share": cut.selected_share,
    }

    def selected(g: _Group) -> float:
        assert g.i is not None
        if cut.bin is not None:
            b = g.bins
            assert b is not None
            return float(b.w[b.bin >= cut.bin].sum())
        assert cut.index is not None
        return float(sums.ge_w[g.i, cut.index])

    rates: list[ScoreMetric] = []
    ratios: list[ScoreMetric] = []
    ref_rate = None if ref is None else _rate(selected(ref), ref, weighted)
    for g in groups:
        reason = g.reason()
        if reason is not None:
            rates.append(ScoreMetric(feature, g.label, "selection_rate_at", None, reason,
                                     n=_count(g), **common))  # fmt: skip
            if ref is not None and g is not ref:
                ratios.append(ScoreMetric(feature, g.label, "disparate_impact_at", None, reason,
                                          reference=ref.label, n=_count(g), **common))  # fmt: skip
            continue
        value, x, n = _rate(selected(g), g, weighted)
        lo, hi = stats.wilson_interval(x, n, conf)
        rates.append(ScoreMetric(feature, g.label, "selection_rate_at", value, None, lo, hi,
                                 "wilson", n=g.n, **common))  # fmt: skip
        if ref is None or ref_rate is None or g is ref:
            continue
        rv, rx, rn = ref_rate
        ci = stats.katz_log_interval(x, n, rx, rn, conf)
        if rv == 0:
            ratio, why = (None, Reason.NO_SELECTIONS.value) if value == 0 else (
                math.inf, Reason.REFERENCE_RATE_ZERO.value)
            if ratio is None:
                ci = (None, None)
        else:
            ratio, why = value / rv, None
        ratios.append(ScoreMetric(feature, g.label, "disparate_impact_at", ratio, why, ci[0],
                                  ci[1], "katz_log" if ci[0] is not None else None,
                                  reference=ref.label, n=g.n, **common))  # fmt: skip
    return rates + ratios


def _spread(
    feature: str,
    metric: str,
    groups: list[_Group],
    values: dict[str, float],
    aucs: dict[str, AucEstimate],
    z: float,
    undefined_reason: str | None,
) -> ScoreMetric:
    """Highest minus lowest value over the groups where it is defined."""
    left_out = []
    for g in groups:
        if g.label in values or (g.n == 0 and g.rows == 0):
            continue
        reason = g.reason() or undefined_reason or Reason.NOT_ESTIMABLE.value
        left_out.append((g.label, reason))
    covered = [g for g in groups if g.label in values]
    if len(covered) < 2:
        return ScoreMetric(feature, None, metric, None, Reason.SINGLE_GROUP.value,
                           n_groups=len(covered), left_out=tuple(left_out))  # fmt: skip
    lo = min(covered, key=lambda g: (values[g.label], g.label))
    hi = max(covered, key=lambda g: (values[g.label], [-ord(c) for c in g.label]))
    if lo is hi:  # every group has the same value
        hi = next(g for g in covered if g is not lo)
    diff = values[hi.label] - values[lo.label]
    ci_lo = ci_hi = method = None
    a, b = aucs.get(hi.label), aucs.get(lo.label)
    if a is not None and b is not None and a.variance is not None and b.variance is not None:
        half = z * math.sqrt(a.variance + b.variance)
        ci_lo, ci_hi, method = max(diff - half, -1.0), min(diff + half, 1.0), "delong"
    return ScoreMetric(feature, lo.label, metric, diff, None, ci_lo, ci_hi, method,
                       reference=hi.label, n_groups=len(covered),
                       left_out=tuple(left_out))  # fmt: skip
