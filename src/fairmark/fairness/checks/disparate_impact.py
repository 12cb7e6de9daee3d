"""Check ``fairness.disparate_impact``.

Disparate impact: each group's selection rate over the reference group's.
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.disparate_impact",
    title="Disparate impact: each group's selection rate over the reference group's",
    principle="fairness",
    scope="group",
    direction="higher_is_better",
    metric="disparate_impact",
    source=(
        "US EEOC Uniform Guidelines on Employee Selection Procedures, 29 CFR 1607.4(D) (four-"
        "fifths rule); Feldman et al. 2015, KDD"
    ),
    measure=disparity_measure("fairness.disparate_impact", "disparate_impact"),
)
