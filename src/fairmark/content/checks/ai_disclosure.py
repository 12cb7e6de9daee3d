"""Check `content.ai_disclosure`.

AI-generated copy without disclosure, or claiming to be human-made.
"""

from __future__ import annotations

from fairmark.checks.base import Check
from fairmark.content.checks._finding_count import finding_count

CATEGORIES: tuple[str, ...] = ("ai_disclosure",)


measure = finding_count("content.ai_disclosure", CATEGORIES)


CHECK = Check(
    id="content.ai_disclosure",
    title="AI-generated copy without disclosure, or claiming to be human-made",
    principle="transparency",
    scope="run",
    direction="lower_is_better",
    metric="content_ai_disclosure",
    source=("EU AI Act (Regulation (EU) 2024/1689) Art. 50(1), 50(2) and 50(4)"),
    measure=measure,
    input="content",
)
