"""Check `content.special_category_wording`.

Exclusionary wording in special ad categories and vulnerability targeting cues.
"""

from __future__ import annotations

from fairmark.checks.base import Check
from fairmark.content.checks._finding_count import finding_count

CATEGORIES: tuple[str, ...] = ("special_category_wording", "vulnerability")


measure = finding_count("content.special_category_wording", CATEGORIES)


CHECK = Check(
    id="content.special_category_wording",
    title="Exclusionary wording in special ad categories and vulnerability targeting cues",
    principle="fairness",
    scope="run",
    direction="lower_is_better",
    metric="content_special_category_wording",
    source=(
        "42 USC 3604(c); 29 USC 623(e); 42 USC 2000e-3(b); 12 CFR 1002.4(b); EU AI Act Art. 5(1)(b)"
    ),
    measure=measure,
    input="content",
)
