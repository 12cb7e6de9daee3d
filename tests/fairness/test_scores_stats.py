"""Binned score statistics against hand-computed cases and brute-force definitions.

Every expected value here is computed from the definition on the raw scores (pairwise
comparisons, sorted samples) or by hand, never with :mod:`fairmark.fairness.score_stats`.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp, wasserstein_distance
from sklearn.metrics import roc_auc_score

from fairmark.errors import UsageError
from fairmark.fairness.score_stats import (
    binned_auc,
    binned_ks,
    binned_wasserstein,
    reliability_curve,
    top_fraction_bin,
)

B = 1000


def _hist(scores: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Per-bin counts on [0, 1] written out with numpy (not fairmark's engine)."""
    idx = np.clip(np.floor(scores * B).astype(int), 0, B - 1)
    return np.bincount(idx, weights=weights, minlength=B).astype(float)


def _brute_delong(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """AUC and DeLong variance from the pairwise definition (ties 1/2), O(P·N)."""
    cmp = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = cmp.mean(axis=1), cmp.mean(axis=0)
    auc = cmp.mean()
    return auc, v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg)


def test_auc_hand_case():
    # positives in bins 2, 3, 3; negatives in bins 0, 2, 3
    # pairs: (2 vs 0)=1 (2 vs 2)=½ (2 vs 3)=0; each 3: 1 + 1 + ½ → 2.5 · 2 = 5
    pos = np.array([0, 0, 1, 2.0])
    neg = np.array([1, 0, 1, 1.0])
    est = binned_auc(pos, neg)
    assert est.value == pytest.approx((1.5 + 5) / 9, abs=1e-15)
    # pairs in the same bin: bin 2 (1·1) + bin 3 (2·1) = 3 → bound 3 / (2·9)
    assert est.error_bound == pytest.approx(3 / 18, abs=1e-15)


def test_auc_on_bin_centred_scores_is_exact_and_delong_matches_brute_force():
    rng = np.random.default_rng(1)
    centres = (np.arange(B) + 0.5) / B
    pos = centres[rng.integers(300, 1000, 250)]
    neg = centres[rng.integers(0, 800, 400)]
    est = binned_auc(_hist(pos), _hist(neg), pos_count=_hist(pos), neg_count=_hist(neg))
    auc, var = _brute_delong(pos, neg)
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    assert est.value == pytest.approx(roc_auc_score(y, np.r_[pos, neg]), abs=1e-12)
    assert est.value == pytest.approx(auc, abs=1e-12)
    assert est.variance == pytest.approx(var, rel=1e-10)


def test_auc_error_is_within_the_stated_bound_on_continuous_scores():
    rng = np.random.default_rng(2)
    pos = rng.beta(3, 2, 3000)
    neg = rng.beta(2, 3, 5000)
    est = binned_auc(_hist(pos), _hist(neg))
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    exact = roc_auc_score(y, np.r_[pos, neg])
    assert abs(est.value - exact) <= est.error_bound
    assert abs(est.value - exact) <= 1e-3


def test_weighted_auc_matches_sklearn_and_has_no_delong_variance():
    rng = np.random.default_rng(3)
    s = rng.random(2000)
    y = rng.random(2000) < s
    w = rng.integers(1, 5, 2000).astype(float)
    centred = (np.floor(s * B) + 0.5) / B  # bin-exact scores: no binning error
    est = binned_auc(_hist(centred[y], w[y]), _hist(centred[~y], w[~y]),
                     pos_count=_hist(centred[y]), neg_count=_hist(centred[~y]))  # fmt: skip
    assert est.value == pytest.approx(roc_auc_score(y, centred, sample_weight=w), abs=1e-12)
    assert est.variance is None


def test_single_class_auc_is_refused():
    with pytest.raises(UsageError, match="one class"):
        binned_auc(np.ones(B), np.zeros(B))


def test_reliability_curve_hand_case():
    # bin 1: 4 rows, predicted sum 0.6 (mean 0.15), 1 positive (0.25)
    # bin 8: 1 row, predicted 0.85, 1 positive (1.0)
    w = np.zeros(10)
    pos = np.zeros(10)
    pred = np.zeros(10)
    w[1], pos[1], pred[1] = 4, 1, 0.6
    w[8], pos[8], pred[8] = 1, 1, 0.85
    curve, ece = reliability_curve(w, pos, pred)
    assert [(p.lower, p.upper) for p in curve] == [(0.1, 0.2), (0.8, 0.9)]
    assert [p.share for p in curve] == [0.8, 0.2]
    assert curve[0].mean_predicted == pytest.approx(0.15)
    assert curve[0].fraction_positive == 0.25
    assert ece == pytest.approx(0.8 * 0.1 + 0.2 * 0.15, abs=1e-15)


def test_ks_hand_case_and_bound():
    g = np.zeros(B)
    r = np.zeros(B)
    g[[100, 200]] = [1, 1]  # half the group below 0.2
    r[[100, 500]] = [1, 3]  # a quarter of the reference below 0.5
    d, bound = binned_ks(g, r)
    assert d == pytest.approx(0.75)  # at 0.201: 1.0 vs 0.25
    assert bound == 0.75  # the largest bin share (reference bin 500)


def test_ks_is_a_lower_bound_within_its_error_bound():
    rng = np.random.default_rng(4)
    a, b = rng.beta(2, 5, 4000), rng.beta(2.5, 5, 3000)
    d, bound = binned_ks(_hist(a), _hist(b))
    exact = ks_2samp(a, b).statistic
    assert d <= exact + 1e-12
    assert exact <= d + bound + 1e-12


def test_wasserstein_within_one_bin_width():
    rng = np.random.default_rng(5)
    a, b = rng.beta(2, 5, 4000), rng.beta(3, 5, 3000)
    sums_a = np.bincount(np.floor(a * B).astype(int), weights=a, minlength=B)
    sums_b = np.bincount(np.floor(b * B).astype(int), weights=b, minlength=B)
    value, bound = binned_wasserstein(_hist(a), sums_a, _hist(b), sums_b, 1 / B)
    assert bound == 1 / B
    assert abs(value - wasserstein_distance(a, b)) <= bound


def test_wasserstein_hand_case():
    g = np.zeros(4)
    r = np.zeros(4)
    g[0], r[3] = 2, 1  # two points at 0.1, one at 0.9
    value, _ = binned_wasserstein(g, np.array([0.2, 0, 0, 0]), r, np.array([0, 0, 0, 0.9]), 0.25)
    assert value == pytest.approx(0.8)


def test_top_fraction_bin_selects_the_bin_of_the_kth_score():
    total = np.zeros(10)
    total[[2, 5, 7, 9]] = [50, 30, 15, 5]  # from the top: 5, 20, 50, 100
    assert top_fraction_bin(total, 0.05) == 9
    assert top_fraction_bin(total, 0.1) == 7  # 20% selected: ties in bin 7 come along
    assert top_fraction_bin(total, 0.2) == 7
    assert top_fraction_bin(total, 0.3) == 5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: binned_auc(np.ones(3), np.ones(4)), "same length"),
        (lambda: binned_auc(np.array([-1.0, 2.0]), np.ones(2)), "non-negative"),
        (lambda: reliability_curve(np.zeros(10), np.zeros(10), np.zeros(10)), "positive weight"),
        (lambda: binned_ks(np.zeros(3), np.ones(3)), "non-empty"),
        (lambda: binned_wasserstein(np.ones(2), np.ones(2), np.ones(2), np.ones(2), 0.0), "width"),
        (lambda: top_fraction_bin(np.ones(3), 1.0), "fraction"),
    ],
)
def test_bad_input_raises_one_line_usage_error(call, message):
    with pytest.raises(UsageError, match=message) as info:
        call()
    assert "\n" not in str(info.value)
