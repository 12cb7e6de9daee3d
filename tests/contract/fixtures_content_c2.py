"""Contract fixtures of the content checks owned by issue #6 part C2.

``content.gender_coded`` measures job-ad balances; ``content.targeting_restriction`` a
targeting lint result (input ``"targeting"``).
"""

from __future__ import annotations

from fairmark.content.gender_coded import GenderBalance, gender_balance
from fairmark.content.targeting import TargetingLintResult, lint_targeting


def _job_ads() -> dict[str, GenderBalance]:
    """Two ads: one strongly masculine-coded (5 vs 0), one feminine-coded (0 vs 2)."""
    return {
        "ad-1": gender_balance("A competitive, ambitious, dominant and decisive leader."),
        "ad-2": gender_balance("A supportive, warm colleague."),
    }


def _meta_housing() -> TargetingLintResult:
    """A housing ad set on Meta targeting women aged 25-45 in one ZIP code."""
    return lint_targeting(
        {"age_min": 25, "age_max": 45, "genders": [2],
         "geo_locations": {"zips": [{"key": "US:10001"}]}},
        platform="meta",
        ad_category="housing",
    )


FIXTURES = {
    "content.gender_coded": _job_ads,
    "content.targeting_restriction": _meta_housing,
}
