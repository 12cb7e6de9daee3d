"""Check `fairness.mean_outcome_ratio`: each group's mean outcome over the reference group's."""

from fairmark.checks.base import Check, Measurement
from fairmark.fairness.result import AuditMetrics


def _measure(result: AuditMetrics) -> list[Measurement]:
    return [
        Measurement(
            check_id="fairness.mean_outcome_ratio",
            feature=m.feature,
            group=m.group,
            reference=m.reference,
            value=m.value,
            ci_low=m.ci_low,
            ci_high=m.ci_high,
            reason=m.reason,
        )
        for m in result.outcome_metrics
        if m.metric == "mean_outcome_ratio"
    ]


CHECK = Check(
    id="fairness.mean_outcome_ratio",
    title="Mean outcome ratio: each group's average offer value over the reference group's",
    principle="fairness",
    scope="group",
    direction="higher_is_better",
    metric="mean_outcome_ratio",
    source="US EEOC Uniform Guidelines, 29 CFR 1607.4(D) (four-fifths rule applied to "
    "means); delta-method log interval (Casella & Berger 2002, Statistical Inference 5.5.4)",
    measure=_measure,
)
