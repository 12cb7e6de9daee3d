"""Check `content.targeting_restriction`: targeting choices a platform forbids."""

from __future__ import annotations

from fairmark.checks.base import Check, Measurement
from fairmark.content.targeting.lint import TargetingLintResult
from fairmark.content.targeting.rules import GOOGLE_SOURCE, META_SOURCE, TIKTOK_SOURCE


def measure(result: TargetingLintResult) -> list[Measurement]:
    """One measurement per linted spec: the number of blocking findings.

    ``group`` is the platform, ``value`` the count of targeting choices the platform does
    not allow for the ad category (0 = compliant); ``detail`` names the rules hit.
    """
    hit = sorted({f.rule_id for f in result.findings if f.severity == "block"})
    return [
        Measurement(
            check_id="content.targeting_restriction",
            feature=None,
            group=result.platform,
            reference=None,
            value=float(result.n_blocking),
            detail=(
                f"{result.ad_category} ad on {result.platform}: "
                + (", ".join(hit) if hit else "no restricted targeting")
            ),
        )
    ]


CHECK = Check(
    id="content.targeting_restriction",
    title="Targeting restriction: special-ad-category targeting the platform forbids",
    principle="fairness",
    scope="run",
    direction="lower_is_better",
    metric="targeting_restriction",
    source=f"{META_SOURCE}; {GOOGLE_SOURCE}; {TIKTOK_SOURCE}",
    measure=measure,
    input="targeting",
)
