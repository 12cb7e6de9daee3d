"""Check ``fairness.false_positive_rate_difference``.

False positive rate of each group minus the reference group's.
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.false_positive_rate_difference",
    title="False positive rate of each group minus the reference group's",
    principle="fairness",
    scope="group",
    direction="lower_is_better",
    metric="false_positive_rate_difference",
    source="Hardt, Price & Srebro 2016; AIF360 false_positive_rate_difference",
    measure=disparity_measure(
        "fairness.false_positive_rate_difference", "false_positive_rate_difference"
    ),
)
