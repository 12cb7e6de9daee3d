"""Contract fixtures of the outcome-value checks: an audit with a numeric outcome column."""

from __future__ import annotations

import pandas as pd

import fairmark
from fairmark.fairness.result import AuditMetrics


def _audit_with_outcome() -> AuditMetrics:
    """Three groups of 40 with different offer values; group 'c' gets smaller offers."""
    rows = []
    for group, base in (("a", 100.0), ("b", 90.0), ("c", 60.0)):
        for i in range(40):
            rows.append(
                {"g": group, "y": i % 2, "sel": int(i % 3 == 0), "offer": base + (i % 7) * 5.0}
            )
    result = fairmark.audit(
        pd.DataFrame(rows), y_true="y", y_pred="sel", sensitive_features="g", outcome="offer"
    )
    return result.metrics


FIXTURES = {
    "fairness.mean_outcome_ratio": _audit_with_outcome,
    "fairness.value_share_gap": _audit_with_outcome,
}
