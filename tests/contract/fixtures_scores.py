"""Contract fixtures of the score checks: an audit with a score column.

``FIXTURES[check_id]()`` returns the :class:`fairmark.fairness.result.AuditMetrics` the
check measures (its ``score_metrics`` filled by :mod:`fairmark.fairness.scores`).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

import fairmark


@cache
def _score_audit_metrics():
    rng = np.random.default_rng(7)
    n = 600
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    y = rng.random(n) < np.where(group == "a", 0.3, 0.2)
    score = 1 / (1 + np.exp(-(1.5 * y - 1 + rng.normal(0, 1, n) + (group == "b") * 0.3)))
    frame = pd.DataFrame({"g": group, "y": y.astype(int), "s": score})
    result = fairmark.audit(frame, y_true="y", score="s", top_k=0.3, sensitive_features="g")
    return result.metrics


FIXTURES = {
    "fairness.auc_difference": _score_audit_metrics,
    "fairness.calibration_difference": _score_audit_metrics,
}
