"""Check `fairness.representation_ratio`: each group's share of the training data over its
share of the reference population."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:  # the result module imports fairmark.checks: no import cycle at run time
    from fairmark.fairness.representation_result import RepresentationResult


def _detail(result: RepresentationResult, group: str, reference_share: float | None) -> str:
    if reference_share is None:
        return f"group found in the data but not in the reference ({result.reference.location})"
    return f"reference share {reference_share:.1%} ({result.reference.location})"


def _measure(result: RepresentationResult) -> list[Measurement]:
    return [
        Measurement(
            check_id="fairness.representation_ratio",
            feature=result.feature,
            group=g.group,
            reference=None,
            value=g.representation_ratio.value,
            ci_low=g.representation_ratio.ci_low,
            ci_high=g.representation_ratio.ci_high,
            reason=g.representation_ratio.reason,
            detail=_detail(result, g.group, g.reference_share),
        )
        for g in result.groups
    ]


CHECK = Check(
    id="fairness.representation_ratio",
    title="Representation ratio: each group's share of the training data over its share of "
    "the reference population",
    principle="inclusiveness",
    scope="group",
    direction="higher_is_better",
    metric="representation_ratio",
    source="ISO/IEC TR 24027:2021, Bias in AI systems and AI aided decision making "
    "(representation of groups in training data); Suresh & Guttag 2021, EAAMO",
    measure=_measure,
    input="representation",
)
