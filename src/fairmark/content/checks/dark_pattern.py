"""Check `content.dark_pattern`.

Dark patterns in marketing copy (urgency, scarcity, social proof …).
"""

from __future__ import annotations

from fairmark.checks.base import Check
from fairmark.content.checks._finding_count import finding_count

CATEGORIES: tuple[str, ...] = (
    "urgency",
    "scarcity",
    "social_proof",
    "misdirection",
    "sneaking",
    "obstruction",
    "forced_action",
)


measure = finding_count("content.dark_pattern", CATEGORIES)


CHECK = Check(
    id="content.dark_pattern",
    title="Dark patterns in marketing copy (urgency, scarcity, social proof …)",
    principle="transparency",
    scope="run",
    direction="lower_is_better",
    metric="content_dark_pattern",
    source=(
        "Mathur et al. 2019, Dark Patterns at Scale, CSCW; FTC 2022, Bringing Dark Patterns "
        "to Light; UCPD 2005/29/EC Annex I"
    ),
    measure=measure,
    input="content",
)
