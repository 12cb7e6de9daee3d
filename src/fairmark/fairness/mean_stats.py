"""Interval estimates and tests for means, computed from aggregated moments.

The outcome-value metrics (:mod:`fairmark.fairness.outcomes`) call these functions on the
per-group moments produced by the data engine; they never see rows. A group is described
by a :class:`Moments` triple: the (effective) number of observations, the mean and the
sample variance. For weighted data the caller passes the Kish effective sample size as
``n`` (Kish 1965, *Survey Sampling* §11.7), as :mod:`fairmark.fairness.stats` does for
proportions.

References
----------
Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. *Biometrika* 34(1-2):28-35.
Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance
    components. *Biometrics Bulletin* 2(6):110-114.
Student (1908). The probable error of a mean. *Biometrika* 6(1):1-25.
Chan, T. F., Golub, G. H., LeVeque, R. J. (1979). Updating formulae and a pairwise
    algorithm for computing sample variances. Stanford CS report STAN-CS-79-773.
Casella, G., Berger, R. L. (2002). *Statistical Inference*, 2nd ed., §5.5.4 (delta method).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as _sps

from fairmark.errors import UsageError

__all__ = [
    "Moments",
    "WelchResult",
    "combine_moments",
    "log_ratio_interval",
    "t_interval",
    "welch",
]

Interval = tuple[float | None, float | None]


@dataclass(frozen=True)
class Moments:
    """Weighted moments of one group's values, mergeable across cells.

    Parameters
    ----------
    sum_w : float
        Sum of the weights (the row count when unweighted).
    sum_w2 : float
        Sum of the squared weights (the row count when unweighted).
    mean : float or None
        Weighted mean ``Σ w x / Σ w``; ``None`` when ``sum_w == 0``.
    m2 : float
        Weighted sum of squared deviations from the mean, ``Σ w (x - mean)²`` (units of the
        outcome squared; 0 for an empty group).
    """

    sum_w: float
    sum_w2: float
    mean: float | None
    m2: float

    @property
    def n_eff(self) -> float:
        """Kish effective sample size ``(Σ w)² / Σ w²`` (the row count when unweighted)."""
        return self.sum_w * self.sum_w / self.sum_w2 if self.sum_w2 > 0 else 0.0

    @property
    def variance(self) -> float | None:
        """Sample variance of one value: ``m2 / Σ w · n_eff / (n_eff - 1)``.

        Unweighted this is the usual ``Σ (x - mean)² / (n - 1)`` (``numpy.var(ddof=1)``).
        ``None`` when ``n_eff <= 1``.
        """
        n = self.n_eff
        if n <= 1 or self.sum_w <= 0:
            return None
        return max(self.m2, 0.0) / self.sum_w * n / (n - 1.0)

    @property
    def standard_error(self) -> float | None:
        """Standard error of the mean, ``sqrt(variance / n_eff)``; ``None`` when undefined."""
        v = self.variance
        return None if v is None else math.sqrt(v / self.n_eff)


def combine_moments(a: Moments, b: Moments) -> Moments:
    """Merge the moments of two disjoint sets of values (Chan, Golub & LeVeque 1979).

    ``mean = mean_a + δ w_b / w``, ``m2 = m2_a + m2_b + δ² w_a w_b / w`` with
    ``δ = mean_b - mean_a`` and ``w = w_a + w_b``: exact, and stable because no large
    sums of squares are subtracted.

    Parameters
    ----------
    a, b : Moments

    Returns
    -------
    Moments
    """
    if a.sum_w <= 0 or a.mean is None:
        return Moments(a.sum_w + b.sum_w, a.sum_w2 + b.sum_w2, b.mean, b.m2 + a.m2)
    if b.sum_w <= 0 or b.mean is None:
        return Moments(a.sum_w + b.sum_w, a.sum_w2 + b.sum_w2, a.mean, a.m2 + b.m2)
    w = a.sum_w + b.sum_w
    delta = b.mean - a.mean
    mean = a.mean + delta * b.sum_w / w
    m2 = a.m2 + b.m2 + delta * delta * a.sum_w * b.sum_w / w
    return Moments(w, a.sum_w2 + b.sum_w2, mean, m2)


def _confidence(func: str, confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise UsageError(f"{func}: confidence={confidence!r} is not a number; expected 0 < c < 1")
    if not 0.0 < float(confidence) < 1.0:
        raise UsageError(f"{func}: confidence={confidence!r} is out of range; expected 0 < c < 1")
    return float(confidence)


def t_interval(m: Moments, confidence: float = 0.95) -> Interval:
    """Student-t confidence interval of a group's mean.

    ``mean ± t_{n-1} · s / sqrt(n)`` with ``s²`` the sample variance and ``n`` the
    (effective) sample size (Student 1908). Unweighted this equals
    ``scipy.stats.ttest_1samp(x, 0).confidence_interval(confidence)``.

    Parameters
    ----------
    m : Moments
        The group's moments (units of the outcome).
    confidence : float, default 0.95
        Two-sided level, strictly between 0 and 1.

    Returns
    -------
    tuple of (float or None, float or None)
        Bounds in the outcome's units; ``(None, None)`` when the mean or the variance is
        undefined (``n_eff <= 1``).

    Raises
    ------
    UsageError
        If ``confidence`` is not in (0, 1).
    """
    conf = _confidence("t_interval", confidence)
    se = m.standard_error
    if m.mean is None or se is None:
        return None, None
    half = float(_sps.t.isf((1.0 - conf) / 2.0, m.n_eff - 1.0)) * se
    return m.mean - half, m.mean + half


@dataclass(frozen=True)
class WelchResult:
    """Welch's comparison of two means: ``difference = mean_1 - mean_2``.

    Attributes
    ----------
    difference : float
        In the outcome's units.
    ci_low, ci_high : float or None
        Welch confidence interval of the difference; ``None`` when a variance is undefined
        or both are zero.
    df : float or None
        Welch–Satterthwaite degrees of freedom.
    p_value : float or None
        Two-sided p-value of ``H0: mean_1 = mean_2``.
    """

    difference: float
    ci_low: float | None
    ci_high: float | None
    df: float | None
    p_value: float | None


def welch(a: Moments, b: Moments, confidence: float = 0.95) -> WelchResult | None:
    """Welch's unequal-variance t interval and test for ``mean_a - mean_b``.

    ``se² = s_a²/n_a + s_b²/n_b``; degrees of freedom by the Welch–Satterthwaite formula
    ``df = se⁴ / ((s_a²/n_a)²/(n_a - 1) + (s_b²/n_b)²/(n_b - 1))``; interval
    ``d ± t_df · se``; ``p = 2 · P(T_df > |d| / se)`` (Welch 1947; Satterthwaite 1946).
    Unweighted, the same numbers as ``scipy.stats.ttest_ind(a, b, equal_var=False)``
    (its ``pvalue`` and ``confidence_interval()``).

    Parameters
    ----------
    a, b : Moments
        The two groups (``b`` is the reference).
    confidence : float, default 0.95
        Two-sided level, strictly between 0 and 1.

    Returns
    -------
    WelchResult or None
        ``None`` when either mean is undefined (no values).

    Raises
    ------
    UsageError
        If ``confidence`` is not in (0, 1).
    """
    conf = _confidence("welch", confidence)
    if a.mean is None or b.mean is None:
        return None
    diff = a.mean - b.mean
    va, vb = a.variance, b.variance
    if va is None or vb is None:
        return WelchResult(diff, None, None, None, None)
    qa, qb = va / a.n_eff, vb / b.n_eff
    se2 = qa + qb
    if se2 <= 0:
        return WelchResult(diff, None, None, None, None)
    df = se2 * se2 / (qa * qa / (a.n_eff - 1.0) + qb * qb / (b.n_eff - 1.0))
    se = math.sqrt(se2)
    half = float(_sps.t.isf((1.0 - conf) / 2.0, df)) * se
    p = float(2.0 * _sps.t.sf(abs(diff) / se, df))
    return WelchResult(diff, diff - half, diff + half, df, min(max(p, 0.0), 1.0))


def log_ratio_interval(a: Moments, b: Moments, confidence: float = 0.95) -> Interval:
    """Delta-method confidence interval of the ratio of two means, on the log scale.

    ``exp(log(mean_a / mean_b) ± z · sqrt(se_a²/mean_a² + se_b²/mean_b²))`` where ``se``
    is the standard error of each mean (delta method, Casella & Berger 2002 §5.5.4; the
    log scale keeps the bounds positive, as the Katz interval does for rates).

    Parameters
    ----------
    a, b : Moments
        Numerator group and reference group.
    confidence : float, default 0.95
        Two-sided level, strictly between 0 and 1.

    Returns
    -------
    tuple of (float or None, float or None)
        Bounds on the ratio scale; ``(None, None)`` unless both means are positive and
        both standard errors are defined.

    Raises
    ------
    UsageError
        If ``confidence`` is not in (0, 1).
    """
    conf = _confidence("log_ratio_interval", confidence)
    sa, sb = a.standard_error, b.standard_error
    if a.mean is None or b.mean is None or sa is None or sb is None:
        return None, None
    if a.mean <= 0 or b.mean <= 0:
        return None, None
    z = float(_sps.norm.isf((1.0 - conf) / 2.0))
    log_r = math.log(a.mean) - math.log(b.mean)
    half = z * math.sqrt((sa / a.mean) ** 2 + (sb / b.mean) ** 2)
    return math.exp(log_r - half), math.exp(log_r + half)
