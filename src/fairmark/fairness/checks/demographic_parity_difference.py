"""Check ``fairness.demographic_parity_difference``.

Demographic parity difference: highest minus lowest selection rate.
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.demographic_parity_difference",
    title="Demographic parity difference: highest minus lowest selection rate",
    principle="fairness",
    scope="feature",
    direction="lower_is_better",
    metric="demographic_parity_difference",
    source="fairlearn demographic_parity_difference; Agarwal et al. 2018",
    measure=disparity_measure(
        "fairness.demographic_parity_difference", "demographic_parity_difference"
    ),
)
