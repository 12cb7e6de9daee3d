"""Check `fairness.calibration_difference`: highest minus lowest expected calibration error.

The check compares groups with each other (max − min ECE over a feature's groups) rather
than each group with a fixed bound, because a policy on *fairness* asks whether the score
means the same thing for every group; how well calibrated the model is overall is a
question of model quality. A group's own ECE is in ``score_metrics[]`` (``ece``).
"""

from fairmark.checks.base import Check
from fairmark.fairness.checks._score_common import score_spread_measure

CHECK = Check(
    id="fairness.calibration_difference",
    title="Calibration gap: highest minus lowest per-group expected calibration error",
    principle="fairness",
    scope="feature",
    direction="lower_is_better",
    metric="calibration_difference",
    source=(
        "Kleinberg, Mullainathan & Raghavan 2017, Inherent Trade-Offs in the Fair "
        "Determination of Risk Scores (calibration within groups); Naeini, Cooper & "
        "Hauskrecht 2015, AAAI (expected calibration error)"
    ),
    measure=score_spread_measure("fairness.calibration_difference", "calibration_difference"),
)
