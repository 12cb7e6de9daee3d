"""Delivery statistics against scipy, statsmodels and hand computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from fairmark.errors import UsageError
from fairmark.fairness.agresti_coull import agresti_coull_interval
from fairmark.fairness.delivery_stats import (
    ad_view_stats,
    chi_square_gof,
    pair_stats,
    total_variation_distance,
)


@pytest.mark.parametrize(("x", "n"), [(0, 10), (3, 10), (10, 10), (417, 1250), (2.5, 7.0)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_agresti_coull_matches_statsmodels(x, n, confidence):
    lo, hi = agresti_coull_interval(x, n, confidence)
    elo, ehi = proportion_confint(x, n, alpha=1 - confidence, method="agresti_coull")
    assert math.isclose(lo, elo, abs_tol=1e-12) and math.isclose(hi, ehi, abs_tol=1e-12)


def test_agresti_coull_by_hand_and_bad_input():
    # x = 3, n = 10, z = 1.959964: ñ = 13.841459, p̃ = 0.418463
    z = 1.959963984540054
    nt, pt = 10 + z * z, (3 + z * z / 2) / (10 + z * z)
    half = z * math.sqrt(pt * (1 - pt) / nt)
    assert agresti_coull_interval(3, 10) == pytest.approx((pt - half, pt + half), abs=1e-15)
    assert agresti_coull_interval(0, 0) == (None, None)
    with pytest.raises(UsageError, match="expected 0 <= successes <= n"):
        agresti_coull_interval(11, 10)
    with pytest.raises(UsageError, match="confidence"):
        agresti_coull_interval(1, 10, 1.0)


def test_total_variation_distance_by_hand():
    assert total_variation_distance([0.9, 0.1], [0.5, 0.5]) == pytest.approx(0.4, abs=1e-15)
    # three groups: ½ (|0.2−0.5| + |0.5−0.3| + |0.3−0.2|) = ½ (0.3 + 0.2 + 0.1) = 0.3
    assert total_variation_distance([0.2, 0.5, 0.3], [0.5, 0.3, 0.2]) == pytest.approx(0.3)
    assert total_variation_distance([1.0, 0.0], [0.0, 1.0]) == 1.0
    with pytest.raises(UsageError, match=r"sums to 0\.9"):
        total_variation_distance([0.5, 0.4], [0.5, 0.5])
    with pytest.raises(UsageError, match="2 shares against 3"):
        total_variation_distance([0.5, 0.5], [0.2, 0.3, 0.5])


def test_chi_square_matches_scipy():
    observed = [310.0, 120.0, 70.0]
    shares = [0.5, 0.3, 0.2]
    expected = stats.chisquare(observed, np.array(shares) * sum(observed)).pvalue
    assert math.isclose(chi_square_gof(observed, shares), expected, rel_tol=1e-12)
    assert chi_square_gof([0.0, 0.0], [0.5, 0.5]) is None
    assert chi_square_gof([5.0], [1.0]) is None


@pytest.mark.parametrize("interval", ["wilson", "agresti_coull"])
def test_ad_view_stats_shares_and_intervals(interval):
    rows = [("f", 600.0, 90.0), ("m", 400.0, 210.0)]
    ad, groups = ad_view_stats(
        "a1", "reach", rows, min_group_size=30, interval=interval, confidence=0.95
    )
    f, m = groups
    assert (ad.eligible_total, ad.delivered_total, ad.n_groups) == (1000.0, 300.0, 2)
    assert ad.tvd.value == pytest.approx(0.3, abs=1e-15)  # |0.3 − 0.6|
    method = "wilson" if interval == "wilson" else "agresti_coull"
    lo, hi = proportion_confint(90, 300, method=method)
    assert f.delivered_share.value == pytest.approx(0.3)
    assert f.delivered_share.ci_low == pytest.approx(lo, abs=1e-12)
    assert f.share_difference.value == pytest.approx(0.3 - 0.6)
    assert f.share_difference.ci_high == pytest.approx(hi - 0.6, abs=1e-12)
    assert f.share_ratio.value == pytest.approx(0.5)
    assert f.share_ratio.ci_low == pytest.approx(lo / 0.6, abs=1e-12)
    assert m.share_ratio.value == pytest.approx(0.7 / 0.4)
    assert ad.chi_square_p_value == pytest.approx(
        stats.chisquare([90, 210], [180, 120]).pvalue, rel=1e-12
    )


def test_ad_view_stats_small_groups_and_no_deliveries():
    rows = [("a", 500.0, 50.0), ("b", 480.0, 40.0), ("c", 20.0, 10.0)]
    ad, groups = ad_view_stats(
        None, "impressions", rows, min_group_size=30, interval="wilson", confidence=0.95
    )
    c = groups[2]
    assert c.suppressed and c.eligible is None and c.delivered is None
    assert c.delivered_share.reason == "below_min_group_size"
    # the small group still counts in the distance: ½(|0.5−0.5|+|0.4−0.48|+|0.1−0.02|)
    assert ad.tvd.value == pytest.approx(0.08)
    ad, groups = ad_view_stats(
        None,
        "impressions",
        [("a", 50.0, 0.0), ("b", 50.0, 0.0)],
        min_group_size=30,
        interval="wilson",
        confidence=0.95,
    )
    assert ad.tvd.reason == "no_deliveries" and groups[0].delivered_share.reason == "no_deliveries"
    ad, _ = ad_view_stats(
        None,
        "impressions",
        [("a", 50.0, 5.0), ("b", 50.0, 5.0)],
        min_group_size=30,
        interval="wilson",
        confidence=0.95,
    )
    assert ad.tvd.value is None and ad.tvd.reason == "below_min_group_size"


def test_pair_stats_match_statsmodels():
    a = [("f", 5000.0, 100.0), ("m", 5000.0, 900.0)]
    b = [("f", 5000.0, 850.0), ("m", 5000.0, 150.0)]
    pair = pair_stats("lumber", "cashier", "reach", a, b, min_group_size=30, confidence=0.95)
    f = pair.groups[0]
    assert pair.eligible_tvd == 0.0
    assert pair.delivered_tvd == pytest.approx(0.75)
    assert f.difference.value == pytest.approx(0.10 - 0.85)
    _, p = proportions_ztest([100, 850], [1000, 1000])
    assert f.test == "z" and f.p_value == pytest.approx(p, rel=1e-9, abs=1e-300)
    lo, hi = confint_proportions_2indep(100, 1000, 850, 1000, method="newcomb")
    assert f.difference.ci_low == pytest.approx(lo, abs=1e-12)
    assert f.difference.ci_high == pytest.approx(hi, abs=1e-12)
