"""Check `fairness.small_groups`: groups too small to audit, per feature."""

from fairmark.checks.base import Check, Measurement
from fairmark.fairness.result import AuditMetrics


def _measure(result: AuditMetrics) -> list[Measurement]:
    out = []
    for feature in result.features:
        small = result.small_groups.get(feature, [])
        detail = (
            f"groups below the minimum size of {result.min_group_size}: {', '.join(small)}"
            if small
            else f"every group has at least {result.min_group_size} rows"
        )
        out.append(
            Measurement(
                check_id="fairness.small_groups",
                feature=feature,
                group=None,
                reference=None,
                value=float(len(small)),
                detail=detail,
            )
        )
    return out


CHECK = Check(
    id="fairness.small_groups",
    title="Groups too small to audit (count of groups below the minimum group size)",
    principle="reliability_and_safety",
    scope="feature",
    direction="lower_is_better",
    metric="small_groups",
    source="Small-cell rule of official statistics (e.g. Eurostat SDC handbook 2010); "
    "minimum sample sizes for disparity estimates",
    measure=_measure,
)
