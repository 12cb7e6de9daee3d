"""Interval estimates and tests for proportions, computed from aggregated counts.

The fairness metrics call these functions on the per-group counts produced by the data
engine; they never see rows. Counts may be floats: for weighted data the caller passes
Kish effective sample sizes (:func:`kish_effective_n`) as ``n`` and the matching scaled
success counts as ``x``.

Every function returns plain Python ``float`` values (or ``None`` where the quantity is
undefined, e.g. a group with ``n == 0``) and raises :class:`fairmark.errors.UsageError`
with a one-line message on invalid input.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA* 22(158):209-212.
Newcombe, R. G. (1998a). Two-sided confidence intervals for the single proportion:
    comparison of seven methods. *Statistics in Medicine* 17:857-872.
Newcombe, R. G. (1998b). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine* 17:873-890.
Katz, D., Baptista, J., Azen, S. P., Pike, M. C. (1978). Obtaining confidence intervals
    for the risk ratio in cohort studies. *Biometrics* 34(3):469-474.
Haldane, J. B. S. (1956). The estimation and significance of the logarithm of a ratio of
    frequencies. *Annals of Human Genetics* 20:309-311.
Anscombe, F. J. (1956). On estimating binomial response relations. *Biometrika*
    43:461-464.
Fisher, R. A. (1935). The logic of inductive inference. *JRSS* 98:39-82.
Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    *Scandinavian Journal of Statistics* 6(2):65-70.
Kish, L. (1965). *Survey Sampling*. New York: Wiley (section 11.7).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from numbers import Real
from statistics import NormalDist

from fairmark.errors import UsageError

__all__ = [
    "holm_adjust",
    "katz_log_interval",
    "kish_effective_n",
    "newcombe_interval",
    "two_proportion_test",
    "wilson_interval",
]

Interval = tuple[float | None, float | None]

#: Absolute float slack (scaled by ``max(1, n)``) allowed for ``successes > n``.
COUNT_SLACK: float = 1e-9

#: Smallest expected cell count under H0 for which the pooled z-test is used.
MIN_EXPECTED_FOR_Z: float = 5.0

#: Haldane-Anscombe correction added to every cell of a 2x2 table with a zero event count.
HALDANE_ANSCOMBE: float = 0.5


# --------------------------------------------------------------------------- helpers


def _real(func: str, name: str, value: object) -> float:
    """Return ``value`` as a finite ``float`` or raise :class:`UsageError`."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise UsageError(f"{func}: {name}={value!r} is not a number; expected a real number")
    out = float(value)
    if not math.isfinite(out):
        raise UsageError(f"{func}: {name}={out!r} is not finite; expected a finite number")
    return out


def _z(func: str, confidence: object) -> float:
    """Return the two-sided standard normal critical value for ``confidence``."""
    c = _real(func, "confidence", confidence)
    if not 0.0 < c < 1.0:
        raise UsageError(f"{func}: confidence={c!r} is out of range; expected 0 < confidence < 1")
    return _critical_value(c)


@functools.lru_cache(maxsize=64)
def _critical_value(confidence: float) -> float:
    """``z`` with P(|Z| > z) = 1 − confidence (cached: audits reuse a few levels)."""
    return NormalDist().inv_cdf(1.0 - (1.0 - confidence) / 2.0)


def _counts(func: str, x: object, n: object, xname: str, nname: str) -> tuple[float, float]:
    """Validate a (successes, trials) pair; clamp ``x`` to ``n`` within float slack."""
    xf = _real(func, xname, x)
    nf = _real(func, nname, n)
    if nf < 0.0:
        raise UsageError(f"{func}: {nname}={nf!r} is negative; expected {nname} >= 0")
    if xf < 0.0:
        raise UsageError(f"{func}: {xname}={xf!r} is negative; expected 0 <= {xname} <= {nname}")
    if xf > nf:
        if xf - nf > COUNT_SLACK * max(1.0, nf):
            raise UsageError(
                f"{func}: {xname}={xf!r} exceeds {nname}={nf!r}; expected 0 <= {xname} <= {nname}"
            )
        xf = nf
    return xf, nf


def _clip(value: float, low: float, high: float) -> float:
    """Clamp ``value`` to ``[low, high]`` (guards float rounding at the boundaries)."""
    return min(max(value, low), high)


def _wilson(x: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score bounds for validated ``0 <= x <= n``, ``n > 0``."""
    z2 = z * z
    denom = n + z2
    center = (x + z2 / 2.0) / denom
    half = z * math.sqrt(max(x * (n - x) / n, 0.0) + z2 / 4.0) / denom
    low = 0.0 if x == 0.0 else _clip(center - half, 0.0, 1.0)
    high = 1.0 if x == n else _clip(center + half, 0.0, 1.0)
    return low, high


# --------------------------------------------------------------------------- intervals


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> Interval:
    """Wilson score confidence interval for a binomial proportion.

    The interval is the set of ``p`` with ``|x - n p| <= z sqrt(n p (1 - p))``, i.e.

    ``(x + z²/2 ± z sqrt(x (n - x) / n + z²/4)) / (n + z²)``

    where ``z`` is the ``1 - (1 - confidence)/2`` standard normal quantile. Method 3 of
    Newcombe (1998a); Wilson (1927).

    Parameters
    ----------
    successes : float
        Number of successes ``x`` (a count; may be a non-integer weighted count).
    n : float
        Number of trials (a count, or a Kish effective sample size for weighted data).
    confidence : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of (float or None, float or None)
        ``(lower, upper)`` bounds on the proportion scale ``[0, 1]``; ``(None, None)``
        when ``n == 0`` (the proportion is undefined). The lower bound is exactly 0 when
        ``successes == 0`` and the upper bound exactly 1 when ``successes == n``.

    Raises
    ------
    UsageError
        If an argument is not a finite real number, ``n < 0``, ``successes < 0``,
        ``successes > n`` by more than ``1e-9 * max(1, n)`` (smaller excesses are float
        noise and are clamped to ``n``), or ``confidence`` is not in ``(0, 1)``.
    """
    func = "wilson_interval"
    x, nf = _counts(func, successes, n, "successes", "n")
    z = _z(func, confidence)
    if nf == 0.0:
        return None, None
    return _wilson(x, nf, z)


def newcombe_interval(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> Interval:
    """Newcombe hybrid score confidence interval for the difference ``p1 - p2``.

    With ``(l_i, u_i)`` the Wilson intervals (:func:`wilson_interval`) of the two
    proportions and ``d = p1 - p2``:

    ``lower = d - sqrt((p1 - l1)² + (u2 - p2)²)``,
    ``upper = d + sqrt((u1 - p1)² + (p2 - l2)²)``.

    This is method 10 of Newcombe (1998b), Statistics in Medicine 17:873-890 (the
    "square-and-add" / MOVER-Wilson interval). The bounds lie in ``[-1, 1]``.

    Parameters
    ----------
    x1, n1 : float
        Successes and trials of group 1 (counts; may be weighted / effective counts).
    x2, n2 : float
        Successes and trials of group 2.
    confidence : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of (float or None, float or None)
        ``(lower, upper)`` for ``p1 - p2``; ``(None, None)`` when ``n1 == 0`` or
        ``n2 == 0``.

    Raises
    ------
    UsageError
        Under the conditions listed in :func:`wilson_interval`, for either group.
    """
    func = "newcombe_interval"
    a, m = _counts(func, x1, n1, "x1", "n1")
    b, k = _counts(func, x2, n2, "x2", "n2")
    z = _z(func, confidence)
    if m == 0.0 or k == 0.0:
        return None, None
    p1, p2 = a / m, b / k
    l1, u1 = _wilson(a, m, z)
    l2, u2 = _wilson(b, k, z)
    d = p1 - p2
    lower = d - math.hypot(p1 - l1, u2 - p2)
    upper = d + math.hypot(u1 - p1, p2 - l2)
    return _clip(lower, -1.0, 1.0), _clip(upper, -1.0, 1.0)


def _exp(value: float) -> float:
    """``math.exp`` that returns ``inf`` instead of raising on overflow."""
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def _katz(a: float, m: float, b: float, k: float, z: float) -> tuple[float, float]:
    """Katz log bounds for validated positive event counts ``a`` and ``b``."""
    log_rr = math.log(a / m) - math.log(b / k)
    var = max(1.0 / a - 1.0 / m + 1.0 / b - 1.0 / k, 0.0)
    half = z * math.sqrt(var)
    return _exp(log_rr - half), _exp(log_rr + half)


def katz_log_interval(
    x1: float, n1: float, x2: float, n2: float, confidence: float = 0.95
) -> Interval:
    """Katz log confidence interval for the risk ratio ``p1 / p2``.

    ``exp(log(RR) ± z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2))`` with ``RR = (x1/n1) / (x2/n2)``
    (Katz, Baptista, Azen & Pike 1978, Biometrics 34:469-474). This is the same quantity
    as ``statsmodels.stats.proportion.confint_proportions_2indep(compare="ratio",
    method="log")`` when both event counts are positive.

    Zero event counts (where the formula is undefined):

    * ``x2 == 0`` and ``x1 > 0``: the ratio is ``+inf``; the result is
      ``(lower, math.inf)`` where ``lower`` is the Katz lower bound of the table after
      the Haldane-Anscombe correction, i.e. 0.5 added to **every** cell of the 2x2 table
      ``(x1, n1 - x1, x2, n2 - x2)``: ``x_i -> x_i + 0.5``, ``n_i -> n_i + 1``
      (Haldane 1956; Anscombe 1956). This is the convention of Cochrane RevMan, Stata
      ``metan`` and metafor ``escalc(add=1/2, to="only0")``. It differs from statsmodels'
      ``method="log-adjusted"``, which adds 0.5 to ``x_i`` and to ``n_i``.
    * ``x1 == 0`` and ``x2 > 0``: the ratio is 0; the result is ``(0.0, upper)`` with
      ``upper`` computed on the same corrected table.
    * ``x1 == x2 == 0``: the ratio is 0/0; the result is ``(None, None)``.

    The correction is triggered only by a zero event count, not by a zero non-event cell
    (``x_i == n_i``), because the Katz variance is finite in that case. When ``x1 == n1``
    and ``x2 == n2`` the variance is 0 and the interval degenerates to ``(1.0, 1.0)``.

    Parameters
    ----------
    x1, n1 : float
        Successes and trials of group 1 (numerator of the ratio); may be weighted /
        effective counts.
    x2, n2 : float
        Successes and trials of group 2 (denominator, the reference group).
    confidence : float, default 0.95
        Two-sided confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple of (float or None, float or None)
        ``(lower, upper)`` on the ratio scale ``[0, inf]``; ``(None, None)`` when
        ``n1 == 0``, ``n2 == 0`` or ``x1 == x2 == 0``.

    Raises
    ------
    UsageError
        Under the conditions listed in :func:`wilson_interval`, for either group.
    """
    func = "katz_log_interval"
    a, m = _counts(func, x1, n1, "x1", "n1")
    b, k = _counts(func, x2, n2, "x2", "n2")
    z = _z(func, confidence)
    if m == 0.0 or k == 0.0 or (a == 0.0 and b == 0.0):
        return None, None
    if a > 0.0 and b > 0.0:
        return _katz(a, m, b, k, z)
    c = HALDANE_ANSCOMBE
    low, high = _katz(a + c, m + 2 * c, b + c, k + 2 * c, z)
    if b == 0.0:
        return low, math.inf
    return 0.0, high


# --------------------------------------------------------------------------- tests


def _round_half_up(value: float) -> int:
    """Round a non-negative count to the nearest integer, halves upwards."""
    return math.floor(value + 0.5)


def two_proportion_test(
    x1: float, n1: float, x2: float, n2: float
) -> tuple[float | None, str | None]:
    """Two-sided test of ``H0: p1 = p2`` for two independent binomial proportions.

    Test choice: the expected cell counts of the 2x2 table ``(x1, n1 - x1, x2, n2 - x2)``
    under H0 are ``n_i p`` and ``n_i (1 - p)`` with the pooled ``p = (x1 + x2) /
    (n1 + n2)``. If any is below 5 (the classical Cochran rule), Fisher's exact test
    (Fisher 1935; ``scipy.stats.fisher_exact``, two-sided) is used and the test name is
    ``"fisher"``; otherwise the pooled two-proportion z-test,
    ``z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2))``, ``P = 2 (1 - Phi(|z|))``, named
    ``"z"`` (identical to ``statsmodels.stats.proportion.proportions_ztest`` with its
    default pooled variance). The rule is evaluated on the counts as given (floats
    included).

    Weighted (non-integer) counts: Fisher's test needs integer cells, so ``x_i`` and
    ``n_i`` are each rounded to the nearest integer (halves rounded up) before it is
    run; the z-test uses the counts as given.

    Special cases, in this order:

    * ``n1 == 0`` or ``n2 == 0``: ``(None, None)``.
    * pooled ``p`` is 0 or 1 (no events, or no non-events, in either group): the z
      statistic has zero variance and no evidence against H0 exists;
      ``(1.0, "z")``.
    * identical observed proportions (``x1 / n1 == x2 / n2``): ``(1.0, test)`` where
      ``test`` is the test the rule above selects.

    Parameters
    ----------
    x1, n1 : float
        Successes and trials of group 1 (counts; may be weighted / effective counts).
    x2, n2 : float
        Successes and trials of group 2.

    Returns
    -------
    tuple of (float or None, str or None)
        ``(p_value, test)`` with ``p_value`` in ``[0, 1]`` and ``test`` either ``"z"``
        or ``"fisher"``; ``(None, None)`` when a group is empty.

    Raises
    ------
    UsageError
        Under the count conditions listed in :func:`wilson_interval`, for either group.
    """
    func = "two_proportion_test"
    a, m = _counts(func, x1, n1, "x1", "n1")
    b, k = _counts(func, x2, n2, "x2", "n2")
    if m == 0.0 or k == 0.0:
        return None, None
    total = m + k
    pooled = (a + b) / total
    if pooled <= 0.0 or pooled >= 1.0:
        return 1.0, "z"
    expected = (m * pooled, m * (1.0 - pooled), k * pooled, k * (1.0 - pooled))
    test = "fisher" if min(expected) < MIN_EXPECTED_FOR_Z else "z"
    if math.isclose(a * k, b * m, rel_tol=1e-12, abs_tol=0.0):
        return 1.0, test
    if test == "fisher":
        ai, mi = _round_half_up(a), _round_half_up(m)
        bi, ki = _round_half_up(b), _round_half_up(k)
        from scipy.stats import fisher_exact  # only for small expected counts

        res = fisher_exact([[ai, mi - ai], [bi, ki - bi]], alternative="two-sided")
        return _clip(float(res.pvalue), 0.0, 1.0), test
    se = math.sqrt(pooled * (1.0 - pooled) * (1.0 / m + 1.0 / k))
    zstat = (a / m - b / k) / se
    # two-sided normal tail 2·(1 − Φ(|z|)) = erfc(|z| / √2)
    return _clip(math.erfc(abs(zstat) / math.sqrt(2.0)), 0.0, 1.0), test


def holm_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm (1979) step-down adjusted p-values.

    With the ``m`` defined p-values sorted ascending, ``p_(1) <= ... <= p_(m)``, the
    adjusted value of the ``i``-th is ``max_{j <= i} min(1, (m - j + 1) p_(j))``
    (Holm 1979, Scandinavian Journal of Statistics 6:65-70; the same values as
    ``statsmodels.stats.multitest.multipletests(method="holm")``). Rejecting where the
    adjusted value is ``<= alpha`` controls the family-wise error rate at ``alpha``.

    Parameters
    ----------
    p_values : sequence of float or None
        Unadjusted p-values in ``[0, 1]``. ``None`` marks an undefined test: it stays
        ``None`` in the output and is not counted in the number of hypotheses ``m``.

    Returns
    -------
    list of float or None
        Adjusted p-values in input order, capped at 1, monotone in the order of the
        unadjusted values (ties get equal adjusted values).

    Raises
    ------
    UsageError
        If an entry is neither ``None`` nor a finite real number in ``[0, 1]``.
    """
    func = "holm_adjust"
    values: list[tuple[float, int]] = []
    for i, p in enumerate(p_values):
        if p is None:
            continue
        pf = _real(func, f"p_values[{i}]", p)
        if not 0.0 <= pf <= 1.0:
            raise UsageError(
                f"{func}: p_values[{i}]={pf!r} is out of range; expected 0 <= p <= 1 or None"
            )
        values.append((pf, i))
    out: list[float | None] = [None] * len(p_values)
    m = len(values)
    running = 0.0
    for rank, (pf, i) in enumerate(sorted(values)):
        running = max(running, min(1.0, (m - rank) * pf))
        out[i] = running
    return out


def kish_effective_n(sum_w: float, sum_w2: float) -> float:
    """Kish (1965) effective sample size ``(sum w)² / sum w²`` of a weighted group.

    Kish, *Survey Sampling* (1965), section 11.7: the number of unweighted observations
    giving the same variance of a mean as the weighted sample. Equals the row count
    when all weights are equal and is smaller otherwise.

    Parameters
    ----------
    sum_w : float
        Sum of the (non-negative) weights of the group.
    sum_w2 : float
        Sum of the squared weights of the group.

    Returns
    -------
    float
        The effective sample size (a count, ``>= 0``); ``0.0`` when ``sum_w2 == 0``
        (no rows, or only zero weights).

    Raises
    ------
    UsageError
        If an argument is not a finite real number or is negative, or if ``sum_w2 == 0``
        while ``sum_w != 0`` (impossible for real weights).
    """
    func = "kish_effective_n"
    s1 = _real(func, "sum_w", sum_w)
    s2 = _real(func, "sum_w2", sum_w2)
    if s1 < 0.0:
        raise UsageError(f"{func}: sum_w={s1!r} is negative; expected non-negative weights")
    if s2 < 0.0:
        raise UsageError(f"{func}: sum_w2={s2!r} is negative; expected a sum of squares >= 0")
    if s2 == 0.0:
        if s1 != 0.0:
            raise UsageError(
                f"{func}: sum_w2=0 but sum_w={s1!r}; expected sum_w == 0 when all weights are 0"
            )
        return 0.0
    return s1 * s1 / s2
