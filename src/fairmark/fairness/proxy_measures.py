"""Association measures computed from aggregated statistics (never from rows).

Three measures of how much a feature tells about a sensitive attribute, each computed
from what the engine aggregated: a contingency table of counts, or per-group counts,
means and sums of squared deviations.

* :func:`cramers_v`: Cramér's V of a contingency table, with the bias correction of
  Bergsma (2013) by default;
* :func:`correlation_ratio`: the correlation ratio η of a numeric variable given the
  groups of a categorical one;
* :func:`normalized_mutual_info`: mutual information normalised by the arithmetic mean of
  the two entropies (scikit-learn's ``normalized_mutual_info_score`` default).

Each returns ``None`` with a :class:`fairmark.errors.Reason` code when the value is
undefined, never NaN.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fairmark.errors import DataError, Reason

__all__ = ["Value", "correlation_ratio", "cramers_v", "normalized_mutual_info"]

Value = tuple[float | None, str | None]
"""A measure's value and, when the value is ``None``, the reason code."""


def _table(table: Any) -> np.ndarray:
    """Return the counts as a float array without empty rows and columns.

    Raises
    ------
    DataError
        If the table is not two-dimensional or holds negative or non-finite counts.
    """
    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2:
        raise DataError(f"a contingency table must be two-dimensional, got {arr.ndim} dimension(s)")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise DataError("a contingency table must hold finite counts >= 0")
    arr = arr[arr.sum(axis=1) > 0]
    return arr[:, arr.sum(axis=0) > 0]


def cramers_v(table: Any, *, bias_correction: bool = True) -> Value:
    """Cramér's V of an r × k contingency table, bias-corrected by default.

    Parameters
    ----------
    table : array-like of shape (r, k)
        Counts (people) of each combination of a feature's levels (rows) and a sensitive
        attribute's groups (columns). Rows and columns summing to zero are ignored: ``r``
        and ``k`` count the levels that occur.
    bias_correction : bool, default True
        Apply Bergsma's correction (below). ``False`` gives the classical V, equal to
        ``scipy.stats.contingency.association(table, method="cramer")``.

    Returns
    -------
    (float or None, str or None)
        V in [0, 1] (0: no association; 1: each level of one variable determines the
        other), and ``None`` as reason. ``(None, "single_level")`` when either variable
        has a single level (``r < 2`` or ``k < 2``); ``(None, "not_estimable")`` when the
        corrected denominator is not positive (as many levels as people).

    Raises
    ------
    DataError
        If ``table`` is not a two-dimensional array of finite counts >= 0.

    Notes
    -----
    With ``n`` people, Pearson's χ² and ``φ² = χ²/n``, the classical statistic is
    ``V = sqrt(φ² / min(k − 1, r − 1))`` (H. Cramér, *Mathematical Methods of
    Statistics*, Princeton 1946, p. 282). It is biased upwards, strongly so for tables
    with many levels. Bergsma's correction (W. Bergsma, "A bias-correction for Cramér's V
    and Tschuprow's T", *J. Korean Stat. Soc.* 42 (2013) 323–328, eqs. for φ̃², r̃, k̃)::

        φ̃² = max(0, φ² − (k − 1)(r − 1)/(n − 1))
        r̃  = r − (r − 1)²/(n − 1),    k̃ = k − (k − 1)²/(n − 1)
        Ṽ  = sqrt(φ̃² / min(k̃ − 1, r̃ − 1))
    """
    arr = _table(table)
    r, k = arr.shape
    if r < 2 or k < 2:
        return None, Reason.SINGLE_LEVEL.value
    n = float(arr.sum())
    expected = np.outer(arr.sum(axis=1), arr.sum(axis=0)) / n
    chi2 = float(((arr - expected) ** 2 / expected).sum())
    phi2 = chi2 / n
    if not bias_correction:
        return math.sqrt(min(1.0, phi2 / min(k - 1, r - 1))), None
    if n <= 1:
        return None, Reason.NOT_ESTIMABLE.value
    phi2_c = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    r_c = r - (r - 1) ** 2 / (n - 1)
    k_c = k - (k - 1) ** 2 / (n - 1)
    denom = min(k_c - 1, r_c - 1)
    if denom <= 0:
        return None, Reason.NOT_ESTIMABLE.value
    return math.sqrt(min(1.0, phi2_c / denom)), None


def correlation_ratio(counts: Any, means: Any, m2: Any) -> Value:
    """Correlation ratio η of a numeric variable given a grouping, from per-group moments.

    Parameters
    ----------
    counts : array-like of shape (g,)
        Number of non-missing values of the variable in each group (people).
    means : array-like of shape (g,)
        Mean of the variable in each group (the variable's unit); ignored where the
        count is 0.
    m2 : array-like of shape (g,)
        Sum of squared deviations from the group mean in each group (the variable's unit
        squared), i.e. ``count × population variance``.

    Returns
    -------
    (float or None, str or None)
        η in [0, 1] (0: every group has the same mean; 1: the variable is constant within
        each group and the group means differ) and ``None`` as reason;
        ``(None, "single_level")`` when the variable has no spread at all (every value
        equal, or no value).

    Raises
    ------
    DataError
        If the arrays differ in length, or a count or sum of squares is negative or not
        finite.

    Notes
    -----
    ``η² = SS_between / SS_total`` with ``SS_between = Σ_g n_g (mean_g − mean)²`` and
    ``SS_total = SS_between + Σ_g m2_g``: the share of the variable's variance that the
    groups explain (K. Pearson, "On the general theory of skew correlation and non-linear
    regression", Drapers' Company Research Memoirs, Biometric Series II, 1905; J. Cohen,
    *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed. 1988, §8.2). The
    numeric variable is the dependent one: η is *not* symmetric. For two groups η equals
    the absolute point-biserial correlation. Working from means and sums of squared
    deviations (not raw sums of squares) keeps it accurate for large values.
    """
    n = np.asarray(counts, dtype=float)
    mu = np.asarray(means, dtype=float)
    ss = np.asarray(m2, dtype=float)
    if not (n.shape == mu.shape == ss.shape) or n.ndim != 1:
        raise DataError("counts, means and sums of squares must be 1-d arrays of one length")
    keep = n > 0
    n, mu, ss = n[keep], mu[keep], ss[keep]
    if not (np.all(np.isfinite(n)) and np.all(np.isfinite(mu)) and np.all(np.isfinite(ss))):
        raise DataError("group counts, means and sums of squares must be finite numbers")
    if np.any(ss < 0):
        raise DataError("sums of squared deviations must be >= 0")
    total = float(n.sum())
    if total == 0:
        return None, Reason.SINGLE_LEVEL.value
    grand = float((n * mu).sum() / total)
    between = float((n * (mu - grand) ** 2).sum())
    within = float(ss.sum())
    ss_total = between + within
    if ss_total <= 0:
        return None, Reason.SINGLE_LEVEL.value
    return math.sqrt(min(1.0, between / ss_total)), None


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def normalized_mutual_info(table: Any) -> Value:
    """Normalised mutual information of an r × k contingency table (arithmetic mean).

    Parameters
    ----------
    table : array-like of shape (r, k)
        Counts (people) of each combination of a feature's levels (or bins) and a
        sensitive attribute's groups. Empty rows and columns are ignored.

    Returns
    -------
    (float or None, str or None)
        ``NMI = I(F; S) / ((H(F) + H(S)) / 2)`` in [0, 1] and ``None`` as reason;
        ``(None, "single_level")`` when either variable has a single level (an entropy is
        zero, so there is nothing to share).

    Raises
    ------
    DataError
        If ``table`` is not a two-dimensional array of finite counts >= 0.

    Notes
    -----
    Mutual information ``I = Σ p_ij log(p_ij / (p_i p_j))`` and Shannon entropies ``H``
    of the margins, natural logarithms (the ratio does not depend on the base). The
    arithmetic-mean normalisation is scikit-learn's default in
    ``normalized_mutual_info_score`` (``average_method="arithmetic"``), the NMI_sum of
    Vinh, Epps & Bailey, "Information theoretic measures for clusterings comparison",
    *JMLR* 11 (2010) 2837–2854 (Table 2); see also Strehl & Ghosh, *JMLR* 3 (2002) 583.
    """
    arr = _table(table)
    r, k = arr.shape
    if r < 2 or k < 2:
        return None, Reason.SINGLE_LEVEL.value
    p = arr / arr.sum()
    pr = p.sum(axis=1)
    pc = p.sum(axis=0)
    nz = p > 0
    mi = float((p[nz] * np.log(p[nz] / np.outer(pr, pc)[nz])).sum())
    h = (_entropy(pr) + _entropy(pc)) / 2.0
    return min(1.0, max(0.0, mi / h)), None
