"""Check ``fairness.true_positive_rate_difference``.

True positive rate of each group minus the reference group's.
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.true_positive_rate_difference",
    title="True positive rate of each group minus the reference group's",
    principle="fairness",
    scope="group",
    direction="higher_is_better",
    metric="true_positive_rate_difference",
    source=(
        "Hardt, Price & Srebro 2016; AIF360 true_positive_rate_difference "
        "(equal_opportunity_difference)"
    ),
    measure=disparity_measure(
        "fairness.true_positive_rate_difference", "true_positive_rate_difference"
    ),
)
