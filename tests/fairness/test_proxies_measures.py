"""The proxy association measures against hand computations, scipy, numpy and sklearn."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import chi2_contingency, pointbiserialr
from scipy.stats.contingency import association
from sklearn.metrics import normalized_mutual_info_score

from fairmark.errors import DataError
from fairmark.fairness.proxy_measures import (
    correlation_ratio,
    cramers_v,
    normalized_mutual_info,
)

TOL = 1e-12
SHAPES = st.tuples(st.integers(2, 6), st.integers(2, 6))


# --- Cramér's V ---------------------------------------------------------------------------


def test_bias_corrected_v_by_hand_2x2() -> None:
    # n = 100, margins (40, 60) and (40, 60), expected counts 16, 24, 24, 36.
    # chi2 = 14² (1/16 + 1/24 + 1/24 + 1/36) = 196 · 25/144, so phi² = 49/144.
    # Bergsma: phi²~ = 49/144 − (1·1)/99 = 523/1584; k~ − 1 = r~ − 1 = 1 − 1/99 = 98/99;
    # V~² = (523/1584) / (98/99) = 523/1568.
    value, reason = cramers_v([[30, 10], [10, 50]])
    assert reason is None
    assert value == pytest.approx(math.sqrt(523 / 1568), abs=TOL)
    classical, _ = cramers_v([[30, 10], [10, 50]], bias_correction=False)
    assert classical == pytest.approx(7 / 12, abs=TOL)  # sqrt(49/144)


def test_bias_corrected_v_by_hand_2x3() -> None:
    # rows (35, 35), columns (25, 20, 25), n = 70, every step in exact fractions.
    table = [[20, 10, 5], [5, 10, 20]]
    n = Fraction(70)
    rows, cols = [Fraction(35), Fraction(35)], [Fraction(25), Fraction(20), Fraction(25)]
    chi2 = sum(
        (Fraction(table[i][j]) - rows[i] * cols[j] / n) ** 2 / (rows[i] * cols[j] / n)
        for i in range(2)
        for j in range(3)
    )
    assert chi2 == Fraction(18)  # (7.5² + 0 + 7.5²)/12.5 · 2 = 18
    phi2 = chi2 / n  # 9/35
    phi2_c = phi2 - Fraction(2 * 1, 69)  # (k − 1)(r − 1)/(n − 1), k = 3, r = 2
    r_c = 2 - Fraction(1, 69)
    k_c = 3 - Fraction(4, 69)
    expected = math.sqrt(phi2_c / min(k_c - 1, r_c - 1))
    value, reason = cramers_v(table)
    assert reason is None
    assert value == pytest.approx(expected, abs=TOL)
    assert value == pytest.approx(math.sqrt((Fraction(9, 35) - Fraction(2, 69)) / Fraction(68, 69)))


@settings(max_examples=150, deadline=None)
@given(arrays(np.int64, SHAPES, elements=st.integers(1, 400)))
def test_classical_v_matches_scipy(table: np.ndarray) -> None:
    value, reason = cramers_v(table, bias_correction=False)
    assert reason is None
    assert value == pytest.approx(association(table, method="cramer"), abs=1e-10)


@settings(max_examples=150, deadline=None)
@given(arrays(np.int64, SHAPES, elements=st.integers(1, 400)))
def test_corrected_v_from_scipy_chi2(table: np.ndarray) -> None:
    # Bergsma's formula applied to scipy's Pearson chi-square (no continuity correction)
    chi2 = chi2_contingency(table, correction=False).statistic
    n = table.sum()
    r, k = table.shape
    phi2 = max(0.0, chi2 / n - (k - 1) * (r - 1) / (n - 1))
    denom = min(k - (k - 1) ** 2 / (n - 1) - 1, r - (r - 1) ** 2 / (n - 1) - 1)
    value, _ = cramers_v(table)
    assert value == pytest.approx(math.sqrt(phi2 / denom), abs=1e-10)


def test_correction_removes_the_bias_of_many_levels() -> None:
    rng = np.random.default_rng(3)
    feature = rng.integers(0, 50, size=500)  # 50 levels, independent of the group
    group = rng.integers(0, 2, size=500)
    table = np.zeros((50, 2))
    np.add.at(table, (feature, group), 1)
    classical, _ = cramers_v(table, bias_correction=False)
    corrected, _ = cramers_v(table)
    assert classical > 0.2  # about sqrt(49/500) by chance alone
    assert corrected < 0.1


def test_v_is_one_for_a_perfect_proxy_and_zero_for_independence() -> None:
    assert cramers_v([[50, 0], [0, 50]])[0] == pytest.approx(1.0)
    assert cramers_v([[25, 25], [25, 25]])[0] == 0.0


def test_empty_rows_and_columns_are_ignored() -> None:
    base, _ = cramers_v([[30, 10], [10, 50]])
    padded, _ = cramers_v([[30, 0, 10], [0, 0, 0], [10, 0, 50]])
    assert padded == pytest.approx(base, abs=TOL)


def test_single_level_is_undefined_not_nan() -> None:
    assert cramers_v([[10, 20]]) == (None, "single_level")
    assert cramers_v([[10], [20]]) == (None, "single_level")
    assert cramers_v([[10, 0], [20, 0]]) == (None, "single_level")


def test_as_many_levels_as_people_is_not_estimable() -> None:
    # every person has a level of their own: k~ − 1 = (k − 1)(n − k)/(n − 1) = 0
    assert cramers_v(np.eye(3)) == (None, "not_estimable")


@pytest.mark.parametrize("bad", [[1, 2, 3], [[1, -1], [2, 3]], [[1, float("nan")], [2, 3]]])
def test_bad_tables_raise(bad: object) -> None:
    with pytest.raises(DataError):
        cramers_v(bad)


# --- correlation ratio -----------------------------------------------------------------


def _moments(x: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    levels = np.unique(g)
    n = np.array([np.sum(g == v) for v in levels], dtype=float)
    mean = np.array([x[g == v].mean() for v in levels])
    m2 = np.array([((x[g == v] - x[g == v].mean()) ** 2).sum() for v in levels])
    return n, mean, m2


def _eta_direct(x: np.ndarray, g: np.ndarray) -> float:
    total = ((x - x.mean()) ** 2).sum()
    within = sum(((x[g == v] - x[g == v].mean()) ** 2).sum() for v in np.unique(g))
    return math.sqrt(1 - within / total)


@pytest.mark.parametrize("seed", range(5))
def test_eta_matches_a_direct_numpy_computation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 4, size=2000)
    x = rng.normal(size=2000) + 0.3 * g
    value, reason = correlation_ratio(*_moments(x, g))
    assert reason is None
    assert value == pytest.approx(_eta_direct(x, g), abs=1e-12)


def test_eta_of_two_groups_is_the_point_biserial_correlation() -> None:
    rng = np.random.default_rng(5)
    g = rng.integers(0, 2, size=3000)
    x = rng.gamma(2.0, size=3000) + 0.4 * g
    value, _ = correlation_ratio(*_moments(x, g))
    assert value == pytest.approx(abs(pointbiserialr(g, x).statistic), abs=1e-12)


def test_eta_is_accurate_for_large_values() -> None:
    # values near 1e9 with unit spread: raw sums of squares (~1e22) would lose every digit
    # of the variance; means and sums of squared deviations keep ~7 digits of eta
    rng = np.random.default_rng(8)
    g = rng.integers(0, 3, size=5000)
    x = 1e9 + rng.normal(size=5000) + 0.5 * g
    value, _ = correlation_ratio(*_moments(x, g))
    assert value == pytest.approx(_eta_direct(x - 1e9, g), abs=1e-6)


def test_eta_edge_cases() -> None:
    assert correlation_ratio([5, 5], [2.0, 2.0], [0.0, 0.0]) == (None, "single_level")
    assert correlation_ratio([0, 0], [0.0, 0.0], [0.0, 0.0]) == (None, "single_level")
    assert correlation_ratio([5, 5], [1.0, 3.0], [0.0, 0.0]) == (1.0, None)
    assert correlation_ratio([5, 5], [2.0, 2.0], [4.0, 1.0]) == (0.0, None)
    # a group without values is ignored (its mean is meaningless)
    assert correlation_ratio([5, 0], [1.0, float("nan")], [4.0, 0.0]) == (0.0, None)
    with pytest.raises(DataError):
        correlation_ratio([5, 5], [1.0, 2.0], [-1.0, 1.0])
    with pytest.raises(DataError):
        correlation_ratio([5, 5], [1.0], [1.0, 1.0])


# --- normalised mutual information ---------------------------------------------------------


def _labels(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(table)
    counts = table[rows, cols]
    return np.repeat(rows, counts), np.repeat(cols, counts)


@settings(max_examples=150, deadline=None)
@given(arrays(np.int64, SHAPES, elements=st.integers(0, 300)))
def test_nmi_matches_sklearn(table: np.ndarray) -> None:
    a, b = _labels(table)
    value, reason = normalized_mutual_info(table)
    if len(np.unique(a)) < 2 or len(np.unique(b)) < 2:
        assert (value, reason) == (None, "single_level")
        return
    assert reason is None
    assert value == pytest.approx(normalized_mutual_info_score(a, b), abs=1e-10)


def test_nmi_extremes() -> None:
    assert normalized_mutual_info([[40, 0], [0, 60]])[0] == pytest.approx(1.0)
    assert normalized_mutual_info([[20, 30], [20, 30]])[0] == pytest.approx(0.0, abs=1e-15)
    assert normalized_mutual_info([[20, 30]]) == (None, "single_level")


# --- invariances ------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(arrays(np.int64, SHAPES, elements=st.integers(1, 300)))
def test_v_and_nmi_are_symmetric(table: np.ndarray) -> None:
    (v, reason), (v_t, reason_t) = cramers_v(table), cramers_v(table.T)
    assert reason == reason_t
    assert v == v_t or v == pytest.approx(v_t, abs=1e-12)
    assert normalized_mutual_info(table)[0] == pytest.approx(
        normalized_mutual_info(table.T)[0], abs=1e-12
    )


@settings(max_examples=50, deadline=None)
@given(st.floats(0.01, 100.0), st.floats(-1e3, 1e3), st.integers(0, 2**16))
def test_eta_is_invariant_to_units(scale: float, shift: float, seed: int) -> None:
    # a feature in euros or in cents, with or without an offset, is the same proxy
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 3, size=500)
    x = rng.normal(size=500) + 0.5 * g
    base, _ = correlation_ratio(*_moments(x, g))
    moved, _ = correlation_ratio(*_moments(scale * x + shift, g))
    assert moved == pytest.approx(base, abs=1e-9)
