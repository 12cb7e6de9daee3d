"""Shared helper of the score checks: measurements from the audit's ``score_metrics``."""

from __future__ import annotations

from collections.abc import Callable

from fairmark.checks.base import Measurement
from fairmark.fairness.result import AuditMetrics


def _coverage(n_groups: int | None, left_out: tuple[tuple[str, str], ...]) -> str:
    text = f"covers {n_groups or 0} group{'s' if n_groups != 1 else ''}"
    if left_out:
        text += "; left out: " + ", ".join(f"{g} ({reason})" for g, reason in left_out)
    return text


def score_spread_measure(check_id: str, metric: str) -> Callable[[AuditMetrics], list[Measurement]]:
    """Return a ``measure`` selecting the per-feature ``metric`` rows of ``score_metrics``.

    Parameters
    ----------
    check_id : str
        Id written into every measurement.
    metric : str
        A per-feature aggregate of :class:`fairmark.fairness.scores.ScoreMetric`
        (``auc_difference``, ``calibration_difference``).

    Returns
    -------
    callable
        ``measure(AuditMetrics) -> list[Measurement]``: one measurement per feature, with
        the lowest group as ``group``, the highest as ``reference`` and the number of
        groups covered (and those left out, with their reason) in ``detail``. An audit
        without a score column gives no measurement.
    """

    def measure(result: AuditMetrics) -> list[Measurement]:
        return [
            Measurement(
                check_id=check_id,
                feature=m.feature,
                group=m.group,
                reference=m.reference,
                value=m.value,
                ci_low=m.ci_low,
                ci_high=m.ci_high,
                reason=m.reason,
                detail=_coverage(m.n_groups, m.left_out),
            )
            for m in result.score_metrics
            if getattr(m, "metric", None) == metric
        ]

    return measure
