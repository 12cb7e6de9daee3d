"""Check `content.unsubstantiated_claim`.

Unsubstantiated claims and fake or incentivised reviews.
"""

from __future__ import annotations

from fairmark.checks.base import Check
from fairmark.content.checks._finding_count import finding_count

CATEGORIES: tuple[str, ...] = ("unsubstantiated_claim", "fake_review")


measure = finding_count("content.unsubstantiated_claim", CATEGORIES)


CHECK = Check(
    id="content.unsubstantiated_claim",
    title="Unsubstantiated claims and fake or incentivised reviews",
    principle="accountability",
    scope="run",
    direction="lower_is_better",
    metric="content_unsubstantiated_claim",
    source=(
        "FTC Policy Statement Regarding Advertising Substantiation (1984); 16 CFR 465 "
        "(2024); 16 CFR 255"
    ),
    measure=measure,
    input="content",
)
