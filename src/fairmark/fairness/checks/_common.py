"""Shared helper: a check whose measurements are the audit's disparity rows of one metric."""

from __future__ import annotations

from collections.abc import Callable

from fairmark.checks.base import Measurement
from fairmark.fairness.result import AuditMetrics


def disparity_measure(check_id: str, metric: str) -> Callable[[AuditMetrics], list[Measurement]]:
    """Return a ``measure`` function selecting the ``metric`` rows of ``disparities``."""

    def measure(result: AuditMetrics) -> list[Measurement]:
        return [
            Measurement(
                check_id=check_id,
                feature=d.feature,
                group=d.group,
                reference=d.reference,
                value=d.value,
                ci_low=d.ci_low,
                ci_high=d.ci_high,
                reason=d.reason,
            )
            for d in result.disparities_for(metric)
        ]

    return measure
