"""Delivery statistics from aggregated counts: shares, total variation distance, pairs.

Per ad and view, with ``q_g = eligible_g / Σ eligible`` (the targeting's make-up, known
exactly) and ``p_g = delivered_g / Σ delivered``::

    share_difference_g = p_g − q_g       interval: [lo − q_g, hi − q_g]
    share_ratio_g      = p_g / q_g       interval: [lo / q_g, hi / q_g]
    tvd                = ½ Σ_g |p_g − q_g|

where ``[lo, hi]`` is the Wilson (1927) or Agresti–Coull (1998) interval of ``p_g`` given
``Σ delivered`` trials. Impressions are not independent trials (one person may see an ad
many times), so impression-weighted intervals and tests are too narrow; the unique-reach
view (with a person id) is the one to use for inference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from scipy import stats as _sps

from fairmark.errors import Reason, UsageError
from fairmark.fairness import stats
from fairmark.fairness.agresti_coull import agresti_coull_interval
from fairmark.fairness.delivery_result import (
    DeliveryAd,
    DeliveryGroup,
    DeliveryPair,
    DeliveryPairGroup,
)
from fairmark.fairness.result import Estimate
from fairmark.fairness.spec import MISSING_LABEL

__all__ = ["ad_view_stats", "chi_square_gof", "pair_stats", "total_variation_distance"]


def total_variation_distance(p: Sequence[float], q: Sequence[float]) -> float:
    """Total variation distance ``½ Σ |p_i − q_i|`` between two distributions.

    The largest difference in probability the two distributions give to any set of
    groups; equivalently the smallest share of ``p``'s mass that must move between groups
    to turn it into ``q``. For two groups it is ``|p_1 − q_1|``. Meta's Variance Reduction
    System measures the gap between an ad's eligible audience and its delivered audience
    this way (Meta 2023, *Toward fairness in personalized ads*; Timmaraju et al. 2023,
    arXiv:2306.03293; the remedy of the settlement in *United States v. Meta Platforms,
    Inc.*, S.D.N.Y. 2022).

    Parameters
    ----------
    p, q : sequence of float
        Shares over the same groups, in the same order; each sums to 1.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    UsageError
        If the sequences differ in length, hold negative or non-finite values, or do not
        sum to 1 (within 1e-9).
    """
    if len(p) != len(q):
        raise UsageError(f"total_variation_distance: {len(p)} shares against {len(q)}")
    for name, xs in (("p", p), ("q", q)):
        if any(not math.isfinite(x) or x < 0 for x in xs):
            raise UsageError(
                f"total_variation_distance: {name} holds a negative or non-finite share"
            )
        if abs(math.fsum(xs) - 1.0) > 1e-9:
            raise UsageError(
                f"total_variation_distance: {name} sums to {math.fsum(xs):.12g}, not 1"
            )
    return min(0.5 * math.fsum(abs(a - b) for a, b in zip(p, q, strict=True)), 1.0)


def chi_square_gof(observed: Sequence[float], expected_shares: Sequence[float]) -> float | None:
    """Pearson's chi-square goodness-of-fit p-value of counts against expected shares.

    ``X² = Σ (o_g − n e_g)² / (n e_g)`` over groups with ``e_g > 0``, ``n = Σ o``, with
    ``k − 1`` degrees of freedom (Pearson 1900); the same as
    ``scipy.stats.chisquare(observed, n · e)``.

    Parameters
    ----------
    observed : sequence of float
        Delivered counts per group.
    expected_shares : sequence of float
        Eligible shares per group (summing to 1).

    Returns
    -------
    float or None
        The p-value; ``None`` with fewer than two groups of positive share or no
        deliveries.
    """
    n = math.fsum(observed)
    pairs = [(o, e) for o, e in zip(observed, expected_shares, strict=True) if e > 0]
    if n <= 0 or len(pairs) < 2:
        return None
    x2 = math.fsum((o - n * e) ** 2 / (n * e) for o, e in pairs)
    return float(_sps.chi2.sf(x2, len(pairs) - 1))


def _interval(kind: str, x: float, n: float, conf: float) -> tuple[float | None, float | None]:
    if kind == "agresti_coull":
        return agresti_coull_interval(x, n, conf)
    return stats.wilson_interval(x, n, conf)


def _order(labels: Any) -> list[str]:
    return sorted(labels, key=lambda g: (g == MISSING_LABEL, g))


def ad_view_stats(
    ad: str | None,
    view: str,
    rows: Sequence[tuple[str, float, float]],
    *,
    min_group_size: int,
    interval: str,
    confidence: float,
) -> tuple[DeliveryAd, list[DeliveryGroup]]:
    """Shares, differences, ratios and the distance of one ad in one view.

    Parameters
    ----------
    ad : str or None
    view : {"impressions", "reach"}
    rows : sequence of (group, eligible, delivered)
        Per group: people eligible and the delivered amount (impressions or people).
    min_group_size : int
        Groups with fewer eligible people are not estimated and show no counts; an ad
        with fewer deliveries gets no distance (reason ``below_min_group_size``).
    interval : {"wilson", "agresti_coull"}
    confidence : float

    Returns
    -------
    tuple of (DeliveryAd, list of DeliveryGroup)
    """
    by_group = {g: (e, d) for g, e, d in rows if e > 0 or d > 0}
    labels = _order(by_group)
    n_elig = math.fsum(by_group[g][0] for g in labels)
    n_del = math.fsum(by_group[g][1] for g in labels)
    q = [by_group[g][0] / n_elig for g in labels]
    groups: list[DeliveryGroup] = []
    for label, q_g in zip(labels, q, strict=True):
        e, d = by_group[label]
        if 0 < e < min_group_size:
            none = Estimate(None, reason=Reason.BELOW_MIN_GROUP_SIZE.value)
            groups.append(DeliveryGroup(ad, view, label, True, None, None, None, none, none, none))
            continue
        if n_del <= 0:
            none = Estimate(None, reason=Reason.NO_DELIVERIES.value)
            groups.append(DeliveryGroup(ad, view, label, False, e, d, q_g, none, none, none))
            continue
        p_g = d / n_del
        lo, hi = _interval(interval, d, n_del, confidence)
        assert lo is not None and hi is not None
        groups.append(
            DeliveryGroup(
                ad,
                view,
                label,
                False,
                e,
                d,
                q_g,
                Estimate(p_g, lo, hi),
                Estimate(p_g - q_g, lo - q_g, hi - q_g),
                Estimate(p_g / q_g, lo / q_g, hi / q_g),
            )
        )
    if n_del <= 0:
        tvd = Estimate(None, reason=Reason.NO_DELIVERIES.value)
        p_value = None
    elif n_del < min_group_size:
        tvd = Estimate(None, reason=Reason.BELOW_MIN_GROUP_SIZE.value)
        p_value = None
    else:
        p = [by_group[g][1] / n_del for g in labels]
        tvd = Estimate(total_variation_distance(p, q))
        p_value = chi_square_gof([by_group[g][1] for g in labels], q)
    return DeliveryAd(ad, view, n_elig, n_del, len(labels), tvd, p_value), groups


def pair_stats(
    ad_a: str,
    ad_b: str,
    view: str,
    rows_a: Sequence[tuple[str, float, float]],
    rows_b: Sequence[tuple[str, float, float]],
    *,
    min_group_size: int,
    confidence: float,
) -> DeliveryPair:
    """Compare the delivered shares of two ads with the same targeting, group by group.

    Per group: ``share_a − share_b`` with a Newcombe interval and a two-proportion test
    (pooled z, or Fisher's exact test for small expected counts; see
    :func:`fairmark.fairness.stats.two_proportion_test`), the design of Ali et al. 2019
    (CSCW) and Imana, Korolova & Heidemann 2021 (WWW), who ran ad pairs with identical
    targeting and compared the share of one gender in each ad's delivered audience. Holm
    adjustment is applied by the caller across every pair.

    Parameters
    ----------
    ad_a, ad_b : str
    view : {"impressions", "reach"}
    rows_a, rows_b : sequence of (group, eligible, delivered)
    min_group_size : int
        Groups whose eligible audience is below it in either ad are not compared.
    confidence : float

    Returns
    -------
    DeliveryPair
        ``p_value_holm`` is ``None`` until adjusted.
    """
    a = {g: (e, d) for g, e, d in rows_a if e > 0 or d > 0}
    b = {g: (e, d) for g, e, d in rows_b if e > 0 or d > 0}
    labels = _order(set(a) | set(b))
    ea, da = (math.fsum(a.get(g, (0.0, 0.0))[i] for g in labels) for i in (0, 1))
    eb, db = (math.fsum(b.get(g, (0.0, 0.0))[i] for g in labels) for i in (0, 1))
    eligible_tvd = total_variation_distance(
        [a.get(g, (0.0, 0.0))[0] / ea for g in labels],
        [b.get(g, (0.0, 0.0))[0] / eb for g in labels],
    )
    delivered_tvd = None
    if da > 0 and db > 0:
        delivered_tvd = total_variation_distance(
            [a.get(g, (0.0, 0.0))[1] / da for g in labels],
            [b.get(g, (0.0, 0.0))[1] / db for g in labels],
        )
    groups = []
    for g in labels:
        (ega, dga), (egb, dgb) = a.get(g, (0.0, 0.0)), b.get(g, (0.0, 0.0))
        if 0 < ega < min_group_size or 0 < egb < min_group_size:
            none = Estimate(None, reason=Reason.BELOW_MIN_GROUP_SIZE.value)
            groups.append(DeliveryPairGroup(g, None, None, none, None, None, None))
            continue
        if da <= 0 or db <= 0:
            none = Estimate(None, reason=Reason.NO_DELIVERIES.value)
            groups.append(DeliveryPairGroup(g, None, None, none, None, None, None))
            continue
        lo, hi = stats.newcombe_interval(dga, da, dgb, db, confidence)
        p_value, test = stats.two_proportion_test(dga, da, dgb, db)
        diff = Estimate(dga / da - dgb / db, lo, hi)
        groups.append(DeliveryPairGroup(g, dga / da, dgb / db, diff, p_value, None, test))
    return DeliveryPair(ad_a, ad_b, view, delivered_tvd, eligible_tvd, tuple(groups))
