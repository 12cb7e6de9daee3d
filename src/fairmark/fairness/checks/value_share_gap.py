"""Check `fairness.value_share_gap`: each group's share of the total value minus its share of
the population."""

from fairmark.checks.base import Check, Measurement
from fairmark.fairness.result import AuditMetrics


def _measure(result: AuditMetrics) -> list[Measurement]:
    return [
        Measurement(
            check_id="fairness.value_share_gap",
            feature=m.feature,
            group=m.group,
            reference=None,
            value=m.value,
            ci_low=m.ci_low,
            ci_high=m.ci_high,
            reason=m.reason,
        )
        for m in result.outcome_metrics
        if m.metric == "value_share_gap"
    ]


CHECK = Check(
    id="fairness.value_share_gap",
    title="Value share gap: each group's share of the total offer value minus its share of "
    "the customers",
    principle="fairness",
    scope="group",
    direction="higher_is_better",
    metric="value_share_gap",
    source="Lorenz 1905, Methods of measuring the concentration of wealth (share of value "
    "against share of population)",
    measure=_measure,
)
