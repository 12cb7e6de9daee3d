"""Agresti–Coull confidence interval for a binomial proportion."""

from __future__ import annotations

import math

from scipy import stats as _sps

from fairmark.errors import UsageError

__all__ = ["agresti_coull_interval"]


def agresti_coull_interval(
    successes: float, n: float, confidence: float = 0.95
) -> tuple[float | None, float | None]:
    """Agresti–Coull ("add two successes and two failures") interval for ``x / n``.

    With ``z`` the two-sided normal quantile, ``ñ = n + z²`` and ``p̃ = (x + z²/2) / ñ``,
    the interval is ``p̃ ± z sqrt(p̃ (1 - p̃) / ñ)``, clipped to [0, 1] (Agresti & Coull
    1998, *The American Statistician* 52(2):119-126). The same bounds as
    ``statsmodels.stats.proportion.proportion_confint(method="agresti_coull")``.

    Parameters
    ----------
    successes : float
        Successes ``x`` (a count; may be non-integer for weighted counts), ``0 <= x <= n``.
    n : float
        Trials (a count).
    confidence : float, default 0.95
        Two-sided level, strictly between 0 and 1.

    Returns
    -------
    tuple of (float or None, float or None)
        Bounds on the proportion scale; ``(None, None)`` when ``n == 0``.

    Raises
    ------
    UsageError
        If a count is negative or not finite, ``successes > n``, or ``confidence`` is not
        in (0, 1).
    """
    func = "agresti_coull_interval"
    for name, value in (("successes", successes), ("n", n), ("confidence", confidence)):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise UsageError(f"{func}: {name}={value!r} is not a finite number")
    if n < 0 or successes < 0 or successes > n * (1 + 1e-12):
        raise UsageError(f"{func}: expected 0 <= successes <= n, got {successes!r} of {n!r}")
    if not 0.0 < confidence < 1.0:
        raise UsageError(f"{func}: confidence={confidence!r} is out of range; expected 0 < c < 1")
    if n == 0:
        return None, None
    z = float(_sps.norm.isf((1.0 - confidence) / 2.0))
    n_t = n + z * z
    p_t = (min(successes, n) + z * z / 2.0) / n_t
    half = z * math.sqrt(p_t * (1.0 - p_t) / n_t)
    return max(p_t - half, 0.0), min(p_t + half, 1.0)
