"""Check ``fairness.predictive_parity_difference``.

Predictive parity difference: highest minus lowest precision (PPV).
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.predictive_parity_difference",
    title="Predictive parity difference: highest minus lowest precision (PPV)",
    principle="fairness",
    scope="feature",
    direction="lower_is_better",
    metric="predictive_parity_difference",
    source="Chouldechova 2017, Fair prediction with disparate impact",
    measure=disparity_measure(
        "fairness.predictive_parity_difference", "predictive_parity_difference"
    ),
)
