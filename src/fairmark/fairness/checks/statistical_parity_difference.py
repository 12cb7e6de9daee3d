"""Check ``fairness.statistical_parity_difference``.

Statistical parity difference: selection rate of each group minus the reference group's.
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._common import disparity_measure

CHECK = Check(
    id="fairness.statistical_parity_difference",
    title="Statistical parity difference: selection rate of each group minus the reference group's",
    principle="fairness",
    scope="group",
    direction="higher_is_better",
    metric="statistical_parity_difference",
    source="Dwork et al. 2012, Fairness through awareness; AIF360 statistical_parity_difference",
    measure=disparity_measure(
        "fairness.statistical_parity_difference", "statistical_parity_difference"
    ),
)
