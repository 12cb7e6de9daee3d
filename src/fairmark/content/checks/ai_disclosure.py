"""Check `content.ai_disclosure`.

AI-generated copy without disclosure, or claiming to be human-made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:
    from fairmark.content.result import ContentScanResult

CATEGORIES: tuple[str, ...] = ("ai_disclosure",)


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
            check_id="content.ai_disclosure",
            feature=None,
            group=None,
            reference=None,
            value=float(len(hits)),
            detail=detail,
        )
    ]


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
