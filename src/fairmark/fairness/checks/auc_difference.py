"""Check `fairness.auc_difference`: highest minus lowest ROC AUC over a feature's groups."""

from fairmark.checks.base import Check
from fairmark.fairness.checks._score_common import score_spread_measure

CHECK = Check(
    id="fairness.auc_difference",
    title="ROC AUC gap: highest minus lowest per-group AUC of the score",
    principle="fairness",
    scope="feature",
    direction="lower_is_better",
    metric="auc_difference",
    source=(
        "Borkan et al. 2019, Nuanced Metrics for Measuring Unintended Bias with Real Data "
        "for Text Classification (subgroup AUC); DeLong, DeLong & Clarke-Pearson 1988, "
        "Biometrics 44:837-845 (AUC variance)"
    ),
    measure=score_spread_measure("fairness.auc_difference", "auc_difference"),
)
