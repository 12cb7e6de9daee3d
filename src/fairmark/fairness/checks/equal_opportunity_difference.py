"""Check ``fairness.equal_opportunity_difference``.

Equal opportunity difference: highest minus lowest true positive rate.
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.equal_opportunity_difference",
    title="Equal opportunity difference: highest minus lowest true positive rate",
    principle="fairness",
    scope="feature",
    direction="lower_is_better",
    metric="equal_opportunity_difference",
    source=(
        "Hardt, Price & Srebro 2016, Equality of Opportunity in Supervised Learning; fairlearn "
        "equal_opportunity_difference"
    ),
    measure=disparity_measure(
        "fairness.equal_opportunity_difference", "equal_opportunity_difference"
    ),
)
