"""Tests of fairmark.fairness.stats against statsmodels, scipy and published values."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import fisher_exact
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

from fairmark.errors import UsageError
from fairmark.fairness.stats import (
    holm_adjust,
    katz_log_interval,
    kish_effective_n,
    newcombe_interval,
    two_proportion_test,
    wilson_interval,
)

TOL = 1e-12
CONFIDENCES = (0.8, 0.9, 0.95, 0.99)


def sm_wilson(x: float, n: float, confidence: float) -> tuple[float, float]:
    lo, hi = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    return float(lo), float(hi)


def sm_2indep(
    x1: float, n1: float, x2: float, n2: float, confidence: float, compare: str, method: str
) -> tuple[float, float]:
    lo, hi = confint_proportions_2indep(
        x1, n1, x2, n2, compare=compare, method=method, alpha=1 - confidence
    )
    return float(lo), float(hi)


# --------------------------------------------------------------------------- strategies

confidence_st = st.floats(min_value=0.5, max_value=0.999)


@st.composite
def group(draw: st.DrawFn, min_n: float = 1e-3) -> tuple[float, float]:
    """A (successes, n) pair: integer counts or weighted float counts."""
    if draw(st.booleans()):
        n_int = draw(st.integers(min_value=1, max_value=100_000))
        return float(draw(st.integers(min_value=0, max_value=n_int))), float(n_int)
    n = draw(st.floats(min_value=min_n, max_value=1e7, allow_nan=False))
    frac = draw(st.floats(min_value=0.0, max_value=1.0))
    return frac * n, n


# --------------------------------------------------------------------------- Wilson


@pytest.mark.parametrize("confidence", CONFIDENCES)
@pytest.mark.parametrize("n", [1, 2, 5, 10, 29, 100, 1000])
def test_wilson_matches_statsmodels_on_grid(n: int, confidence: float) -> None:
    for x in range(n + 1) if n <= 100 else (0, 1, 2, n // 3, n // 2, n - 1, n):
        assert wilson_interval(x, n, confidence) == pytest.approx(
            sm_wilson(x, n, confidence), abs=TOL
        )


def test_wilson_matches_statsmodels_on_weighted_counts() -> None:
    rng = np.random.default_rng(20240601)
    for _ in range(500):
        n = float(rng.uniform(0.01, 5000.0))
        x = float(rng.uniform(0.0, 1.0)) * n
        c = float(rng.uniform(0.5, 0.999))
        assert wilson_interval(x, n, c) == pytest.approx(sm_wilson(x, n, c), abs=TOL)


@pytest.mark.parametrize(
    ("x", "n", "expected"),
    [
        # Newcombe (1998a), Statistics in Medicine 17:857, Table I, Wilson score method.
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
    ],
)
def test_wilson_published_newcombe_1998a(x: int, n: int, expected: tuple[float, float]) -> None:
    lo, hi = wilson_interval(x, n)
    assert lo is not None and hi is not None
    assert (round(lo, 4), round(hi, 4)) == expected


def test_wilson_boundaries_are_exact() -> None:
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0
    assert wilson_interval(0.0, 0.25)[0] == 0.0


def test_wilson_empty_group_is_undefined() -> None:
    assert wilson_interval(0, 0) == (None, None)
    assert wilson_interval(0.0, 0.0, 0.9) == (None, None)


def test_wilson_float_slack_is_clamped() -> None:
    n = 0.1 + 0.2  # 0.30000000000000004
    assert wilson_interval(0.3 + 1e-12, 0.3) == wilson_interval(0.3, 0.3)
    assert wilson_interval(n, n)[1] == 1.0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((-1, 10), "successes=-1.0 is negative"),
        ((11, 10), "successes=11.0 exceeds n=10.0"),
        ((10 + 1e-6, 10), "exceeds"),
        ((0, -1), "n=-1.0 is negative"),
        ((1, 10, 0.0), "confidence=0.0 is out of range"),
        ((1, 10, 1.0), "confidence=1.0 is out of range"),
        ((1, 10, 95), "confidence=95.0 is out of range"),
        ((float("nan"), 10), "successes=nan is not finite"),
        ((1, float("inf")), "n=inf is not finite"),
        ((1, 10, float("nan")), "confidence=nan is not finite"),
        (("1", 10), "successes='1' is not a number"),
        ((True, 10), "successes=True is not a number"),
    ],
)
def test_wilson_rejects_bad_input(args: tuple[object, ...], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment) as info:
        wilson_interval(*args)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("wilson_interval: ")


@settings(max_examples=300, deadline=None)
@given(g=group(), c1=confidence_st, c2=confidence_st)
def test_wilson_properties(g: tuple[float, float], c1: float, c2: float) -> None:
    x, n = g
    lo, hi = wilson_interval(x, n, c1)
    assert lo is not None and hi is not None
    p = x / n
    assert 0.0 <= lo <= p + TOL
    assert p - TOL <= hi <= 1.0
    lo2, hi2 = wilson_interval(x, n, c2)
    assert lo2 is not None and hi2 is not None
    if c2 >= c1:
        assert lo2 <= lo + TOL and hi2 >= hi - TOL
    else:
        assert lo2 >= lo - TOL and hi2 <= hi + TOL


# --------------------------------------------------------------------------- Newcombe


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Newcombe (1998b), Statistics in Medicine 17:873, Table II, method 10.
        # (a), (b) and (d) are also the published values checked by the R packages
        # propint and ratesci; (c), (e)-(h) are Table II as reproduced by statsmodels.
        ((56, 70, 48, 80), (0.0524, 0.3339)),  # (a)
        ((9, 10, 3, 10), (0.1705, 0.8090)),  # (b)
        ((6, 7, 2, 7), (0.0582, 0.8062)),  # (c)
        ((5, 56, 0, 29), (-0.0381, 0.1926)),  # (d)
        ((0, 10, 0, 20), (-0.1611, 0.2775)),  # (e)
        ((0, 10, 0, 10), (-0.2775, 0.2775)),  # (f)
        ((10, 10, 0, 20), (0.6791, 1.0)),  # (g)
        ((10, 10, 0, 10), (0.6075, 1.0)),  # (h)
    ],
)
def test_newcombe_published_table_ii(
    counts: tuple[int, int, int, int], expected: tuple[float, float]
) -> None:
    lo, hi = newcombe_interval(*counts)
    assert lo is not None and hi is not None
    assert (round(lo, 4), round(hi, 4)) == expected
    assert (lo, hi) == pytest.approx(sm_2indep(*counts, 0.95, "diff", "newcomb"), abs=TOL)


def test_newcombe_all_zero_case_is_hand_computable_from_wilson() -> None:
    # With x1 = x2 = 0 the bounds are -u2 and +u1 (u = Wilson upper bounds).
    lo, hi = newcombe_interval(0, 10, 0, 20, 0.9)
    assert lo == pytest.approx(-wilson_interval(0, 20, 0.9)[1], abs=TOL)  # type: ignore[operator]
    assert hi == pytest.approx(wilson_interval(0, 10, 0.9)[1], abs=TOL)


def test_newcombe_matches_statsmodels_on_random_grid() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        n1, n2 = (float(v) for v in rng.integers(1, 400, size=2))
        x1, x2 = float(rng.integers(0, n1 + 1)), float(rng.integers(0, n2 + 1))
        c = float(rng.choice(CONFIDENCES))
        assert newcombe_interval(x1, n1, x2, n2, c) == pytest.approx(
            sm_2indep(x1, n1, x2, n2, c, "diff", "newcomb"), abs=TOL
        )
    for _ in range(200):  # weighted (float) counts
        n1, n2 = (float(v) for v in rng.uniform(0.5, 3000.0, size=2))
        x1, x2 = float(rng.uniform()) * n1, float(rng.uniform()) * n2
        assert newcombe_interval(x1, n1, x2, n2) == pytest.approx(
            sm_2indep(x1, n1, x2, n2, 0.95, "diff", "newcomb"), abs=TOL
        )


def test_newcombe_empty_group_is_undefined() -> None:
    assert newcombe_interval(0, 0, 3, 10) == (None, None)
    assert newcombe_interval(3, 10, 0, 0) == (None, None)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((5, 4, 1, 10), "x1=5.0 exceeds n1=4.0"),
        ((1, 10, -2, 10), "x2=-2.0 is negative"),
        ((1, 10, 1, -10), "n2=-10.0 is negative"),
        ((1, 10, 1, 10, 1.5), "confidence=1.5 is out of range"),
    ],
)
def test_newcombe_rejects_bad_input(args: tuple[float, ...], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        newcombe_interval(*args)


@settings(max_examples=300, deadline=None)
@given(g1=group(), g2=group(), c1=confidence_st, c2=confidence_st)
def test_newcombe_properties(
    g1: tuple[float, float], g2: tuple[float, float], c1: float, c2: float
) -> None:
    (x1, n1), (x2, n2) = g1, g2
    lo, hi = newcombe_interval(x1, n1, x2, n2, c1)
    assert lo is not None and hi is not None
    d = x1 / n1 - x2 / n2
    assert -1.0 <= lo <= d + TOL
    assert d - TOL <= hi <= 1.0
    lo2, hi2 = newcombe_interval(x1, n1, x2, n2, c2)
    assert lo2 is not None and hi2 is not None
    if c2 >= c1:
        assert lo2 <= lo + TOL and hi2 >= hi - TOL
    else:
        assert lo2 >= lo - TOL and hi2 <= hi + TOL
    # Swapping the groups mirrors the interval.
    assert newcombe_interval(x2, n2, x1, n1, c1) == pytest.approx((-hi, -lo), abs=TOL)


# --------------------------------------------------------------------------- Katz


def test_katz_hand_computed_case() -> None:
    # RR = 2, var = 1/10 - 1/100 + 1/5 - 1/100 = 0.28; exp(ln 2 ± 1.959964 * 0.529150).
    lo, hi = katz_log_interval(10, 100, 5, 100)
    assert lo == pytest.approx(0.70895, abs=5e-5)
    assert hi == pytest.approx(5.64214, abs=5e-5)


def test_katz_matches_statsmodels_on_random_grid() -> None:
    rng = np.random.default_rng(11)
    for _ in range(500):
        n1, n2 = (float(v) for v in rng.integers(1, 400, size=2))
        x1, x2 = float(rng.integers(1, n1 + 1)), float(rng.integers(1, n2 + 1))
        c = float(rng.choice(CONFIDENCES))
        ours = katz_log_interval(x1, n1, x2, n2, c)
        ref = sm_2indep(x1, n1, x2, n2, c, "ratio", "log")
        assert ours == pytest.approx(ref, rel=1e-10)
    for _ in range(200):  # weighted (float) counts
        n1, n2 = (float(v) for v in rng.uniform(1.0, 3000.0, size=2))
        x1, x2 = float(rng.uniform(0.01, 1.0)) * n1, float(rng.uniform(0.01, 1.0)) * n2
        ours = katz_log_interval(x1, n1, x2, n2)
        assert ours == pytest.approx(sm_2indep(x1, n1, x2, n2, 0.95, "ratio", "log"), rel=1e-10)


def test_katz_reference_group_without_events() -> None:
    # Haldane-Anscombe: 0.5 added to every cell -> (5.5/21) / (0.5/21) = 11,
    # var = 1/5.5 - 1/21 + 1/0.5 - 1/21; lower = exp(ln 11 - 1.959964 * 1.444501) = 0.6484.
    lo, hi = katz_log_interval(5, 20, 0, 20)
    assert hi == math.inf
    assert lo == pytest.approx(0.64838, abs=5e-5)
    assert lo == pytest.approx(sm_2indep(5.5, 21, 0.5, 21, 0.95, "ratio", "log")[0], rel=1e-10)


def test_katz_group_without_events() -> None:
    lo, hi = katz_log_interval(0, 20, 5, 20)
    assert lo == 0.0
    assert hi == pytest.approx(sm_2indep(0.5, 21, 5.5, 21, 0.95, "ratio", "log")[1], rel=1e-10)
    # Mirror image of the x2 == 0 case.
    assert hi == pytest.approx(1.0 / katz_log_interval(5, 20, 0, 20)[0], rel=1e-12)  # type: ignore[operator]


def test_katz_zero_cell_with_unequal_groups_and_confidence() -> None:
    lo, hi = katz_log_interval(3, 40, 0, 12, 0.9)
    assert hi == math.inf
    assert lo == pytest.approx(sm_2indep(3.5, 41, 0.5, 13, 0.9, "ratio", "log")[0], rel=1e-10)


def test_katz_undefined_cases() -> None:
    assert katz_log_interval(0, 10, 0, 20) == (None, None)
    assert katz_log_interval(0, 0, 1, 20) == (None, None)
    assert katz_log_interval(1, 10, 0, 0) == (None, None)


def test_katz_all_events_degenerates_to_one() -> None:
    assert katz_log_interval(10, 10, 4, 4) == pytest.approx((1.0, 1.0), abs=TOL)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((5, 4, 1, 10), "x1=5.0 exceeds n1=4.0"),
        ((1, 10, -2, 10), "x2=-2.0 is negative"),
        ((1, 10, 1, 10, -0.1), "confidence=-0.1 is out of range"),
    ],
)
def test_katz_rejects_bad_input(args: tuple[float, ...], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        katz_log_interval(*args)


@settings(max_examples=300, deadline=None)
@given(g1=group(), g2=group(), c1=confidence_st, c2=confidence_st)
def test_katz_properties(
    g1: tuple[float, float], g2: tuple[float, float], c1: float, c2: float
) -> None:
    (x1, n1), (x2, n2) = g1, g2
    lo, hi = katz_log_interval(x1, n1, x2, n2, c1)
    if x1 == 0 and x2 == 0:
        assert (lo, hi) == (None, None)
        return
    assert lo is not None and hi is not None
    assert 0.0 <= lo <= hi
    if x2 == 0:
        assert hi == math.inf
    elif x1 == 0:
        assert lo == 0.0
    else:
        rr = (x1 / n1) / (x2 / n2)
        assert lo <= rr * (1 + 1e-9) and hi >= rr * (1 - 1e-9)
    lo2, hi2 = katz_log_interval(x1, n1, x2, n2, c2)
    assert lo2 is not None and hi2 is not None
    if c2 >= c1:
        assert lo2 <= lo * (1 + 1e-9) and hi2 >= hi * (1 - 1e-9)
    else:
        assert lo2 >= lo * (1 - 1e-9) and hi2 <= hi * (1 + 1e-9)


# --------------------------------------------------------------------------- two-proportion test


def test_two_proportion_z_matches_statsmodels() -> None:
    rng = np.random.default_rng(3)
    checked = 0
    while checked < 300:
        n1, n2 = (int(v) for v in rng.integers(20, 2000, size=2))
        x1, x2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        pooled = (x1 + x2) / (n1 + n2)
        if min(n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)) < 5:
            continue
        if x1 * n2 == x2 * n1:
            continue
        p, test = two_proportion_test(x1, n1, x2, n2)
        _, ref = proportions_ztest([x1, x2], [n1, n2])
        assert test == "z"
        assert p == pytest.approx(float(ref), rel=1e-9, abs=1e-300)
        checked += 1


def test_two_proportion_fisher_matches_scipy() -> None:
    rng = np.random.default_rng(5)
    checked = 0
    while checked < 300:
        n1, n2 = (int(v) for v in rng.integers(1, 30, size=2))
        x1, x2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        pooled = (x1 + x2) / (n1 + n2)
        if pooled in (0.0, 1.0) or x1 * n2 == x2 * n1:
            continue
        if min(n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)) >= 5:
            continue
        p, test = two_proportion_test(x1, n1, x2, n2)
        ref = fisher_exact([[x1, n1 - x1], [x2, n2 - x2]], alternative="two-sided").pvalue
        assert test == "fisher"
        assert p == pytest.approx(float(ref), rel=1e-12)
        checked += 1


def test_two_proportion_switch_at_expected_count_five() -> None:
    # n1 = n2 = 10, 10 events in all: every expected cell is exactly 5 -> z-test.
    p, test = two_proportion_test(7, 10, 3, 10)
    assert test == "z"
    assert p == pytest.approx(float(proportions_ztest([7, 3], [10, 10])[1]), rel=1e-12)
    # 9 events in all: expected events per group 4.5 < 5 -> Fisher.
    p, test = two_proportion_test(7, 10, 2, 10)
    assert test == "fisher"
    assert p == pytest.approx(fisher_exact([[7, 3], [2, 8]]).pvalue, rel=1e-12)
    # The non-event side counts too: 11 events of 20 -> expected non-events 4.5.
    assert two_proportion_test(8, 10, 3, 10)[1] == "fisher"


def test_two_proportion_published_value() -> None:
    # 56/70 vs 48/80: z = 0.2 / sqrt(0.6933 * 0.3067 * (1/70 + 1/80)) = 2.6495, P = 0.00806.
    p, test = two_proportion_test(56, 70, 48, 80)
    assert test == "z"
    assert p == pytest.approx(0.00806, abs=5e-5)


def test_two_proportion_weighted_counts_round_for_fisher() -> None:
    p, test = two_proportion_test(2.4, 10.6, 6.5, 9.4)
    assert test == "fisher"
    # round half up: 2.4 -> 2, 10.6 -> 11, 6.5 -> 7, 9.4 -> 9.
    assert p == pytest.approx(fisher_exact([[2, 9], [7, 2]]).pvalue, rel=1e-12)


def test_two_proportion_weighted_counts_z_uses_floats() -> None:
    p, test = two_proportion_test(40.3, 100.7, 60.2, 99.1)
    assert test == "z"
    assert p == pytest.approx(float(proportions_ztest([40.3, 60.2], [100.7, 99.1])[1]), rel=1e-9)


def test_two_proportion_special_cases() -> None:
    assert two_proportion_test(0, 0, 3, 10) == (None, None)
    assert two_proportion_test(3, 10, 0, 0) == (None, None)
    assert two_proportion_test(0, 10, 0, 25) == (1.0, "z")
    assert two_proportion_test(10, 10, 25, 25) == (1.0, "z")
    assert two_proportion_test(3, 10, 6, 20) == (1.0, "fisher")
    assert two_proportion_test(30, 100, 60, 200) == (1.0, "z")
    assert two_proportion_test(0.3, 1.0, 0.6, 2.0) == (1.0, "fisher")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((5, 4, 1, 10), "x1=5.0 exceeds n1=4.0"),
        ((1, 10, -2, 10), "x2=-2.0 is negative"),
        ((1, -10, 1, 10), "n1=-10.0 is negative"),
        ((1, 10, float("nan"), 10), "x2=nan is not finite"),
    ],
)
def test_two_proportion_rejects_bad_input(args: tuple[float, ...], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        two_proportion_test(*args)


@settings(max_examples=300, deadline=None)
@given(g1=group(min_n=1.0), g2=group(min_n=1.0))
def test_two_proportion_properties(g1: tuple[float, float], g2: tuple[float, float]) -> None:
    (x1, n1), (x2, n2) = g1, g2
    p, test = two_proportion_test(x1, n1, x2, n2)
    assert p is not None and 0.0 <= p <= 1.0
    assert test in ("z", "fisher")
    p_swapped, test_swapped = two_proportion_test(x2, n2, x1, n1)
    assert test_swapped == test
    assert p_swapped == pytest.approx(p, rel=1e-9, abs=1e-300)


# --------------------------------------------------------------------------- Holm


def test_holm_hand_computed() -> None:
    # sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.04*1, 0.06) = 0.06.
    assert holm_adjust([0.01, None, 0.04, 0.03, 0.005]) == pytest.approx(
        [0.03, None, 0.06, 0.06, 0.02]
    )


def test_holm_matches_statsmodels_with_none_entries() -> None:
    rng = np.random.default_rng(13)
    for _ in range(300):
        m = int(rng.integers(1, 25))
        raw = rng.uniform(0, 1, size=m) ** float(rng.uniform(1, 6))
        if rng.uniform() < 0.3:  # ties
            raw[: m // 2] = raw[0]
        values: list[float | None] = [float(v) for v in raw]
        for i in rng.choice(m + 3, size=3, replace=False):
            values.insert(int(min(i, len(values))), None)
        ours = holm_adjust(values)
        ref = multipletests(raw, method="holm")[1]
        assert [v is None for v in ours] == [v is None for v in values]
        assert [v for v in ours if v is not None] == pytest.approx(list(ref), abs=1e-14)


def test_holm_edge_cases() -> None:
    assert holm_adjust([]) == []
    assert holm_adjust([None, None]) == [None, None]
    assert holm_adjust([0.2]) == [0.2]
    assert holm_adjust([0.6, 0.7]) == [1.0, 1.0]
    assert holm_adjust((0.0, 1.0)) == [0.0, 1.0]


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ([0.1, 1.2], r"p_values\[1\]=1.2 is out of range"),
        ([-0.1], r"p_values\[0\]=-0.1 is out of range"),
        ([None, float("nan")], r"p_values\[1\]=nan is not finite"),
        ([0.1, "0.2"], r"p_values\[1\]='0.2' is not a number"),
    ],
)
def test_holm_rejects_bad_input(values: list[object], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        holm_adjust(values)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0)), max_size=30))
def test_holm_properties(values: list[float | None]) -> None:
    adjusted = holm_adjust(values)
    pairs = [(p, a) for p, a in zip(values, adjusted, strict=True) if p is not None]
    assert len(adjusted) == len(values)
    for p, a in pairs:
        assert a is not None and p <= a <= 1.0
    ordered = sorted(pairs, key=lambda t: t[0])
    for (p1, a1), (p2, a2) in itertools.pairwise(ordered):
        assert a1 <= a2  # type: ignore[operator]
        if p1 == p2:
            assert a1 == a2


# --------------------------------------------------------------------------- Kish


def test_kish_hand_computed_and_equal_weights() -> None:
    assert kish_effective_n(6.0, 14.0) == pytest.approx(36 / 14)  # weights 1, 2, 3
    assert kish_effective_n(2.5 * 40, 2.5**2 * 40) == pytest.approx(40.0)
    assert kish_effective_n(0.0, 0.0) == 0.0


def test_kish_matches_direct_computation() -> None:
    rng = np.random.default_rng(17)
    for _ in range(100):
        w = rng.exponential(size=int(rng.integers(1, 500)))
        expected = w.sum() ** 2 / (w**2).sum()
        value = kish_effective_n(float(w.sum()), float((w**2).sum()))
        assert value == pytest.approx(expected, rel=1e-12)
        assert value <= len(w) * (1 + 1e-12)
        assert isinstance(value, float)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((-1.0, 1.0), "sum_w=-1.0 is negative"),
        ((1.0, -1.0), "sum_w2=-1.0 is negative"),
        ((1.0, 0.0), "sum_w2=0 but sum_w=1.0"),
        ((float("inf"), 1.0), "sum_w=inf is not finite"),
    ],
)
def test_kish_rejects_bad_input(args: tuple[float, float], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        kish_effective_n(*args)


def test_return_types_are_plain_python() -> None:
    for value in (
        *wilson_interval(np.int64(3), np.float64(10)),
        *newcombe_interval(3, 10, 5, 12),
        *katz_log_interval(3, 10, 5, 12),
        two_proportion_test(30, 100, 50, 120)[0],
        two_proportion_test(3, 10, 5, 12)[0],
        *holm_adjust([np.float64(0.01), 0.5]),
    ):
        assert type(value) is float
