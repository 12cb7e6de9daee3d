"""Check `content.unsubstantiated_claim`.

Unsubstantiated claims and fake or incentivised reviews.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fairmark.checks.base import Check, Measurement

if TYPE_CHECKING:
    from fairmark.content.result import ContentScanResult

CATEGORIES: tuple[str, ...] = ("unsubstantiated_claim", "fake_review")


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
            check_id="content.unsubstantiated_claim",
            feature=None,
            group=None,
            reference=None,
            value=float(len(hits)),
            detail=detail,
        )
    ]


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
