"""Check ``fairness.demographic_parity_ratio``.

Demographic parity ratio: lowest over highest selection rate.
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.demographic_parity_ratio",
    title="Demographic parity ratio: lowest over highest selection rate",
    principle="fairness",
    scope="feature",
    direction="higher_is_better",
    metric="demographic_parity_ratio",
    source="fairlearn demographic_parity_ratio; Agarwal et al. 2018",
    measure=disparity_measure("fairness.demographic_parity_ratio", "demographic_parity_ratio"),
)
