"""Check `content.dark_pattern`.

Dark patterns in marketing copy (urgency, scarcity, social proof …).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:
    from fairmark.content.result import ContentScanResult

CATEGORIES: tuple[str, ...] = (
    "urgency",
    "scarcity",
    "social_proof",
    "misdirection",
    "sneaking",
    "obstruction",
    "forced_action",
)


def measure(result: ContentScanResult) -> list[Measurement]:
    """One run-level measurement: findings of :data:`CATEGORIES` at or above warn.

    ``value`` is a count (lower is better); ``detail`` names the documents involved.
    """
    hits = [
        (d.name, f)
        for d in result.documents
        for f in d.findings
        if f.category in CATEGORIES and f.severity in ("warn", "block")
    ]
    docs = sorted({name for name, _ in hits})
    shown = ", ".join(docs[:5]) + (f" and {len(docs) - 5} more" if len(docs) > 5 else "")
    detail = f"{len(hits)} finding(s) in {len(docs)} document(s)" + (f": {shown}" if docs else "")
    return [
        Measurement(
            check_id="content.dark_pattern",
            feature=None,
            group=None,
            reference=None,
            value=float(len(hits)),
            detail=detail,
        )
    ]


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
