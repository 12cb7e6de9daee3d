"""Check ``fairness.equalized_odds_difference``.

Equalized odds difference: the larger of the TPR and FPR gaps.
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.equalized_odds_difference",
    title="Equalized odds difference: the larger of the TPR and FPR gaps",
    principle="fairness",
    scope="feature",
    direction="lower_is_better",
    metric="equalized_odds_difference",
    source="Hardt, Price & Srebro 2016; fairlearn equalized_odds_difference",
    measure=disparity_measure("fairness.equalized_odds_difference", "equalized_odds_difference"),
)
