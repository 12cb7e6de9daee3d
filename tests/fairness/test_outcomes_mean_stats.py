"""Mean intervals and tests from moments, against scipy on the raw values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from fairmark.errors import UsageError
from fairmark.fairness.mean_stats import (
    Moments,
    combine_moments,
    log_ratio_interval,
    t_interval,
    welch,
)

TOL = 1e-9


def moments(x: np.ndarray, w: np.ndarray | None = None) -> Moments:
    """Moments of ``x`` written out with numpy (two-pass, no merging)."""
    w = np.ones_like(x) if w is None else w
    mean = float(np.average(x, weights=w))
    return Moments(float(w.sum()), float((w * w).sum()), mean, float((w * (x - mean) ** 2).sum()))


def merged(x: np.ndarray, chunks: int) -> Moments:
    """Moments of ``x`` merged from ``chunks`` pieces, as the engine's cells are."""
    out = Moments(0.0, 0.0, None, 0.0)
    for part in np.array_split(x, chunks):
        if len(part):
            out = combine_moments(out, moments(part))
    return out


@pytest.fixture(scope="module")
def samples() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    return rng.gamma(2.0, 15.0, 83), rng.normal(40.0, 20.0, 41)


def test_merging_cells_gives_the_two_pass_moments(samples):
    a, _ = samples
    m = merged(a, 7)
    assert m.sum_w == len(a)
    assert math.isclose(m.mean, float(np.mean(a)), rel_tol=TOL)
    assert math.isclose(m.variance, float(np.var(a, ddof=1)), rel_tol=TOL)


def test_merging_is_stable_for_a_large_offset():
    rng = np.random.default_rng(1)
    x = 1e6 + rng.normal(0.0, 1.0, 5000)  # sums of squares would lose ~4 digits here
    m = merged(x, 13)
    assert math.isclose(m.variance, float(np.var(x, ddof=1)), rel_tol=1e-9)


def test_t_interval_matches_scipy(samples):
    a, _ = samples
    ci = stats.ttest_1samp(a, 0.0).confidence_interval(0.9)
    lo, hi = t_interval(merged(a, 5), 0.9)
    assert math.isclose(lo, ci.low, rel_tol=TOL) and math.isclose(hi, ci.high, rel_tol=TOL)


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_welch_matches_scipy_ttest_ind(samples, confidence):
    a, b = samples
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(confidence)
    w = welch(merged(a, 4), merged(b, 3), confidence)
    assert math.isclose(w.difference, float(np.mean(a) - np.mean(b)), rel_tol=TOL)
    assert math.isclose(w.ci_low, ci.low, rel_tol=TOL)
    assert math.isclose(w.ci_high, ci.high, rel_tol=TOL)
    assert math.isclose(w.p_value, res.pvalue, rel_tol=1e-7)
    assert math.isclose(w.df, res.df, rel_tol=TOL)


def test_log_ratio_interval_by_hand(samples):
    a, b = samples
    se_a = np.std(a, ddof=1) / math.sqrt(len(a))
    se_b = np.std(b, ddof=1) / math.sqrt(len(b))
    ratio = np.mean(a) / np.mean(b)
    half = 1.959963984540054 * math.sqrt((se_a / np.mean(a)) ** 2 + (se_b / np.mean(b)) ** 2)
    lo, hi = log_ratio_interval(moments(a), moments(b), 0.95)
    assert math.isclose(lo, ratio * math.exp(-half), rel_tol=1e-9)
    assert math.isclose(hi, ratio * math.exp(half), rel_tol=1e-9)


def test_equal_weights_change_nothing(samples):
    a, b = samples
    three = 3.0 * np.ones_like(a)
    wa, ua = moments(a, three), moments(a)
    assert math.isclose(wa.n_eff, len(a), rel_tol=TOL)
    assert math.isclose(wa.variance, ua.variance, rel_tol=TOL)
    wt = welch(wa, moments(b))
    ut = welch(ua, moments(b))
    assert math.isclose(wt.ci_low, ut.ci_low, rel_tol=TOL)


def test_weighted_variance_by_hand():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    w = np.array([1.0, 2.0, 1.0, 0.5])
    mean = (w * x).sum() / w.sum()  # 12.5 / 4.5
    n_eff = w.sum() ** 2 / (w**2).sum()  # 20.25 / 6.25 = 3.24
    var = (w * (x - mean) ** 2).sum() / w.sum() * n_eff / (n_eff - 1)
    m = moments(x, w)
    assert math.isclose(m.n_eff, 3.24, rel_tol=TOL)
    assert math.isclose(m.mean, 12.5 / 4.5, rel_tol=TOL)
    assert math.isclose(m.variance, var, rel_tol=TOL)


def test_undefined_cases():
    one = moments(np.array([5.0]))
    assert one.variance is None and t_interval(one) == (None, None)
    assert welch(one, one).ci_low is None
    const = moments(np.array([2.0, 2.0, 2.0]))
    w = welch(const, const)
    assert w.difference == 0.0 and w.ci_low is None and w.p_value is None
    neg = moments(np.array([-1.0, -2.0, -4.0]))
    assert log_ratio_interval(neg, const) == (None, None)
    assert welch(Moments(0.0, 0.0, None, 0.0), const) is None


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.5, True, "0.9"])
def test_bad_confidence_is_a_usage_error(samples, bad):
    a, b = samples
    with pytest.raises(UsageError, match="confidence"):
        welch(moments(a), moments(b), bad)
